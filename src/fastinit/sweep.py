"""Sweeps: many small trainings over a grid of initializers, depths, widths,
activations and seeds, with statistics over the seeds. They run on a thread
pool in this process by default, or on any ``concurrent.futures.Executor`` or
Dask cluster (``dask.distributed.Client``), and every finished run is on disk
before the next is counted, so a sweep can be killed and resumed.

A run is exactly ``fi.train(X, Y, fi.initialize([n_0] + [width] * depth + [1],
initializer, seed=seed), n_threads=1, ...)`` on the data set's training split,
so its numbers do not depend on where it ran.
"""

import concurrent.futures
import csv
import functools
import itertools
import json
import math
import os
import time
from dataclasses import asdict, dataclass

import numpy as np

from ._validation import (check_positive_int, check_positive_ints, check_positive_number,
                          check_seeds)
from .activations import ACTIVATIONS
from .datasets import DATASETS, load_dataset
from .experiments import _initial
from .initializers import INITIALIZERS
from .network import accuracy
from .stopping import StopToken, stopping_with
from .storage import atomic_write
from .threads import available_cores, flops_per_iteration
from .training import DivergenceError, OPTIMIZERS, train

__all__ = ["RUN_COLUMNS", "SweepResult", "SweepSettings", "sweep"]

#: The columns of runs.csv, in order.
RUN_COLUMNS = ("initializer", "activation", "depth", "width", "seed", "dataset",
               "learning_rate", "iterations", "final_cost", "train_accuracy", "test_accuracy",
               "diverged", "seconds")
#: The columns that name a run (a cell of the grid).
CELL_COLUMNS = ("initializer", "activation", "depth", "width", "seed")
#: The measured columns that summary.csv summarises.
MEASURES = ("final_cost", "train_accuracy", "test_accuracy")
#: A task (one call on a worker) holds runs worth at least about this many seconds,
#: so that a Dask cluster's cost per task (about 1 ms) stays small.
TASK_SECONDS = 0.2
#: Floating-point operations per second one core trains at, roughly, for sizing tasks.
FLOPS_PER_SECOND = 5e9


@dataclass(frozen=True)
class SweepSettings:
    """What every run of a sweep shares (besides its cell of the grid)."""

    dataset: str = "circles"
    iterations: int = 2000
    learning_rate: float = 0.01
    optimizer: str = "gd"
    mini_batch_size: int = None
    lambd: float = 0.0
    keep_prob: float = 1.0

    def training_options(self):
        """Keywords of :func:`fastinit.train`."""
        options = {"learning_rate": self.learning_rate, "lambd": self.lambd,
                   "keep_prob": self.keep_prob, "n_threads": 1}
        if self.optimizer != "gd" or self.mini_batch_size is not None:
            options.update(optimizer=self.optimizer, mini_batch_size=self.mini_batch_size,
                           num_epochs=self.iterations)
        else:
            options["num_iterations"] = self.iterations
        return options


