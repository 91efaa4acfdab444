"""The course's experiments: train one network per initializer (the
initialization notebook) or per optimizer (the optimization notebook) on the
same data, and collect what the comparison tables and figures show."""

import itertools
import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_dtype, check_parameters, check_positive_int, check_positive_number
from .activations import DEFAULT_NEGATIVE_SLOPE
from .datasets import load_dataset
from .initializers import INITIALIZERS, activation_options, initialize
from .network import accuracy
from .training import OPTIMIZERS, DivergenceError, train

__all__ = ["CHANCE_MARGIN", "MAX_RUNS", "ExperimentRun", "compare_initializers",
           "compare_optimizers", "identical_units"]

#: The most runs one grid (a sweep, the depth experiment) may hold: its cells
#: are counted before any of them is built.
MAX_RUNS = 1_000_000

#: How far above the majority class's share of the training set a train
#: accuracy must be for a run to count as trained.
CHANCE_MARGIN = 0.02
#: Units whose weights differ by at most this fraction of the layer's largest
#: weight count as identical (symmetric networks stay equal to the last bit;
#: this only absorbs a different order of summation).
_SAME_UNIT_TOLERANCE = 1e-9


@dataclass
class ExperimentRun:
    """One trained network of a comparison."""

    #: The initializer or optimizer this run stands for.
    name: str
    train_accuracy: float
    test_accuracy: float
    final_cost: float
    seconds: float
    costs: list
    #: The iteration (or epoch) of each recorded cost.
    iterations: list
    parameters: dict = field(repr=False)
    #: ``TrainResult.layer_history`` when trained with ``track_layers=True``.
    layer_history: dict = field(default=None, repr=False)
    #: Whether training diverged: the accuracies and the final cost are then
    #: NaN, ``parameters`` are the last ones with a finite cost, and the costs
    #: after that point are NaN.
    diverged: bool = False
    #: What the results say about the run: ``"diverged"``, ``"failed to break
    #: symmetry"`` (:func:`identical_units`), ``"did not train"`` (a train
    #: accuracy within :data:`CHANCE_MARGIN` of always answering the training
    #: set's commoner label, or a final cost not below the first recorded one),
    #: or ``""``.
    comment: str = ""


def identical_units(parameters):
    """Whether training left every hidden layer's units identical: in each hidden
    layer of more than one unit, every row of ``W`` and every entry of ``b``
    equal. Such a network computes what one unit per layer would (it failed to
    break symmetry). False when no hidden layer has more than one unit.

    Parameters
    ----------
    parameters : dict or Network
        ``{"W1", "b1", ..., "WL", "bL"}``.

    Returns
    -------
    bool
    """
    _, layers = check_parameters(parameters)
    wide = [np.column_stack([W, b]) for W, b in layers[:-1] if W.shape[0] > 1]
    return bool(wide) and all(_same_rows(layer) for layer in wide)


def _same_rows(matrix):
    scale = max(float(np.abs(matrix).max()), np.finfo(np.float64).tiny)
    return float(np.abs(matrix - matrix[:1]).max()) <= _SAME_UNIT_TOLERANCE * scale


def _comment_on(parameters, train_accuracy, majority, costs, final_cost, diverged=False):
    """The comparison table's comment on one trained network, from its results
    alone (never from its initializer's or optimizer's name).

    Parameters
    ----------
    parameters : dict
        The trained parameters.
    train_accuracy : float
    majority : float
        The share of the training set's most common label: what predicting it
        for every example scores.
    costs : sequence of float
        The recorded costs, the first one before any update.
    final_cost : float
    diverged : bool
        Whether training diverged.

    Returns
    -------
    str
        ``"diverged"``; ``"failed to break symmetry"`` when every hidden layer's
        units are identical (:func:`identical_units`); ``"did not train"`` when
        the train accuracy is within :data:`CHANCE_MARGIN` of ``majority`` or
        the cost did not fall below its first recorded value; else ``""``.
    """
    if diverged:
        return "diverged"
    if identical_units(parameters):
        return "failed to break symmetry"
    cost_fell = not len(costs) or final_cost < costs[0]
    if train_accuracy <= majority + CHANCE_MARGIN or not cost_fell:
        return "did not train"
    return ""


def _checked_names(names, known, what, argument):
    """``names`` (the argument called ``argument``) as a list, each one of
    ``known``; a ValueError names the first unknown one."""
    if isinstance(names, str):
        names = [names]  # one name, not its letters
    if isinstance(names, (set, frozenset, dict)) or not hasattr(names, "__iter__"):
        raise TypeError(f"{argument} must be a list of {what} names, got "
                        f"{type(names).__name__}")
    names = list(names)
    if not names:
        raise ValueError(f"{argument} must name at least one {what}")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{argument} must hold {what} names (str), got "
                            f"{type(name).__name__} {name!r}")
        if name not in known:
            raise ValueError(f"unknown {what} {name!r}; choose from: {', '.join(sorted(known))}")
    return names


