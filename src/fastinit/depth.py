"""The depth experiment: He et al.'s (2015) 30-layer finding in small. The same
data trained by networks of growing depth, from each initializer and several
seeds, to show which initializers still train when the network gets deep."""

import concurrent.futures
import time
from dataclasses import asdict, dataclass

import numpy as np

from ._validation import (check_dtype, check_positive_int, check_positive_ints,
                          check_positive_number, check_seeds)
from .activations import DEFAULT_NEGATIVE_SLOPE, check_activation
from .experiments import (_bounded, _checked_grid_size, _checked_names, _distinct, _initial,
                          _load)
from .initializers import INITIALIZERS
from .network import accuracy
from .stopping import StoppingTasks
from .threads import available_cores
from .training import DivergenceError, train

__all__ = ["DEPTH_DEFAULTS", "DepthResult", "DepthRun", "compare_depths"]

#: The experiment's defaults: hidden layers of 20 units, these depths (numbers of
#: hidden layers) and initializers, 5 seeds, circles, learning rate 0.01.
DEPTH_DEFAULTS = dict(methods=("he", "xavier", "glorot", "random_small"),
                      depths=(2, 5, 10, 20, 30), width=20, seeds=tuple(range(5)),
                      dataset="circles", num_iterations=2000, learning_rate=0.01)


@dataclass
class DepthRun:
    """One trained network of the depth experiment."""

    initializer: str
    activation: str
    depth: int
    seed: int
    train_accuracy: float
    test_accuracy: float
    final_cost: float
    #: Whether training diverged (the accuracies and cost are then NaN).
    diverged: bool
    seconds: float


@dataclass
class DepthResult:
    """What :func:`compare_depths` returns: every run, and the settings."""

    runs: list
    settings: dict

    def summary(self):
        """One dict per (initializer, depth), in the order run: ``initializer``,
        ``activation``, ``depth``, ``runs``, ``diverged``, and the ``mean`` and
        ``std`` (over the seeds that did not diverge; NaN when none) of
        ``train_accuracy``, ``test_accuracy`` and ``final_cost``."""
        groups = {}
        for run in self.runs:
            groups.setdefault((run.initializer, run.activation, run.depth), []).append(run)
        rows = []
        for (initializer, activation, depth), runs in groups.items():
            row = {"initializer": initializer, "activation": activation, "depth": depth,
                   "runs": len(runs), "diverged": sum(run.diverged for run in runs)}
            for name in ("train_accuracy", "test_accuracy", "final_cost"):
                values = np.array([getattr(run, name) for run in runs if not run.diverged])
                row[f"{name}_mean"] = float(values.mean()) if values.size else float("nan")
                row[f"{name}_std"] = float(values.std()) if values.size else float("nan")
            rows.append(row)
        return rows

    def to_dict(self):
        """The settings, every run and the summary, as JSON-ready values."""
        return {"settings": self.settings, "runs": [asdict(run) for run in self.runs],
                "summary": self.summary()}


