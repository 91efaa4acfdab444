"""The trainability phase diagram (Schoenholz et al. 2017, figure 5): which
depths train at which weight variance, measured.

Every cell of a grid of weight variances ``sigma_w2`` x depths x seeds is one
network of ``depth`` hidden layers of ``width`` units, its weights drawn from
``N(0, sigma_w2 / fan_in)`` and its biases from ``N(0, sigma_b2)`` (every layer,
the output's included), trained with mini-batch gradient descent on a built-in
data set. The runs go through the sweep machinery (:func:`fastinit.sweep.run_grid`):
a thread pool or a Dask cluster, ``runs.csv`` appended as each run finishes,
``resume``. Over the measurement the theory's correlation depth scale
``xi_c(sigma_w2)`` (:func:`fastinit.theory.depth_scales`) says how deep a signal
keeps the difference between two inputs: the paper finds that networks train
up to about ``6 xi_c``.

A cell *trained* when most of its runs did not diverge and their mean
training accuracy is at least ``threshold``, by default 0.75: half-way between
chance on the balanced digits task (0.5) and a perfect fit. (The mean leaves
out the runs that diverged, whose cost overflowed.)
"""

import functools
import json
import math
import os
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

from . import __version__, theory
from ._validation import (check_positive_int, check_positive_ints, check_positive_number,
                          check_seeds)
from .activations import DEFAULT_NEGATIVE_SLOPE, check_activation
from .experiments import _bounded, _checked_grid_size, _distinct
from .initializers import initialize
from .storage import atomic_write, save_figure
from .sweep import (GridSettings, _data, check_dataset_and_optimizer, check_network_memory,
                    checked_runner, run_grid, sequence, write_rows)

__all__ = ["DEFAULT_DEPTHS", "DEFAULT_SIGMA_W2", "PHASE_COLUMNS", "PhaseDiagram",
           "PhaseSettings", "phase_diagram"]

#: The default weight variances: 1.0, 1.2, ..., 4.0 (16 values), around the
#: critical 1.76 of tanh with sigma_b2 = 0.05.
DEFAULT_SIGMA_W2 = tuple(round(1.0 + 0.2 * i, 1) for i in range(16))
#: The default depths (numbers of hidden layers).
DEFAULT_DEPTHS = (2, 5, 10, 15, 20, 30, 40, 50, 70, 100)
#: The default mean training accuracy a cell must reach to count as trained.
DEFAULT_THRESHOLD = 0.75
#: The deepest network a phase diagram trains.
MAX_DEPTH = 10_000
#: The multiples of xi_c drawn over the diagram.
XI_MULTIPLES = (1, 3, 6)
#: The columns of phase.csv, one row per (sigma_w2, depth).
PHASE_COLUMNS = ("sigma_w2", "depth", "runs", "diverged", "train_accuracy_mean",
                 "train_accuracy_std", "test_accuracy_mean", "test_accuracy_std", "trained",
                 "xi_c")


@dataclass(frozen=True)
class PhaseSettings(GridSettings):
    """What every run of a phase diagram shares (besides its sigma_w2, depth
    and seed); a settings class of :func:`fastinit.sweep.run_grid`."""

    activation: str = "tanh"
    width: int = 48
    sigma_b2: float = 0.05
    dataset: str = "digits"
    optimizer: str = "gd"
    mini_batch_size: int = 64
    epochs: int = 20
    learning_rate: float = 0.01
    negative_slope: float = DEFAULT_NEGATIVE_SLOPE

    cell_columns: ClassVar[tuple] = ("sigma_w2", "depth", "seed")
    axes: ClassVar[dict] = {"sigma_w2": "sigma_w2_values", "depth": "depths", "seed": "seeds"}
    echoed: ClassVar[tuple] = ("activation", "width", "sigma_b2", "dataset", "learning_rate",
                               "epochs")
    description_name: ClassVar[str] = "phase.json"

    @property
    def passes(self):
        return self.epochs

    def layers(self, cell, n_inputs):
        return [n_inputs, *[self.width] * cell["depth"], 1]

    def activation_of(self, cell):
        return self.activation

    def start(self, cell, data):
        """Weights ``N(0, sigma_w2 / fan_in)``, biases ``N(0, sigma_b2)``: the
        ``variance_scaling`` initializer, bit for bit."""
        return initialize(self.layers(cell, data[0].shape[0]), "variance_scaling",
                          seed=cell["seed"], dtype=data[0].dtype, scale=cell["sigma_w2"],
                          mode="fan_in", distribution="normal",
                          bias_std=math.sqrt(self.sigma_b2))

    def training_options(self):
        return {"learning_rate": self.learning_rate, "n_threads": 1,
                "optimizer": self.optimizer, "mini_batch_size": self.mini_batch_size,
                "num_epochs": self.epochs, "record_every": self.epochs,
                "negative_slope": self.negative_slope}


