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
import contextlib
import csv
import functools
import itertools
import json
import math
import numbers
import os
import stat
import threading
import time
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

from ._validation import (check_bool, check_memory, check_positive_int,
                          check_positive_ints, check_positive_number, check_seeds)
from .activations import ACTIVATIONS
from .datasets import DATASETS, load_dataset
from .experiments import (MAX_RUNS, _bounded, _checked_grid_size, _checked_names, _distinct,
                          _initial, one_value)
from .initializers import INITIALIZERS
from .network import accuracy
from .stopping import StoppingTasks, StopToken, current_stop_flag, stopping_with
from .storage import atomic_write, save_figure
from .threads import MAX_THREADS, available_cores, flops_per_iteration
from .training import DivergenceError, OPTIMIZERS, train

__all__ = ["RUN_COLUMNS", "GridSettings", "SweepResult", "SweepSettings", "local_dask_client",
           "run_grid", "sweep"]

#: The columns that name a run (a cell of the grid).
CELL_COLUMNS = ("initializer", "activation", "depth", "width", "seed")
#: The measured columns that summary.csv summarises.
MEASURES = ("final_cost", "train_accuracy", "test_accuracy")
#: The columns every run ends with, after its cell and its settings.
OUTCOME_COLUMNS = MEASURES + ("diverged", "seconds")
#: The columns of runs.csv, in order.
RUN_COLUMNS = CELL_COLUMNS + ("dataset", "learning_rate", "iterations") + OUTCOME_COLUMNS
#: The type of each column of a runs.csv (a sweep's or a phase diagram's) that is
#: not text ("diverged" is True or False).
COLUMN_TYPES = {"depth": int, "width": int, "seed": int, "iterations": int, "epochs": int,
                "learning_rate": float, "seconds": float, "sigma_w2": float,
                "sigma_b2": float, **{measure: float for measure in MEASURES}}
#: A task (one call on a worker) holds runs worth at least about this many seconds,
#: so that a Dask cluster's cost per task (about 1 ms) stays small.
TASK_SECONDS = 0.2
#: Floating-point operations per second one core trains at, roughly, for sizing tasks.
FLOPS_PER_SECOND = 5e9
#: The largest runs.csv or sweep.json read back (a row is about 150 bytes).
MAX_FILE_BYTES = MAX_RUNS * 1024


class GridSettings:
    """What :func:`run_grid` needs of a grid's settings class (a frozen
    dataclass of what every run shares): the columns naming a cell
    (``cell_columns``, each the value of the grid axis ``axes[column]``), the
    settings repeated in every row of runs.csv (``echoed``), the file that
    describes the grid (``description_name``), and how a cell's network is
    made (``layers(cell, n_inputs)``, ``start(cell, data)``) and trained
    (``training_options()``, ``activation_of(cell)``, ``passes``, the passes
    over the training set, for sizing tasks).
    """

    cell_columns: ClassVar[tuple]
    axes: ClassVar[dict]
    echoed: ClassVar[tuple]
    description_name: ClassVar[str]

    @classmethod
    def columns(cls):
        """The columns of runs.csv, in order."""
        return cls.cell_columns + cls.echoed + OUTCOME_COLUMNS


@dataclass(frozen=True)
class SweepSettings(GridSettings):
    """What every run of a sweep shares (besides its cell of the grid)."""

    dataset: str = "circles"
    iterations: int = 2000
    learning_rate: float = 0.01
    optimizer: str = "gd"
    mini_batch_size: int = None
    lambd: float = 0.0
    keep_prob: float = 1.0

    cell_columns: ClassVar[tuple] = CELL_COLUMNS
    axes: ClassVar[dict] = dict(zip(CELL_COLUMNS, ("initializers", "activations", "depths",
                                                   "widths", "seeds")))
    echoed: ClassVar[tuple] = ("dataset", "learning_rate", "iterations")
    description_name: ClassVar[str] = "sweep.json"

    @property
    def passes(self):
        """Passes over the training set a run makes (iterations or epochs)."""
        return self.iterations

    def layers(self, cell, n_inputs):
        """The layer sizes of ``cell``'s network for ``n_inputs`` features."""
        return [n_inputs, *[cell["width"]] * cell["depth"], 1]

    def activation_of(self, cell):
        """The hidden activation ``cell``'s network trains with."""
        return cell["activation"]

    def start(self, cell, data):
        """``cell``'s initial parameters, on the data set ``data``."""
        return _initial(self.layers(cell, data[0].shape[0]), cell["initializer"], cell["seed"],
                        data, {"activation": cell["activation"]})

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