def one_value(values):
    """Whether ``values`` is one value (a number, a string, a 0-d array) where
    a collection of values is expected."""
    return isinstance(values, (str, bytes, numbers.Number)) or \
        not hasattr(values, "__iter__") or getattr(values, "ndim", 1) == 0


def _bounded(values, name):
    """``values`` (the argument ``name``, a collection) sized without building it:
    itself when it has a length (a ``range`` of 10**9 stays a range), else its
    first :data:`MAX_RUNS` + 1 items as a list. Sets and dicts are refused: a
    grid's order is part of its result and of the resume file."""
    if isinstance(values, (set, frozenset, dict)):
        raise TypeError(f"{name} must be an ordered collection such as a list, got "
                        f"{type(values).__name__} (its order is not fixed)")
    if one_value(values):
        return values  # the caller's own check names it
    try:
        len(values)
    except TypeError:
        return list(itertools.islice(values, MAX_RUNS + 1))
    return values


def _checked_grid_size(axes):
    """Refuse a grid of more than :data:`MAX_RUNS` cells, from the lengths of its
    ``axes`` (argument name -> collection from :func:`_bounded`) alone."""
    lengths = {name: len(values) if hasattr(values, "__len__") and
               getattr(values, "ndim", 1) != 0 else 1 for name, values in axes.items()}
    cells = math.prod(lengths.values())
    if cells > MAX_RUNS:
        product = " x ".join(f"{name} ({length})" for name, length in lengths.items())
        raise ValueError(f"the grid {product} holds {cells:.3g} runs, more than the "
                         f"{MAX_RUNS} one grid may hold; split it")


