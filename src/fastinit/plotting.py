"""Figures. Every function returns a matplotlib ``Figure`` and never shows it.

matplotlib is imported when a function is called, not when fastinit is.
"""

import numpy as np

from ._validation import check_X, check_Y
from .diagnostics import DEEP_LAYERS, activation_stats
from .network import predict

__all__ = [
    "draw_decision_regions",
    "plot_activation_stats",
    "plot_costs",
    "plot_decision_boundaries",
    "plot_decision_boundary",
]

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


#: The most grid points along a side of a decision-region plot (a million in all).
MAX_GRID_STEPS = 1000


def _colours(n):
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def _new_axes(ax, figsize=(6.0, 4.5)):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, dpi=100)
    return fig, ax


def _check_points(X, Y):
    """Two-feature points ``(2, m)`` and their 0/1 labels ``(1, m)``."""
    X = check_X(X, n_features=2)
    return X, check_Y(Y, X.shape[1], 1, np.float64)


def _check_curve(name, values):
    try:
        values = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"costs[{name!r}] must be a sequence of numbers") from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"costs[{name!r}] must be a non-empty 1-D sequence, got shape "
                         f"{values.shape}")
    return values


def draw_decision_regions(ax, predict_fn, X, y, step=0.01, margin=1.0):
    """Fill ``ax`` with the regions ``predict_fn`` assigns to each class and
    scatter the points on top, as the course's ``plot_decision_boundary`` does.

    Parameters
    ----------
    ax : matplotlib Axes
    predict_fn : callable
        Maps an ``(k, 2)`` array of points (one per row) to ``k`` labels.
    X : array_like, shape (2, m)
        The points, course layout.
    y : array_like, m labels (any shape)
    step : float or None
        Grid spacing; None for 300 points across the wider side. A spacing that
        would need more than :data:`MAX_GRID_STEPS` points across a side (data
        spread far wider than the course's) is widened to that many.
    margin : float
        How far the grid extends past the points.
    """
    from matplotlib.colors import ListedColormap

    X = np.asarray(X)
    x_min, x_max = X[0].min() - margin, X[0].max() + margin
    y_min, y_max = X[1].min() - margin, X[1].max() + margin
    if step is None:
        step = max(x_max - x_min, y_max - y_min) / 300
    step = max(step, max(x_max - x_min, y_max - y_min) / MAX_GRID_STEPS)
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    Z = np.asarray(predict_fn(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    regions = ListedColormap(["#F5C9A6", "#A6CBE8"])
    points = ListedColormap([PALETTE[1], PALETTE[0]])
    ax.contourf(xx, yy, Z.astype(float), levels=[-0.5, 0.5, 1.5], cmap=regions)
    ax.scatter(X[0], X[1], c=np.ravel(y), cmap=points, vmin=0, vmax=1, s=14,
               edgecolors="white", linewidths=0.4)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def plot_decision_boundary(parameters, X, Y, ax=None, title=None, activation="relu",
                           negative_slope=0.01):
    """Decision regions of a trained two-input network, with the points.

    Parameters
    ----------
    parameters : dict
        A trained network with two inputs.
    X : array_like, shape (2, m)
    Y : array_like, shape (1, m)
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure.
    title : str, optional
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation the network was trained with.

    Returns
    -------
    matplotlib.figure.Figure
    """
    X, Y = _check_points(X, Y)
    fig, ax = _new_axes(ax)
    draw_decision_regions(ax, lambda points: predict(points.T, parameters, activation=activation,
                                                     negative_slope=negative_slope)[0], X, Y)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_costs(costs, iterations=None, ax=None, title="Cost during training", log=None,
               xlabel="iteration", legend_title="initializer"):
    """Cost curves on one axis.

    Parameters
    ----------
    costs : dict of str to sequence of float, or a sequence of float
        One curve per name (or a single unnamed curve).
    iterations : sequence of int, optional
        The iteration of each cost; defaults to 0, 1000, 2000, ...
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
    """
    curves = costs if isinstance(costs, dict) else {"cost": costs}
    if not curves:
        raise ValueError("costs must hold at least one curve")
    curves = {name: _check_curve(name, values) for name, values in curves.items()}
    if iterations is not None:
        iterations = np.asarray(iterations)
        if any(len(values) != len(iterations) for values in curves.values()):
            raise ValueError("iterations must have one entry per recorded cost")
    fig, ax = _new_axes(ax)
    everything = []
    styles = ("-", "--", ":", "-.")  # curves that coincide (gd, momentum) stay visible
    for k, (colour, (name, values)) in enumerate(zip(_colours(len(curves)), curves.items())):
        x = np.arange(len(values)) * 1000 if iterations is None else iterations
        ax.plot(x, values, color=colour, label=name, linewidth=1.8, marker="o", markersize=3,
                linestyle=styles[k % len(styles)])
        everything.extend(values[np.isfinite(values) & (values > 0)])
    if log is None:
        log = bool(everything) and max(everything) > 20 * min(everything)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cost (cross-entropy)" + (", log scale" if log else ""))
    ax.set_title(title)
    if isinstance(costs, dict):
        ax.legend(title=legend_title)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def plot_decision_boundaries(parameters_by_name, X, Y, titles=None, activation="relu",
                             negative_slope=0.01):
    """One decision-boundary panel per trained network, side by side.

    Parameters
    ----------
    parameters_by_name : dict of str to dict
        Trained two-input networks, by name (e.g. initializer).
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
    """
    import matplotlib.pyplot as plt

    n = len(parameters_by_name)
    if n == 0:
        raise ValueError("parameters_by_name must hold at least one network")
    X, Y = _check_points(X, Y)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 4.2), dpi=100, squeeze=False)
    for ax, (name, parameters) in zip(axes[0], parameters_by_name.items()):
        draw_decision_regions(
            ax, lambda points, p=parameters: predict(points.T, p, activation=activation,
                                                     negative_slope=negative_slope)[0],
            X, Y, step=None, margin=0.3)
        ax.set_title((titles or {}).get(name, name), fontsize=10)
        ax.set_aspect("equal", adjustable="box")
    fig.tight_layout()
    return fig