def compare_depths(methods=DEPTH_DEFAULTS["methods"], depths=DEPTH_DEFAULTS["depths"],
                   width=DEPTH_DEFAULTS["width"], seeds=DEPTH_DEFAULTS["seeds"],
                   dataset=DEPTH_DEFAULTS["dataset"],
                   num_iterations=DEPTH_DEFAULTS["num_iterations"],
                   learning_rate=DEPTH_DEFAULTS["learning_rate"], activation="relu",
                   negative_slope=DEFAULT_NEGATIVE_SLOPE, dtype=None, n_workers=None,
                   on_run=None, **options):
    """Train networks of every depth from every initializer and seed.

    The network for depth ``d`` is ``[n_0] + [width] * d + [1]``, initialized
    with ``fi.initialize(dims, method, seed=seed)`` and trained on the data
    set's training split by :func:`fastinit.train` (one thread per run, the
    runs side by side). A run that diverges is recorded as diverged, not raised.

    Parameters
    ----------
    methods : sequence of str
        Initializer names; default he, the course's xavier, glorot, random_small.
    depths : sequence of int
        Numbers of hidden layers; default 2, 5, 10, 20, 30.
    width : int, default 20
    seeds : sequence of int, default 0 .. 4
    dataset : {"circles", "moons"}, default "circles"
    num_iterations : int, default 2000
        Enough for He to train a 30-layer ReLU network on circles to about 1.0.
    learning_rate : float, default 0.01
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation (see :func:`fastinit.train`).
    dtype : float32 or float64, optional
    n_workers : int, optional
        Runs trained at once; default every core this process may use.
    on_run : callable, optional
        Called as ``on_run(run)`` with each :class:`DepthRun` as it finishes.
    **options
        Passed to :func:`fastinit.train` (``optimizer``, ``lambd``, ...).

    Returns
    -------
    DepthResult
    """
    axes = {"methods": _bounded(methods, "methods"), "depths": _bounded(depths, "depths"),
            "seeds": _bounded(seeds, "seeds")}
    _checked_grid_size(axes)
    methods = _distinct(_checked_names(axes["methods"], INITIALIZERS, "initializer", "methods"),
                        "methods")
    depths = _distinct(check_positive_ints(axes["depths"], "depths"), "depths")
    width = check_positive_int(width, "width")
    seeds = _distinct(check_seeds(axes["seeds"]), "seeds")
    num_iterations = check_positive_int(num_iterations, "num_iterations")
    learning_rate = check_positive_number(learning_rate, "learning_rate")
    check_activation(activation, negative_slope)
    n_workers = available_cores() if n_workers is None else \
        check_positive_int(n_workers, "n_workers")
    if on_run is not None and not callable(on_run):
        raise TypeError(f"on_run must be callable, got {type(on_run).__name__}")
    data = _load(dataset, dtype)
    training = dict(options, learning_rate=learning_rate, num_iterations=num_iterations,
                    activation=activation, negative_slope=negative_slope, n_threads=1)
    grid = [(method, depth, seed) for method in methods for depth in depths for seed in seeds]

    def run(cell):
        method, depth, seed = cell
        dims = [data[0].shape[0], *[width] * depth, 1]
        return _depth_run(method, depth, seed, data, _initial(dims, method, seed, data, training),
                          training)

    runs = _run_all(run, grid, n_workers, on_run)
    settings = {"methods": methods, "depths": depths, "width": width, "seeds": seeds,
                "dataset": dataset, "num_iterations": num_iterations,
                "learning_rate": learning_rate, "activation": activation,
                "negative_slope": negative_slope, "dtype": check_dtype(dtype).name,
                **options}
    return DepthResult(runs=runs, settings=settings)


def _run_all(run, cells, n_workers, on_run):
    """``run(cell)`` for every cell on a pool of ``n_workers`` threads, in the
    order of ``cells``; ``on_run`` sees each as it finishes. Ctrl-C or an error
    in ``on_run`` or a run stops the runs in flight and cancels the rest."""
    runs = [None] * len(cells)
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(n_workers, len(cells))) as pool, \
            StoppingTasks(pool) as tasks:
        index = {tasks.submit(run, cell): i for i, cell in enumerate(cells)}
        for future in tasks.as_completed():
            runs[index[future]] = future.result()
            if on_run is not None:
                on_run(runs[index[future]])
    return runs


def _depth_run(method, depth, seed, data, parameters, training):
    """Train one network and score it; divergence is a result, not an error."""
    train_X, train_Y, test_X, test_Y = data
    start = time.perf_counter()
    try:
        result = train(train_X, train_Y, parameters, **training)
    except DivergenceError:
        nan = float("nan")
        return DepthRun(method, training["activation"], depth, seed, nan, nan, nan, True,
                        time.perf_counter() - start)
    seconds = time.perf_counter() - start
    hidden = {"activation": result.activation, "negative_slope": result.negative_slope}
    return DepthRun(method, result.activation, depth, seed,
                    accuracy(train_X, train_Y, result.parameters, n_threads=1, **hidden),
                    accuracy(test_X, test_Y, result.parameters, n_threads=1, **hidden),
                    result.final_cost, False, seconds)
