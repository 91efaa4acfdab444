"""Stop tokens: asking the training runs of one job to stop, and no others.

A long run in the compiled core checks for Ctrl-C every few milliseconds; a
sweep or an experiment that runs many trainings on a thread pool also needs to
stop the runs in flight when it is interrupted, without stopping a training
that another part of the program runs at the same time. Each such job makes
its own :class:`StopToken`, and each of its runs trains inside
:func:`stopping_with` that token; :meth:`StopToken.set` then ends exactly those
runs at their next check (KeyboardInterrupt, after the step in progress).
"""

import concurrent.futures
import contextlib
import threading

import numpy as np

__all__ = ["StopToken", "StoppingTasks", "current_stop_flag", "stopping_with"]

_local = threading.local()


class StopToken:
    """A request to stop, shared by the runs trained inside :func:`stopping_with` it.

    Examples
    --------
    >>> token = StopToken()
    >>> token.is_set()
    False
    >>> token.set()
    >>> token.is_set()
    True
    """

    def __init__(self):
        #: The one int the compiled loops read (and set on Ctrl-C).
        self.flag = np.zeros(1, dtype=np.intc)

    def set(self):
        """Ask every run holding this token to stop at its next check."""
        self.flag[0] = 1

    def is_set(self):
        """Whether a stop has been asked for (or a run holding it was interrupted)."""
        return bool(self.flag[0])


@contextlib.contextmanager
def stopping_with(token):
    """Train with ``token`` in this thread: the runs started inside stop when it is set.

    Parameters
    ----------
    token : StopToken

    Yields
    ------
    StopToken
    """
    if not isinstance(token, StopToken):
        raise TypeError(f"token must be a StopToken, got {type(token).__name__}")
    previous = getattr(_local, "token", None)
    _local.token = token
    try:
        yield token
    finally:
        _local.token = previous


def current_stop_flag():
    """The flag of the token this thread trains with, or None.

    Returns
    -------
    numpy.ndarray or None
        One ``intc``, for the compiled loops' ``stop`` argument.
    """
    token = getattr(_local, "token", None)
    return None if token is None else token.flag


def _run_until(token, function, *args):
    """``function(*args)`` inside :func:`stopping_with` ``token``; not started at
    all once the token is set."""
    with stopping_with(token):
        if token.is_set():
            raise KeyboardInterrupt("training stopped: a stop was requested")
        return function(*args)


class StoppingTasks:
    """Tasks on a ``concurrent.futures.Executor`` that stop together.

    Each task runs inside :func:`stopping_with` one :class:`StopToken`. When the
    block that submitted them ends with any exception (Ctrl-C, a callback's
    error, a task's error), the token is set, so the runs in flight stop at
    their next check, and the tasks not yet started are cancelled: the error
    surfaces at once instead of after the queue. Another job's runs, which hold
    other tokens or none, go on.

    Parameters
    ----------
    executor : concurrent.futures.Executor
    token : StopToken, optional
        A new one by default.

    Examples
    --------
    >>> with concurrent.futures.ThreadPoolExecutor(2) as pool, StoppingTasks(pool) as tasks:
    ...     for x in (1, 2, 3):
    ...         _ = tasks.submit(abs, -x)
    ...     sorted(future.result() for future in tasks.as_completed())
    [1, 2, 3]
    """

    def __init__(self, executor, token=None):
        self.executor = executor
        self.token = StopToken() if token is None else token
        self.futures = []

    def submit(self, function, *args):
        """Submit ``function(*args)``, run with this token; return its future."""
        future = self.executor.submit(_run_until, self.token, function, *args)
        self.futures.append(future)
        return future

    def as_completed(self):
        """The futures submitted, as they finish."""
        return concurrent.futures.as_completed(self.futures)

    def stop(self):
        """Stop the runs in flight and cancel the tasks not started."""
        self.token.set()
        for future in self.futures:
            future.cancel()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None:
            self.stop()
        return False