def _cells(settings, grid):
    """The grid's cells in order (the last axis varies fastest), as dicts."""
    columns = settings.cell_columns
    axes = [grid[settings.axes[column]] for column in columns]
    return [dict(zip(columns, cell)) for cell in itertools.product(*axes)]


@functools.lru_cache(maxsize=4)
def _data(dataset):
    return load_dataset(dataset)


def run_cells(cells, settings):
    """Train every cell of ``cells`` (dicts of ``settings.cell_columns``) with
    ``settings`` (a :class:`GridSettings`); return one row of
    ``settings.columns()`` each. This is what a worker runs: it depends only on
    its arguments."""
    data = _data(settings.dataset)
    train_X, train_Y, test_X, test_Y = data
    options = settings.training_options()
    stop = current_stop_flag()  # set: the job this task belongs to was stopped
    rows = []
    for cell in cells:
        if stop is not None and stop[0]:
            raise KeyboardInterrupt("training stopped: a stop was requested")
        start = time.perf_counter()
        row = dict(cell, **{column: getattr(settings, column) for column in settings.echoed})
        activation = settings.activation_of(cell)
        try:
            result = train(train_X, train_Y, settings.start(cell, data), activation=activation,
                           **options)
        except DivergenceError:
            row.update(final_cost=math.nan, train_accuracy=math.nan, test_accuracy=math.nan,
                       diverged=True)
        else:
            hidden = {"activation": activation, "n_threads": 1}
            row.update(final_cost=result.final_cost,
                       train_accuracy=accuracy(train_X, train_Y, result.parameters, **hidden),
                       test_accuracy=accuracy(test_X, test_Y, result.parameters, **hidden),
                       diverged=False)
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
    return rows


def _tasks(cells, settings, shape):
    """The cells in batches worth about :data:`TASK_SECONDS` each, in order;
    ``shape`` is the training inputs' ``(n_0, m)``."""
    n_inputs, m = shape
    tasks, batch, seconds = [], [], 0.0
    for cell in cells:
        dims = settings.layers(cell, n_inputs)
        seconds += flops_per_iteration(dims, m) * settings.passes / FLOPS_PER_SECOND
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


def _parse_row(values, columns):
    """A runs.csv row (strings in ``columns`` order) back to Python values,
    floats exactly as written; a ValueError says which column is wrong."""
    row = dict(zip(columns, values))
    parsed = dict(row)
    for column in columns:
        kind = COLUMN_TYPES.get(column)
        if kind is None:
            continue
        try:
            parsed[column] = kind(row[column])
        except ValueError:
            what = "an int" if kind is int else "a number"
            raise ValueError(f"{column} is {row[column]!r}, not {what}") from None
    if row["diverged"] not in ("True", "False"):
        raise ValueError(f"diverged is {row['diverged']!r}, not True or False")
    parsed["diverged"] = row["diverged"] == "True"
    return parsed


def _row_mismatch(row, axes, settings):
    """Why a parsed runs.csv row is not a run of this grid (``axes``: column ->
    set of the grid's values), or None."""
    for column, values in axes.items():
        if row[column] not in values:
            return f"{column} {row[column]!r} is not in the grid's {settings.axes[column]}"
    for column in settings.echoed:
        expected = getattr(settings, column)
        if row[column] != expected:
            return (f"{column} is {row[column]!r}, but {settings.description_name} says "
                    f"{expected!r}")
    measures = [row[column] for column in MEASURES]
    if row["diverged"]:
        if not all(math.isnan(value) for value in measures):
            return "a diverged run has measures"
    elif not (all(math.isfinite(value) for value in measures) and row["final_cost"] >= 0
              and 0 <= row["train_accuracy"] <= 1 and 0 <= row["test_accuracy"] <= 1):
        return "its cost or accuracies are out of range"
    if not (math.isfinite(row["seconds"]) and row["seconds"] >= 0):
        return f"seconds is {row['seconds']!r}"
    return None


