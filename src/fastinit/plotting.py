"""Figures. Every function returns a matplotlib ``Figure`` and never shows it.

matplotlib is imported when a function is called, not when fastinit is.
"""

import numpy as np

__all__ = ["draw_decision_regions", "plot_costs", "plot_decision_boundary"]

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def _new_axes(ax, figsize=(6.0, 4.5)):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, dpi=100)
    return fig, ax


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
    step : float
        Grid spacing.
    margin : float
        How far the grid extends past the points.
    """
    from matplotlib.colors import ListedColormap

    X = np.asarray(X)
    x_min, x_max = X[0].min() - margin, X[0].max() + margin
    y_min, y_max = X[1].min() - margin, X[1].max() + margin
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    Z = np.asarray(predict_fn(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    regions = ListedColormap(["#F5C9A6", "#A6CBE8"])
    points = ListedColormap([PALETTE[1], PALETTE[0]])
    ax.contourf(xx, yy, Z.astype(float), levels=[-0.5, 0.5, 1.5], cmap=regions)
    ax.scatter(X[0], X[1], c=np.ravel(y), cmap=points, vmin=0, vmax=1, s=14,
               edgecolors="white", linewidths=0.4)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def plot_decision_boundary(parameters, X, Y, ax=None, title=None):
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

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .network import predict

    fig, ax = _new_axes(ax)
    draw_decision_regions(ax, lambda points: predict(points.T, parameters)[0], X, Y)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_costs(costs, iterations=None, ax=None, title="Cost during training"):
    """Cost curves on one axis.

    Parameters
    ----------
    costs : dict of str to sequence of float, or a sequence of float
        One curve per name (or a single unnamed curve).
    iterations : sequence of int, optional
        The iteration of each cost; defaults to 0, 1000, 2000, ...
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax)
    curves = costs if isinstance(costs, dict) else {"cost": costs}
    for colour, (name, values) in zip(PALETTE * (len(curves) // len(PALETTE) + 1), curves.items()):
        values = np.asarray(values, dtype=float)
        x = np.arange(len(values)) * 1000 if iterations is None else np.asarray(iterations)
        ax.plot(x, values, color=colour, label=name, linewidth=1.8)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title(title)
    if isinstance(costs, dict):
        ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
