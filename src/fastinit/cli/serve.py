"""``fastinit serve``: the initialization explorer in the browser
(:mod:`fastinit.serve`), on a local address by default."""

import argparse
import ipaddress
import socket
import sys

from .options import UsageError

#: Where the explorer listens unless told otherwise: this machine alone.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port(text):
    """``--port``: an int in [0, 65535] (0: the system picks a free port)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number in [0, 65535], got "
                                         f"{text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number in [0, 65535], got {text!r}")
    return value


def add_parser(commands):
    """Add the ``serve`` command: the explorer in the browser.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        The subcommands of the ``fastinit`` parser.
    """
    serve = commands.add_parser(
        "serve",
        help="the initialization explorer in the browser: every control retrains at once",
        description=(
            "Serve the initialization explorer: two initializations (A and B) trained side "
            "by side on the same data and seed, retrained on every change of a control, "
            "with cost curves, decision boundaries, each layer's signal at initialization "
            "against the mean-field theory and a phase map. Needs the serve extra: pip "
            "install 'fastinit-nn[serve]'. Listens on 127.0.0.1 (this machine only) unless "
            "--host says otherwise; Ctrl-C stops it."
        ),
    )
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default: {DEFAULT_HOST}, this machine "
                            f"only)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT,
                       help=f"port (default: {DEFAULT_PORT}; 0 picks a free one)")
    serve.add_argument("--data", default=None, metavar="FILE",
                       help="a .npz or .csv data file offered as the data set 'file' (the "
                            "only file the server reads)")
    serve.add_argument("--open", action="store_true",
                       help="open the page in the default web browser")


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bound_socket(host, port):
    """A listening socket on ``(host, port)``, or one line saying why not."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as error:
        raise UsageError(f"--host {host!r}: {error.strerror}") from None
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(128)
    except OSError as error:
        listener.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return listener


def run(args):
    """Run ``fastinit serve`` until Ctrl-C.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code (Ctrl-C ends as every command's: 130, through
        KeyboardInterrupt).
    """
    try:
        import uvicorn

        from ..serve.app import MAX_MESSAGE_BYTES, create_app
    except ImportError:
        raise UsageError("fastinit serve needs the serve extra: "
                         "pip install 'fastinit-nn[serve]'") from None
    app = create_app(args.data)  # a bad --data file is one line, before listening
    listener = _bound_socket(args.host, args.port)
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if not _is_loopback(args.host):
        print(f"fastinit serve: warning: listening on {args.host}: anyone who can reach this "
              f"machine can use the explorer (and its CPU)", file=sys.stderr)
    print(f"fastinit explorer at {url} (Ctrl-C stops it)", flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(url)
    # lifespan off: the app's lifespan only shuts its thread pool, which the process's
    # exit does too, and uvicorn cancels it mid-wait on a stop by signal, logging a traceback
    config = uvicorn.Config(app, log_level="warning", ws_max_size=MAX_MESSAGE_BYTES * 2,
                            lifespan="off")
    server = _server_class(uvicorn)(config)
    server.run(sockets=[listener])
    if server.interrupted:
        raise KeyboardInterrupt  # after the graceful stop: one line and 130, as every command
    return 0


def _server_class(uvicorn):
    """A ``uvicorn.Server`` that stops gracefully on SIGINT or SIGTERM and
    remembers a SIGINT, instead of raising the signal again inside the event
    loop (where the app's shutdown would log a traceback)."""
    import contextlib
    import signal
    import threading

    class Server(uvicorn.Server):
        interrupted = False

        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return

            def stop(number, frame):
                self.interrupted = self.interrupted or number == signal.SIGINT
                self.handle_exit(number, frame)

            previous = {number: signal.signal(number, stop)
                        for number in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for number, handler in previous.items():
                    signal.signal(number, handler)

    return Server