def _open_regular(path, flags, what):
    """A descriptor of ``path`` opened with ``flags``, if it is a regular file:
    opened without blocking (a FIFO would wait for a partner forever) and
    checked before anything is read or written."""
    try:
        descriptor = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o666)
    except OSError as error:
        raise ValueError(f"{what}: cannot open {path}: {error.strerror}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ValueError(f"{what}: {path} is not a regular file")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return descriptor


class _RunsFile:
    """runs.csv, appended to one row at a time, flushed and fsynced; ``fresh``:
    emptied first (it holds no run, at most the header of an earlier start)."""

    def __init__(self, path, columns, fresh):
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if fresh else 0)
        descriptor = _open_regular(path, flags, "runs.csv")
        new = os.fstat(descriptor).st_size == 0
        self.columns = columns
        self.handle = os.fdopen(descriptor, "a", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        if new:
            self.writer.writerow(columns)
            self._sync()

    def append(self, rows):
        for row in rows:
            self.writer.writerow([_format(row[column]) for column in self.columns])
        self._sync()

    def _sync(self):
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self):
        self.handle.close()


def _read_text(path, what):
    """The text of ``path``, a regular file of at most :data:`MAX_FILE_BYTES`
    (a FIFO would block, a device never end)."""
    with os.fdopen(_open_regular(path, os.O_RDONLY, what), "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(f"{what}: {path} holds {info.st_size} bytes, more than a sweep "
                             f"of {MAX_RUNS} runs writes")
        data = handle.read(MAX_FILE_BYTES + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{what}: {path} is not UTF-8 text ({error.reason} at byte "
                         f"{error.start})") from None


def _read_runs(path, grid, settings):
    """The rows of an existing runs.csv by cell, each checked against the grid
    and ``settings``: a row that is not a run of this sweep is refused, naming
    its line. A last line cut short by a kill is dropped (and the file
    rewritten without it)."""
    if not os.path.lexists(path):
        return {}
    text = _read_text(path, "--resume")
    if text and not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]
        with atomic_write(path, "w") as handle:
            handle.write(text)
    axes = {column: set(grid[axis]) for column, axis in settings.axes.items()}
    columns = settings.columns()
    reader = csv.reader(text.splitlines())
    runs, lines = {}, {}
    try:
        header = next(reader, None)
        if header is not None and tuple(header) != columns:
            raise ValueError(f"--resume: {path}, line 1: the columns are not runs.csv's "
                             f"({', '.join(columns)})")
        for values in reader:
            where = f"--resume: {path}, line {reader.line_num}"
            if len(values) != len(columns):
                raise ValueError(f"{where}: {len(values)} fields, expected {len(columns)}")
            try:
                row = _parse_row(values, columns)
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
            problem = _row_mismatch(row, axes, settings)
            if problem is not None:
                raise ValueError(f"{where}: {problem}; this row is not a run of the grid "
                                 f"described by {settings.description_name} (remove it, or "
                                 f"use a new --out)")
            cell = _key(row, settings)
            if cell in runs:
                raise ValueError(f"{where}: the run of line {lines[cell]} again")
            runs[cell], lines[cell] = row, reader.line_num
    except csv.Error as error:
        raise ValueError(f"--resume: {path}, line {reader.line_num}: {error}") from None
    return runs


def _read_description(path):
    """sweep.json's contents, or a ValueError naming it."""
    try:
        return json.loads(_read_text(path, "--resume"))
    except json.JSONDecodeError as error:
        raise ValueError(f"--resume: {path} is not valid JSON ({error})") from None
    except RecursionError:
        raise ValueError(f"--resume: {path} is not a description: it nests too deep") from None


def _description(grid, settings):
    return {"grid": grid, "settings": asdict(settings)}


def _same_grid(described, description):
    """Whether a description read back describes the same grid and settings
    (other keys, such as a version, may differ)."""
    expected = json.loads(json.dumps(description))
    return isinstance(described, dict) and all(
        described.get(key) == expected[key] for key in ("grid", "settings"))


def _span(values):
    """``"3"`` for values that are all 3, ``"2-5"`` for values from 2 to 5."""
    values = sorted(set(values))
    return f"{values[0]}" if len(values) == 1 else f"{values[0]}-{values[-1]}"


def write_rows(path, rows, columns):
    """``rows`` (dicts of ``columns``) as a CSV file at ``path``, floats exactly."""
    with atomic_write(path, "w") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _format(value) for key, value in row.items()})


def _write_outputs(out, runs, settings):
    """summary.csv and summary.png (its title: the data set and the training)."""
    summary = SweepResult(runs=runs, grid={}, settings=settings).summary()
    write_rows(os.path.join(out, "summary.csv"), summary, summary[0])
    from . import plotting

    figure = plotting.plot_sweep(summary, title=(
        f"Train accuracy against depth: {settings.dataset}, width "
        f"{_span(row['width'] for row in summary)}, {_span(row['count'] for row in summary)} "
        f"seeds, {settings.iterations} iterations, learning rate {settings.learning_rate:g}"))
    save_figure(figure, os.path.join(out, "summary.png"), dpi=110)


