"""Figures. Every function returns a matplotlib ``Figure`` and never shows it.

matplotlib is imported when a function is called, not when fastinit is.

Every argument is checked before a figure is made, and a bad one raises a
``TypeError`` or ``ValueError`` that names it as the caller spelt it
(``costs['he']``, ``summary[2]``). Values that cannot be drawn (NaN or infinite
costs of a diverged run, zeros on a log axis) are left out and named in a note
on the panel, never dropped silently. The functions may be called from several
threads: each builds its figure under one lock (pyplot's figure registry is not
thread-safe).
"""

import math
import numbers
import threading
from collections.abc import Mapping, Sequence

import numpy as np

from ._validation import check_parameters, check_X
from .activations import check_activation
from .diagnostics import DEEP_LAYERS, SignalStats, activation_stats
from .network import predict

__all__ = [
    "draw_decision_regions",
    "plot_activation_stats",
    "plot_costs",
    "plot_decision_boundaries",
    "plot_decision_boundary",
    "plot_depth",
    "plot_layer_history",
    "plot_signal_propagation",
    "plot_sweep",
]

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


#: The most grid points along a side of a decision-region plot (a million in all).
MAX_GRID_STEPS = 1000

#: The most panels of :func:`plot_decision_boundaries` in one row (more wrap).
PANELS_PER_ROW = 8

#: The most panels of :func:`plot_decision_boundaries` (a larger figure could not
#: be rendered: Agg draws at most 65536 pixels a side).
MAX_PANELS = 128

#: Held while a figure is built: pyplot's registry of figures is shared.
_LOCK = threading.RLock()


def _colours(n):
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def _label(name):
    """A legend label for ``name``: matplotlib hides labels that start with "_"."""
    text = str(name)
    return " " + text if text.startswith("_") else text


def _hint(value):
    """What to pass instead of a whole result object, when ``value`` is one."""
    for attribute, hint in (("costs", ".costs"), ("layer_history", ".layer_history"),
                            ("summary", ".summary()"), ("parameters", ".parameters")):
        if hasattr(value, attribute):
            return f" (a {type(value).__name__}? pass its {hint})"
    return ""


def _check_text(value, name, optional=True):
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str{' or None' if optional else ''}, got "
                        f"{type(value).__name__}")
    return value


def _check_axes(ax, name="ax", optional=True):
    """``ax``: a matplotlib Axes (one of a closed figure still draws into that
    figure, which is returned), or None when ``optional``."""
    from matplotlib.axes import Axes

    if ax is None and optional:
        return None
    if not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes{' or None' if optional else ''}, "
                        f"got {type(ax).__name__}" + (" (use figure.gca() or "
                        "figure.add_subplot())" if hasattr(ax, "add_subplot") else ""))
    if ax.figure is None:
        raise ValueError(f"{name} has been removed from its figure")
    return ax