@dataclass
class PhaseDiagram:
    """What :func:`phase_diagram` returns.

    Attributes
    ----------
    runs : list of dict
        One per run, in grid order: the rows of runs.csv.
    grid : dict
        ``sigma_w2_values``, ``depths``, ``seeds``.
    settings : PhaseSettings
    threshold : float
        The mean training accuracy a cell must reach to count as trained.
    """

    runs: list
    grid: dict
    settings: PhaseSettings
    threshold: float = DEFAULT_THRESHOLD

    def accuracy(self, measure="train_accuracy", statistic="mean"):
        """``measure`` ("train_accuracy" or "test_accuracy") over the seeds of
        each cell, as an array of shape ``(len(depths), len(sigma_w2_values))``:
        its ``statistic`` ("mean" or "std") over the runs that did not diverge,
        NaN where every run diverged."""
        if not isinstance(measure, str) or measure not in ("train_accuracy", "test_accuracy"):
            raise ValueError(f"measure must be 'train_accuracy' or 'test_accuracy', got "
                             f"{measure!r}")
        if not isinstance(statistic, str) or statistic not in ("mean", "std"):
            raise ValueError(f"statistic must be 'mean' or 'std', got {statistic!r}")
        reduce = np.mean if statistic == "mean" else np.std
        values = self._by_cell(lambda runs: [run[measure] for run in runs
                                             if not run["diverged"]])
        return np.array([[float(reduce(v)) if v else math.nan for v in row]
                         for row in values])

    def diverged(self):
        """How many runs of each cell diverged, shape ``(len(depths), len(sigma_w2_values))``."""
        return np.array(self._by_cell(lambda runs: sum(bool(run["diverged"]) for run in runs)))

    def trained(self):
        """Whether each cell trained: most of its runs did not diverge and their
        mean training accuracy is at least ``threshold``; shape ``(len(depths),
        len(sigma_w2_values))``."""
        with np.errstate(invalid="ignore"):
            reached = self.accuracy() >= self.threshold
        return reached & (2 * self.diverged() < len(self.grid["seeds"]))

    def deepest_trained(self):
        """For each sigma_w2, the deepest depth of the grid that trained, or None."""
        trained = self.trained()
        depths = self.grid["depths"]
        order = sorted(range(len(depths)), key=depths.__getitem__)
        return [next((depths[i] for i in reversed(order) if trained[i, j]), None)
                for j in range(len(self.grid["sigma_w2_values"]))]

    def theory(self):
        """The theory at this grid: ``critical_sigma_w2`` for the activation and
        sigma_b2, and ``xi_c``, the correlation depth scale at each sigma_w2
        (inf at criticality, NaN where nothing attracts)."""
        return phase_theory(self.grid["sigma_w2_values"], self.settings.sigma_b2,
                            self.settings.activation, self.settings.negative_slope)

    def cells(self):
        """The rows of phase.csv: one dict of :data:`PHASE_COLUMNS` per
        (sigma_w2, depth), depth by depth."""
        means = {m: self.accuracy(m) for m in ("train_accuracy", "test_accuracy")}
        stds = {m: self.accuracy(m, "std") for m in ("train_accuracy", "test_accuracy")}
        diverged, trained = self.diverged(), self.trained()
        xi_c = self.theory()["xi_c"]
        runs = len(self.grid["seeds"])
        rows = []
        for i, depth in enumerate(self.grid["depths"]):
            for j, sigma_w2 in enumerate(self.grid["sigma_w2_values"]):
                rows.append({"sigma_w2": sigma_w2, "depth": depth, "runs": runs,
                             "diverged": int(diverged[i, j]),
                             "train_accuracy_mean": float(means["train_accuracy"][i, j]),
                             "train_accuracy_std": float(stds["train_accuracy"][i, j]),
                             "test_accuracy_mean": float(means["test_accuracy"][i, j]),
                             "test_accuracy_std": float(stds["test_accuracy"][i, j]),
                             "trained": bool(trained[i, j]), "xi_c": xi_c[j]})
        return rows

    def to_pandas(self):
        """The runs as a ``pandas.DataFrame`` (pandas is optional: ``pip install pandas``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("PhaseDiagram.to_pandas needs pandas: pip install pandas") from None
        return pandas.DataFrame(self.runs, columns=list(self.settings.columns()))

    def _by_cell(self, reduce):
        """``reduce(runs of a cell)`` for each (depth, sigma_w2), as nested lists;
        a ValueError unless ``runs`` holds each cell's run of each seed once."""
        groups = {(depth, sigma_w2): {} for depth in self.grid["depths"]
                  for sigma_w2 in self.grid["sigma_w2_values"]}
        for run in self.runs:
            cell = groups.get((run["depth"], run["sigma_w2"]))
            if cell is None or run["seed"] not in self.grid["seeds"]:
                raise ValueError(f"runs hold a run (sigma_w2={run['sigma_w2']!r}, depth="
                                 f"{run['depth']!r}, seed={run['seed']!r}) outside the grid")
            if run["seed"] in cell:
                raise ValueError(f"runs hold the run of sigma_w2={run['sigma_w2']!r}, depth="
                                 f"{run['depth']!r}, seed={run['seed']!r} twice")
            cell[run["seed"]] = run
        for (depth, sigma_w2), cell in groups.items():
            if len(cell) != len(self.grid["seeds"]):
                raise ValueError(f"runs miss seeds of sigma_w2={sigma_w2!r}, depth={depth!r}")
        return [[reduce(list(groups[(depth, sigma_w2)].values()))
                 for sigma_w2 in self.grid["sigma_w2_values"]] for depth in self.grid["depths"]]