# ---------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------

def _is_dask_client(executor):
    if type(executor).__module__.split(".")[0] != "distributed":
        return False  # not imported just to look
    from distributed import Client

    return isinstance(executor, Client)


def _checked_executor(executor):
    """``executor`` if it is one :func:`sweep` can run on, else a TypeError."""
    if executor is None or isinstance(executor, concurrent.futures.Executor) or \
            _is_dask_client(executor):
        return executor
    raise TypeError(f"executor must be a concurrent.futures.Executor or a "
                    f"dask.distributed.Client, got {type(executor).__name__} {executor!r}")


@contextlib.contextmanager
def _completed(executor, tasks, settings, workers):
    """Yield an iterator over each task's rows as it finishes, on ``executor``
    (None: a pool of ``workers`` threads). When the block ends with an error,
    Ctrl-C included, the runs in flight are stopped and the rest cancelled
    before it propagates; no other job's runs are touched."""
    if _is_dask_client(executor):
        with _completed_on_dask(executor, tasks, settings) as rows:
            yield rows
        return
    with contextlib.ExitStack() as stack:
        if executor is None:
            executor = stack.enter_context(
                concurrent.futures.ThreadPoolExecutor(max_workers=min(workers, len(tasks) or 1)))
        running = stack.enter_context(StoppingTasks(executor))
        for task in tasks:
            try:
                running.submit(run_cells, task, settings)
            except RuntimeError as error:  # shut down, or a pool broken by a dead process
                raise ValueError(f"executor cannot take the runs: {error}") from None
        yield (future.result() for future in running.as_completed())


@contextlib.contextmanager
def _completed_on_dask(client, tasks, settings):
    """:func:`_completed` on a Dask cluster. On an error, a ``distributed.Event``
    stops the tasks running on workers (each at its next check), then every
    task is cancelled: the workers are free at once, and a local cluster
    closes without killing busy workers."""
    import uuid

    from distributed import Event, as_completed, wait

    name = f"fastinit-sweep-stop-{uuid.uuid4().hex}"
    futures = []
    try:
        for task in tasks:
            futures.append(client.submit(_run_cells_on_worker, task, settings, name, pure=False,
                                         retries=3))
        yield (future.result() for future in as_completed(futures))
    except BaseException:
        with contextlib.suppress(Exception):
            Event(name, client=client).set()
            wait(futures, timeout=DASK_STOP_SECONDS)
        with contextlib.suppress(Exception):
            client.cancel(futures, asynchronous=False)
        raise


#: How long a stopped sweep waits for the tasks running on Dask workers to see
#: the stop before cancelling them.
DASK_STOP_SECONDS = 1.0


def local_dask_client(n_workers):
    """A ``dask.distributed.Client`` of a new LocalCluster of ``n_workers``
    one-thread worker processes that ignore SIGINT.

    Ctrl-C at a terminal goes to every process of the foreground group; the
    workers would each print a traceback. Started with SIGINT ignored, they
    leave it to this process, whose :func:`sweep` stops their tasks.

    Parameters
    ----------
    n_workers : int

    Returns
    -------
    distributed.Client
        Close it, then its ``cluster``.
    """
    import signal

    from distributed import Client, LocalCluster

    n_workers = check_positive_int(n_workers, "n_workers")
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:  # the worker processes inherit the ignored disposition
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return Client(cluster)


def _run_cells_on_worker(cells, settings, stop_name):
    """:func:`run_cells` on a Dask worker, stopped when the Event ``stop_name``
    is set (then it returns no rows: its future is being cancelled)."""
    from distributed import Event, get_client

    token = StopToken()
    event = Event(stop_name, client=get_client())
    finished = threading.Event()

    def watch():
        with contextlib.suppress(Exception):  # the cluster going away ends the watch
            while not finished.is_set():
                if event.wait(timeout=0.25):
                    token.set()
                    return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with stopping_with(token):
            return run_cells(cells, settings)
    except KeyboardInterrupt:
        if not token.is_set():
            raise
        return []
    finally:
        finished.set()
        watcher.join()


