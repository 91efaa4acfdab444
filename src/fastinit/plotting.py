"""Figures. Every function returns a matplotlib ``Figure`` and never shows it.

matplotlib is imported when a function is called, not when fastinit is.

Every argument is checked before a figure is made, and a bad one raises a
``TypeError`` or ``ValueError`` that names it as the caller spelt it
(``costs['he']``, ``summary[2]``). Every figure explains itself: values that
cannot be drawn (NaN or infinite costs of a diverged run, zeros on a log axis)
are left out and named in a note under the panel, a curve hidden under another
(identical costs) is drawn as a wide rim around it and named there too, and
nothing is dropped silently. An initializer has one colour in every figure
(:data:`INITIALIZER_COLOURS`). The functions may be called from several
threads: each builds its figure under one lock (pyplot's figure registry is not
thread-safe).
"""

import functools
import math
import numbers
import re
import textwrap
import threading
import zlib
from collections.abc import Mapping, Sequence

import numpy as np

from ._validation import check_features, check_parameters, check_X
from .activations import check_activation
from .diagnostics import DEEP_LAYERS, SignalStats, activation_stats
from .network import predict

__all__ = [
    "INITIALIZER_COLOURS",
    "colour_of",
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

#: One colour per initializer, the same in every figure: Okabe-Ito for the
#: common ones, Paul Tol's muted colours for the variants.
INITIALIZER_COLOURS = {
    "he": "#0072b2",
    "xavier": "#009e73",
    "glorot": "#e69f00",
    "random": "#d55e00",
    "random_small": "#cc79a7",
    "zeros": "#000000",
    "lecun": "#56b4e9",
    "orthogonal": "#882255",
    "lsuv": "#999933",
    "variance_scaling": "#661100",
    "he_uniform": "#332288",
    "he_truncated_normal": "#6699cc",
    "glorot_uniform": "#117733",
    "glorot_truncated_normal": "#ddcc77",
    "lecun_uniform": "#44aa99",
    "lecun_truncated_normal": "#88ccee",
    "critical": "#aa3377",
}

#: Colours of other names (optimizers, a caller's labels), none of them an
#: initializer's.
OTHER_COLOURS = ["#7570b3", "#a6761d", "#e7298a", "#66a61e", "#b2182b", "#aa4499", "#8c8c8c",
                 "#5c3a92"]

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


#: The most grid points along a side of a decision-region plot (a million in all).
MAX_GRID_STEPS = 1000

#: The most panels of :func:`plot_decision_boundaries` in one row (more wrap).
PANELS_PER_ROW = 8

#: The most panels of :func:`plot_decision_boundaries` (a larger figure could not
#: be rendered: Agg draws at most 65536 pixels a side).
MAX_PANELS = 128

#: Curves closer than this share of a panel's height everywhere cannot be told apart.
HIDDEN_TOLERANCE = 0.005

#: Held while a figure is built: pyplot's registry of figures is shared.
_LOCK = threading.RLock()

_NOTE = "fastinit-note"
_NBSP = "\u00a0"  # textwrap never breaks here: keeps "he (depth 2)" on one line


def _initializer_in(name):
    """The initializer ``name`` is or first names ("he, width 20"), or None."""
    text = str(name)
    return next((token for token in [text] + re.split(r"[\s,;:()]+", text)
                 if token in INITIALIZER_COLOURS), None)


def colour_of(name):
    """The colour ``name`` has in every figure.

    An initializer's is :data:`INITIALIZER_COLOURS` ``[name]``; a label that
    names one ("he, width 20", "tanh, glorot_uniform") takes the first one it
    names. Any other name gets one of :data:`OTHER_COLOURS`, chosen by a
    stable hash of the name.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
        A ``#rrggbb`` colour.
    """
    initializer = _initializer_in(name)
    if initializer is not None:
        return INITIALIZER_COLOURS[initializer]
    return OTHER_COLOURS[zlib.crc32(str(name).encode()) % len(OTHER_COLOURS)]


def _marker_of(name):
    """``name``'s marker, the same in every figure, as its colour is."""
    initializer = _initializer_in(name)
    index = list(INITIALIZER_COLOURS).index(initializer) if initializer is not None \
        else zlib.crc32(str(name).encode())
    return MARKERS[index % len(MARKERS)]


def _colours(names):
    """:func:`colour_of` each of ``names``; two other names that hash to one
    colour in the same figure are told apart (the later takes the next free one)."""
    colours, taken = [], set()
    for name in names:
        colour = colour_of(name)
        if colour in OTHER_COLOURS and colour in taken:
            free = [c for c in OTHER_COLOURS if c not in taken]
            start = OTHER_COLOURS.index(colour)
            colour = next((c for c in OTHER_COLOURS[start:] + OTHER_COLOURS[:start]
                           if c in free), colour)
        taken.add(colour)
        colours.append(colour)
    return colours


def _layer_colours(n):
    """A colour per layer, dark (first) to light (output): layers are ordered,
    and none looks like an initializer's colour."""
    from matplotlib import colormaps

    return [colormaps["viridis"](x) for x in np.linspace(0.0, 0.85, n)]


def _network(dims):
    """``[2, 10, 5, 1]`` as "layers 2-10-5-1"; a deep one of equal widths as
    "100 inputs, 10 hidden layers of 100, 1 output"."""
    dims = [int(d) for d in dims]
    hidden = dims[1:-1]
    if len(hidden) > 3 and len(set(hidden)) == 1:
        return (f"{dims[0]} inputs, {len(hidden)} hidden layers of {hidden[0]}, {dims[-1]} "
                f"output{'s' if dims[-1] != 1 else ''}")
    return "layers " + "-".join(map(str, dims))


def _seeds_text(counts):
    """"mean of 5 seeds" for the runs behind each point."""
    counts = sorted({int(c) for c in counts})
    if not counts:
        return "mean over seeds"
    if len(counts) == 1:
        return f"mean of {counts[0]} seed{'s' if counts[0] != 1 else ''}"
    return f"mean of {counts[0]}-{counts[-1]} seeds"


def _fit(text, inches, fontsize=12):
    """``text`` with each line wrapped to fit ``inches`` at ``fontsize`` points
    (a title that does not fit is cut off at the figure's edge)."""
    width = max(int(inches * 72 / (0.55 * fontsize)), 20)
    return "\n".join(textwrap.fill(line, width=width, break_long_words=False,
                                    break_on_hyphens=False) or line
                      for line in str(text).split("\n"))


def _suptitle(fig, text):
    fig.suptitle(_fit(text, fig.get_figwidth() * 0.95))


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
    check_features(X.shape, 2, "a plot in the plane", name=x_name)
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


def _note(ax, text, items=()):
    """Say under ``ax`` (below its x label, never over the data) what was left
    out or cannot be seen, and why: ``text`` then ``items`` (each kept on one
    line), wrapped to the panel's width. Notes on one panel stack."""
    whole = text + ", ".join(str(item).replace(" ", _NBSP) for item in items)
    fig = ax.figure
    width = ax.get_position().width * fig.get_figwidth() * 72 / 4.6  # 8-point characters
    wrapped = textwrap.fill(whole, width=max(int(width), 30), break_long_words=False,
                            break_on_hyphens=False).replace(_NBSP, " ")
    for previous in ax.texts:
        if previous.get_gid() == _NOTE:
            previous.set_text(previous.get_text() + "\n" + wrapped)
            return
    ax.annotate(wrapped, xy=(0, 0), xycoords="axes fraction", xytext=(0, -34),
                textcoords="offset points", va="top", ha="left", fontsize=8, color="0.2",
                gid=_NOTE)


def _covering(curves, log, limits):
    """For curves drawn in order, ``{i: j}``: curve ``i`` lies under the later
    curve ``j`` (the last one drawn that covers it), that is wherever ``i`` is
    drawn ``j`` is too, within :data:`HIDDEN_TOLERANCE` of the panel's height.

    Parameters
    ----------
    curves : list of (x, y) arrays
    log : bool
        Heights are compared on a log axis.
    limits : (float, float)
        The panel's y limits.
    """
    shown = []
    for _, y in curves:
        y = np.asarray(y, dtype=float)
        with np.errstate(all="ignore"):
            shown.append(np.where(y > 0, np.log10(y), np.nan) if log else y)
    with np.errstate(all="ignore"):
        low, high = np.log10(limits) if log else np.asarray(limits, dtype=float)
    span = abs(high - low) if np.isfinite([low, high]).all() and high != low else 1.0
    tolerance = HIDDEN_TOLERANCE * span
    covered = {}
    for i, (x, _) in enumerate(curves):
        drawn = np.isfinite(shown[i])
        if not drawn.any():
            continue
        for j in range(len(curves) - 1, i, -1):
            if np.shape(curves[j][0]) != np.shape(x) or not np.array_equal(curves[j][0], x):
                continue
            other = shown[j][drawn]
            if np.isfinite(other).all() and np.all(np.abs(other - shown[i][drawn]) <= tolerance):
                covered[i] = j
                break
    return covered


def _hidden_note(ax, lines, what):
    """Widen each of ``lines`` that a later one covers (it shows as a rim
    around it) and say under ``ax`` which is hidden under which. ``what`` names
    the values ("costs")."""
    log = ax.get_yscale() == "log"
    curves = [(np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(),
                                                                     dtype=float))
              for line in lines]
    covered = _covering(curves, log, ax.get_ylim())
    by_top = {}
    for i, j in covered.items():
        top = j
        while top in covered:  # hidden under a curve that is itself hidden
            top = covered[top]
        by_top.setdefault(top, []).append(i)
    for top, hidden in by_top.items():
        for rank, i in enumerate(hidden):
            grow = 3.0 * (len(hidden) - rank)
            lines[i].set_linewidth(lines[top].get_linewidth() + grow)
            lines[i].set_markersize(lines[top].get_markersize() + grow)
            lines[i].set_zorder(lines[top].get_zorder() - 0.01 * (rank + 1))
        names = [lines[i].get_label().strip() for i in hidden]
        ys = [curves[i][1] for i in hidden]
        several = len(names) > 1
        _note(ax, f"{' and '.join(names)}, drawn as {'wide lines' if several else 'a wide line'}, "
                  f"{'are' if several else 'is'} hidden under {lines[top].get_label().strip()}: "
                  + _difference(ys, curves[top][1], what, log))


