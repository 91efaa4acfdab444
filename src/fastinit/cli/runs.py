"""Where the grids of ``fastinit sweep`` and ``fastinit phase`` run, and their progress.

:func:`_runs_executor` gives a command the Dask client of ``--dask`` (a new
LocalCluster, or an existing scheduler) and the progress line
(:class:`_SweepProgress`), and cleans up after them, at once on Ctrl-C or an
error (:func:`_silence_dask_logs`, :func:`_kill_local_workers`).
"""

import contextlib
import logging
import os
import signal
import sys
import time
import warnings

from ..sweep import local_dask_client
from ..threads import available_cores
from .options import UsageError, _dask_address, _positive_int


def add_runner_options(parser):
    """Add the options of where a grid runs and how it reports: ``--workers``,
    ``--dask``, ``--resume`` and ``--quiet``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser of ``sweep`` or ``phase``.
    """
    parser.add_argument("--workers", type=_positive_int, default=None,
                        help="runs at once on this machine (default: the cores available)")
    parser.add_argument("--dask", type=_dask_address, default=None, metavar="ADDRESS",
                        help="run on the Dask scheduler at ADDRESS (tcp://host:8786), or "
                             "'local' for a LocalCluster of --workers processes")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in --out and run the others")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _dask_client(address, workers):
    """A ``dask.distributed.Client`` for ``--dask``: a new LocalCluster of
    ``workers`` one-thread processes for "local", else the scheduler at ``address``."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask needs Dask: pip install 'fastinit-nn[dask]'") from None
    if address == "local":
        # The workers' logs and warnings would drown the one line of an error or of
        # Ctrl-C; local_dask_client starts them with SIGINT ignored, so that Ctrl-C on
        # the terminal (sent to every process of the group) reaches this process
        # alone, which stops them.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
        logging.getLogger("distributed").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return local_dask_client(workers or available_cores())
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}") from None


def _silence_dask_logs():
    """No more log records from Dask in this process, CRITICAL ones included:
    stopping our own LocalCluster mid-run closes comms its scheduler is still
    writing to, and it logs each one with a traceback under the one line of
    Ctrl-C or of an error."""
    names = ["distributed"] + [name for name in logging.root.manager.loggerDict
                               if name.startswith("distributed.")]
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _kill_local_workers(client):
    """Stop the worker processes of our own LocalCluster at once (Ctrl-C or an
    error): a run in a worker does not see this process's stop, and closing the
    cluster would wait seconds for it."""
    nannies = list(getattr(getattr(client, "cluster", None), "workers", {}).values())
    for nanny in nannies:
        with contextlib.suppress(Exception):
            nanny.auto_restart = False  # a killed worker is not started again
            if nanny.pid and nanny.pid != os.getpid():
                os.kill(nanny.pid, signal.SIGKILL)


class _SweepProgress:
    """runs done/total, rate and ETA on stderr: one updating line on a terminal,
    a line every tenth of the sweep otherwise."""

    def __init__(self, quiet, stream=None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.first = None
        self.printed = 0

    def __call__(self, rows, done, total):
        if self.quiet:
            return
        if self.first is None:
            self.first = done - len(rows)  # runs kept from an earlier sweep
        elapsed = time.perf_counter() - self.started
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else float("inf")
        line = f"[{done}/{total}] {rate:.1f} runs/s, ETA {eta:.0f} s"
        if self.tty:
            self.stream.write("\r" + line.ljust(60))
            self.stream.flush()
        elif done * 10 // total > self.printed or done == total:
            self.printed = done * 10 // total
            print(line, file=self.stream)

    def close(self):
        if self.tty and not self.quiet:
            self.stream.write("\n")


@contextlib.contextmanager
def _runs_executor(args):
    """``(client, progress)`` for a grid of runs: the Dask client of ``--dask``
    (None without it) and the progress line; on leaving, the client and a
    local cluster are closed, and on an error or Ctrl-C a local cluster's
    workers are killed first."""
    progress = _SweepProgress(args.quiet)
    client = _dask_client(args.dask, args.workers) if args.dask is not None else None
    try:
        yield client, progress
    except BaseException:
        if client is not None and args.dask == "local":
            _silence_dask_logs()  # its scheduler logs the comms the stop closes
            _kill_local_workers(client)  # they would finish their runs first
        raise
    finally:
        progress.close()
        if client is not None:
            cluster = client.cluster
            client.close()
            if args.dask == "local" and cluster is not None:
                cluster.close()