def phase_theory(sigma_w2_values, sigma_b2, activation, negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """What the theory draws over a phase diagram: ``{"critical_sigma_w2":
    float, "xi_c": [float, ...]}``, the correlation depth scale at each of
    ``sigma_w2_values``; the critical sigma_w2 is NaN where no sigma_w2 puts the
    network on the edge of chaos (:func:`fastinit.theory.critical_sigma_w2`)."""
    hidden = {"activation": activation, "negative_slope": negative_slope}
    try:
        critical = theory.critical_sigma_w2(sigma_b2, **hidden)
    except ValueError:
        critical = math.nan
    return {"critical_sigma_w2": critical,
            "xi_c": [theory.depth_scales(s, sigma_b2, **hidden)[1] for s in sigma_w2_values]}


def _checked_variances(values, name):
    checked = []
    for value in sequence(_bounded(values, name), name, "numbers such as [1.0, 2.0]"):
        number = theory._variance(value, name)
        if number == 0:
            raise ValueError(f"{name} must hold numbers in (0, {theory.MAX_VARIANCE:g}], "
                             f"got {value!r}")
        checked.append(number)
    if not checked:
        raise ValueError(f"{name} must hold at least one value")
    return checked


def _checked_grid(sigma_w2_values, depths, seeds):
    axes = {"sigma_w2_values": _bounded(sigma_w2_values, "sigma_w2_values"),
            "depths": _bounded(depths, "depths"), "seeds": _bounded(seeds, "seeds")}
    _checked_grid_size(axes)
    grid = {"sigma_w2_values": _checked_variances(axes["sigma_w2_values"], "sigma_w2_values"),
            "depths": check_positive_ints(sequence(axes["depths"], "depths"), "depths"),
            "seeds": check_seeds(axes["seeds"])}
    if not grid["depths"]:
        raise ValueError("depths must hold at least one depth")
    if max(grid["depths"]) > MAX_DEPTH:
        raise ValueError(f"depths must be at most {MAX_DEPTH}, got {max(grid['depths'])}")
    return {name: _distinct(values, name) for name, values in grid.items()}


def _checked_settings(activation, width, sigma_b2, dataset, optimizer, mini_batch_size,
                      epochs, learning_rate, negative_slope):
    check_dataset_and_optimizer(dataset, optimizer)
    _, slope = check_activation(activation, negative_slope)
    theory._hidden(activation, slope)  # the theory's own bound on the slope
    return PhaseSettings(
        activation=activation, width=check_positive_int(width, "width"),
        sigma_b2=theory._variance(sigma_b2, "sigma_b2"), dataset=dataset, optimizer=optimizer,
        mini_batch_size=check_positive_int(mini_batch_size, "mini_batch_size"),
        epochs=check_positive_int(epochs, "epochs"),
        learning_rate=check_positive_number(learning_rate, "learning_rate"),
        negative_slope=float(slope))


def _checked_threshold(threshold):
    return theory._in_range(threshold, "threshold", 0.0, 1.0)


def phase_diagram(sigma_w2_values=DEFAULT_SIGMA_W2, depths=DEFAULT_DEPTHS, seeds=range(2), *,
                  sigma_b2=0.05, width=48, activation="tanh", dataset="digits",
                  optimizer="gd", mini_batch_size=64, epochs=20, learning_rate=0.01,
                  negative_slope=DEFAULT_NEGATIVE_SLOPE, threshold=DEFAULT_THRESHOLD, out=None,
                  resume=False, executor=None, workers=None, on_runs=None):
    """Train one network per (sigma_w2, depth, seed) and say which trained.

    The network of a cell is ``[n_0] + [width] * depth + [1]``, initialized by
    ``fi.initialize(dims, "variance_scaling", seed=seed, scale=sigma_w2,
    mode="fan_in", distribution="normal", bias_std=sqrt(sigma_b2))`` and trained
    by ``fi.train(..., optimizer=optimizer, mini_batch_size=mini_batch_size,
    num_epochs=epochs, n_threads=1)`` on the data set's training split: the same
    bits wherever it runs.

    Parameters
    ----------
    sigma_w2_values : sequence of float, default 1.0, 1.2, ..., 4.0
        Weight variances (times the fan-in), each in (0, 1e6].
    depths : sequence of int, default 2, 5, 10, 15, 20, 30, 40, 50, 70, 100
        Numbers of hidden layers, at most 10000.
    seeds : iterable of int, default 0, 1
    sigma_b2 : float, default 0.05
        The biases' variance, in [0, 1e6].
    width : int, default 48
    activation : str, default "tanh"
    dataset : str, default "digits"
        A built-in data set (:func:`fastinit.datasets.load_dataset`); "digits"
        needs scikit-learn.
    optimizer : {"gd", "momentum", "adam"}, default "gd"
    mini_batch_size : int, default 64
    epochs : int, default 20
    learning_rate : float, default 0.01
    negative_slope : float, default 0.01
        For ``activation="leaky_relu"``.
    threshold : float, default 0.75
        The mean training accuracy a cell must reach to count as trained (most
        of its runs must also not diverge).
    out : str or path-like, optional
        A folder for runs.csv (each run appended as it finishes), phase.csv,
        phase.png and phase.json.
    resume : bool, default False
        Keep the runs already in ``out``'s runs.csv and run only the others.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
    workers : int, optional
        The default thread pool's threads; default every core this process may use.
    on_runs : callable, optional
        Called as ``on_runs(rows, done, total)`` after each task's rows are saved.

    Returns
    -------
    PhaseDiagram
    """
    grid = _checked_grid(sigma_w2_values, depths, seeds)
    settings = _checked_settings(activation, width, sigma_b2, dataset, optimizer,
                                 mini_batch_size, epochs, learning_rate, negative_slope)
    threshold = _checked_threshold(threshold)
    executor, workers, resume = checked_runner(executor, workers, on_runs, resume, out,
                                               "phase diagram")
    depth = max(grid["depths"])
    check_network_memory(depth, settings.width, _data(settings.dataset)[0].shape,
                         f"depths (largest {depth}) and width {settings.width}")
    description = {"grid": grid, "settings": asdict(settings), "version": __version__}
    runs = run_grid(grid, settings, description, out=out, resume=resume, executor=executor,
                    workers=workers, on_runs=on_runs,
                    write_outputs=functools.partial(_write_outputs, grid=grid,
                                                    threshold=threshold))
    return PhaseDiagram(runs=runs, grid=grid, settings=settings, threshold=threshold)


def _write_outputs(out, runs, settings, *, grid, threshold):
    """phase.csv, phase.png and phase.json (grid, settings, version, threshold,
    the theory and each sigma_w2's deepest trained depth)."""
    diagram = PhaseDiagram(runs=runs, grid=grid, settings=settings, threshold=threshold)
    write_rows(os.path.join(out, "phase.csv"), diagram.cells(), PHASE_COLUMNS)
    from .phase_figures import plot_trainability

    save_figure(plot_trainability(diagram), os.path.join(out, "phase.png"), dpi=110)
    summary = {"grid": grid, "settings": asdict(settings), "version": __version__,
               "threshold": threshold, "theory": diagram.theory(),
               "deepest_trained": diagram.deepest_trained()}
    with atomic_write(os.path.join(out, "phase.json"), "w") as handle:
        json.dump(summary, handle, indent=2, allow_nan=True)  # xi_c is inf or NaN

