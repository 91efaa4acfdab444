"""The figure of :func:`fastinit.phase_diagram`: measured accuracy over
(sigma_w2, depth), with the theory's depth scale drawn over it.

As in :mod:`fastinit.plotting`: the title says what was trained, the legend
sits under the panels, and what cannot be drawn (an infinite or undefined
``xi_c``, a cell whose every run diverged) is named in a note.
"""

import math

import numpy as np

from .chaos_figures import PHASE_COLOURS, SB2, SW2, XIC
from .plotting import _closing_on_error, _note, _suptitle
from .theory import MAX_VARIANCE

__all__ = ["plot_trainability"]

#: Points of sigma_w2 at which the theory's curves are drawn.
CURVE_POINTS = 241
#: Line styles of the xi_c multiples, in :data:`fastinit.phase.XI_MULTIPLES` order.
MULTIPLE_STYLES = (":", "--", "-")

DATASET_NAMES = {"digits": "digits (even vs odd)"}
OPTIMIZER_NAMES = {"gd": "SGD", "momentum": "momentum", "adam": "Adam"}


def _edges(values):
    """Cell edges around sorted ``values``: half-way between neighbours, and
    half a step beyond the ends."""
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    middle = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - middle[0]], middle, [2 * values[-1] - middle[-1]]])


def _sorted_grid(diagram):
    """Both axes sorted, and a function that puts a depth x sigma_w2 array (in
    the grid's order) in their order."""
    depths = np.asarray(diagram.grid["depths"], dtype=float)
    sigmas = np.asarray(diagram.grid["sigma_w2_values"], dtype=float)
    rows, columns = np.argsort(depths, kind="stable"), np.argsort(sigmas, kind="stable")
    return depths[rows], sigmas[columns], lambda values: values[np.ix_(rows, columns)]


def _outline(ax, x_edges, y_edges, inside):
    """Draw the cell edges between the cells ``inside`` and the others (and
    the frame's edges of the cells inside), in white."""
    from matplotlib.collections import LineCollection

    padded = np.pad(inside, 1)
    segments = []
    for i, j in zip(*np.nonzero(padded[1:, 1:-1] != padded[:-1, 1:-1])):  # horizontal edges
        segments.append([(x_edges[j], y_edges[i]), (x_edges[j + 1], y_edges[i])])
    for i, j in zip(*np.nonzero(padded[1:-1, 1:] != padded[1:-1, :-1])):  # vertical edges
        segments.append([(x_edges[j], y_edges[i]), (x_edges[j], y_edges[i + 1])])
    ax.add_collection(LineCollection(segments, colors="white", linewidths=1.4,
                                     gid="trained_outline"))


def _theory_curves(diagram, low, high):
    """sigma_w2 on a fine grid over [low, high], xi_c there, and the critical sigma_w2."""
    from .phase import phase_theory

    points = np.linspace(low, high, CURVE_POINTS)
    settings = diagram.settings
    theory = phase_theory([float(p) for p in points], settings.sigma_b2, settings.activation,
                          settings.negative_slope)
    return points, np.array(theory["xi_c"], dtype=float), theory["critical_sigma_w2"]


def _title(diagram):
    s = diagram.settings
    seeds = len(diagram.grid["seeds"])
    optimizer = OPTIMIZER_NAMES.get(s.optimizer, s.optimizer)
    return (f"Which depths train: {s.activation} networks of width {s.width} on "
            f"{DATASET_NAMES.get(s.dataset, s.dataset)}, {SB2} = {s.sigma_b2:g}, {optimizer} "
            f"on mini-batches of {s.mini_batch_size}, {s.epochs} epochs, learning rate "
            f"{s.learning_rate:g}; mean of {seeds} seed{'s' if seeds != 1 else ''}")