@dataclass
class SweepResult:
    """What :func:`sweep` returns.

    Attributes
    ----------
    runs : list of dict
        One per run, in grid order: the rows of runs.csv (:data:`RUN_COLUMNS`).
    grid : dict
        ``initializers``, ``activations``, ``depths``, ``widths``, ``seeds``.
    settings : SweepSettings
    """

    runs: list
    grid: dict
    settings: SweepSettings

    def summary(self):
        """One dict per (initializer, activation, depth, width), in grid order:
        ``count``, ``diverged``, and for each of ``final_cost``,
        ``train_accuracy`` and ``test_accuracy`` its ``mean``, ``std``, ``min``
        and ``max`` over the runs that did not diverge (NaN when none did)."""
        groups = {}
        for run in self.runs:
            key = tuple(run[column] for column in CELL_COLUMNS[:-1])
            groups.setdefault(key, []).append(run)
        rows = []
        for key, runs in groups.items():
            row = dict(zip(CELL_COLUMNS[:-1], key))
            row["count"] = len(runs)
            row["diverged"] = sum(bool(run["diverged"]) for run in runs)
            for measure in MEASURES:
                values = np.array([run[measure] for run in runs if not run["diverged"]],
                                  dtype=float)
                for name, function in (("mean", np.mean), ("std", np.std), ("min", np.min),
                                       ("max", np.max)):
                    row[f"{measure}_{name}"] = float(function(values)) if values.size \
                        else math.nan
            rows.append(row)
        return rows

    def to_pandas(self):
        """The runs as a ``pandas.DataFrame`` (pandas is optional: ``pip install pandas``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("SweepResult.to_pandas needs pandas: pip install pandas") from None
        return pandas.DataFrame(self.runs, columns=list(RUN_COLUMNS))


def _cells(initializers, activations, depths, widths, seeds):
    return [dict(zip(CELL_COLUMNS, cell))
            for cell in itertools.product(initializers, activations, depths, widths, seeds)]


@functools.lru_cache(maxsize=4)
def _data(dataset):
    return load_dataset(dataset)


def run_cells(cells, settings):
    """Train every cell of ``cells`` (dicts of :data:`CELL_COLUMNS`) with
    ``settings``; return one row of :data:`RUN_COLUMNS` each. This is what a
    worker runs: it depends only on its arguments."""
    data = _data(settings.dataset)
    train_X, train_Y, test_X, test_Y = data
    options = settings.training_options()
    rows = []
    for cell in cells:
        dims = [train_X.shape[0], *[cell["width"]] * cell["depth"], 1]
        start = time.perf_counter()
        row = dict(cell, dataset=settings.dataset, learning_rate=settings.learning_rate,
                   iterations=settings.iterations)
        try:
            start_parameters = _initial(dims, cell["initializer"], cell["seed"], data,
                                        {"activation": cell["activation"]})
            result = train(train_X, train_Y, start_parameters, activation=cell["activation"],
                           **options)
        except DivergenceError:
            row.update(final_cost=math.nan, train_accuracy=math.nan, test_accuracy=math.nan,
                       diverged=True)
        else:
            hidden = {"activation": cell["activation"], "n_threads": 1}
            row.update(final_cost=result.final_cost,
                       train_accuracy=accuracy(train_X, train_Y, result.parameters, **hidden),
                       test_accuracy=accuracy(test_X, test_Y, result.parameters, **hidden),
                       diverged=False)
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
    return rows


def _run_cells_until(token, cells, settings):
    """:func:`run_cells` on a thread of this process, its runs stopped by ``token``."""
    with stopping_with(token):
        return run_cells(cells, settings)


def _tasks(cells, settings, shape):
    """The cells in batches worth about :data:`TASK_SECONDS` each, in order;
    ``shape`` is the training inputs' ``(n_0, m)``."""
    n_inputs, m = shape
    tasks, batch, seconds = [], [], 0.0
    for cell in cells:
        dims = [n_inputs, *[cell["width"]] * cell["depth"], 1]
        seconds += flops_per_iteration(dims, m) * settings.iterations / FLOPS_PER_SECOND
        batch.append(cell)
        if seconds >= TASK_SECONDS:
            tasks.append(batch)
            batch, seconds = [], 0.0
    if batch:
        tasks.append(batch)
    return tasks


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

def _format(value):
    return repr(value) if isinstance(value, float) else str(value)


def _parse_row(row):
    """A runs.csv row back to Python values (floats exactly as written)."""
    parsed = dict(row)
    for column in ("depth", "width", "seed", "iterations"):
        parsed[column] = int(row[column])
    for column in ("learning_rate", "seconds") + MEASURES:
        parsed[column] = float(row[column])
    parsed["diverged"] = row["diverged"] == "True"
    return parsed


class _RunsFile:
    """runs.csv, appended to one row at a time, flushed and fsynced."""

    def __init__(self, path):
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        self.handle = open(path, "a", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        if new:
            self.writer.writerow(RUN_COLUMNS)
            self._sync()

    def append(self, rows):
        for row in rows:
            self.writer.writerow([_format(row[column]) for column in RUN_COLUMNS])
        self._sync()

    def _sync(self):
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self):
        self.handle.close()