def checked_runner(executor, workers, on_runs, resume, out, what):
    """``(executor, workers, resume)`` of :func:`run_grid`, checked and named as
    the caller spelt them; ``what`` names the grid ("sweep") in the messages."""
    executor = _checked_executor(executor)
    if workers is not None:
        workers = check_positive_int(workers, "workers")
        if workers > MAX_THREADS:
            raise ValueError(f"workers must be at most {MAX_THREADS}, got {workers}")
    if on_runs is not None and not callable(on_runs):
        raise TypeError(f"on_runs must be callable, got {type(on_runs).__name__}")
    resume = check_bool(resume, "resume")
    if resume and out is None:
        raise ValueError(f"resume=True needs the out folder of the {what} to resume")
    return executor, workers, resume


def _checked_grid(initializers, activations, depths, widths, seeds):
    """The grid as lists, each value checked and given once; its size is
    checked from the arguments' lengths before any of them is listed."""
    given = {"initializers": initializers, "activations": activations, "depths": depths,
             "widths": widths, "seeds": seeds}
    axes = {name: _bounded(values, name) for name, values in given.items()}
    _checked_grid_size(axes)
    grid = {"initializers": _checked_names(axes["initializers"], INITIALIZERS, "initializer",
                                           "initializers"),
            "activations": _checked_names(axes["activations"], ACTIVATIONS, "activation",
                                          "activations"),
            "depths": check_positive_ints(sequence(axes["depths"], "depths"), "depths"),
            "widths": check_positive_ints(sequence(axes["widths"], "widths"), "widths"),
            "seeds": check_seeds(axes["seeds"])}
    return {name: _distinct(values, name) for name, values in grid.items()}


def sequence(values, name, kind="ints such as [2, 5]"):
    """``values`` if it is a collection (not one number, a string or a 0-d array)."""
    if one_value(values):
        raise TypeError(f"{name} must be a collection of {kind}, got "
                        f"{type(values).__name__} {values!r}")
    return values


def check_dataset_and_optimizer(dataset, optimizer):
    """Refuse a ``dataset`` or ``optimizer`` name that is not a known one."""
    for name, value, known in (("dataset", dataset, DATASETS),
                               ("optimizer", optimizer, OPTIMIZERS)):
        if not isinstance(value, str) or value not in known:
            raise ValueError(f"{name} must be one of {', '.join(known)}, got {value!r}")


def _checked_settings(dataset, iterations, learning_rate, optimizer, mini_batch_size, lambd,
                      keep_prob):
    """The shared settings, each checked and named as the caller spelt it."""
    check_dataset_and_optimizer(dataset, optimizer)
    for name, value in (("lambd", lambd), ("keep_prob", keep_prob)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__} "
                            f"{value!r}")
    if not (math.isfinite(lambd) and lambd >= 0):
        raise ValueError(f"lambd must be a finite number >= 0, got {lambd}")
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    return SweepSettings(
        dataset=dataset, iterations=check_positive_int(iterations, "iterations"),
        learning_rate=check_positive_number(learning_rate, "learning_rate"),
        optimizer=optimizer,
        mini_batch_size=None if mini_batch_size is None else
        check_positive_int(mini_batch_size, "mini_batch_size"),
        lambd=float(lambd), keep_prob=float(keep_prob))


def check_network_memory(depth, width, shape, what):
    """Refuse, before any run starts, a depth and width whose training would not
    fit in this machine's memory (parameters, gradients, optimizer state and
    activations of the largest network); ``what`` names the arguments."""
    n_inputs, m = shape
    weights = n_inputs * width + (depth - 1) * width * width + width
    check_memory(8 * (4 * weights + 3 * depth * width * m), what)


