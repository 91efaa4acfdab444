"""The edge of chaos in one call: the mean-field theory of deep random networks
(Poole et al. 2016; Schoenholz et al. 2017; Pennington et al. 2017) beside what
networks initialized from it measure, for one activation and bias variance.

:func:`report` returns plain data (dicts, lists, floats): the phase diagram
``c*(sigma_w2, sigma_b2)`` and the critical line, the length ``q^l`` and the
correlation ``c^l`` of two inputs layer by layer in an ordered, a critical and
a chaotic network, the depth scales ``xi_q`` and ``xi_c`` against ``sigma_w2``
with ``xi_c`` fitted to measurements, and the spectrum of the input-output
Jacobian at criticality for Gaussian and orthogonal weights.
:mod:`fastinit.chaos_figures` draws it; ``fastinit theory`` prints and writes it.
"""

import math
import numbers

import numpy as np

from . import theory
from ._validation import check_positive_int, check_seeds
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, check_activation
from .correlations import correlated_inputs, correlation_propagation, fit_depth_scale
from .jacobian import jacobian_spectrum

__all__ = ["DEFAULTS", "NoEdgeOfChaos", "XI_TABLE_SIGMA_W2", "report"]

#: :func:`report`'s defaults (``fastinit theory``'s too).
DEFAULTS = {"activation": "tanh", "sigma_b2": 0.05, "width": 200, "depth": 30,
            "seeds": tuple(range(10)), "c0": 0.6}

#: The ``sigma_w2`` at which the table gives the depth scales (measured and theory).
XI_TABLE_SIGMA_W2 = (1.0, 2.0, 4.0)

#: Points of the phase diagram along each axis, and of the critical line.
PHASE_POINTS_W, PHASE_POINTS_B, LINE_POINTS = 41, 21, 51

#: Points of the theory's depth-scale curves.
SCALE_POINTS = 121

#: Where, relative to the critical ``sigma_w2``, depth scales are also measured
#: (besides :data:`XI_TABLE_SIGMA_W2`).
MEASURED_SCALE_FACTORS = (0.6, 0.8, 1.35, 1.7)

#: A measured mean closer to the limit than this many standard errors is noise,
#: not signal: the depth scale is fitted over the layers before it.
NOISE_ERRORS = 2.0

#: The depth-scale networks start this far below ``c*``: ``c^1 = c* - SCALE_START``
#: (0.6 in the ordered phase), so that every fit starts as far from the fixed point.
SCALE_START = 0.4

#: Pairs of inputs through every depth-scale network (the correlation of one pair
#: in a network of 200 units fluctuates by a few hundredths per layer).
SCALE_PAIRS = 3

#: Resamples of the seeds behind the spread of each measured depth scale (its
#: 16th to 84th percentile over them, as +-1 std of a normal distribution).
BOOTSTRAP = 200


class NoEdgeOfChaos(ValueError):
    """The theory has no critical ``sigma_w2`` for this activation and ``sigma_b2``."""


def _checked_sigma_b2(sigma_b2):
    if isinstance(sigma_b2, (bool, np.bool_)) or not isinstance(sigma_b2, numbers.Real):
        raise TypeError(f"sigma_b2 must be a real number, got {type(sigma_b2).__name__} "
                        f"{sigma_b2!r}")
    try:
        sigma_b2 = float(sigma_b2) + 0.0  # -0.0 is 0
    except OverflowError:  # an int beyond float64
        sigma_b2 = math.inf
    if not 0 <= sigma_b2 <= 1e6:
        raise ValueError(f"sigma_b2 (the bias variance) must be a number in [0, 1e6], got "
                         f"{sigma_b2!r}")
    return sigma_b2


def _checked_c0(c0):
    if isinstance(c0, (bool, np.bool_)) or not isinstance(c0, numbers.Real):
        raise TypeError(f"c0 must be a real number, got {type(c0).__name__} {c0!r}")
    try:
        c0 = float(c0)
    except OverflowError:
        c0 = math.inf
    if not -1 < c0 < 1:
        raise ValueError(f"c0 must be a number in (-1, 1) (two distinct inputs), got {c0!r}")
    return c0


def _float(value):
    return float(value)


def _floats(values):
    return [float(v) for v in np.asarray(values, dtype=float).ravel()]


def _phase_of(sigma_w2, critical):
    """"ordered", "critical" or "chaotic": where ``chi_1`` is below, at or above 1."""
    if sigma_w2 == critical:
        return "critical"
    return "ordered" if sigma_w2 < critical else "chaotic"


#: The first hidden layer's length where ``q*`` is 0 (tanh without biases, at or
#: below the critical point): small, where the theory at ``q* = 0`` holds.
SMALL_LENGTH = 0.01


def _inputs(sigma_w2, sigma_b2, q_star, c0, width, seed=0):
    """Two inputs whose first hidden layer starts, in the theory, at ``q^1 = q*``
    (``sigma_w2 + sigma_b2``, inputs of mean square 1, where ``q*`` is infinite;
    :data:`SMALL_LENGTH` where it is 0) and ``c^1 = c0`` (or the lowest
    correlation the biases allow): ``(X, input second moment, input correlation,
    q^1, c^1)``."""
    if math.isinf(q_star):
        second_moment = 1.0
    elif q_star > sigma_b2:
        second_moment = (q_star - sigma_b2) / sigma_w2
    else:
        second_moment = SMALL_LENGTH / sigma_w2
    q1 = sigma_w2 * second_moment + sigma_b2
    correlation = max(-1.0, min(1.0, (c0 * q1 - sigma_b2) / (q1 - sigma_b2)))
    c1 = c0 if correlation > -1 else (sigma_b2 - (q1 - sigma_b2)) / q1
    return correlated_inputs(width, correlation, second_moment, seed=seed), second_moment, \
        correlation, q1, c1


def _gaussian(sigma_w2, sigma_b2):
    """The initializer options for N(0, sigma_w2 / fan_in) weights and N(0, sigma_b2) biases."""
    return dict(scale=sigma_w2, mode="fan_in", distribution="normal",
                bias_std=math.sqrt(sigma_b2))


def _measure(sigma_w2, sigma_b2, c0, width, depth, seeds, hidden, n_workers, pairs=1):
    """Two inputs through ``depth`` hidden layers of ``width`` at ``sigma_w2``,
    starting at ``c^1 = c0``: the measured ``q^l`` and ``c^l`` (mean and std over
    seeds, and over ``pairs`` pairs of inputs, ``correlated_inputs`` seeds 0, 1,
    ...) and the theory's."""
    q_star = theory.length_fixed_point(sigma_w2, sigma_b2, **hidden)
    c_star = theory.correlation_fixed_point(sigma_w2, sigma_b2, **hidden)
    lengths, correlations = [], []
    for pair in range(pairs):
        X, second_moment, correlation, q1, c1 = _inputs(sigma_w2, sigma_b2, q_star, c0, width,
                                                        seed=pair)
        stats = correlation_propagation([width] * (depth + 1) + [1], "variance_scaling", X,
                                        seeds=seeds, n_workers=n_workers,
                                        **hidden, **_gaussian(sigma_w2, sigma_b2))
        lengths.append(stats.second_moment)
        correlations.append(stats.correlation)
    lengths, correlations = np.array(lengths), np.array(correlations)  # (pairs, seeds, depth)
    q_theory, c_theory = theory.correlation_trajectory(second_moment, correlation, depth,
                                                       sigma_w2, sigma_b2, **hidden)
    samples = correlations.reshape(-1, depth)
    with np.errstate(all="ignore"):
        c_error = samples.std(axis=0) / math.sqrt(samples.shape[0])
    return {
        "sigma_w2": _float(sigma_w2),
        "q_star": _float(q_star),
        "c_star": _float(c_star),
        "chi_1": _float(theory.chi_1(sigma_w2, sigma_b2, **hidden)),
        "input_second_moment": _float(second_moment),
        "input_correlation": _float(correlation),
        "q1": _float(q1),
        "c1": _float(c1),
        "input_pairs": pairs,
        "measured": {"q_mean": _floats(lengths.reshape(-1, depth).mean(axis=0)),
                     "q_std": _floats(lengths.reshape(-1, depth).std(axis=0)),
                     "c_mean": _floats(samples.mean(axis=0)),
                     "c_std": _floats(samples.std(axis=0)),
                     "c_standard_error": _floats(c_error)},
        "theory": {"q": _floats(q_theory), "c": _floats(c_theory)},
        "_correlation": correlations,
    }