def _read_runs(path):
    """The complete rows of an existing runs.csv (a last line cut short by a kill
    is dropped), by cell."""
    if not os.path.exists(path):
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        text = handle.read()
    if text and not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]
        with atomic_write(path, "w") as handle:
            handle.write(text)
    runs = {}
    for row in csv.DictReader(text.splitlines()):
        if None in row or any(value is None for value in row.values()):
            continue
        parsed = _parse_row(row)
        runs[tuple(parsed[column] for column in CELL_COLUMNS)] = parsed
    return runs


def _description(grid, settings):
    return {"grid": grid, "settings": asdict(settings)}


def _write_outputs(out, result):
    """summary.csv and summary.png."""
    summary = result.summary()
    with atomic_write(os.path.join(out, "summary.csv"), "w") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(summary[0]))
        writer.writeheader()
        for row in summary:
            writer.writerow({key: _format(value) for key, value in row.items()})
    from . import plotting

    figure = plotting.plot_sweep(summary)
    with atomic_write(os.path.join(out, "summary.png")) as handle:
        figure.savefig(handle, dpi=110, format="png")
    import matplotlib.pyplot as plt

    plt.close(figure)


# ---------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------

def _is_dask_client(executor):
    return type(executor).__module__.split(".")[0] == "distributed" and \
        hasattr(executor, "gather")