def _distinct(values, name):
    """``values`` (the argument ``name``) unchanged; a value given twice is
    refused, since it would be run and counted twice."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{name} holds {value!r} twice; give each value once")
        seen.add(value)
    return values


def _hidden_sizes(hidden_layers):
    """``hidden_layers`` as a list of sizes; one int is one hidden layer."""
    if isinstance(hidden_layers, numbers.Integral) and not isinstance(hidden_layers, bool):
        return [hidden_layers]
    if isinstance(hidden_layers, (str, bytes, set, frozenset, dict)) or \
            not hasattr(hidden_layers, "__iter__"):
        raise TypeError(f"hidden_layers must be a sequence of layer sizes such as (10, 5), got "
                        f"{type(hidden_layers).__name__}")
    return list(hidden_layers)


def _load(dataset, dtype):
    dtype = check_dtype(dtype)
    train_X, train_Y, test_X, test_Y = load_dataset(dataset)
    return train_X.astype(dtype), train_Y, test_X.astype(dtype), test_Y


def _measured_run(name, data, parameters, on_record, **training):
    """Train ``parameters`` on ``data`` with ``training`` options; time, score
    and comment on it. A run that diverges is a result (``diverged=True``), not
    an error."""
    train_X, train_Y, test_X, test_Y = data
    callback = None if on_record is None else (lambda i, c: on_record(name, i, c))
    start = time.perf_counter()
    try:
        result = train(train_X, train_Y, parameters, callback=callback, **training)
    except DivergenceError as error:
        return _diverged_run(name, error.result, time.perf_counter() - start, training)
    seconds = time.perf_counter() - start
    hidden = {"activation": result.activation, "negative_slope": result.negative_slope}
    train_accuracy = accuracy(train_X, train_Y, result.parameters, **hidden)
    majority = float(max(train_Y.mean(), 1 - train_Y.mean()))
    return ExperimentRun(
        name=name,
        train_accuracy=train_accuracy,
        test_accuracy=accuracy(test_X, test_Y, result.parameters, **hidden),
        final_cost=result.final_cost,
        seconds=seconds,
        costs=result.costs,
        iterations=result.iterations,
        parameters=result.parameters,
        layer_history=result.layer_history,
        comment=_comment_on(result.parameters, train_accuracy, majority, result.costs,
                           result.final_cost),
    )


def _diverged_run(name, last_finite, seconds, training):
    """The ExperimentRun of a run that diverged, from the DivergenceError's
    ``last_finite`` TrainResult: its costs and layer history run on as NaN to
    the end of the recording schedule, so that every run of a comparison has
    one value per recorded iteration."""
    epochs = training.get("num_epochs")
    end = epochs if epochs is not None else training["num_iterations"]
    iterations = list(range(0, end, training.get("record_every", 1000)))
    missing = len(iterations) - len(last_finite.costs)
    history = last_finite.layer_history
    if history is not None:
        history = {key: np.vstack([rows, np.full((missing, rows.shape[1]), np.nan)])
                   for key, rows in history.items()}
    nan = float("nan")
    return ExperimentRun(name=name, train_accuracy=nan, test_accuracy=nan, final_cost=nan,
                         seconds=seconds, costs=list(last_finite.costs) + [nan] * missing,
                         iterations=iterations, parameters=last_finite.parameters,
                         layer_history=history, diverged=True, comment="diverged")


def compare_initializers(methods=("zeros", "random", "he"), dataset="circles",
                         hidden_layers=(10, 5), num_iterations=15000, learning_rate=0.01,
                         seed=3, dtype=None, on_record=None, **options):
    """Train the same network once per initializer and measure each.

    Parameters
    ----------
    methods : sequence of str
        Names in :data:`fastinit.INITIALIZERS`.
    dataset : {"circles", "moons"}
        A built-in data set (:func:`fastinit.datasets.load_dataset`).
    hidden_layers : sequence of int
        Hidden layer sizes; the network is ``[2, *hidden_layers, 1]``.
    num_iterations : int
        Iterations, or epochs when ``options`` ask for mini-batches or an optimizer.
    learning_rate : float
    seed : int
        Seed of every initializer (3 reproduces the notebook).
    dtype : float32 or float64, optional
        Computation dtype; default float64.
    on_record : callable, optional
        Called as ``on_record(method, iteration, cost)`` every 1000 iterations.
    **options
        Passed to :func:`fastinit.train`: ``optimizer``, ``mini_batch_size``,
        ``lambd``, ``keep_prob``, ``activation``, ``negative_slope``, ...

    Returns
    -------
    runs : list of ExperimentRun
        In the order of ``methods``.
    data : tuple
        ``(train_X, train_Y, test_X, test_Y)`` that were used.
    """
    methods = _distinct(_checked_names(methods, INITIALIZERS, "initializer", "methods"),
                        "methods")
    num_iterations = check_positive_int(num_iterations, "num_iterations")
    learning_rate = check_positive_number(learning_rate, "learning_rate")
    data = _load(dataset, dtype)
    layers_dims = [data[0].shape[0], *_hidden_sizes(hidden_layers), 1]
    runs = [_measured_run(method, data, _initial(layers_dims, method, seed, data, options),
                          on_record, learning_rate=learning_rate, num_iterations=num_iterations,
                          **options)
            for method in methods]
    return runs, data


def _initial(layers_dims, method, seed, data, options):
    """``initialize(layers_dims, method)`` in the data's dtype, for the hidden
    activation that ``options`` train with ("critical" solves for it, "lsuv"
    rescales on the training inputs for it)."""
    extra = {"X": data[0]} if method == "lsuv" else {}
    if method in ("critical", "lsuv"):
        extra = activation_options(method, options.get("activation", "relu"),
                                   options.get("negative_slope", DEFAULT_NEGATIVE_SLOPE), extra)
    return initialize(layers_dims, method, seed=seed, dtype=data[0].dtype, **extra)


def compare_optimizers(optimizers=("gd", "momentum", "adam"), dataset="moons",
                       hidden_layers=(5, 2), num_epochs=10000, learning_rate=0.0007,
                       mini_batch_size=64, initialization="he", seed=3, dtype=None,
                       record_every=100, on_record=None, **options):
    """The optimization notebook's experiment: the same network trained with
    each optimizer on mini-batches, and measured.

    The defaults are the course's: moons, layers ``[2, 5, 2, 1]``, He
    initialization with seed 3, learning rate 0.0007, mini-batches of 64
    reshuffled every epoch, 10000 epochs (momentum's beta 0.9, Adam's 0.9 and
    0.999).

    Parameters
    ----------
    optimizers : sequence of {"gd", "momentum", "adam"}
    dataset : {"circles", "moons"}
    hidden_layers : sequence of int
    num_epochs : int
    learning_rate : float
    mini_batch_size : int
    initialization : str
        A name in :data:`fastinit.INITIALIZERS`.
    seed : int
        The initializer's seed.
    dtype : float32 or float64, optional
    record_every : int
        Record the cost every this many epochs (the course plots every 100).
    on_record : callable, optional
        Called as ``on_record(optimizer, epoch, cost)`` at every recorded epoch.
    **options
        Passed to :func:`fastinit.train`: ``lambd``, ``keep_prob``, ``beta``,
        ``activation``, ``negative_slope``, ...

    Returns
    -------
    runs : list of ExperimentRun
        In the order of ``optimizers``.
    data : tuple
        ``(train_X, train_Y, test_X, test_Y)`` that were used.
    """
    optimizers = _distinct(_checked_names(optimizers, OPTIMIZERS, "optimizer", "optimizers"),
                           "optimizers")
    _checked_names([initialization], INITIALIZERS, "initializer", "initialization")
    data = _load(dataset, dtype)
    layers_dims = [data[0].shape[0], *_hidden_sizes(hidden_layers), 1]
    runs = [_measured_run(optimizer, data,
                          _initial(layers_dims, initialization, seed, data, options),
                          on_record, optimizer=optimizer, learning_rate=learning_rate,
                          mini_batch_size=mini_batch_size, num_epochs=num_epochs,
                          record_every=record_every, **options)
            for optimizer in optimizers]
    return runs, data