def _fitted_scale(values, limit, errors=None):
    """``(xi, layers fitted)``: :func:`fastinit.correlations.fit_depth_scale` over
    the layers before the first whose distance to ``limit`` is below 1e-3 or
    within :data:`NOISE_ERRORS` standard errors (``errors``)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        distance = np.abs(values - limit)
        close = ~(distance >= 1e-3)
        if errors is not None:
            close |= distance <= NOISE_ERRORS * np.asarray(errors, dtype=float)
    n = int(np.flatnonzero(close)[0]) if close.any() else values.size
    return _float(fit_depth_scale(values[:n], limit)), n


def _scale_point(point, hidden, sigma_b2):
    xi_q, xi_c = theory.depth_scales(point["sigma_w2"], sigma_b2, **hidden)
    c_star = point["c_star"]
    samples = point["_correlation"]  # (pairs, seeds, depth)
    measured = point["measured"]
    xi_measured, layers = _fitted_scale(measured["c_mean"], c_star, measured["c_standard_error"])
    xi_trajectory = _fitted_scale(point["theory"]["c"][:layers], c_star)[0]
    # the spread of the measured fit over the seeds: the same fit on bootstrap
    # resamples of the seeds (each with its pairs of inputs)
    rng = np.random.default_rng(0)
    n = samples.shape[1]
    resampled = [_fitted_scale(samples[:, rng.integers(0, n, n)].mean(axis=(0, 1))[:layers],
                               c_star)[0] for _ in range(BOOTSTRAP)] if n > 1 else []
    if resampled and not np.isnan(resampled).all():
        # a NaN fit (too few layers) says nothing; inf (no decay) counts as high
        low, high = np.nanpercentile(np.array(resampled), [16, 84], method="nearest")
    else:
        low = high = math.nan
    return {"sigma_w2": point["sigma_w2"], "phase": point["phase"], "c_star": c_star,
            "c1": point["c1"], "input_pairs": point["input_pairs"],
            "xi_q": _float(xi_q), "xi_c": _float(xi_c),
            "xi_c_measured": xi_measured,
            "xi_c_measured_low": _float(low), "xi_c_measured_high": _float(high),
            "xi_c_theory_fitted": xi_trajectory, "layers_fitted": layers}


def _jacobian(sigma_w2, sigma_b2, c0, width, depth, seeds, hidden, n_workers):
    q_star = theory.length_fixed_point(sigma_w2, sigma_b2, **hidden)
    X, second_moment, _, _, _ = _inputs(sigma_w2, sigma_b2, q_star, c0, width)
    x = np.ascontiguousarray(X[:, 0])
    dims = [width] * (depth + 1) + [1]
    result = {"sigma_w2": _float(sigma_w2), "q_star": _float(q_star),
              "input_second_moment": _float(second_moment)}
    for weights, method, options in (
            ("gaussian", "variance_scaling", _gaussian(sigma_w2, sigma_b2)),
            ("orthogonal", "orthogonal", {"gain": math.sqrt(sigma_w2),
                                          "bias_std": math.sqrt(sigma_b2)})):
        spectrum = jacobian_spectrum(dims, method, x, seeds=seeds, n_workers=n_workers,
                                     **hidden, **options)
        mean, variance = theory.jacobian_moments(sigma_w2, sigma_b2, depth, weights=weights,
                                                 **hidden)
        result[weights] = {
            "squared_singular_values": _floats(spectrum.squared_singular_values),
            "mean_measured": _float(spectrum.mean.mean()),
            "mean_std": _float(spectrum.mean.std()),
            "variance_measured": _float(spectrum.variance.mean()),
            "variance_std": _float(spectrum.variance.std()),
            "theory_mean": _float(mean),
            "theory_variance": _float(variance),
        }
    return result


def _ranges(critical, sigma_b2):
    """The three networks' ``sigma_w2`` (ordered, critical, chaotic), the axes of
    the phase diagram, and the ``sigma_w2`` range of the depth scales (which
    also holds :data:`XI_TABLE_SIGMA_W2`)."""
    ordered = 1.0 if critical >= 1.25 else critical / 2
    chaotic = 4.0 if 1.25 * critical <= 4.0 <= 5 * critical else 2 * critical
    top = theory.MAX_VARIANCE
    w_range = (min(0.5, 0.8 * ordered), min(1.25 * chaotic, top))
    b_range = (0.0, min(max(0.5, 2 * sigma_b2), top))
    scale_range = (min(w_range[0], min(XI_TABLE_SIGMA_W2)),
                   max(w_range[1], max(XI_TABLE_SIGMA_W2)))
    return (ordered, critical, chaotic), w_range, b_range, scale_range


def report(activation=DEFAULTS["activation"], sigma_b2=DEFAULTS["sigma_b2"],
           width=DEFAULTS["width"], depth=DEFAULTS["depth"], seeds=DEFAULTS["seeds"], *,
           negative_slope=DEFAULT_NEGATIVE_SLOPE, c0=DEFAULTS["c0"], n_workers=None,
           on_step=None):
    """The edge of chaos for one activation and bias variance: the theory's
    phase diagram, depth scales and Jacobian moments, and networks of ``depth``
    hidden layers of ``width`` units measured against them, ``len(seeds)``
    networks each.

    Every network has N(0, sigma_w2 / fan_in) weights (``"variance_scaling"``,
    ``distribution="normal"``) and N(0, sigma_b2) biases (``bias_std =
    sqrt(sigma_b2)``), except the orthogonal ones of the Jacobian (``"orthogonal"``,
    ``gain = sqrt(sigma_w2)``). Its input layer has ``width`` units too, and its
    two inputs (:func:`fastinit.correlations.correlated_inputs`, seed 0) are
    scaled so that, in the theory, the first hidden layer starts at the fixed
    point's length ``q^1 = q*`` (``sigma_w2 + sigma_b2``, inputs of mean square
    1, where ``q*`` is infinite; :data:`SMALL_LENGTH` where it is 0) with
    correlation ``c^1 = c0``. The networks whose depth scale is measured start
    at ``c^1 = c* - 0.4`` instead (:data:`SCALE_START`), each with
    :data:`SCALE_PAIRS` pairs of inputs (``correlated_inputs`` seeds 0, 1, 2).

    The ordered, critical and chaotic networks have ``sigma_w2`` 1 (half the
    critical one where that is below 1.25), the critical one, and 4 (twice the
    critical one where that is outside [0.8, 3.2]); the phase diagram spans
    ``sigma_w2`` from 0.5 to 1.25 times the chaotic one and ``sigma_b2`` from 0 to
    ``max(0.5, 2 sigma_b2)``.

    Parameters
    ----------
    activation : str, default "tanh"
        One of :data:`fastinit.ACTIVATIONS`.
    sigma_b2 : float, default 0.05
        The biases' variance, in [0, 1e6].
    width : int, default 200
        Units of every layer (at least 2).
    depth : int, default 30
        Hidden layers.
    seeds : iterable of int, default range(10)
        One network per seed, at every point.
    negative_slope : float, default 0.01
        Leaky ReLU's.
    c0 : float, default 0.6
        The two inputs' correlation at the first hidden layer, in (-1, 1).
    n_workers : int, optional
        Seeds measured at once; default every core this process may use.
    on_step : callable, optional
        Called with a short description (str) as each of the four steps starts
        (the command line's progress).

    Returns
    -------
    dict
        Plain data (str, int, float, list, dict; ``inf`` where the theory
        diverges, NaN where a fit has too few layers), every number the figures
        and the table show:

        ``"settings"``
            The arguments, checked.
        ``"critical"``
            ``sigma_w2`` (:func:`fastinit.theory.critical_sigma_w2`), ``q_star``
            there, ``chi_1`` (1 up to rounding).
        ``"phase"``
            ``sigma_w2`` and ``sigma_b2`` (the grid's axes), ``c_star`` (a row
            per ``sigma_b2``, :func:`fastinit.theory.correlation_fixed_point`),
            ``q_star_finite`` (same shape), ``critical_line`` (``sigma_b2`` and
            the :func:`fastinit.theory.critical_line` through them).
        ``"points"``
            Ordered, critical and chaotic: ``sigma_w2``, ``phase``, ``q_star``,
            ``c_star``, ``chi_1``, the inputs' ``input_second_moment`` and
            ``input_correlation``, the first hidden layer's ``q1`` and ``c1``,
            ``input_pairs`` (1), ``measured`` (``q_mean``, ``q_std``,
            ``c_mean``, ``c_std``, ``c_standard_error`` per layer) and
            ``theory`` (``q``, ``c`` per layer,
            :func:`fastinit.theory.correlation_trajectory`).
        ``"depth_scales"``
            ``sigma_w2``, ``xi_q``, ``xi_c`` (the theory's curves,
            :func:`fastinit.theory.depth_scales`) and ``measured``: a dict per
            measured ``sigma_w2`` with ``xi_q``, ``xi_c`` (theory),
            ``c1`` and ``input_pairs`` (where its networks start, and how many
            pairs of inputs), ``xi_c_measured``
            (:func:`fastinit.correlations.fit_depth_scale` on the mean ``c^l``
            over seeds and pairs, towards the theory's ``c*``, over
            ``layers_fitted`` layers: those before the mean comes within
            2 standard errors or 1e-3 of ``c*``), ``xi_c_measured_low`` and
            ``_high`` (the 16th and 84th percentiles of the same fit over 200
            bootstrap resamples of the seeds) and ``xi_c_theory_fitted``
            (the theory's own ``c^l`` over the same layers, fitted the same
            way: how far a fit over a few layers is from the asymptotic
            ``xi_c``).
        ``"jacobian"``
            At the critical ``sigma_w2``: for ``"gaussian"`` and
            ``"orthogonal"`` weights, the ``squared_singular_values`` of every
            seed (pooled), their per-seed mean and variance
            (``mean_measured``, ``mean_std``, ``variance_measured``,
            ``variance_std``: mean and std over seeds) and the theory's
            ``theory_mean`` and ``theory_variance``
            (:func:`fastinit.theory.jacobian_moments`).
        ``"summary"``
            What ``fastinit theory`` prints.

    Raises
    ------
    TypeError, ValueError
        Naming the argument.
    NoEdgeOfChaos
        A ``ValueError``: where :func:`fastinit.theory.critical_sigma_w2` finds
        no critical point.

    Examples
    --------
    >>> from fastinit import edge_of_chaos
    >>> data = edge_of_chaos.report("tanh", 0.05, width=50, depth=10, seeds=range(3))
    >>> round(data["critical"]["sigma_w2"], 2)
    1.76
    """
    hidden_code = check_activation(activation, negative_slope)
    hidden = {"activation": ACTIVATIONS[hidden_code[0]], "negative_slope": hidden_code[1]}
    sigma_b2 = _checked_sigma_b2(sigma_b2)
    width = check_positive_int(width, "width")
    if width < 2:
        raise ValueError(f"width must be at least 2 (two inputs of width features), got {width}")
    depth = check_positive_int(depth, "depth")
    if depth > theory.MAX_DEPTH:  # before any network is measured
        raise ValueError(f"depth must be at most {theory.MAX_DEPTH} (the theory's trajectories), "
                         f"got {depth}")
    seeds = check_seeds(seeds)
    c0 = _checked_c0(c0)
    if n_workers is not None:
        n_workers = check_positive_int(n_workers, "n_workers")
    if on_step is not None and not callable(on_step):
        raise TypeError(f"on_step must be callable or None, got {type(on_step).__name__}")
    step = on_step or (lambda text: None)

    step("the critical point and the phase diagram")
    try:
        critical = theory.critical_sigma_w2(sigma_b2, **hidden)
    except ValueError as error:
        raise NoEdgeOfChaos(str(error)) from None
    if not (math.isfinite(critical) and critical > 0):
        raise NoEdgeOfChaos(f"the theory finds no critical sigma_w2 for "
                            f"{hidden['activation']} at sigma_b2 = {sigma_b2!r} "
                            f"(critical_sigma_w2 gave {critical!r})")
    q_critical = theory.length_fixed_point(critical, sigma_b2, **hidden)
    (ordered, _, chaotic), w_range, b_range, scale_range = _ranges(critical, sigma_b2)

    w_axis = np.linspace(*w_range, PHASE_POINTS_W)
    b_axis = np.linspace(*b_range, PHASE_POINTS_B)
    c_star = [[_float(theory.correlation_fixed_point(w, b, **hidden)) for w in w_axis]
              for b in b_axis]
    q_finite = [[bool(math.isfinite(theory.length_fixed_point(w, b, **hidden))) for w in w_axis]
                for b in b_axis]
    line_b = np.linspace(*b_range, LINE_POINTS)
    line_w = theory.critical_line(line_b, **hidden)

    step("the ordered, critical and chaotic networks")
    points = []
    for sigma_w2, phase in ((ordered, "ordered"), (critical, "critical"), (chaotic, "chaotic")):
        point = _measure(sigma_w2, sigma_b2, c0, width, depth, seeds, hidden, n_workers)
        points.append({"phase": phase, **point})

    step("the depth scales")
    scale_w = np.linspace(*scale_range, SCALE_POINTS)
    scales = [theory.depth_scales(w, sigma_b2, **hidden) for w in scale_w]
    measured_w = sorted({*XI_TABLE_SIGMA_W2, ordered, chaotic,
                         *(round(critical * f, 3) for f in MEASURED_SCALE_FACTORS)})
    measured_w = [w for w in measured_w if scale_range[0] <= w <= scale_range[1]]
    for point in points:
        del point["_correlation"]
    measured_scales = []
    for sigma_w2 in measured_w:
        start = max(-0.99, theory.correlation_fixed_point(sigma_w2, sigma_b2, **hidden)
                    - SCALE_START)
        point = {"phase": _phase_of(sigma_w2, critical),
                 **_measure(sigma_w2, sigma_b2, start, width, depth, seeds, hidden, n_workers,
                            SCALE_PAIRS)}
        measured_scales.append(_scale_point(point, hidden, sigma_b2))

    step("the Jacobian's spectrum at criticality")
    jacobian = _jacobian(critical, sigma_b2, c0, width, depth, seeds, hidden, n_workers)

    data = {
        "settings": {"activation": hidden["activation"], "negative_slope": hidden["negative_slope"],
                     "sigma_b2": sigma_b2, "width": width, "depth": depth, "seeds": seeds,
                     "c0": c0},
        "critical": {"sigma_w2": _float(critical), "q_star": _float(q_critical),
                     "chi_1": _float(theory.chi_1(critical, sigma_b2, **hidden))},
        "phase": {"sigma_w2": _floats(w_axis), "sigma_b2": _floats(b_axis), "c_star": c_star,
                  "q_star_finite": q_finite,
                  "critical_line": {"sigma_b2": _floats(line_b), "sigma_w2": _floats(line_w)}},
        "points": points,
        "depth_scales": {"sigma_w2": _floats(scale_w),
                         "xi_q": [_float(xi_q) for xi_q, _ in scales],
                         "xi_c": [_float(xi_c) for _, xi_c in scales],
                         "measured": measured_scales},
        "jacobian": jacobian,
    }
    data["summary"] = _summary(data)
    return data


def _summary(data):
    """The numbers ``fastinit theory`` prints."""
    by_sigma = {row["sigma_w2"]: row for row in data["depth_scales"]["measured"]}
    scales = []
    for sigma_w2 in XI_TABLE_SIGMA_W2:
        row = by_sigma.get(sigma_w2)
        if row is None:  # outside the diagram's range: the theory alone
            continue
        scales.append({key: row[key] for key in ("sigma_w2", "phase", "c_star", "xi_q", "xi_c",
                                                 "xi_c_measured", "xi_c_measured_low",
                                                 "xi_c_measured_high")})
    depth = data["settings"]["depth"]
    points = [{"phase": p["phase"], "sigma_w2": p["sigma_w2"],
               "q_measured": p["measured"]["q_mean"][-1], "q_std": p["measured"]["q_std"][-1],
               "q_theory": p["theory"]["q"][-1],
               "c_measured": p["measured"]["c_mean"][-1], "c_std": p["measured"]["c_std"][-1],
               "c_theory": p["theory"]["c"][-1]} for p in data["points"]]
    jacobian = data["jacobian"]
    return {
        "activation": data["settings"]["activation"],
        "sigma_b2": data["settings"]["sigma_b2"],
        "critical_sigma_w2": data["critical"]["sigma_w2"],
        "q_star": data["critical"]["q_star"],
        "depth_scales": scales,
        "last_layer": depth,
        "points": points,
        "jacobian": {weights: {key: jacobian[weights][key]
                               for key in ("mean_measured", "mean_std", "theory_mean",
                                           "variance_measured", "variance_std",
                                           "theory_variance")}
                     for weights in ("gaussian", "orthogonal")},
    }