def _completed(executor, tasks, settings, token):
    """Yield each task's rows as it finishes, on ``executor``; the runs of a thread
    pool stop when ``token`` is set."""
    if _is_dask_client(executor):
        from distributed import as_completed

        futures = [executor.submit(run_cells, task, settings, pure=False, retries=3)
                   for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            executor.cancel([f for f in futures if not f.done()])
        return
    futures = [executor.submit(_run_cells_until, token, task, settings) for task in tasks]
    try:
        for future in concurrent.futures.as_completed(futures):
            yield future.result()
    finally:
        for future in futures:
            future.cancel()


def _checked_grid(initializers, activations, depths, widths, seeds):
    def names(values, known, what):
        values = [values] if isinstance(values, str) else list(values)
        if not values:
            raise ValueError(f"{what}s must name at least one {what}")
        for value in values:
            if value not in known:
                raise ValueError(f"unknown {what} {value!r}; choose from: "
                                 f"{', '.join(sorted(known))}")
        return values

    return {"initializers": names(initializers, INITIALIZERS, "initializer"),
            "activations": names(activations, ACTIVATIONS, "activation"),
            "depths": check_positive_ints(depths, "depths"),
            "widths": check_positive_ints(widths, "widths"), "seeds": check_seeds(seeds)}


def sweep(initializers=("he", "xavier"), depths=(2,), widths=(10,), activations=("relu",),
          seeds=range(10), dataset="circles", iterations=2000, learning_rate=0.01,
          optimizer="gd", mini_batch_size=None, lambd=0.0, keep_prob=1.0, out=None,
          resume=False, executor=None, workers=None, on_runs=None):
    """Train one network per cell of the grid and collect the results.

    The grid is the product of ``initializers`` x ``activations`` x ``depths`` x
    ``widths`` x ``seeds``; the network of a cell is ``[n_0] + [width] * depth +
    [1]``, initialized with ``fi.initialize(dims, initializer, seed=seed)`` and
    trained by ``fi.train(..., n_threads=1)`` with the shared settings on the
    data set's training split. A run that diverges is a row with ``diverged``
    True.

    Parameters
    ----------
    initializers, activations : sequence of str
    depths, widths : sequence of int
        Numbers of hidden layers and their width.
    seeds : iterable of int
    dataset : {"circles", "moons"}
    iterations : int
        Iterations, or epochs with an optimizer or mini-batches.
    learning_rate, optimizer, mini_batch_size, lambd, keep_prob
        As :func:`fastinit.train` takes them.
    out : str or path-like, optional
        A folder for runs.csv (each run appended, flushed and fsynced as it
        finishes), summary.csv, summary.png and sweep.json.
    resume : bool, default False
        Keep the runs already in ``out``'s runs.csv and run only the others;
        refused when ``out``'s sweep.json describes another grid or settings.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where the runs go, in tasks of at least about 0.2 s (Dask tasks are
        retried when a worker dies). Default: a thread pool of ``workers``
        threads in this process (the compiled core releases the GIL).
    workers : int, optional
        The default pool's threads; default every core this process may use.
    on_runs : callable, optional
        Called as ``on_runs(rows, done, total)`` after each task's rows are saved.

    Returns
    -------
    SweepResult
    """
    grid = _checked_grid(initializers, activations, depths, widths, seeds)
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {dataset!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    settings = SweepSettings(
        dataset=dataset, iterations=check_positive_int(iterations, "iterations"),
        learning_rate=check_positive_number(learning_rate, "learning_rate"),
        optimizer=optimizer,
        mini_batch_size=None if mini_batch_size is None else
        check_positive_int(mini_batch_size, "mini_batch_size"),
        lambd=float(lambd), keep_prob=float(keep_prob))
    if not (math.isfinite(settings.lambd) and settings.lambd >= 0):
        raise ValueError(f"lambd must be a finite number >= 0, got {lambd}")
    if not 0 < settings.keep_prob <= 1:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    if on_runs is not None and not callable(on_runs):
        raise TypeError(f"on_runs must be callable, got {type(on_runs).__name__}")
    cells = _cells(*(grid[key] for key in ("initializers", "activations", "depths", "widths",
                                           "seeds")))
    done = {}
    runs_file = None
    if out is not None:
        out = os.fspath(out)
        os.makedirs(out, exist_ok=True)
        description = _description(grid, settings)
        described = os.path.join(out, "sweep.json")
        runs_path = os.path.join(out, "runs.csv")
        if resume and os.path.exists(described):
            with open(described, encoding="utf-8") as handle:
                if json.load(handle) != json.loads(json.dumps(description)):
                    raise ValueError(f"--resume: {described} describes another grid or other "
                                     f"settings; resume with the same ones or use a new --out")
            done = _read_runs(runs_path)
        elif resume:
            raise ValueError(f"--resume: {out} holds no sweep.json to resume")
        elif os.path.exists(runs_path) and os.path.getsize(runs_path) > 0:
            raise ValueError(f"{runs_path} exists; pass resume=True (--resume) to continue "
                             f"that sweep, or choose another out folder")
        with atomic_write(described, "w") as handle:
            json.dump(description, handle, indent=2)
        runs_file = _RunsFile(runs_path)
    todo = [cell for cell in cells if tuple(cell[c] for c in CELL_COLUMNS) not in done]
    tasks = _tasks(todo, settings, _data(dataset)[0].shape)
    own_pool = None
    if executor is None:
        workers = available_cores() if workers is None else check_positive_int(workers,
                                                                                "workers")
        executor = own_pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
    finished = dict(done)
    token = StopToken()
    try:
        for rows in _completed(executor, tasks, settings, token):
            if runs_file is not None:
                runs_file.append(rows)
            for row in rows:
                finished[tuple(row[c] for c in CELL_COLUMNS)] = row
            if on_runs is not None:
                on_runs(rows, len(finished), len(cells))
    except BaseException:  # Ctrl-C, or on_runs raised: stop now, not after the queue
        token.set()  # the runs in flight stop at their next check; no other run does
        if own_pool is not None:
            own_pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if own_pool is not None:
            own_pool.shutdown(wait=False, cancel_futures=True)
        if runs_file is not None:
            runs_file.close()
    result = SweepResult(runs=[finished[tuple(cell[c] for c in CELL_COLUMNS)] for cell in cells],
                         grid=grid, settings=settings)
    if out is not None:
        _write_outputs(out, result)
    return result