def plot_activation_stats(methods=("random", "random_small", "he", "xavier"), layers_dims=None,
                          X=None, seed=3):
    """How the spread of the activations evolves through a deep ReLU network at
    initialization, one line per initializer.

    Two panels: the standard deviation of each hidden layer's activations (log
    scale; ×10 random weights explode, ×0.01 ones vanish, He stays flat) and the
    fraction of dead ReLU units (units that output 0 for every input). An
    initializer whose activations are all zero cannot be drawn on the log axis
    and is named there instead.

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
    """
    import matplotlib.pyplot as plt

    layers_dims = DEEP_LAYERS if layers_dims is None else layers_dims
    methods = list(methods)
    all_stats = {method: activation_stats(layers_dims, method, X=X, seed=seed)
                 for method in methods}
    fig, (ax_std, ax_dead) = plt.subplots(1, 2, figsize=(10.0, 4.2), dpi=100)
    all_zero = []
    for index, (colour, (method, stats)) in enumerate(zip(_colours(len(methods)),
                                                          all_stats.items())):
        style = dict(color=colour, marker=MARKERS[index % len(MARKERS)], label=method,
                     markersize=7 - index % 3, linewidth=1.6)
        ax_dead.plot(stats["layer"], stats["dead_fraction"], **style)
        if (stats["std"] > 0).all():
            ax_std.plot(stats["layer"], stats["std"], **style)
        else:
            all_zero.append(method)
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
        ax_std.text(0.02, 0.02, f"not drawn, all activations zero: {', '.join(all_zero)}",
                    transform=ax_std.transAxes, fontsize=8, color="0.3")
    fig.tight_layout()
    return fig


def _accuracy_against_depth(ax, rows, measure, label_of):
    """One line per ``label_of(row)`` of ``rows`` (summary rows with ``depth`` and
    ``{measure}_mean``/``_std``): the mean against depth in a band of +-1 std."""
    labels = list(dict.fromkeys(label_of(row) for row in rows))
    for index, (colour, label) in enumerate(zip(_colours(len(labels)), labels)):
        line = sorted((row for row in rows if label_of(row) == label), key=lambda r: r["depth"])
        depth = np.array([row["depth"] for row in line])
        mean = np.array([row[f"{measure}_mean"] for row in line])
        std = np.array([row[f"{measure}_std"] for row in line])
        ax.plot(depth, mean, color=colour, marker=MARKERS[index % len(MARKERS)], label=label,
                linewidth=1.8)
        ax.fill_between(depth, mean - std, mean + std, color=colour, alpha=0.18)
    ax.set_xlabel("hidden layers")
    ax.set_ylim(0.4, 1.02)
    ax.grid(alpha=0.3)