def _check_mapping(value, name, what):
    """A non-empty mapping of names to ``what``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of names to {what}, got "
                        f"{type(value).__name__}{_hint(value)}")
    if not value:
        raise ValueError(f"{name} must hold at least one {what[:-1] if what.endswith('s') else what}")
    return value


def _check_numbers(values, name, ndim=1, finite=False, empty=False):
    """``values`` as a float array of ``ndim`` dimensions, refusing what is not
    real numbers (booleans and strings included)."""
    if isinstance(values, (str, bytes)) or values is None or isinstance(values, Mapping):
        raise TypeError(f"{name} must be a sequence of numbers, got "
                        f"{type(values).__name__}{_hint(values)}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers{_hint(values)}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got "
                        + ("booleans" if array.dtype.kind == "b" else
                           f"{type(values).__name__}{_hint(values)}" if array.dtype == object
                           and array.ndim == 0 else f"dtype {array.dtype}"))
    array = array.astype(float)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if array.size == 0 and not empty:
        raise ValueError(f"{name} must not be empty")
    if finite and not np.isfinite(array).all():
        raise ValueError(f"{name} must hold only finite numbers")
    return array


def _check_curve(name, values):
    return _check_numbers(values, name)


def _check_number(value, name, minimum=None, positive=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or (positive and value <= 0) or \
            (minimum is not None and value < minimum):
        bound = " > 0" if positive else f" >= {minimum}" if minimum is not None else ""
        raise ValueError(f"{name} must be a finite number{bound}, got {value}")
    return value


def _check_network(parameters, name):
    """A trained network with two inputs and one output."""
    dims, _ = check_parameters(parameters, name=name)
    if dims[0] != 2 or dims[-1] != 1:
        raise ValueError(f"{name} must be a network with 2 inputs and 1 output to draw its "
                         f"decision regions, got {dims[0]} inputs and {dims[-1]} outputs")
    return parameters


def _check_points(X, Y, x_name="X", y_name="Y", any_shape=False):
    """Two-feature points ``(2, m)``, finite and griddable, and their 0/1 labels
    ``(1, m)`` (any shape of ``m`` labels with ``any_shape``)."""
    X = check_X(X, name=x_name)
    if X.shape[0] != 2:
        raise ValueError(f"{x_name} has {X.shape[0]} features (rows) but 2 are needed to draw "
                         f"it in the plane (shape {X.shape})")
    X = X.astype(np.float64)
    with np.errstate(over="ignore"):
        spans = X.max(axis=1) - X.min(axis=1)
    if not np.isfinite(spans).all() or np.abs(X).max() > np.finfo(np.float64).max / 4:
        raise ValueError(f"{x_name} spans too wide a range to draw ({X.min()} to {X.max()})")
    labels = _check_numbers(Y, y_name, ndim=None, empty=True)
    if any_shape:
        if labels.size != X.shape[1]:
            raise ValueError(f"{y_name} must hold one label per point of {x_name} "
                             f"({X.shape[1]}), got {labels.size}")
    elif labels.shape != (1, X.shape[1]):
        raise ValueError(f"{y_name} must have shape (1, {X.shape[1]}) to match {x_name}'s "
                         f"{X.shape[1]} examples, got {labels.shape}")
    if not np.isin(labels, (0, 1)).all():
        bad = np.unique(labels[~np.isin(labels, (0, 1))])[:5]
        raise ValueError(f"{y_name} must contain only 0 and 1 labels, found {bad.tolist()}")
    return X, labels.reshape(1, -1)


def _check_rows(summary, name, keys, other=None):
    """Summary rows: a non-empty list of dicts holding ``keys``, the ``depth``
    an integer, the measures real numbers (NaN where every run diverged)."""
    if isinstance(summary, (str, bytes, Mapping)) or not isinstance(summary, Sequence):
        raise TypeError(f"{name} must be a list of dicts (a result's .summary()), got "
                        f"{type(summary).__name__}{_hint(summary)}")
    if not summary:
        raise ValueError(f"{name} must hold at least one row")
    for index, row in enumerate(summary):
        where = f"{name}[{index}]"
        if not isinstance(row, Mapping):
            raise TypeError(f"{where} must be a dict, got {type(row).__name__}")
        missing = [key for key in keys if key not in row]
        if missing:
            raise ValueError(f"{where} has no {', '.join(map(repr, missing))}"
                             + (f" (is it {other})" if other else ""))
        for key in ("initializer", "activation"):
            if key in keys and not isinstance(row[key], str):
                raise TypeError(f"{where}[{key!r}] must be a str, got {type(row[key]).__name__}")
        if "width" in keys and (isinstance(row["width"], (bool, np.bool_))
                                or not isinstance(row["width"], numbers.Integral)):
            raise TypeError(f"{where}['width'] must be an int, got {type(row['width']).__name__}")
        depth = row["depth"]
        if isinstance(depth, (bool, np.bool_)) or not isinstance(depth, numbers.Integral):
            raise TypeError(f"{where}['depth'] must be an int, got {type(depth).__name__}")
        for key in keys:
            if key.endswith(("_mean", "_std")):
                value = row[key]
                if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                    raise TypeError(f"{where}[{key!r}] must be a number, got "
                                    f"{type(value).__name__}")
    return summary


_HISTORY_KEYS = ("weight_norm", "grad_norm", "activation_std", "saturated_fraction",
                 "dead_fraction")


def _check_histories(history):
    """``{name: layer_history}`` (name "" for a single history), each holding
    the five statistics as 2-D float arrays of one shape."""
    if not isinstance(history, Mapping):
        raise TypeError(f"history must be a TrainResult.layer_history (train with "
                        f"track_layers=True), or a dict of them by name, got "
                        f"{type(history).__name__}{_hint(history)}")
    if not history:
        raise ValueError("history must be a TrainResult.layer_history (train with "
                         "track_layers=True), or a dict of them by name, got an empty dict")
    histories = {"": history} if "weight_norm" in history else history
    checked = {}
    for name, one in histories.items():
        where = f"history[{name!r}]" if name else "history"
        if not isinstance(one, Mapping):
            raise TypeError(f"{where} must be a TrainResult.layer_history (train with "
                            f"track_layers=True), got {type(one).__name__}{_hint(one)}")
        missing = [key for key in _HISTORY_KEYS if key not in one]
        if missing:
            raise ValueError(f"{where} has no {', '.join(map(repr, missing))}: pass a "
                             f"TrainResult.layer_history (train with track_layers=True)")
        arrays = {key: _check_numbers(one[key], f"{where}[{key!r}]", ndim=2)
                  for key in _HISTORY_KEYS}
        shape = arrays["weight_norm"].shape
        for key, array in arrays.items():
            if array.shape != shape:
                raise ValueError(f"{where}[{key!r}] has shape {array.shape}, "
                                 f"{where}['weight_norm'] {shape}")
        checked[name] = arrays
    return checked


def _note(ax, text, y=0.02):
    """A small note in the lower left of ``ax``: what was not drawn, and why."""
    ax.text(0.02, y, text, transform=ax.transAxes, fontsize=8, color="0.3")


def _new_axes(ax, figsize=(6.0, 4.5)):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax, False
    fig, ax = plt.subplots(figsize=figsize, dpi=100)
    return fig, ax, True


def _closing_on_error(build):
    """Run ``build`` under the lock; a figure it made is closed if it fails."""
    import functools

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        import matplotlib.pyplot as plt

        with _LOCK:
            before = set(plt.get_fignums())
            try:
                return build(*args, **kwargs)
            except BaseException:
                for number in set(plt.get_fignums()) - before:
                    plt.close(number)
                raise
    return wrapper


@_closing_on_error
def draw_decision_regions(ax, predict_fn, X, y, step=0.01, margin=1.0):
    """Fill ``ax`` with the regions ``predict_fn`` assigns to each class and
    scatter the points on top, as the course's ``plot_decision_boundary`` does.

    Parameters
    ----------
    ax : matplotlib Axes
    predict_fn : callable
        Maps an ``(k, 2)`` array of points (one per row) to ``k`` finite labels.
    X : array_like, shape (2, m)
        The points, course layout; finite.
    y : array_like, m labels of 0/1 (any shape)
    step : float > 0 or None
        Grid spacing; None for 300 points across the wider side. A spacing that
        would need more than :data:`MAX_GRID_STEPS` points across a side (data
        spread far wider than the course's) is widened to that many; every
        side has at least 2 points.
    margin : float >= 0
        How far the grid extends past the points.

    Raises
    ------
    TypeError, ValueError
        Naming the argument: ``ax`` not an Axes, ``predict_fn`` not callable or
        returning other than ``k`` finite numbers, ``X``/``y`` of the wrong
        shape, not finite or not 0/1, ``step``/``margin`` out of range.
    """
    _check_axes(ax, optional=False)
    if not callable(predict_fn):
        raise TypeError(f"predict_fn must be callable, got {type(predict_fn).__name__}")
    X, y = _check_points(X, y, "X", "y", any_shape=True)
    if step is not None:
        step = _check_number(step, "step", positive=True)
    margin = _check_number(margin, "margin", minimum=0)
    _draw_regions(ax, predict_fn, X, y, step, margin)


def _draw_regions(ax, predict_fn, X, y, step, margin, name="predict_fn"):
    from matplotlib.colors import ListedColormap

    with np.errstate(over="ignore"):
        low = X.min(axis=1) - margin
        high = X.max(axis=1) + margin
        spans = high - low
    if not np.isfinite(spans).all():
        raise ValueError(f"margin {margin} takes the grid past the largest float")
    if step is None:
        step = max(spans.max() / 300, np.finfo(float).tiny)
    axes = []
    for lo, hi, span in zip(low, high, spans):
        side = np.arange(lo, hi, max(step, span / MAX_GRID_STEPS)) if span > 0 else []
        if len(side) < 2:  # one point (or a step wider than the data): still a grid
            side = np.linspace(lo, hi if hi > lo else lo + 1.0, 2)
        axes.append(side)
    xx, yy = np.meshgrid(*axes)
    points = np.c_[xx.ravel(), yy.ravel()]
    Z = np.asarray(predict_fn(points))
    if Z.dtype.kind not in "biuf" or Z.size != points.shape[0]:
        raise ValueError(f"{name} must return one label per point ({points.shape[0]}), got "
                         f"{Z.dtype} of shape {Z.shape}")
    Z = Z.reshape(xx.shape).astype(float)
    if not np.isfinite(Z).all():
        raise ValueError(f"{name} returned NaN or infinite labels")
    regions = ListedColormap(["#F5C9A6", "#A6CBE8"])
    colours = ListedColormap([PALETTE[1], PALETTE[0]])
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], cmap=regions)
    ax.scatter(X[0], X[1], c=np.ravel(y), cmap=colours, vmin=0, vmax=1, s=14,
               edgecolors="white", linewidths=0.4)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def _predictor(parameters, activation, negative_slope):
    return lambda points: predict(points.T, parameters, activation=activation,
                                  negative_slope=negative_slope)[0]


@_closing_on_error
def plot_decision_boundary(parameters, X, Y, ax=None, title=None, activation="relu",
                           negative_slope=0.01):
    """Decision regions of a trained two-input network, with the points.

    Parameters
    ----------
    parameters : dict
        A trained network with two inputs and one output.
    X : array_like, shape (2, m)
        Finite.
    Y : array_like, shape (1, m) of 0/1
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure (an Axes of a closed figure still
        draws into that figure, which is returned).
    title : str, optional
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation the network was trained with.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        Naming the argument, before any figure is made.
    """
    _check_network(parameters, "parameters")
    X, Y = _check_points(X, Y)
    ax = _check_axes(ax)
    title = _check_text(title, "title")
    check_activation(activation, negative_slope)
    fig, ax, _ = _new_axes(ax)
    _draw_regions(ax, _predictor(parameters, activation, negative_slope), X, Y, 0.01, 1.0,
                  name="parameters")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


@_closing_on_error
def plot_costs(costs, iterations=None, ax=None, title="Cost during training", log=None,
               xlabel="iteration", legend_title="initializer"):
    """Cost curves on one axis.

    A diverged run's costs are drawn where they are finite: NaN and infinite
    costs (and, on a log axis, costs <= 0) are left out, and a note on the
    panel names each curve with such points and how many; a curve with no
    drawable cost keeps its legend entry and is named there too.

    Parameters
    ----------
    costs : dict of str to sequence of float, or a sequence of float
        One curve per name (or a single unnamed curve); each non-empty, 1-D,
        of real numbers (not booleans).
    iterations : sequence of int, optional
        The iteration of each cost (finite, one per cost of every curve);
        defaults to 0, 1000, 2000, ...
    ax : matplotlib Axes, optional
    title : str
    log : bool, optional
        Logarithmic cost axis; by default, when the costs span more than a
        factor of 20 (large random weights start in the thousands).
    xlabel : str, default "iteration"
        E.g. "epoch" for mini-batch training.
    legend_title : str, default "initializer"
        What the curves' names are.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        Naming the argument (``costs``, ``costs['he']``, ``iterations``, ...),
        before any figure is made.
    """
    if isinstance(costs, Mapping):
        if not costs:
            raise ValueError("costs must hold at least one curve")
        curves = {name: _check_curve(f"costs[{name!r}]", values)
                  for name, values in costs.items()}
    else:
        curves = {"cost": _check_curve("costs", costs)}
    if iterations is not None:
        iterations = _check_numbers(iterations, "iterations", finite=True)
        for name, values in curves.items():
            if len(values) != len(iterations):
                where = f"costs[{name!r}]" if isinstance(costs, Mapping) else "costs"
                raise ValueError(f"iterations must have one entry per recorded cost: "
                                 f"{len(iterations)} iterations, {len(values)} in {where}")
    ax = _check_axes(ax)
    title = _check_text(title, "title")
    xlabel = _check_text(xlabel, "xlabel")
    legend_title = _check_text(legend_title, "legend_title")
    if log is not None and not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log must be True, False or None, got {type(log).__name__}")
    positive = np.concatenate([values[np.isfinite(values) & (values > 0)]
                               for values in curves.values()])
    if log is None:
        log = bool(positive.size) and positive.max() > 20 * positive.min()
    fig, ax, _ = _new_axes(ax)
    styles = ("-", "--", ":", "-.")  # curves that coincide (gd, momentum) stay visible
    left_out = []
    for k, (colour, (name, values)) in enumerate(zip(_colours(len(curves)), curves.items())):
        x = np.arange(len(values)) * 1000 if iterations is None else iterations
        drawable = np.isfinite(values) & ((values > 0) if log else True)
        ax.plot(x, np.where(drawable, values, np.nan), color=colour, label=_label(name),
                linewidth=1.8, marker="o", markersize=3, linestyle=styles[k % len(styles)])
        if not drawable.all():
            left_out.append(f"{name} ({int((~drawable).sum())} of {len(values)})")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cost (cross-entropy)" + (", log scale" if log else ""))
    ax.set_title(title)
    if isinstance(costs, Mapping):
        ax.legend(title=legend_title)
    ax.grid(alpha=0.3, which="both")
    if left_out:
        why = "NaN, infinite or <= 0 on the log axis" if log else "NaN or infinite"
        _note(ax, f"not drawn, {why}: {', '.join(left_out)}")
    fig.tight_layout()
    return fig


@_closing_on_error
def plot_decision_boundaries(parameters_by_name, X, Y, titles=None, activation="relu",
                             negative_slope=0.01):
    """One decision-boundary panel per trained network, side by side (rows of
    at most :data:`PANELS_PER_ROW`).

    Parameters
    ----------
    parameters_by_name : dict of str to dict
        Trained networks with two inputs and one output, by name (e.g.
        initializer); at most :data:`MAX_PANELS`.
    X : array_like, shape (2, m)
    Y : array_like, shape (1, m)
    titles : dict of str to str, optional
        Panel titles by name; default the name.
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation the networks were trained with.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        Naming the argument (``parameters_by_name['he']``, ``titles``, ...),
        before any figure is made.
    """
    import matplotlib.pyplot as plt

    _check_mapping(parameters_by_name, "parameters_by_name", "networks")
    n = len(parameters_by_name)
    if n > MAX_PANELS:
        raise ValueError(f"parameters_by_name holds {n} networks; at most {MAX_PANELS} "
                         f"panels fit in one figure")
    for name, parameters in parameters_by_name.items():
        _check_network(parameters, f"parameters_by_name[{name!r}]")
    X, Y = _check_points(X, Y)
    if titles is not None:
        if not isinstance(titles, Mapping):
            raise TypeError(f"titles must be a dict of names to str or None, got "
                            f"{type(titles).__name__}")
        for name, text in titles.items():
            _check_text(text, f"titles[{name!r}]", optional=False)
    check_activation(activation, negative_slope)
    columns = min(n, PANELS_PER_ROW)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 4.2 * rows), dpi=100,
                             squeeze=False)
    axes = axes.ravel()
    for ax, (name, parameters) in zip(axes, parameters_by_name.items()):
        _draw_regions(ax, _predictor(parameters, activation, negative_slope), X, Y, None, 0.3,
                      name=f"parameters_by_name[{name!r}]")
        ax.set_title(str((titles or {}).get(name, name)), fontsize=10)
        ax.set_aspect("equal", adjustable="box")
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


@_closing_on_error
def plot_activation_stats(methods=("random", "random_small", "he", "xavier"), layers_dims=None,
                          X=None, seed=3):
    """How the spread of the activations evolves through a deep ReLU network at
    initialization, one line per initializer.

    Two panels: the standard deviation of each hidden layer's activations (log
    scale; ×10 random weights explode, ×0.01 ones vanish, He stays flat) and the
    fraction of dead ReLU units (units that output 0 for every input). An
    initializer whose activations are all zero (or overflow to infinity or NaN)
    in a layer cannot be drawn there on the log axis and is named instead.

    Parameters
    ----------
    methods : sequence of str
        Names in :data:`fastinit.INITIALIZERS`.
    layers_dims : sequence of int, optional
        Default :data:`fastinit.diagnostics.DEEP_LAYERS`, 10 hidden layers of 100.
    X : array_like, optional
        Inputs; default standard-normal.
    seed : int, default 3

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        Naming the argument: ``methods`` not a non-empty list of distinct
        names (a single str is refused: pass ``["he"]``), an unknown name, bad
        ``layers_dims``, ``X`` or ``seed``.
    """
    import matplotlib.pyplot as plt

    layers_dims = DEEP_LAYERS if layers_dims is None else layers_dims
    if isinstance(methods, (str, bytes)) or not isinstance(methods, (Sequence, np.ndarray)):
        raise TypeError(f"methods must be a list of initializer names, got "
                        f"{type(methods).__name__}"
                        + (f" (pass [{methods!r}])" if isinstance(methods, str) else ""))
    methods = list(methods)
    if not methods:
        raise ValueError("methods must name at least one initializer")
    for index, method in enumerate(methods):
        if not isinstance(method, str):
            raise TypeError(f"methods[{index}] must be an initializer name (str), got "
                            f"{type(method).__name__}")
        if methods.index(method) != index:
            raise ValueError(f"methods names {method!r} twice")
    all_stats = {method: activation_stats(layers_dims, method, X=X, seed=seed)
                 for method in methods}
    fig, (ax_std, ax_dead) = plt.subplots(1, 2, figsize=(10.0, 4.2), dpi=100)
    all_zero = []
    for index, (colour, (method, stats)) in enumerate(zip(_colours(len(methods)),
                                                          all_stats.items())):
        style = dict(color=colour, marker=MARKERS[index % len(MARKERS)], label=method,
                     markersize=7 - index % 3, linewidth=1.6)
        ax_dead.plot(stats["layer"], stats["dead_fraction"], **style)
        std = np.asarray(stats["std"], dtype=float)
        drawable = np.isfinite(std) & (std > 0)
        if drawable.any():
            ax_std.plot(stats["layer"], np.where(drawable, std, np.nan), **style)
        if not drawable.any():
            all_zero.append(method)
        elif not drawable.all():
            layers = np.asarray(stats["layer"])[~drawable]
            all_zero.append(f"{method} (layers {', '.join(map(str, layers))})")
    ax_std.set_yscale("log")
    ax_std.set_xlabel("hidden layer")
    ax_std.set_ylabel("std of activations (log scale)")
    ax_std.set_title("Activation spread at initialization")
    ax_dead.set_xlabel("hidden layer")
    ax_dead.set_ylabel("fraction of dead ReLU units")
    ax_dead.set_ylim(-0.02, 1.02)
    ax_dead.set_title("Dead units at initialization")
    for ax in (ax_std, ax_dead):
        ax.grid(alpha=0.3, which="both")
        if ax.lines:
            ax.legend(title="initializer", fontsize=9)
    if all_zero:
        _note(ax_std, f"not drawn, activations all zero or not finite: {', '.join(all_zero)}")
    fig.tight_layout()
    return fig


def _accuracy_against_depth(ax, rows, measure, label_of):
    """One line per ``label_of(row)`` of ``rows`` (summary rows with ``depth`` and
    ``{measure}_mean``/``_std``): the mean against depth in a band of +-1 std.
    Depths whose mean is NaN (every run diverged) are left out and named in a
    note on ``ax``."""
    labels = list(dict.fromkeys(label_of(row) for row in rows))
    left_out = []
    for index, (colour, label) in enumerate(zip(_colours(len(labels)), labels)):
        line = sorted((row for row in rows if label_of(row) == label), key=lambda r: r["depth"])
        depth = np.array([row["depth"] for row in line], dtype=float)
        mean = np.array([row[f"{measure}_mean"] for row in line], dtype=float)
        std = np.array([row[f"{measure}_std"] for row in line], dtype=float)
        drawable = np.isfinite(mean)
        std = np.where(np.isfinite(std), std, 0.0)
        ax.plot(depth, np.where(drawable, mean, np.nan), color=colour,
                marker=MARKERS[index % len(MARKERS)], label=_label(label), linewidth=1.8)
        ax.fill_between(depth, mean - std, mean + std, where=drawable, color=colour, alpha=0.18)
        if not drawable.all():
            left_out.append(f"{label} (depth {', '.join(str(int(d)) for d in depth[~drawable])})")
    ax.set_xlabel("hidden layers")
    ax.set_ylim(0.4, 1.02)
    ax.grid(alpha=0.3)
    if left_out:
        _note(ax, "not drawn, every run diverged:\n" + "\n".join(left_out))


_DEPTH_KEYS = ("initializer", "depth", "train_accuracy_mean", "train_accuracy_std",
               "test_accuracy_mean", "test_accuracy_std")
_SWEEP_KEYS = ("initializer", "activation", "width", "depth", "train_accuracy_mean",
               "train_accuracy_std")


@_closing_on_error
def plot_depth(summary, title="Accuracy against depth"):
    """The depth experiment: accuracy against the number of hidden layers, one
    line per initializer (the mean over seeds) in a band of +-1 std; train and
    test side by side.

    Parameters
    ----------
    summary : list of dict
        :meth:`fastinit.depth.DepthResult.summary`. A depth at which every run
        diverged (NaN mean) is left out and named in a note.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    _check_rows(summary, "summary", _DEPTH_KEYS, "a sweep's summary? use plot_sweep")
    title = _check_text(title, "title")
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.2), dpi=100, sharey=True)
    for ax, split in zip(axes, ("train", "test")):
        _accuracy_against_depth(ax, summary, f"{split}_accuracy", lambda row: row["initializer"])
        ax.set_title(f"{split} accuracy")
    axes[0].set_ylabel("accuracy (mean over seeds, band: +-1 std)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, title="initializer", loc="lower center", ncol=min(len(labels), 6))
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


@_closing_on_error
def plot_sweep(summary, title="Train accuracy against depth"):
    """A sweep's summary: train accuracy against depth, one line per initializer
    (and width, when the sweep has several), the mean over seeds in a band of
    +-1 std; one panel per activation.

    Parameters
    ----------
    summary : list of dict
        :meth:`fastinit.sweep.SweepResult.summary`. A cell in which every run
        diverged (NaN mean) is left out and named in a note.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    _check_rows(summary, "summary", _SWEEP_KEYS, "a depth experiment's summary? use plot_depth")
    title = _check_text(title, "title")
    activations = list(dict.fromkeys(row["activation"] for row in summary))
    several_widths = len({row["width"] for row in summary}) > 1
    label_of = (lambda row: f"{row['initializer']}, width {row['width']}") if several_widths \
        else (lambda row: row["initializer"])
    fig, axes = plt.subplots(1, len(activations), figsize=(5.0 * len(activations), 4.2),
                             dpi=100, sharey=True, squeeze=False)
    for ax, activation in zip(axes[0], activations):
        _accuracy_against_depth(ax, [row for row in summary if row["activation"] == activation],
                                "train_accuracy", label_of)
        ax.set_title(activation)
    axes[0][0].set_ylabel("train accuracy (mean over seeds, band: +-1 std)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


@_closing_on_error
def plot_signal_propagation(stats_by_name, title=None):
    """The signal through the layers at initialization, one line per network.

    Left, forward: ``E[Z_l**2]`` per layer (log scale), the median over seeds
    with a band from the 10th to the 90th percentile, and the mean-field theory
    dashed. Right, backward: ``||dW_l||_F`` per layer (log scale), median and band.

    Parameters
    ----------
    stats_by_name : dict of str to SignalStats
        From :func:`fastinit.diagnostics.signal_propagation`, by name (e.g.
        initializer). Values that overflowed (inf or NaN) or are 0 cannot be
        drawn on the log axes: they are left out of the median and band, and
        each network with such values is named in a note.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    _check_mapping(stats_by_name, "stats_by_name", "SignalStats")
    for name, stats in stats_by_name.items():
        if not isinstance(stats, SignalStats):
            raise TypeError(f"stats_by_name[{name!r}] must be a SignalStats (from "
                            f"fastinit.diagnostics.signal_propagation), got "
                            f"{type(stats).__name__}")
        for key in ("pre_activation_second_moment", "weight_grad_norm"):
            values = np.asarray(getattr(stats, key))
            if values.ndim != 2 or 0 in values.shape or values.dtype.kind not in "iuf":
                raise ValueError(f"stats_by_name[{name!r}].{key} must be a non-empty 2-D "
                                 f"array of numbers (seeds, layers), got {values.dtype} "
                                 f"{values.shape}")
    title = _check_text(title, "title")
    left_out = {"forward": [], "backward": []}
    fig, (ax_forward, ax_backward) = plt.subplots(1, 2, figsize=(10.0, 4.2), dpi=100)
    for index, (colour, (name, stats)) in enumerate(zip(_colours(len(stats_by_name)),
                                                        stats_by_name.items())):
        style = dict(color=colour, marker=MARKERS[index % len(MARKERS)], linewidth=1.6,
                     markersize=5)
        for ax, side, values in ((ax_forward, "forward", stats.pre_activation_second_moment),
                                 (ax_backward, "backward", stats.weight_grad_norm)):
            values = np.asarray(values, dtype=float)
            layers = np.arange(1, values.shape[1] + 1)
            # a seed whose signal overflowed (inf or NaN) is left out of that layer
            drawable = np.isfinite(values) & (values > 0)
            masked = np.where(drawable, values, np.nan)
            counted = drawable.any(axis=0)
            with np.errstate(all="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN layers
                    low, median, high = np.nanpercentile(masked, [10, 50, 90], axis=0)
            ax.plot(layers, median, label=_label(name), **style)
            if values.shape[0] > 1:
                ax.fill_between(layers, low, high, where=counted, color=colour, alpha=0.18)
            if not drawable.all():
                left_out[side].append(f"{name} ({int((~drawable).sum())} of {values.size})")
        theory = np.asarray(stats.theory_second_moment, dtype=float).ravel()
        if np.isfinite(theory).any():
            ax_forward.plot(np.arange(1, theory.size + 1), theory, color=colour,
                            linestyle="--", linewidth=1.2)
    for ax, label in ((ax_forward, "E[Z²] (pre-activations)"),
                      (ax_backward, "‖dW‖ (weight gradients)")):
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_ylabel(label + ", log scale")
        ax.grid(alpha=0.3, which="both")
    ax_forward.set_title("forward (dashed: mean-field theory)")
    ax_backward.set_title("backward")
    ax_forward.legend()
    for ax, side in ((ax_forward, "forward"), (ax_backward, "backward")):
        if left_out[side]:
            _note(ax, "not drawn, zero, infinite or NaN: " + ", ".join(left_out[side]))
    some = next(iter(stats_by_name.values()))
    fig.suptitle(title or f"Signal at initialization ({some.activation}, "
                          f"{len(some.seeds)} seeds: median, 10-90% band)")
    fig.tight_layout()
    return fig


@_closing_on_error
def plot_layer_history(history, iterations, title="Layers during training", unit="iteration"):
    """Every layer's weight norm, gradient norm and activation spread (and, where
    they apply, the fractions of dead or saturated units) during training.

    Parameters
    ----------
    history : dict of ndarray, or dict of str to such dicts
        ``TrainResult.layer_history`` (``train(..., track_layers=True)``), or
        several by name (e.g. initializer): one row of panels each.
    iterations : sequence of int
        ``TrainResult.iterations``, one per row of the history.

    NaN and infinite values (a diverged run), and values <= 0 on the log
    panels, are left out, and a note on the panel says so.

    Raises
    ------
    TypeError, ValueError
        Naming the argument (``history['he']['grad_norm']``, ``iterations``),
        before any figure is made.
    title : str
    unit : str, default "iteration"

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    histories = _check_histories(history)
    iterations = _check_numbers(iterations, "iterations", finite=True)
    title = _check_text(title, "title")
    unit = _check_text(unit, "unit", optional=False)
    for name, one in histories.items():
        where = f"history[{name!r}]" if name else "history"
        if one["weight_norm"].shape[0] != iterations.size:
            raise ValueError(f"iterations must have one entry per recorded row of {where}: "
                             f"{iterations.size} iterations, "
                             f"{one['weight_norm'].shape[0]} rows")
    panels = [("weight_norm", "‖W‖", True), ("grad_norm", "‖dW‖", True),
              ("activation_std", "std of A", True)]
    for key, label in (("saturated_fraction", "saturated fraction"),
                       ("dead_fraction", "dead fraction")):
        if any(np.isfinite(one[key][:, :-1]).any() for one in histories.values()):
            panels.append((key, label, False))
    fig, axes = plt.subplots(len(histories), len(panels),
                             figsize=(3.6 * len(panels), 3.4 * len(histories)), dpi=100,
                             squeeze=False)
    for row, (name, one) in zip(axes, histories.items()):
        n_layers = one["weight_norm"].shape[1]
        colours = _colours(n_layers)
        for ax, (key, label, log) in zip(row, panels):
            for l in range(n_layers):
                values = one[key][:, l]
                if log:
                    values = np.where(values > 0, values, np.nan)
                values = np.where(np.isfinite(values), values, np.nan)
                if np.isfinite(values).any():
                    ax.plot(iterations, values, color=colours[l], linewidth=1.4,
                            label=f"layer {l + 1}" + (" (output)" if l == n_layers - 1 else ""))
            if log and (np.isfinite(one[key]) & (one[key] > 0)).any():
                ax.set_yscale("log")
            if log and not (np.isfinite(one[key]) & (one[key] > 0)).all():
                _note(ax, "not drawn: values NaN, infinite or 0 (log axis)")
            elif not ax.lines:
                _note(ax, "nothing to draw: every value NaN or infinite")
            ax.set_xlabel(unit)
            ax.set_title(f"{name}: {label}" if name else label, fontsize=10)
            ax.grid(alpha=0.3, which="both")
        if row[0].lines:
            row[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
