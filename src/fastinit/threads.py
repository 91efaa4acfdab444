"""How many threads a computation gets by default.

Every kernel gives the same bits for every thread count; this only decides
when more threads pay for their synchronisation.
"""

import os

from . import _kernels
from ._validation import check_positive_int

__all__ = ["FLOPS_PER_THREAD", "MAX_THREADS", "available_cores", "flops_per_iteration", "resolve_threads"]

#: Floating-point operations per pass below which one more thread costs
#: more in synchronisation than it saves (about 50 microseconds of work).
FLOPS_PER_THREAD = 2_000_000
#: The most threads a computation may ask for: thousands of OpenMP threads can
#: end the process from inside libgomp, before Python could raise anything.
MAX_THREADS = 256


_forked = False


def _after_fork_in_child():
    global _forked
    _forked = True


# libgomp's thread pool does not survive fork(): a child whose parent had
# trained on several threads hangs in its first parallel region. multiprocessing,
# joblib, Dask's nanny and pytest-xdist all fork, so a forked child trains on
# one thread (the same bits; only slower).
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def available_cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def flops_per_iteration(dims, m, passes=3):
    """Approximate floating-point operations of one pass over ``m`` examples: two
    per weight and example for each of ``passes`` passes (training makes three:
    forward, weight gradient, input gradient; inference one)."""
    weights = sum(int(dims[l]) * int(dims[l - 1]) for l in range(1, len(dims)))
    return 2 * passes * weights * m


def resolve_threads(n_threads, dims, m, passes=3):
    """``n_threads`` checked, or the default: all cores, capped so each thread
    gets at least :data:`FLOPS_PER_THREAD` per iteration (or inference, with
    ``passes=1``); one without OpenMP. In a process forked from this one,
    always one."""
    if n_threads is not None:
        n_threads = check_positive_int(n_threads, "n_threads")
        if n_threads > MAX_THREADS:
            raise ValueError(f"n_threads must be at most {MAX_THREADS} (this machine has "
                             f"{available_cores()} cores), got {n_threads}")
        return 1 if _forked else n_threads
    if _forked or not _kernels._impl.has_openmp():
        return 1  # a forked child (see above), or built without OpenMP (Apple's clang)
    useful = max(1, flops_per_iteration(dims, m, passes) // FLOPS_PER_THREAD)
    return int(min(available_cores(), useful))