def plot_depth(summary, title="Accuracy against depth"):
    """The depth experiment: accuracy against the number of hidden layers, one
    line per initializer (the mean over seeds) in a band of +-1 std; train and
    test side by side.

    Parameters
    ----------
    summary : list of dict
        :meth:`fastinit.depth.DepthResult.summary`.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not summary:
        raise ValueError("summary must hold at least one row")
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.2), dpi=100, sharey=True)
    for ax, split in zip(axes, ("train", "test")):
        _accuracy_against_depth(ax, summary, f"{split}_accuracy", lambda row: row["initializer"])
        ax.set_title(f"{split} accuracy")
    axes[0].set_ylabel("accuracy (mean over seeds, band: +-1 std)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, title="initializer", loc="lower center", ncol=len(labels))
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def plot_sweep(summary, title="Train accuracy against depth"):
    """A sweep's summary: train accuracy against depth, one line per initializer
    (and width, when the sweep has several), the mean over seeds in a band of
    +-1 std; one panel per activation.

    Parameters
    ----------
    summary : list of dict
        :meth:`fastinit.sweep.SweepResult.summary`.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not summary:
        raise ValueError("summary must hold at least one row")
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


def plot_signal_propagation(stats_by_name, title=None):
    """The signal through the layers at initialization, one line per network.

    Left, forward: ``E[Z_l**2]`` per layer (log scale), the median over seeds
    with a band from the 10th to the 90th percentile, and the mean-field theory
    dashed. Right, backward: ``||dW_l||_F`` per layer (log scale), median and band.

    Parameters
    ----------
    stats_by_name : dict of str to SignalStats
        From :func:`fastinit.diagnostics.signal_propagation`, by name (e.g.
        initializer).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not stats_by_name:
        raise ValueError("stats_by_name must hold at least one SignalStats")
    fig, (ax_forward, ax_backward) = plt.subplots(1, 2, figsize=(10.0, 4.2), dpi=100)
    for index, (colour, (name, stats)) in enumerate(zip(_colours(len(stats_by_name)),
                                                        stats_by_name.items())):
        style = dict(color=colour, marker=MARKERS[index % len(MARKERS)], linewidth=1.6,
                     markersize=5)
        for ax, values in ((ax_forward, stats.pre_activation_second_moment),
                           (ax_backward, stats.weight_grad_norm)):
            layers = np.arange(1, values.shape[1] + 1)
            low, median, high = np.percentile(values, [10, 50, 90], axis=0)
            ax.plot(layers, median, label=name, **style)
            if values.shape[0] > 1:
                ax.fill_between(layers, low, high, color=colour, alpha=0.18)
        theory = stats.theory_second_moment
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
    some = next(iter(stats_by_name.values()))
    fig.suptitle(title or f"Signal at initialization ({some.activation}, "
                          f"{len(some.seeds)} seeds: median, 10-90% band)")
    fig.tight_layout()
    return fig


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
    title : str
    unit : str, default "iteration"

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    histories = history if history and "weight_norm" not in history else {"": history}
    iterations = np.asarray(iterations)
    for name, one in histories.items():
        if not isinstance(one, dict) or "weight_norm" not in one:
            raise ValueError("history must be a TrainResult.layer_history (train with "
                             "track_layers=True), or a dict of them by name")
        if one["weight_norm"].shape[0] != iterations.size:
            raise ValueError("iterations must have one entry per recorded row of history")
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
                if np.isfinite(values).any():
                    ax.plot(iterations, values, color=colours[l], linewidth=1.4,
                            label=f"layer {l + 1}" + (" (output)" if l == n_layers - 1 else ""))
            if log and (one[key] > 0).any():
                ax.set_yscale("log")
            ax.set_xlabel(unit)
            ax.set_title(f"{name}: {label}" if name else label, fontsize=10)
            ax.grid(alpha=0.3, which="both")
        row[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