def _difference(ys, top, what, log):
    """How far curves ``ys`` are from ``top``, where they are drawn."""
    gaps, relative = [0.0], [0.0]
    for y in ys:
        drawn = np.isfinite(y) & np.isfinite(top) & ((y > 0) if log else True)
        gap = np.abs(y[drawn] - top[drawn])
        gaps.append(float(gap.max(initial=0.0)))
        with np.errstate(all="ignore"):
            relative.append(float(np.max(gap / np.abs(top[drawn]), initial=0.0)))
    if max(gaps) == 0:
        return f"identical {what}"
    if log:
        return f"{what} within {100 * max(relative):.2g}% of each other"
    return f"{what} differ by at most {max(gaps):.2g}"


@functools.lru_cache(maxsize=None)
def _plain_log_formatter():
    """A log-axis tick formatter that writes 6, 10, 20 (not 6×10^0) when the
    axis lies between 0.001 and 10000, and powers of ten otherwise."""
    from matplotlib.ticker import LogFormatterSciNotation

    class PlainLogFormatter(LogFormatterSciNotation):
        def __call__(self, x, pos=None):
            label = super().__call__(x, pos)
            low, high = sorted(self.axis.get_view_interval())
            if label and 1e-3 <= low and high <= 1e4:
                return f"{x:g}"
            return label

    return PlainLogFormatter


