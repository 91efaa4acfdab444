"""The ``fastinit`` command: ``compare``, ``train``, ``sweep``, ``predict``,
``theory``, ``phase`` and ``serve``.

Bad options and bad data end with exit code 2 and one line on stderr saying
what is wrong; Ctrl-C ends with exit code 130. Figures are written with
matplotlib's non-interactive Agg backend.

This module holds the entry point (:func:`main`), the parser
(:func:`build_parser`) and the reporting of errors; each command is a module
of its own (``compare``, ``train``, ``sweep``, ``predict``, ``theory``,
``phase``, ``serve``) with its ``add_parser(commands)`` and ``run(args)``. The option
types and the options commands share are in ``options``; ``progress``,
``figures`` and ``runs`` hold what several commands run with.
"""

import argparse
import os
import sys

from .. import __version__
from . import compare, phase, predict, serve, sweep, theory, train
from .compare import TABLE_COLUMNS
from .figures import _save
from .options import UsageError

__all__ = ["COMMANDS", "EXIT_INTERRUPTED", "EXIT_USAGE", "TABLE_COLUMNS", "UsageError",
           "build_parser", "main", "_save"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are :class:`UsageError` (one line, exit
    code 2) instead of a usage message and ``SystemExit``."""

    def error(self, message):
        raise UsageError(message)


def build_parser():
    """The parser of the ``fastinit`` command and its subcommands.

    Returns
    -------
    argparse.ArgumentParser
        The parser; ``--help`` lists the commands in the order they are added.
    """
    parser = _Parser(
        prog="fastinit",
        description="Train small fully-connected networks and compare weight initializers.",
    )
    parser.add_argument("--version", action="version", version=f"fastinit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for command in (compare, train, sweep, predict, theory, phase, serve):  # the order of --help
        command.add_parser(commands)
    return parser


COMMANDS = {"compare": compare.run, "train": train.run, "predict": predict.run,
            "sweep": sweep.run, "theory": theory.run, "phase": phase.run, "serve": serve.run}


def main(argv=None):
    """Entry point of the ``fastinit`` console script; returns the exit code.

    Every error a user can cause ends in one line on stderr and exit code 2;
    Ctrl-C in one line and 130; a closed stdout (``fastinit predict | head``)
    quietly, with 0, as for any Unix tool.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        parser = build_parser()
        args = parser.parse_args(argv)
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        _report(("\n" if _is_terminal(sys.stderr) else "") + "fastinit: interrupted")
        return EXIT_INTERRUPTED
    except SystemExit as exit:  # --help and --version
        return exit.code
    except Exception as error:  # noqa: BLE001 - one line, whatever went wrong
        _report(f"fastinit: error: {_one_line(error)}")
        return EXIT_USAGE


def _one_line(error):
    """``error`` as one line: a file's name and the reason for an OSError, the
    kind of error where its message says nothing or is not a user's error."""
    if isinstance(error, OSError) and error.strerror:
        message = (f"{error.filename}: {error.strerror}" if error.filename is not None
                   else error.strerror)
    elif isinstance(error, MemoryError):
        message = f"not enough memory{': ' + str(error) if str(error) else ''}"
    else:
        message = str(error)
        if not isinstance(error, (UsageError, ValueError, TypeError, OverflowError)):
            message = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return " ".join(message.split()) or type(error).__name__


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (OSError, ValueError, AttributeError):
        return False


def _report(line):
    """Print ``line`` on stderr, which may itself be a closed pipe."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _silence_stdout():
    """After a closed pipe: point stdout at the null device, so that the
    interpreter's last flush does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass
