"""Figures of :func:`fastinit.edge_of_chaos.report`. Every function takes the
report (the dict it returns, or the ``theory.json`` that ``fastinit theory``
writes, loaded) and returns a matplotlib ``Figure``; none shows or writes one.

As in :mod:`fastinit.plotting`: titles say what was computed and measured,
legends sit under the panels, and what cannot be drawn (an infinite depth
scale, a value a log axis cannot show, an eigenvalue below rounding) is named
in a note in the figure. The ordered, critical and chaotic networks have one
colour each in every figure (:data:`PHASE_COLOURS`).
"""

import functools
import math
from collections.abc import Mapping

import numpy as np

from .plotting import (INITIALIZER_COLOURS, PALETTE, _closing_on_error, _hidden_note,
                       _integer_x, _legend_below, _log_axis, _note, _suptitle)

__all__ = ["FIGURES", "PHASE_COLOURS", "figures", "plot_depth", "plot_depth_scales",
           "plot_jacobian", "plot_phase_diagram"]

#: One colour per phase, in every figure (Okabe-Ito).
PHASE_COLOURS = {"ordered": PALETTE[0], "critical": PALETTE[2], "chaotic": PALETTE[1]}

#: The Jacobian's weights, in their initializers' colours.
WEIGHT_COLOURS = {"gaussian": INITIALIZER_COLOURS["variance_scaling"],
                  "orthogonal": INITIALIZER_COLOURS["orthogonal"]}

#: Symbols, in matplotlib's mathtext.
SW2, SB2, CSTAR, QSTAR = r"$\sigma_w^2$", r"$\sigma_b^2$", r"$c^*$", r"$q^*$"
QL, CL, XIC, XIQ, CHI1 = r"$q^l$", r"$c^l$", r"$\xi_c$", r"$\xi_q$", r"$\chi_1$"

_KEYS = ("settings", "critical", "phase", "points", "depth_scales", "jacobian")


def _checked(report):
    if not isinstance(report, Mapping):
        raise TypeError(f"report must be the dict of fastinit.edge_of_chaos.report (or the "
                        f"theory.json it is written to), got {type(report).__name__}")
    missing = [key for key in _KEYS if key not in report]
    if missing:
        raise ValueError(f"report has no {missing[0]!r}: pass what "
                         f"fastinit.edge_of_chaos.report returns")
    return report


def _report_errors(plot):
    """``plot`` with what a damaged report (a theory.json edited by hand: a key
    gone, a list cut short, a string for a number) makes it fail with said as one
    ValueError about ``report``, and no overflow warnings from huge values."""
    @functools.wraps(plot)
    def wrapper(report):
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return plot(report)
        except (KeyError, IndexError, AttributeError, TypeError, ValueError) as error:
            if str(error).startswith("report "):  # _checked's own
                raise
            raise ValueError(f"report is not what fastinit.edge_of_chaos.report returns "
                             f"(a damaged theory.json?): {type(error).__name__}: {error}") \
                from error
    return wrapper


def _array(values):
    """``values`` as floats, non-finite ones NaN (matplotlib leaves NaN out)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _g(value, digits=3):
    if math.isfinite(value):
        return f"{value:.{digits}g}"
    return "∞" if value > 0 else ("−∞" if value < 0 else "NaN")


def _setting_text(report):
    settings = report["settings"]
    seeds = len(settings["seeds"])
    return (f"{settings['depth']} hidden layers of {settings['width']} units, {seeds} "
            f"seed{'s' if seeds != 1 else ''}")


def _activation_text(report):
    settings = report["settings"]
    slope = f" (slope {settings['negative_slope']:g})" if settings["activation"] == "leaky_relu" \
        else ""
    return f"{settings['activation']}{slope}, {SB2} = {settings['sigma_b2']:g}"


_CHI = {"ordered": "<", "critical": "=", "chaotic": ">"}


def _point_label(point):
    name = point["phase"]
    if name == "chaotic" and not point.get("c_star", 0.0) < 1:
        name = "exploding, not chaotic"  # chi_1 > 1 but c* = 1: the ReLU family
    return f"{name} ({CHI1} {_CHI[point['phase']]} 1), {SW2} = {point['sigma_w2']:.3g}"


@_closing_on_error
@_report_errors
def plot_phase_diagram(report):
    """The theory's phase diagram over ``(sigma_w2, sigma_b2)``: ``c*``, the
    correlation two inputs settle at deep in the network, shaded (1 in the
    ordered phase, below 1 in the chaotic one), the critical line ``chi_1 = 1``
    between them, the report's ``sigma_b2`` and its three networks marked. Where
    the length ``q*`` diverges the diagram is hatched; where there is no chaotic
    phase, or no critical line in range, a note says so.

    Parameters
    ----------
    report : dict
        From :func:`fastinit.edge_of_chaos.report`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    report = _checked(report)
    phase = report["phase"]
    activation = report["settings"]["activation"]
    w, b = _array(phase["sigma_w2"]), _array(phase["sigma_b2"])
    finite_q = np.asarray(phase["q_star_finite"], dtype=bool)
    c_star = np.where(finite_q, _array(phase["c_star"]), np.nan)
    sigma_b2 = report["settings"]["sigma_b2"]
    fig, ax = plt.subplots(figsize=(7.5, 5.8), dpi=100, layout="constrained")
    low = float(np.nanmin(c_star)) if np.isfinite(c_star).any() else 0.0
    # the whole scale from 0 unless c* stays near 1 (the sigmoid's), where it would hide
    low = math.floor(100 * low) / 100 if 0.5 < low < 1 else min(0.0, low)
    mesh = ax.pcolormesh(w, b, c_star, shading="nearest", cmap="viridis", vmin=low, vmax=1.0)
    mesh.set_gid("c_star")
    fig.colorbar(mesh, ax=ax, label=f"{CSTAR}: the correlation two inputs settle at")
    handles, labels = [], []
    undefined = ~np.isfinite(c_star) & finite_q
    if undefined.any():
        ax.pcolormesh(w, b, np.where(undefined, 1.0, np.nan), shading="nearest",
                      cmap="Greys", vmin=0, vmax=4)
        handles.append(Patch(facecolor="0.85"))
        labels.append(f"{CSTAR} undefined ({QSTAR} = 0: the signal dies out)")
    if not finite_q.all():
        ax.contourf(w, b, (~finite_q).astype(float), levels=[0.5, 1.5], colors="none",
                    hatches=["///"])
        ax.contour(w, b, (~finite_q).astype(float), levels=[0.5], colors="0.4",
                   linewidths=0.8)
        handles.append(Patch(facecolor="white", edgecolor="0.4", hatch="///"))
        labels.append(f"{QSTAR} infinite: the length grows without bound")
    line = phase["critical_line"]
    line_w, line_b = _array(line["sigma_w2"]), _array(line["sigma_b2"])
    inside = np.isfinite(line_w) & (line_w >= w[0]) & (line_w <= w[-1])
    if inside.any():
        drawn, = ax.plot(np.where(inside, line_w, np.nan), line_b, color="black", linewidth=2.2,
                         gid="critical_line")
        handles.append(drawn)
        labels.append(f"critical line {CHI1} = 1 (critical_line)")
        shown = line_w[inside]
        if shown.max() - shown.min() <= 1e-9 * max(1.0, abs(shown.max())):
            _note(ax, f"The critical line is {SW2} = {shown.max():.4g} at every {SB2}: for "
                      f"{activation}, {CHI1} does not depend on {SB2}.")
        if not inside.all():
            _note(ax, f"The critical line leaves the diagram's {SW2} range at "
                      f"{int((~inside).sum())} of {inside.size} {SB2} values.")
    else:
        _note(ax, f"No critical line in {SW2} from {w[0]:.3g} to {w[-1]:.3g} for {activation}.")
    if not np.isfinite(c_star).any() or np.nanmin(c_star) > 1 - 1e-6:
        _note(ax, f"{CSTAR} = 1 wherever {QSTAR} is finite: no chaotic phase in this range "
                  f"(two inputs end up perfectly correlated).")
    else:
        # each label over its phase's cells in the top row of the grid
        top = b[-1] - 0.05 * (b[-1] - b[0])
        style = dict(fontsize=11, va="top", weight="bold",
                     bbox=dict(boxstyle="round", facecolor="white", alpha=0.8, linewidth=0))
        with np.errstate(invalid="ignore"):
            chaotic = c_star[-1] < 1 - 1e-6
            ordered = c_star[-1] >= 1 - 1e-6
        span = w[-1] - w[0]
        for cells, text in ((ordered, f"ordered\n{CSTAR} = 1"), (chaotic, f"chaotic\n{CSTAR} < 1")):
            if cells.any():
                x = float(np.median(w[cells]))
                x = min(max(x, w[0] + 0.08 * span), w[-1] - 0.08 * span)
                ax.text(x, top, text, ha="center", **style)
    ax.axhline(sigma_b2, color="white", linestyle="--", linewidth=1.4)
    handles.append(Line2D([], [], color="0.3", linestyle="--"))
    labels.append(f"{SB2} = {sigma_b2:g}: the networks measured")
    for point in report["points"]:
        marker, = ax.plot(point["sigma_w2"], sigma_b2, marker="o", markersize=10,
                          color=PHASE_COLOURS[point["phase"]], markeredgecolor="white",
                          linestyle="none", gid=f"point_{point['phase']}")
        handles.append(marker)
        labels.append(_point_label(point))
    ax.set_xlim(w[0], w[-1])
    ax.set_ylim(b[0], b[-1])
    ax.set_xlabel(f"{SW2} (weight variance × fan-in)")
    ax.set_ylabel(f"{SB2} (bias variance)")
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=9)
    _suptitle(fig, f"Edge of chaos, {activation}: the mean-field theory's phase diagram "
                   f"(correlation_fixed_point on a {w.size} × {b.size} grid)")
    return fig