def _log_axis(ax):
    """Make ``ax``'s y axis logarithmic with readable tick labels."""
    ax.set_yscale("log")
    formatter = _plain_log_formatter()
    ax.yaxis.set_major_formatter(formatter())
    ax.yaxis.set_minor_formatter(formatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def _integer_x(*axes):
    """Ticks only at whole numbers along the x axis (layers, depths)."""
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _legend_below(fig, lines, labels, title=None):
    """One legend for the whole figure, under its panels (never over data), its
    entries drawn like ``lines`` at their usual width (a hidden line's rim is
    one panel's matter); the figure must use the constrained layout."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=line.get_color(), marker=line.get_marker(),
                      linestyle=line.get_linestyle(), linewidth=1.6, markersize=6)
               for line in lines]
    if handles:
        fig.legend(handles, labels, title=title, loc="outside lower center",
                   ncol=min(len(labels), 5), fontsize=9, title_fontsize=9)


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
    regions = ListedColormap(["#f5c9a6", "#a6cbe8"])
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
    """Cost curves on one axis, each name in its :func:`colour_of` colour.

    A diverged run's costs are drawn where they are finite: NaN and infinite
    costs (and, on a log axis, costs <= 0) are left out, and a note under the
    panel names each curve with such points and how many; a curve with no
    drawable cost keeps its legend entry and is named there too. A curve that
    another (drawn later) covers, such as gd's under momentum's when their
    costs agree, is drawn as a wide rim around it and named in a note.

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
        Say what was trained (network, data set, seed): the figure cannot know.
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
    left_out, lines = [], []
    for colour, (name, values) in zip(_colours(curves), curves.items()):
        x = np.arange(len(values)) * 1000 if iterations is None else iterations
        drawable = np.isfinite(values) & ((values > 0) if log else True)
        lines += ax.plot(x, np.where(drawable, values, np.nan), color=colour,
                         label=_label(name), linewidth=1.8, marker=_marker_of(name),
                         markersize=3)
        if not drawable.all():
            left_out.append(f"{name} ({int((~drawable).sum())} of {len(values)})")
    if log:
        _log_axis(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cost (cross-entropy)" + (", log scale" if log else ""))
    ax.set_title(_fit(title, ax.get_position().width * fig.get_figwidth() * 1.15) if title
                 else "")
    ax.grid(alpha=0.3, which="both")
    if left_out:
        why = "NaN, infinite or <= 0 on the log axis" if log else "NaN or infinite"
        _note(ax, f"not drawn, {why}: ", left_out)
    _hidden_note(ax, lines, "costs")
    if isinstance(costs, Mapping):
        ax.legend(title=legend_title, loc="best")  # after _hidden_note: shows the rims
    fig.tight_layout()
    return fig


@_closing_on_error
def plot_decision_boundaries(parameters_by_name, X, Y, titles=None, activation="relu",
                             negative_slope=0.01, title=None):
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
    title : str, optional
        The figure's title: what was trained (network, data set, seed).

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
    title = _check_text(title, "title")
    columns = min(n, PANELS_PER_ROW)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 4.2 * rows + 0.4 * bool(title)),
                             dpi=100, squeeze=False)
    axes = axes.ravel()
    for ax, (name, parameters) in zip(axes, parameters_by_name.items()):
        _draw_regions(ax, _predictor(parameters, activation, negative_slope), X, Y, None, 0.3,
                      name=f"parameters_by_name[{name!r}]")
        ax.set_title(str((titles or {}).get(name, name)), fontsize=10)
        ax.set_aspect("equal", adjustable="box")
    for ax in axes[n:]:
        ax.set_visible(False)
    if title:
        _suptitle(fig, title)
    fig.tight_layout()
    return fig