@_closing_on_error
def plot_trainability(diagram):
    """Training and test accuracy (means over the seeds) over ``(sigma_w2,
    depth)``, each cell coloured from 0.5 to 1; the cells that trained (mean
    training accuracy >= the diagram's threshold) outlined; the theory's
    ``xi_c``, ``3 xi_c`` and ``6 xi_c`` and the critical ``sigma_w2`` drawn
    over both panels.

    Parameters
    ----------
    diagram : fastinit.phase.PhaseDiagram

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .phase import PhaseDiagram, XI_MULTIPLES

    if not isinstance(diagram, PhaseDiagram):
        raise TypeError(f"diagram must be what fastinit.phase_diagram returns, got "
                        f"{type(diagram).__name__}")
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 5.8), dpi=100, layout="constrained",
                             sharey=True)
    depths, sigmas, in_order = _sorted_grid(diagram)
    x_edges = np.clip(_edges(sigmas), 0.0, MAX_VARIANCE)  # the theory's range of sigma_w2
    y_edges = np.maximum(_edges(depths), 0.0)
    curve_x, xi_c, critical = _theory_curves(diagram, x_edges[0], x_edges[-1])
    accuracies = {measure: in_order(diagram.accuracy(measure))
                  for measure in ("train_accuracy", "test_accuracy")}
    trained = in_order(diagram.trained())
    diverged = in_order(diagram.diverged())
    some = (diverged > 0) & (diverged < len(diagram.grid["seeds"]))
    rows, columns = np.nonzero(some)
    for ax, (measure, accuracy), name in zip(axes, accuracies.items(),
                                             ("Training accuracy", "Test accuracy")):
        mesh = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(accuracy),
                             cmap=plt.get_cmap("viridis").with_extremes(bad="0.8"),
                             vmin=0.5, vmax=1.0, gid=measure)
        _outline(ax, x_edges, y_edges, trained)
        ax.plot(sigmas[columns], depths[rows], linestyle="none", marker="x", color="white",
                markersize=5, gid="some_diverged")
        for multiple, style in zip(XI_MULTIPLES, MULTIPLE_STYLES):
            with np.errstate(invalid="ignore"):
                ax.plot(curve_x, multiple * xi_c, color="#E69F00", linestyle=style,
                        linewidth=2.0, gid=f"xi_c_{multiple}")
        if math.isfinite(critical) and x_edges[0] <= critical <= x_edges[-1]:
            ax.axvline(critical, color=PHASE_COLOURS["critical"], linewidth=1.6,
                       gid="critical_sigma_w2")
        ax.set_xlim(x_edges[0], x_edges[-1])
        ax.set_ylim(y_edges[0], y_edges[-1])
        ax.set_xlabel(f"{SW2} (weight variance × fan-in)")
        ax.set_title(f"{name} (mean over seeds)")
    axes[0].set_ylabel("depth (hidden layers)")
    fig.colorbar(mesh, ax=axes, label="accuracy (0.5 is chance on balanced classes)")
    handles, labels = [], []
    for multiple, style in zip(XI_MULTIPLES, MULTIPLE_STYLES):
        handles.append(Line2D([], [], color="#E69F00", linestyle=style, linewidth=2.0))
        labels.append(f"{multiple} {XIC}" if multiple != 1 else f"{XIC} (theory.depth_scales)")
    if math.isfinite(critical):
        handles.append(Line2D([], [], color=PHASE_COLOURS["critical"], linewidth=1.6))
        labels.append(f"critical {SW2} = {critical:.4g}")
    handles.append(Patch(facecolor="none", edgecolor="0.3", linewidth=1.4))
    labels.append(f"trained (outlined in white): most runs did not diverge, their mean "
                  f"training accuracy ≥ {diagram.threshold:g}")
    if np.isnan(accuracies["train_accuracy"]).any():
        handles.append(Patch(facecolor="0.8"))
        labels.append("every run diverged (its cost overflowed)")
    if some.any():
        handles.append(Line2D([], [], linestyle="none", marker="x", color="0.3"))
        labels.append("some runs diverged (the colour: the others' mean)")
    undefined = ~np.isfinite(xi_c)
    if undefined.any():
        infinite = np.isinf(xi_c)
        parts = []
        if infinite.any():
            parts.append(f"infinite at {SW2} = {curve_x[infinite][0]:.3g}" if infinite.sum() == 1
                         else f"infinite at {int(infinite.sum())} points")
        if np.isnan(xi_c).any():
            nan_x = curve_x[np.isnan(xi_c)]
            parts.append(f"undefined for {SW2} from {nan_x.min():.3g} to {nan_x.max():.3g} "
                         f"(the length grows without bound: nothing attracts)")
        _note(axes[0], f"{XIC} is not drawn where it is " + "; ".join(parts) + ".")
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9)
    _suptitle(fig, _title(diagram))
    return fig