def _band(ax, layers, mean, std, colour, low=None, high=None, log=False):
    """mean ± std, clipped to ``[low, high]``; on a log axis a lower edge at or
    below 0 is drawn at a tenth of the mean. Returns whether one was."""
    mean, std = _array(mean), _array(std)
    lower, upper = mean - std, mean + std
    if low is not None:
        lower, upper = np.clip(lower, low, high), np.clip(upper, low, high)
    cut = bool(log and np.any(lower <= 0))
    if log:
        lower = np.where(lower > 0, lower, mean / 10)
    ax.fill_between(layers, lower, upper, color=colour, alpha=0.18, linewidth=0)
    return cut


def _and(names):
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@_closing_on_error
@_report_errors
def plot_depth(report):
    """Two inputs layer by layer in the report's ordered, critical and chaotic
    networks: their length ``q^l`` (left) and correlation ``c^l`` (right),
    measured (mean over seeds, band ±1 std) against the theory (dashed,
    :func:`fastinit.theory.correlation_trajectory`), with each network's fixed
    point ``c*`` dotted.

    Parameters
    ----------
    report : dict
        From :func:`fastinit.edge_of_chaos.report`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    report = _checked(report)
    fig, (ax_q, ax_c) = plt.subplots(1, 2, figsize=(11.0, 5.4), dpi=100, layout="constrained")
    lines, labels, cut = [], [], []
    q_values = _array([q for point in report["points"]
                       for q in (*point["measured"]["q_mean"], *point["theory"]["q"])])
    positive = q_values[np.isfinite(q_values) & (q_values > 0)]
    log = bool(positive.size and positive.max() / positive.min() > 10)
    for point in report["points"]:
        colour = PHASE_COLOURS[point["phase"]]
        measured, theory = point["measured"], point["theory"]
        layers = np.arange(1, len(measured["q_mean"]) + 1)
        phase = point["phase"]
        line, = ax_q.plot(layers, _array(measured["q_mean"]), color=colour, marker="o",
                          markersize=3.5, linewidth=1.4, gid=f"q_measured_{phase}")
        if _band(ax_q, layers, measured["q_mean"], measured["q_std"], colour, log=log):
            cut.append(point["phase"])
        ax_q.plot(layers, _array(theory["q"]), color="black", linestyle="--", linewidth=1.0,
                  gid=f"q_theory_{phase}")
        ax_c.plot(layers, _array(measured["c_mean"]), color=colour, marker="o", markersize=3.5,
                  linewidth=1.4, gid=f"c_measured_{phase}")
        _band(ax_c, layers, measured["c_mean"], measured["c_std"], colour, -1.0, 1.0)
        ax_c.plot(layers, _array(theory["c"]), color="black", linestyle="--", linewidth=1.0,
                  gid=f"c_theory_{phase}")
        if math.isfinite(point["c_star"]):
            ax_c.axhline(point["c_star"], color=colour, linestyle=":", linewidth=1.4)
        lines.append(line)
        start = "" if point["q1"] == point["q_star"] else \
            f" (start: {_g(point['q1'])})"
        labels.append(f"{_point_label(point)}: {QSTAR} = {_g(point['q_star'])}{start}, "
                      f"{CSTAR} = {_g(point['c_star'])}")
    stars = {}
    for point in report["points"]:
        if math.isfinite(point["c_star"]):
            stars.setdefault(round(point["c_star"], 3), []).append(point["phase"])
    for value, phases in stars.items():
        if len(phases) > 1:
            _note(ax_c, f"The {_and(phases)} networks share {CSTAR} = {value:g}: one "
                        f"dotted line, in the last one's colour.")
    if log:
        _log_axis(ax_q)
        ax_q.set_ylabel(f"{QL}: mean square of the pre-activations, log scale")
    else:
        ax_q.set_ylim(bottom=0)
        ax_q.set_ylabel(f"{QL}: mean square of the pre-activations")
    if cut:
        _note(ax_q, f"Where the std exceeds the mean ({_and(cut)}), the band's lower edge is "
                    f"drawn at a tenth of the mean (a log axis cannot show 0).")
    ax_c.set_ylabel(f"{CL}: correlation of the two inputs")
    ax_q.set_title(f"length {QL}")
    ax_c.set_title(f"correlation {CL} (dotted: each network's {CSTAR})")
    for ax in (ax_q, ax_c):
        ax.set_xlabel("hidden layer l")
        _integer_x(ax)
        ax.grid(alpha=0.3)
    lines.append(Line2D([], [], color="black", linestyle="--", linewidth=1.0))
    labels.append("mean-field theory (correlation_trajectory)")
    fig.legend(lines, labels, loc="outside lower center", ncol=2, fontsize=9,
               title="measured: mean over seeds, band ±1 std", title_fontsize=9)
    first = report["points"][0]
    _suptitle(fig, f"Two inputs through random {report['settings']['activation']} networks "
                   f"({SB2} = {report['settings']['sigma_b2']:g}): {_setting_text(report)}, "
                   f"N(0, {SW2}/fan-in) weights; layer 1 starts at {QSTAR}"
                   + ("" if all(p["q1"] == p["q_star"] for p in report["points"]) else
                      " (or the start in the legend)")
                   + f" and c = {first['c1']:.3g}")
    return fig


@_closing_on_error
@_report_errors
def plot_depth_scales(report):
    """The theory's depth scales against ``sigma_w2``: ``xi_c`` (the layers a
    correlation takes to settle) and ``xi_q`` (the length's), with ``xi_c``
    fitted to the measured ``c^l`` at a few ``sigma_w2`` (filled, with the
    spread over bootstrap resamples of the seeds) and to the theory's own
    ``c^l`` over the same layers (open: what so short a fit gives without any
    noise). Both diverge at the critical ``sigma_w2`` (marked).

    Parameters
    ----------
    report : dict
        From :func:`fastinit.edge_of_chaos.report`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    report = _checked(report)
    scales = report["depth_scales"]
    depth = report["settings"]["depth"]
    critical = report["critical"]["sigma_w2"]
    w = _array(scales["sigma_w2"])
    xi_c, xi_q = _array(scales["xi_c"]), _array(scales["xi_q"])
    xi_c, xi_q = np.where(xi_c > 0, xi_c, np.nan), np.where(xi_q > 0, xi_q, np.nan)
    fig, ax = plt.subplots(figsize=(8.0, 5.8), dpi=100, layout="constrained")
    theory_q, = ax.plot(w, xi_q, color="0.45", linestyle="--", linewidth=1.4, label=XIQ,
                        gid="xi_q")
    theory_c, = ax.plot(w, xi_c, color="black", linewidth=1.8, label=XIC, gid="xi_c")
    handles, labels = [theory_c, theory_q], [f"{XIC}, theory (depth_scales)", f"{XIQ}, theory"]
    left_out, drawn, open_ended = [], [], []
    for row in scales["measured"]:
        colour = PHASE_COLOURS[row["phase"]]
        xi = row["xi_c_measured"]
        low, high = row["xi_c_measured_low"], row["xi_c_measured_high"]
        if math.isfinite(xi) and xi > 0:
            error = None
            if not (math.isnan(low) or math.isnan(high)):
                error = [[max(xi - max(low, 0.0), 0.0)], [max(high - xi, 0.0)]]
                if math.isinf(high):
                    open_ended.append(f"{SW2} = {row['sigma_w2']:.3g}")
                    error[1] = [10 * xi]
            ax.errorbar(row["sigma_w2"], xi, yerr=error, marker="o", markersize=7,
                        color=colour, capsize=3, linestyle="none")[0].set_gid(
                            f"xi_c_measured_{row['sigma_w2']:g}")
            drawn.append(xi)
        else:
            left_out.append(f"{SW2} = {row['sigma_w2']:.3g} (fit {_g(xi)} over "
                            f"{row['layers_fitted']} layers)")
        fitted = row["xi_c_theory_fitted"]
        if math.isfinite(fitted) and fitted > 0:
            ax.plot(row["sigma_w2"], fitted, marker="o", markersize=10, markerfacecolor="none",
                    markeredgecolor=colour, markeredgewidth=1.3, linestyle="none")
            drawn.append(fitted)
    for phase in ("ordered", "critical", "chaotic"):
        if any(row["phase"] == phase for row in scales["measured"]):
            handles.append(Line2D([], [], color=PHASE_COLOURS[phase], marker="o",
                                  linestyle="none"))
            labels.append(f"{XIC} fitted to the measured {CL}, {phase}")
    handles.append(Line2D([], [], color="0.3", marker="o", markerfacecolor="none",
                          linestyle="none", markersize=9))
    labels.append(f"{XIC} fitted to the theory's {CL} over the same layers")
    handles.append(ax.axvline(critical, color=PHASE_COLOURS["critical"], linewidth=1.4,
                              linestyle=":"))
    labels.append(f"critical {SW2} = {critical:.4g} (ξ → ∞)")
    handles.append(ax.axhline(depth, color="0.6", linewidth=1.0, linestyle="-."))
    labels.append(f"the measured networks' depth ({depth} layers)")
    _log_axis(ax)
    values = np.concatenate([xi_c[np.isfinite(xi_c)], xi_q[np.isfinite(xi_q)], drawn, [depth]])
    top = max(10.0 * depth, 2.0 * max(drawn, default=0.0))
    ax.set_ylim(max(values.min() / 1.5, 1e-3), top)
    if np.nanmax(xi_c, initial=0.0) > top:
        _note(ax, f"The theory's {XIC} is cut at {top:g} layers: it diverges at the critical "
                  f"{SW2}.")
    _hidden_note(ax, [theory_q, theory_c], "depth scales")
    for name, xi in ((XIC, xi_c), (XIQ, xi_q)):
        missing = ~np.isfinite(xi)
        if missing.sum() > 1:  # one point may sit on the critical sigma_w2
            _note(ax, f"The theory gives no finite {name} at {int(missing.sum())} of {xi.size} "
                      f"{SW2} from {np.min(w[missing]):.3g} to {np.max(w[missing]):.3g}.")
    pairs = {row["input_pairs"] for row in scales["measured"]}
    if scales["measured"]:
        gaps = sorted({round(row["c_star"] - row["c1"], 3) for row in scales["measured"]})
        start = f"starting {gaps[0]:g} below {CSTAR}" if len(gaps) == 1 else \
            f"starting {gaps[0]:g} to {gaps[-1]:g} below {CSTAR}"
        _note(ax, f"Measured: {max(pairs)} pair{'s' if max(pairs) > 1 else ''} of inputs per "
                  f"network, {start}; bars: the 16th to 84th percentile of the fit over "
                  f"resamples of the seeds.")
    if open_ended:
        _note(ax, "No decay in some resamples of the seeds (bar open upwards): ", open_ended)
    if left_out:
        _note(ax, f"Not drawn, no finite positive fit ({CL} did not approach {CSTAR}): ",
              left_out)
    ax.set_xlim(w[0], w[-1])
    ax.set_xlabel(f"{SW2} (weight variance × fan-in)")
    ax.set_ylabel("depth scale ξ in layers, log scale")
    ax.grid(alpha=0.3, which="both")
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8.5)
    _suptitle(fig, f"Depth scales, {_activation_text(report)}: the theory against networks of "
                   f"{_setting_text(report)} (fit_depth_scale on the mean {CL})")
    return fig