@_closing_on_error
def plot_activation_stats(methods=("random", "random_small", "he", "xavier"), layers_dims=None,
                          X=None, seed=3, title=None):
    """How the spread of the activations evolves through a deep ReLU network at
    initialization, one line per initializer.

    Two panels: the standard deviation of each hidden layer's activations (log
    scale; ×10 random weights explode, ×0.01 ones vanish, He stays flat) and the
    fraction of dead ReLU units (units that output 0 for every input). An
    initializer whose activations are all zero (or overflow to infinity or NaN)
    in a layer cannot be drawn there on the log axis and is named instead; one
    hidden under another (identical values) is drawn as a wide rim and named.

    Parameters
    ----------
    methods : sequence of str
        Names in :data:`fastinit.INITIALIZERS`.
    layers_dims : sequence of int, optional
        Default :data:`fastinit.diagnostics.DEEP_LAYERS`, 10 hidden layers of 100.
    X : array_like, optional
        Inputs; default standard-normal.
    seed : int, default 3
    title : str, optional
        Default: the network, the inputs and the seed.

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
    title = _check_text(title, "title")
    all_stats = {method: activation_stats(layers_dims, method, X=X, seed=seed)
                 for method in methods}
    fig, (ax_std, ax_dead) = plt.subplots(1, 2, figsize=(10.0, 4.6), dpi=100,
                                          layout="constrained")
    all_zero, std_lines, dead_lines = [], [], []
    for colour, (method, stats) in zip(_colours(methods), all_stats.items()):
        style = dict(color=colour, marker=_marker_of(method), label=method,
                     markersize=6, linewidth=1.6)
        dead_lines += ax_dead.plot(stats["layer"], stats["dead_fraction"], **style)
        std = np.asarray(stats["std"], dtype=float)
        drawable = np.isfinite(std) & (std > 0)
        if drawable.any():
            std_lines += ax_std.plot(stats["layer"], np.where(drawable, std, np.nan), **style)
        if not drawable.any():
            all_zero.append(f"{method} (every layer)")
        elif not drawable.all():
            layers = np.asarray(stats["layer"])[~drawable]
            all_zero.append(f"{method} (layers {', '.join(map(str, layers))})")
    _log_axis(ax_std)
    ax_std.set_xlabel("hidden layer")
    ax_std.set_ylabel("std of activations (log scale)")
    ax_std.set_title("Activation spread")
    ax_dead.set_xlabel("hidden layer")
    ax_dead.set_ylabel("fraction of dead ReLU units")
    ax_dead.set_ylim(-0.03, 1.03)
    ax_dead.set_title("Dead units (output 0 for every input)")
    for ax in (ax_std, ax_dead):
        ax.grid(alpha=0.3, which="both")
    _integer_x(ax_std, ax_dead)
    if all_zero:
        _note(ax_std, "not drawn, activations all 0 (or not finite), which a log axis cannot "
                      "show: ", all_zero)
    _hidden_note(ax_std, std_lines, "spreads")
    _hidden_note(ax_dead, dead_lines, "fractions")
    _legend_below(fig, dead_lines, methods, "initializer")
    inputs = f"{np.shape(X)[1]} examples" if X is not None else "1000 standard-normal examples"
    seed_text = f"seed {seed}" if isinstance(seed, numbers.Integral) else "one seed"
    _suptitle(fig, title or f"At initialization: {_network(layers_dims)}, ReLU\n"
                          f"{inputs}, {seed_text}")
    return fig


def _accuracy_against_depth(ax, rows, measure, label_of, style_of=None):
    """One line per ``label_of(row)`` of ``rows`` (summary rows with ``depth`` and
    ``{measure}_mean``/``_std``), in its initializer's colour: the mean against
    depth in a band of +-1 std clipped to [0, 1]. Depths whose mean is NaN
    (every run diverged) are left out and named in a note on ``ax``; a line
    hidden under another is named too. ``style_of(row)`` gives a line style."""
    labels = list(dict.fromkeys(label_of(row) for row in rows))
    left_out, lines, lowest = [], [], 0.4
    for colour, label in zip(_colours(labels), labels):
        line = sorted((row for row in rows if label_of(row) == label), key=lambda r: r["depth"])
        depth = np.array([row["depth"] for row in line], dtype=float)
        mean = np.array([row[f"{measure}_mean"] for row in line], dtype=float)
        std = np.array([row[f"{measure}_std"] for row in line], dtype=float)
        drawable = np.isfinite(mean)
        std = np.where(np.isfinite(std), std, 0.0)
        low, high = np.clip(mean - std, 0.0, 1.0), np.clip(mean + std, 0.0, 1.0)
        lines += ax.plot(depth, np.where(drawable, mean, np.nan), color=colour,
                         marker=_marker_of(label), label=_label(label),
                         linewidth=1.8, linestyle=style_of(line[0]) if style_of else "-")
        ax.fill_between(depth, low, high, where=drawable, color=colour, alpha=0.18)
        if drawable.any():
            lowest = min(lowest, float(np.min(low[drawable])))
        if not drawable.all():
            left_out.append(f"{label} (depth {', '.join(str(int(d)) for d in depth[~drawable])})")
    ax.set_xlabel("hidden layers")
    depths = sorted({row["depth"] for row in rows})
    if len(depths) <= 12:
        ax.set_xticks(depths)
    else:
        _integer_x(ax)
    ax.set_ylim(lowest - 0.02, 1.02)
    ax.grid(alpha=0.3)
    if left_out:
        _note(ax, "not drawn, every run diverged: ", left_out)
    _hidden_note(ax, lines, "accuracies")
    return lines


_DEPTH_KEYS = ("initializer", "depth", "train_accuracy_mean", "train_accuracy_std",
               "test_accuracy_mean", "test_accuracy_std")
_SWEEP_KEYS = ("initializer", "activation", "width", "depth", "train_accuracy_mean",
               "train_accuracy_std")


def _runs(rows):
    """The runs behind each row (``runs`` of a depth summary, ``count`` of a sweep's)."""
    return [row.get("runs", row.get("count")) for row in rows
            if isinstance(row.get("runs", row.get("count")), numbers.Integral)]


@_closing_on_error
def plot_depth(summary, title=None):
    """The depth experiment: accuracy against the number of hidden layers, one
    line per initializer (the mean over seeds) in a band of +-1 std clipped to
    [0, 1]; train and test side by side.

    Parameters
    ----------
    summary : list of dict
        :meth:`fastinit.depth.DepthResult.summary`. A depth at which every run
        diverged (NaN mean) is left out and named in a note.
    title : str, optional
        What was trained (data set, activation, width); default the
        activation and the number of seeds.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    _check_rows(summary, "summary", _DEPTH_KEYS, "a sweep's summary? use plot_sweep")
    title = _check_text(title, "title")
    seeds = _seeds_text(_runs(summary))
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.8), dpi=100, sharey=True,
                             layout="constrained")
    for ax, split in zip(axes, ("train", "test")):
        lines = _accuracy_against_depth(ax, summary, f"{split}_accuracy",
                                        lambda row: row["initializer"])
        ax.set_title(f"{split} accuracy")
    axes[0].set_ylabel(f"accuracy ({seeds}, band: ±1 std)")
    _legend_below(fig, lines, [line.get_label() for line in lines], "initializer")
    activations = ", ".join(dict.fromkeys(str(row.get("activation", "")) for row in summary
                                          if row.get("activation")))
    _suptitle(fig, title or f"Accuracy against depth ({activations + ', ' if activations else ''}"
                          f"{seeds})")
    return fig


@_closing_on_error
def plot_sweep(summary, title=None):
    """A sweep's summary: train accuracy against depth, one line per initializer
    in its colour (and, when the sweep has several widths, one line style per
    width), the mean over seeds in a band of +-1 std clipped to [0, 1]; one
    panel per activation.

    Parameters
    ----------
    summary : list of dict
        :meth:`fastinit.sweep.SweepResult.summary`. A cell in which every run
        diverged (NaN mean) is left out and named in a note.
    title : str, optional
        What was trained (data set, iterations); default the width and the
        number of seeds.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    _check_rows(summary, "summary", _SWEEP_KEYS, "a depth experiment's summary? use plot_depth")
    title = _check_text(title, "title")
    activations = list(dict.fromkeys(row["activation"] for row in summary))
    widths = sorted({row["width"] for row in summary})
    label_of = (lambda row: f"{row['initializer']}, width {row['width']}") if len(widths) > 1 \
        else (lambda row: row["initializer"])
    styles = ("-", "--", ":", "-.")
    seeds = _seeds_text(_runs(summary))
    fig, axes = plt.subplots(1, len(activations), figsize=(max(5.0 * len(activations), 6.0), 4.8),
                             dpi=100, sharey=True, squeeze=False, layout="constrained")
    legend = {}
    for ax, activation in zip(axes[0], activations):
        lines = _accuracy_against_depth(ax, [row for row in summary
                                             if row["activation"] == activation],
                                        "train_accuracy", label_of,
                                        lambda row: styles[widths.index(row["width"]) % 4])
        legend.update((line.get_label(), line) for line in lines if line.get_label()
                      not in legend)
        ax.set_title(activation)
    axes[0][0].set_ylabel(f"train accuracy ({seeds}, band: ±1 std)")
    _legend_below(fig, list(legend.values()), list(legend), "initializer")
    width_text = f"width {widths[0]}" if len(widths) == 1 else \
        f"widths {', '.join(map(str, widths))}"
    _suptitle(fig, title or f"Train accuracy against depth ({width_text}, {seeds})")
    return fig


def _left_out_signal(name, values, drawable):
    """What of ``name``'s signal a log axis cannot show, for a note."""
    if not drawable.any() and np.all(values == 0):
        return f"{name} (0 in every layer and seed)"
    zero = int((values == 0).sum())
    other = int((~drawable).sum()) - zero
    parts = ([f"{zero} of {values.size} values 0"] if zero else []) + \
        ([f"{other} of {values.size} infinite or NaN"] if other else [])
    return f"{name} ({', '.join(parts)})"


@_closing_on_error
def plot_signal_propagation(stats_by_name, title=None):
    """The signal through the layers at initialization, one line per network
    in its name's :func:`colour_of` colour.

    Left, forward: ``E[Z_l**2]`` per layer (log scale), the median over seeds
    with a band from the 10th to the 90th percentile, and the mean-field theory
    dashed. Right, backward: ``||dW_l||_F`` per layer (log scale), median and band.

    Parameters
    ----------
    stats_by_name : dict of str to SignalStats
        From :func:`fastinit.diagnostics.signal_propagation`, by name (e.g.
        initializer). Values that overflowed (inf or NaN) or are 0 cannot be
        drawn on the log axes: they are left out of the median and band, and
        each network with such values is named in a note (a network with
        nothing to draw, such as all-zero weights, says so in the legend too).
        A line hidden under another is drawn as a wide rim and named.
    title : str, optional
        Default: the activation, the network and the number of seeds.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import warnings

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

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
    lines = {"forward": [], "backward": []}
    shown = {"forward": False, "backward": False}
    labels = []
    fig, (ax_forward, ax_backward) = plt.subplots(1, 2, figsize=(10.0, 4.8), dpi=100,
                                                  layout="constrained")
    for colour, (name, stats) in zip(_colours(stats_by_name), stats_by_name.items()):
        style = dict(color=colour, marker=_marker_of(name), linewidth=1.6,
                     markersize=5)
        nothing = True
        for ax, side, values in ((ax_forward, "forward", stats.pre_activation_second_moment),
                                 (ax_backward, "backward", stats.weight_grad_norm)):
            values = np.asarray(values, dtype=float)
            layers = np.arange(1, values.shape[1] + 1)
            # a seed whose signal overflowed (inf or NaN) is left out of that layer
            drawable = np.isfinite(values) & (values > 0)
            nothing = nothing and not drawable.any()
            shown[side] = shown[side] or drawable.any()
            masked = np.where(drawable, values, np.nan)
            counted = drawable.any(axis=0)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN layers
                low, median, high = np.nanpercentile(masked, [10, 50, 90], axis=0)
            lines[side] += ax.plot(layers, median, label=_label(name), **style)
            if values.shape[0] > 1:
                ax.fill_between(layers, low, high, where=counted, color=colour, alpha=0.18)
            if not drawable.all():
                left_out[side].append(_left_out_signal(name, values, drawable))
        labels.append(f"{name} (not drawn: see note)" if nothing else _label(name))
        theory = np.asarray(stats.theory_second_moment, dtype=float).ravel()
        if np.isfinite(theory).any():
            ax_forward.plot(np.arange(1, theory.size + 1), theory, color=colour,
                            linestyle="--", linewidth=1.2)
    for ax, side, label in ((ax_forward, "forward", "E[Z²] (pre-activations)"),
                            (ax_backward, "backward", "‖dW‖ (weight gradients)")):
        if not shown[side]:  # a log axis with nothing positive on it has no limits
            ax.set_ylim(0.1, 10)
            ax.set_xlim(0.5, layers[-1] + 0.5)
        _log_axis(ax)
        ax.set_xlabel("layer (last: output)")
        _integer_x(ax)
        ax.set_ylabel(label + ", log scale")
        ax.grid(alpha=0.3, which="both")
    ax_forward.set_title("forward (dashed: mean-field theory)")
    ax_backward.set_title("backward")
    for ax, side in ((ax_forward, "forward"), (ax_backward, "backward")):
        if left_out[side]:
            _note(ax, "not drawn, 0, infinite or NaN (a log axis cannot show them): ",
                  left_out[side])
        _hidden_note(ax, lines[side], "medians")
    theory_handle = Line2D([], [], color="0.3", linestyle="--", linewidth=1.2)
    _legend_below(fig, lines["forward"] + [theory_handle], labels + ["mean-field theory"],
                  "initializer")
    some = next(iter(stats_by_name.values()))
    seeds = len(some.seeds)
    _suptitle(fig, title or f"Signal at initialization, {some.activation}: "
                          f"{_network(some.layers_dims)}\n{seeds} seed{'s' if seeds != 1 else ''}"
                          f"{': median, 10-90% band' if seeds > 1 else ''}")
    return fig


_LOG_PANELS = (("weight_norm", "‖W‖"), ("grad_norm", "‖dW‖"),
               ("activation_std", "std of A"))
_FRACTION_PANELS = (("saturated_fraction", "saturated fraction"),
                    ("dead_fraction", "dead fraction"))


def _still(one):
    """Whether every weight and gradient of a history is 0: nothing moves."""
    return all(np.all(one[key] == 0) for key in ("weight_norm", "grad_norm"))


def _still_row(ax, name, one, unit, fractions):
    """One text panel for an all-zero history, in place of empty log panels."""
    ax.set_axis_off()
    facts = []
    for key, label in [("activation_std", "std of A")] + list(fractions):
        hidden = one[key][:, :-1]
        if hidden.size and np.isfinite(hidden).all() and np.ptp(hidden) == 0:
            facts.append(f"{label[0].upper()}{label[1:]}: {hidden.flat[0]:g} in every hidden "
                         f"layer throughout.")
    text = (f"All zero: every weight and every gradient is exactly 0 at every {unit}, so "
            f"there is nothing to draw on log axes. With all weights equal, every unit of a "
            f"layer computes the same thing and gets the same update: the network stays "
            f"symmetric and never learns. " + " ".join(facts))
    inches = ax.get_position().width * ax.figure.get_figwidth() * 0.9
    ax.text(0.5, 0.5, _fit(text, inches, fontsize=9), ha="center", va="center", fontsize=9,
            transform=ax.transAxes,
            bbox=dict(boxstyle="round", facecolor="0.97", edgecolor=colour_of(name)))
    if name:
        ax.set_title(name, fontsize=10, color=colour_of(name))


def _why_not_drawn(values, bad, log, iterations, unit):
    """Why a layer's ``values`` at ``bad`` are not drawn: "0 throughout", ...."""
    zero = bad & (values == 0) if log else np.zeros_like(bad)
    what = "0" if zero[bad].all() else "NaN or infinite" if not zero.any() \
        else "0, NaN or infinite"
    if bad.all():
        return f"{what} throughout"
    if bad.sum() == 1:
        return f"{what} at {unit} {iterations[bad][0]:g}"
    return f"{what} at {int(bad.sum())} of {bad.size} {unit}s"


def _layer_panel(ax, values, iterations, log, colours, unit, fraction):
    """One line per layer of ``values`` (rows: recorded iterations); what cannot
    be drawn is named under the panel. Returns the lines."""
    n_layers = values.shape[1]
    lines, left_out = [], []
    for l in range(n_layers):
        column = values[:, l]
        drawable = np.isfinite(column) & ((column > 0) if log else True)
        label = f"layer {l + 1}" + (" (output)" if l == n_layers - 1 else "")
        if drawable.any():
            lines += ax.plot(iterations, np.where(drawable, column, np.nan), color=colours[l],
                             linewidth=1.4, label=label)
        # a fraction that does not apply to a layer (dead output units) is all NaN
        if not drawable.all() and not (fraction and np.isnan(column).all()):
            left_out.append(f"{label}: {_why_not_drawn(column, ~drawable, log, iterations, unit)}")
    if log and lines:
        _log_axis(ax)
    if fraction:
        ax.set_ylim(-0.03, 1.03)
    if left_out:
        _note(ax, "not drawn" + (" (log axis)" if log else "") + ": ", left_out)
    elif not lines:
        _note(ax, "nothing to draw: every value NaN or infinite")
    _hidden_note(ax, lines, "values")
    return lines


@_closing_on_error
def plot_layer_history(history, iterations, title="Layers during training", unit="iteration"):
    """Every layer's weight norm, gradient norm and activation spread (and, where
    they apply, the fractions of dead or saturated units) during training.

    One row of panels per history, its titles in the name's :func:`colour_of`
    colour; one line per layer, dark (first) to light (output), with one legend
    under the panels. A history that is all zero (zero initialization: a
    symmetric network) gets one line of text instead of empty panels.

    Parameters
    ----------
    history : dict of ndarray, or dict of str to such dicts
        ``TrainResult.layer_history`` (``train(..., track_layers=True)``), or
        several by name (e.g. initializer): one row of panels each.
    iterations : sequence of int
        ``TrainResult.iterations``, one per row of the history.
    title : str
        Say what was trained (network, data set, activation).
    unit : str, default "iteration"

    NaN and infinite values (a diverged run), and values <= 0 on the log
    panels, are left out, and a note under the panel names the layers and
    when. A layer hidden under another (identical values) is drawn as a wide
    rim around it and named.

    Raises
    ------
    TypeError, ValueError
        Naming the argument (``history['he']['grad_norm']``, ``iterations``),
        before any figure is made.

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
    fractions = [(key, label) for key, label in _FRACTION_PANELS
                 if any(np.isfinite(one[key][:, :-1]).any() for one in histories.values())]
    panels = [(key, label, True) for key, label in _LOG_PANELS] + \
        [(key, label, False) for key, label in fractions]
    still = [_still(one) for one in histories.values()]
    heights = [0.3 if s else 1.0 for s in still]
    fig = plt.figure(figsize=(3.6 * len(panels), 3.4 * sum(heights) + 0.8), dpi=100,
                     layout="constrained")
    grid = fig.add_gridspec(len(histories), len(panels), height_ratios=heights)
    colours = _layer_colours(max(one["weight_norm"].shape[1] for one in histories.values()))
    legend = {}
    for row, ((name, one), is_still) in enumerate(zip(histories.items(), still)):
        if is_still:
            _still_row(fig.add_subplot(grid[row, :]), name, one, unit, fractions)
            continue
        for column, (key, label, log) in enumerate(panels):
            ax = fig.add_subplot(grid[row, column])
            lines = _layer_panel(ax, one[key], iterations, log, colours, unit, not log)
            legend.update((line.get_label(), line) for line in lines
                          if line.get_label() not in legend)
            ax.set_xlabel(unit)
            ax.set_title(f"{name}: {label}" if name else label, fontsize=10,
                         color=colour_of(name) if name else "black")
            ax.grid(alpha=0.3, which="both")
    _legend_below(fig, list(legend.values()), list(legend))
    if title:
        _suptitle(fig, title)
    return fig