@contextlib.contextmanager
def _locked(out):
    """Hold ``out`` for this sweep: a second sweep writing there, from this
    process or another, is refused instead of interleaving runs.csv."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks on folders
        yield
        return
    descriptor = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"another sweep is writing to {out}; wait for it or choose "
                             f"another out folder") from None
        yield
    finally:
        os.close(descriptor)  # releases the lock


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
    settings = _checked_settings(dataset, iterations, learning_rate, optimizer, mini_batch_size,
                                 lambd, keep_prob)
    executor, workers, resume = checked_runner(executor, workers, on_runs, resume, out,
                                               "sweep")
    shape = _data(settings.dataset)[0].shape
    depth, width = max(grid["depths"]), max(grid["widths"])
    check_network_memory(depth, width, shape,
                         f"depths (largest {depth}) and widths (largest {width})")
    runs = run_grid(grid, settings, _description(grid, settings), out=out, resume=resume,
                    executor=executor, workers=workers, on_runs=on_runs,
                    write_outputs=_write_outputs)
    return SweepResult(runs=runs, grid=grid, settings=settings)


def run_grid(grid, settings, description, *, out=None, resume=False, executor=None,
             workers=None, on_runs=None, write_outputs=None):
    """Run every cell of a checked ``grid`` with checked ``settings``: what
    :func:`sweep` and :func:`fastinit.phase_diagram` share.

    Parameters
    ----------
    grid : dict
        Each of ``settings.axes``' values: a list of distinct values.
    settings : GridSettings
        A :class:`SweepSettings`, a :class:`fastinit.phase.PhaseSettings`, or
        another settings class: it names the cells' columns and trains a cell.
    description : dict
        Written to ``out``'s ``settings.description_name``; its ``grid`` and
        ``settings`` must match the file's on resume.
    out, resume, executor, workers, on_runs
        As :func:`sweep` takes them.
    write_outputs : callable, optional
        Called as ``write_outputs(out, runs, settings)`` at the end, while
        ``out`` is held, when ``out`` is given.

    Returns
    -------
    list of dict
        One row per cell, in grid order.
    """
    cells = _cells(settings, grid)
    if out is None:
        return _run(cells, settings, {}, None, executor, workers, on_runs)
    out = checked_out_folder(out)
    with _locked(out):
        done = _prepare_out(out, grid, settings, description, resume)
        runs_file = _RunsFile(os.path.join(out, "runs.csv"), settings.columns(),
                              fresh=not resume)
        try:
            runs = _run(cells, settings, done, runs_file, executor, workers, on_runs)
        finally:
            runs_file.close()
        if write_outputs is not None:
            write_outputs(out, runs, settings)
    return runs


def checked_out_folder(out):
    """``out`` (the argument) as a str naming a folder, made if missing; a
    ValueError or TypeError naming ``out`` if it cannot be one."""
    if not isinstance(out, (str, bytes, os.PathLike)):
        raise TypeError(f"out must be a folder's path (str or os.PathLike), got "
                        f"{type(out).__name__} {out!r}")
    out = os.fsdecode(os.fspath(out))
    if not out:
        raise ValueError("out must name a folder, got ''")
    if os.path.lexists(out) and not os.path.isdir(out):
        raise ValueError(f"out: {out} exists and is not a folder")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as error:
        raise ValueError(f"out: cannot create the folder {out}: "
                         f"{error.strerror or error}") from None
    return out


def _holds_runs(path):
    """Whether runs.csv at ``path`` holds a run (a line after its header); a
    broken link or a file that is not regular is refused."""
    if not os.path.lexists(path):
        return False
    if not os.path.exists(path):
        raise ValueError(f"{path} is a broken link; remove it or choose another out folder")
    with os.fdopen(_open_regular(path, os.O_RDONLY, "runs.csv"), "rb") as handle:
        handle.readline()
        return bool(handle.readline())


def _prepare_out(out, grid, settings, description, resume):
    """Check ``out`` for a new or resumed grid, write its description, and
    return the runs already done (by cell)."""
    name = settings.description_name
    described = os.path.join(out, name)
    runs_path = os.path.join(out, "runs.csv")
    done = {}
    if resume:
        if not os.path.lexists(described):
            raise ValueError(f"--resume: {out} holds no {name} to resume")
        if not _same_grid(_read_description(described), description):
            raise ValueError(f"--resume: {described} describes another grid or other "
                             f"settings; resume with the same ones or use a new --out")
        done = _read_runs(runs_path, grid, settings)
    elif _holds_runs(runs_path):
        raise ValueError(f"{runs_path} exists; pass resume=True (--resume) to continue "
                         f"those runs, or choose another out folder")
    with atomic_write(described, "w") as handle:
        json.dump(description, handle, indent=2)
    return done


def _run(cells, settings, done, runs_file, executor, workers, on_runs):
    """Run the ``cells`` not ``done``; save and report each task's rows as it
    finishes. The rows of every cell, in order."""
    todo = [cell for cell in cells if _key(cell, settings) not in done]
    tasks = _tasks(todo, settings, _data(settings.dataset)[0].shape)
    finished = dict(done)
    with _completed(executor, tasks, settings, workers or available_cores()) as completed:
        for rows in completed:
            if runs_file is not None:
                runs_file.append(rows)
            for row in rows:
                finished[_key(row, settings)] = row
            if on_runs is not None:
                on_runs(rows, len(finished), len(cells))
    return [finished[_key(cell, settings)] for cell in cells]


def _key(run, settings):
    """A run's cell of the grid, as a tuple."""
    return tuple(run[column] for column in settings.cell_columns)