def _moments_text(one):
    return (f"mean: measured {one['mean_measured']:.3g} ± {one['mean_std']:.2g}, "
            f"theory {one['theory_mean']:.3g}\n"
            f"variance: measured {one['variance_measured']:.3g} ± {one['variance_std']:.2g}, "
            f"theory {one['theory_variance']:.3g}\n"
            f"(measured: each seed's moments, mean ± std over seeds)")


#: Squared singular values below ``(k * EPSILON)**2 * largest`` (``k`` the size
#: of J) are rounding, not signal (LAPACK's bound for singular values is ``k *
#: EPSILON`` times the largest).
EPSILON = float(np.finfo(np.float64).eps)


@_closing_on_error
@_report_errors
def plot_jacobian(report):
    """The input-output Jacobian's squared singular values at the critical
    ``sigma_w2``: histograms (every seed pooled, log x axis) for Gaussian
    (left) and orthogonal (right) weights, with the theory's mean (solid) and
    mean ± std (dashed) marked and the moments, measured and theory, printed in
    each panel (:func:`fastinit.theory.jacobian_moments`). Values below the
    rounding of the singular values (``(width * eps)**2 * the largest``) are not
    drawn: the region is shaded and a note counts them.

    Parameters
    ----------
    report : dict
        From :func:`fastinit.edge_of_chaos.report`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    report = _checked(report)
    jacobian = report["jacobian"]
    width = report["settings"]["width"]
    kinds = ("gaussian", "orthogonal")
    values = {kind: _array(jacobian[kind]["squared_singular_values"]) for kind in kinds}
    floors = {kind: (width * EPSILON) ** 2 * np.nanmax(np.abs(values[kind]), initial=0.0)
              for kind in kinds}
    resolved = {kind: values[kind][np.isfinite(values[kind]) & (values[kind] > floors[kind])
                                   & (values[kind] > 0)] for kind in kinds}
    ends = []
    for kind in kinds:
        shown = resolved[kind]
        ends += [math.log10(x) for x in (floors[kind], shown.min(initial=np.inf),
                                         shown.max(initial=0.0)) if 0 < x < np.inf]
    for kind in kinds:
        mean = jacobian[kind]["theory_mean"]
        std = math.sqrt(max(jacobian[kind]["theory_variance"], 0.0))
        ends += [math.log10(x) for x in (mean, mean + std, mean - std)
                 if math.isfinite(x) and x > 0]
    low, high = (min(ends), max(ends)) if ends else (-1.0, 1.0)
    if high - low < 0.5:
        low, high = low - 0.25, high + 0.25
    low, high = low - 0.3, high + 0.1
    bins = np.logspace(low, high, 61)
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 5.4), dpi=100, sharex=True, sharey=True,
                             layout="constrained")
    for ax, kind in zip(axes, kinds):
        one, v = jacobian[kind], values[kind]
        ax.hist(resolved[kind], bins=bins, weights=np.full(resolved[kind].size,
                                                           1.0 / max(v.size, 1)),
                color=WEIGHT_COLOURS[kind], alpha=0.8, gid=f"histogram_{kind}")
        if floors[kind] > 0:
            ax.axvspan(10 ** low, floors[kind], color="0.85", zorder=0, linewidth=0)
        below = v.size - resolved[kind].size
        if below:
            _note(ax, f"{below} of {v.size} values ({100 * below / v.size:.0f}%) are below "
                      f"{floors[kind]:.1g} (shaded: (width × ε)² × the largest value), too "
                      f"small to resolve: not drawn.")
        mean, std = one["theory_mean"], math.sqrt(max(one["theory_variance"], 0.0))
        ax.axvline(mean, color="black", linewidth=1.6, gid=f"theory_mean_{kind}")
        ax.axvline(mean + std, color="black", linewidth=1.2, linestyle="--",
                   gid=f"theory_mean_plus_std_{kind}")
        if mean - std > 0:
            ax.axvline(mean - std, color="black", linewidth=1.2, linestyle="--",
                       gid=f"theory_mean_minus_std_{kind}")
        else:
            _note(ax, f"The theory's mean − std is {mean - std:.3g}: no line on a log axis.")
        ax.set_xscale("log")
        ax.set_xlim(10 ** low, 10 ** high)
        ax.set_title(f"Gaussian weights, N(0, {SW2}/fan-in)" if kind == "gaussian"
                     else r"orthogonal weights, gain $\sigma_w$")
        ax.set_xlabel("squared singular value of the Jacobian, log scale")
        ax.grid(alpha=0.3)
    top = max(ax.get_ylim()[1] for ax in axes)
    for ax, kind in zip(axes, kinds):
        ax.set_ylim(0, top * 1.4)
        ax.text(0.02, 0.97, _moments_text(jacobian[kind]), transform=ax.transAxes, va="top",
                ha="left", fontsize=8, gid=f"moments_{kind}",
                bbox=dict(boxstyle="round", facecolor="white", alpha=0.9, linewidth=0.5))
    axes[0].set_ylabel("fraction of the values (all seeds pooled)")
    _legend_below(fig, [Line2D([], [], color="black", linewidth=1.6),
                        Line2D([], [], color="black", linestyle="--", linewidth=1.2)],
                  ["the theory's mean (jacobian_moments)", "the theory's mean ± std"])
    _suptitle(fig, f"Input-output Jacobian at criticality, {_activation_text(report)}, "
                   f"{SW2} = {jacobian['sigma_w2']:.4g}: {_setting_text(report)}, the input at "
                   f"{QSTAR}")
    return fig


#: The file each figure is written to by ``fastinit theory``, and its function.
FIGURES = {"edge_phase.png": plot_phase_diagram, "edge_depth.png": plot_depth,
           "edge_depth_scales.png": plot_depth_scales, "edge_jacobian.png": plot_jacobian}


def figures(report):
    """Every figure of the report: ``{file name: Figure}`` (see :data:`FIGURES`)."""
    import matplotlib.pyplot as plt

    report = _checked(report)
    made = {}
    try:
        for name, plot in FIGURES.items():
            made[name] = plot(report)
    except BaseException:
        for figure in made.values():
            plt.close(figure)
        raise
    return made
