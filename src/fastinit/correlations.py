"""Correlations between inputs at initialization: two or more inputs propagated
through the same network, seed by seed, on the compiled core, with the
mean-field theory's length and correlation maps beside them (Poole et al. 2016;
Schoenholz et al. 2017), and depth scales fitted to how they settle."""

import concurrent.futures
import math
from dataclasses import dataclass, field

import numpy as np

from ._fixed_order import total
from ._validation import (check_hidden_layers_dims, check_memory, check_positive_int,
                          check_seed, check_seeds)
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, check_activation
from .initializers import activation_options, bias_variances, initialize, weight_variances
from .network import Network, _forward_buffer, _prepare
from .theory import MAX_Q, MAX_VARIANCE, _phi, gaussian_expectation, gaussian_expectation_2d
from .threads import available_cores

__all__ = ["CorrelationStats", "MAX_INPUTS", "correlated_inputs", "correlation_propagation",
           "fit_depth_scale"]

#: The most inputs :func:`correlation_propagation` correlates: every pair is
#: measured and followed by the theory (a 2-D quadrature per pair and layer).
MAX_INPUTS = 16


@dataclass
class CorrelationStats:
    """What :func:`correlation_propagation` measured. Every per-layer array has
    shape ``(n_seeds, L - 1)``: one row per seed, one column per hidden layer.

    Attributes
    ----------
    second_moment : ndarray
        ``q^l``: the mean of ``Z_l**2`` over units and inputs.
    correlation : ndarray
        ``c^l``: for each pair of inputs ``(a, b)``, ``sum(z_a z_b) /
        sqrt(sum(z_a**2) sum(z_b**2))`` over the units of layer ``l``; the mean
        over the pairs.
    activation_mean : ndarray
        The mean of ``A_l`` over units and inputs.
    theory_second_moment, theory_correlation, theory_activation_mean : ndarray, shape (L - 1,)
        The mean-field predictions of the three (the mean over the inputs, or
        pairs, of each one's recursion), NaN where the initializer has no weight
        variance fixed by the fans.
    seeds : list of int
    layers_dims, method, activation, negative_slope, init_options
        What was measured.
    """

    second_moment: np.ndarray
    correlation: np.ndarray
    activation_mean: np.ndarray
    theory_second_moment: np.ndarray
    theory_correlation: np.ndarray
    theory_activation_mean: np.ndarray
    seeds: list
    layers_dims: list
    method: str
    activation: str
    negative_slope: float = DEFAULT_NEGATIVE_SLOPE
    init_options: dict = field(default_factory=dict)


def correlated_inputs(n_features, correlation, second_moment=1.0, seed=0):
    """Two inputs whose mean square is ``second_moment`` and whose cosine
    similarity is ``correlation``, both exactly up to rounding.

    Parameters
    ----------
    n_features : int
        At least 2.
    correlation : float
        In [-1, 1].
    second_moment : float, default 1.0
        The mean of ``x**2`` of each input (> 0).
    seed : int, Generator or RandomState, default 0

    Returns
    -------
    ndarray, shape (n_features, 2)
        One input per column.
    """
    n_features = check_positive_int(n_features, "n_features")
    if n_features < 2:
        raise ValueError(f"n_features must be at least 2 for two distinct inputs, got "
                         f"{n_features}")
    correlation = _checked_real(correlation, "correlation")
    if not -1 <= correlation <= 1:
        raise ValueError(f"correlation must be in [-1, 1], got {correlation!r}")
    second_moment = _checked_real(second_moment, "second_moment")
    if not 0 < second_moment < math.inf:
        raise ValueError(f"second_moment must be a finite number > 0, got {second_moment!r}")
    check_memory(8 * 6 * n_features, f"n_features {n_features}")
    rng = check_seed(seed)
    u, v = rng.standard_normal((2, n_features))
    u /= math.sqrt(total(u * u))
    v -= total(u * v) * u
    v /= math.sqrt(total(v * v))
    scale = math.sqrt(n_features * second_moment)
    with np.errstate(over="ignore", invalid="ignore"):
        X = np.column_stack([u, correlation * u + math.sqrt(1 - correlation ** 2) * v]) * scale
    if not np.isfinite(X).all():
        raise ValueError(f"second_moment {second_moment!r} with n_features {n_features} gives "
                         f"inputs beyond float64's range; choose a smaller second_moment")
    return X


def _cosine(product, square_a, square_b):
    """``product / sqrt(square_a * square_b)``; where that product of squares
    overflows or underflows, ``sqrt(square_a) * sqrt(square_b)`` instead, and NaN
    where a square is 0."""
    norms = square_a * square_b
    if not 2.2250738585072014e-308 <= norms < math.inf:
        norms = math.sqrt(square_a) * math.sqrt(square_b)
        return product / norms if norms > 0 else math.nan
    return product / math.sqrt(norms)


def _checked_real(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or isinstance(value, complex) or np.iscomplexobj(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must be a number, got nan")
    return value


def _one_seed(X, dims, method, seed, hidden, init_options, pairs):
    """``(q, c, mean)`` of every hidden layer for one seed."""
    net = Network(initialize(dims, method, seed=seed, dtype=X.dtype, **init_options), X.dtype)
    m = X.shape[1]
    buffer = _forward_buffer(net, X, hidden)
    rows = net.layout.activation_rows * m
    q, c, mean = [], [], []
    for start, n in net.layout.layer_rows[:-1]:
        Z = buffer[start * m:(start + n) * m].reshape(n, m).astype(np.float64)
        A = buffer[rows + start * m:rows + (start + n) * m]
        with np.errstate(over="ignore", invalid="ignore"):
            squares = [total(Z[:, a] * Z[:, a]) for a in range(m)]
            q.append(total(np.array(squares)) / (n * m))
            c.append(total(np.array([_cosine(total(Z[:, a] * Z[:, b]), squares[a], squares[b])
                                    for a, b in pairs])) / len(pairs))
        mean.append(total(A.astype(np.float64)) / (n * m))
    return q, c, mean


def correlation_propagation(layers_dims, method, X, activation="tanh", seeds=range(10),
                            negative_slope=DEFAULT_NEGATIVE_SLOPE, n_workers=None,
                            **init_options):
    """Two or more inputs through the same network at initialization: their
    lengths ``q^l``, their correlation ``c^l`` and the activations' mean, layer by
    layer and seed by seed, with the mean-field theory beside them.

    For every seed ``s``, the network ``fi.initialize(layers_dims, method,
    seed=s, **init_options)`` runs forward on ``X`` in the compiled core; the seeds
    run side by side on ``n_workers`` threads. ``X`` is never modified. The theory
    follows each input's length and each pair's correlation through the
    per-layer ``sigma_w2 = fan_in * Var(W_l)`` and ``sigma_b2 = Var(b_l)`` of the
    initializer (:func:`fastinit.theory`), exact for infinitely wide layers.

    Parameters
    ----------
    layers_dims : sequence of int
        At least one hidden layer.
    method : str
        An initializer name. ``"critical"`` and ``"lsuv"`` are given
        ``activation`` (and ``"lsuv"`` rescales on ``X``).
    X : array_like, shape (layers_dims[0], m)
        ``2 <= m <= 16`` inputs, one per column (:func:`correlated_inputs` makes a
        pair); every pair is measured.
    activation : str, default "tanh"
    seeds : iterable of int, default range(10)
    negative_slope : float, default 0.01
    n_workers : int, optional
        Seeds measured at once; default every core this process may use.
    **init_options
        Passed to :func:`fastinit.initialize` (``bias_std``, ``gain``,
        ``scale``, ...).

    Returns
    -------
    CorrelationStats
    """
    dims = list(check_hidden_layers_dims(layers_dims))
    hidden = check_activation(activation, negative_slope)
    seeds = check_seeds(seeds)
    n_workers = available_cores() if n_workers is None else \
        check_positive_int(n_workers, "n_workers")
    init_options = activation_options(method, activation, hidden[1], init_options)
    if method == "lsuv":
        init_options = {"X": X, **init_options}
    probe = initialize(dims, method, seed=seeds[0], **init_options)  # checks method, options
    _, X, _ = _prepare(X, probe)
    if not 2 <= X.shape[1] <= MAX_INPUTS:
        raise ValueError(f"X must hold 2 to {MAX_INPUTS} inputs (columns) to correlate pair "
                         f"by pair, got {X.shape[1]}; for more, call this once per group")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite (no NaN or inf)")
    if not np.any(X, axis=0).all():
        raise ValueError("X has an input (column) of zeros, which has no correlation")
    m = X.shape[1]
    pairs = [(a, b) for a in range(m) for b in range(a + 1, m)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=n_workers) as pool:
        per_seed = list(pool.map(lambda seed: _one_seed(X, dims, method, seed, hidden,
                                                         init_options, pairs), seeds))
    q, c, mean = (np.array([row[k] for row in per_seed]) for k in range(3))
    options = {k: v for k, v in init_options.items() if k != "X"}
    theory = _theory(dims, method, options, X, pairs, ACTIVATIONS[hidden[0]], hidden[1])
    return CorrelationStats(q, c, mean, *theory, seeds=seeds, layers_dims=dims, method=method,
                            activation=activation, negative_slope=hidden[1],
                            init_options=options)


def _theory(dims, method, options, X, pairs, activation, slope):
    """The mean-field ``(q, c, mean)`` of every hidden layer for these inputs."""
    hidden_layers = len(dims) - 2
    variances = None if method == "lsuv" else weight_variances(dims, method, **options)
    if variances is None:
        return tuple(np.full(hidden_layers, math.nan) for _ in range(3))
    sigma_w2 = [dims[l] * variances[l] for l in range(hidden_layers)]
    sigma_b2 = bias_variances(dims, method, **options)
    X = X.astype(np.float64)
    n0 = X.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        lengths = [sigma_w2[0] * total(x * x) / n0 + sigma_b2[0] for x in X.T]
        covariances = {(a, b): sigma_w2[0] * total(X[:, a] * X[:, b]) / n0 + sigma_b2[0]
                       for a, b in pairs}
    if not all(0 <= length <= MAX_Q for length in lengths) or \
            not all(0 <= v <= MAX_VARIANCE for v in (*sigma_w2, *sigma_b2)):
        # beyond the theory's range (an overflowing input or scale): no prediction
        return tuple(np.full(hidden_layers, math.nan) for _ in range(3))
    q, c, mean = [], [], []

    def phi(z):
        return _phi(activation, z, slope)

    for l in range(hidden_layers):
        if not all(0 <= length <= MAX_Q for length in lengths):  # the signal overflowed
            q += [math.inf] * (hidden_layers - l)
            c += [math.nan] * (hidden_layers - l)
            mean += [math.nan] * (hidden_layers - l)
            break
        q.append(float(np.mean(lengths)))
        correlations = {pair: _cosine(covariances[pair], lengths[pair[0]], lengths[pair[1]])
                        for pair in pairs}
        c.append(float(np.mean(list(correlations.values()))))
        mean.append(float(np.mean([gaussian_expectation(phi, length) for length in lengths])))
        if l + 1 == hidden_layers:
            break
        covariances = {
            (a, b): sigma_w2[l + 1] * gaussian_expectation_2d(
                lambda u1, u2: phi(u1) * phi(u2), lengths[a], lengths[b],
                min(1.0, max(-1.0, correlations[a, b]))) + sigma_b2[l + 1]
            for a, b in pairs}
        lengths = [sigma_w2[l + 1] * gaussian_expectation(lambda z: phi(z) ** 2, length)
                   + sigma_b2[l + 1] for length in lengths]
    return np.array(q), np.array(c), np.array(mean)


def fit_depth_scale(values, limit, floor=1e-3):
    """The depth scale ``xi`` of values settling towards ``limit`` as
    ``|values[l] - limit| ~ exp(-l / xi)``: a least-squares line through
    ``log|values[l] - limit|`` over the layers from the first one up to (not
    including) the first whose distance is below ``floor`` (where a finite
    network's fluctuations take over).

    Parameters
    ----------
    values : array_like, shape (n_layers,)
        E.g. the mean over seeds of :attr:`CorrelationStats.correlation`.
    limit : float
        The fixed point the values approach (``c*`` or ``q*``).
    floor : float, default 1e-3
        Distances below it are not fitted.

    Returns
    -------
    float
        ``xi`` in layers; ``inf`` where the distance does not shrink, NaN with
        fewer than 3 layers above the floor.
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"values must be an array of numbers, got {type(values).__name__}")
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nesting
        raise ValueError(f"values must be 1-D (one value per layer): {error}") from None
    if array.dtype == object:
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError("values must hold real numbers, got other objects") from None
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer)
                                   or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"values must hold real numbers, got dtype {array.dtype}")
    values = array.astype(np.float64)
    if values.ndim != 1:
        raise ValueError(f"values must be 1-D (one value per layer), got shape {values.shape}")
    limit = _checked_real(limit, "limit")
    if math.isinf(limit):
        raise ValueError(f"limit must be finite, got {limit!r}")
    floor = _checked_real(floor, "floor")
    if not 0 < floor < math.inf:
        raise ValueError(f"floor must be a finite number > 0, got {floor!r}")
    with np.errstate(over="ignore"):
        distance = np.abs(values - limit)
    below = np.flatnonzero(~(distance >= floor))  # NaN counts as below
    n = below[0] if below.size else distance.size
    if n < 3:
        return math.nan
    if not np.isfinite(distance[:n]).all():  # an overflowed value: no line through it
        return math.nan
    layers = np.arange(n, dtype=np.float64)
    logs = np.log(distance[:n])
    slope = total((layers - layers.mean()) * (logs - logs.mean())) / \
        total((layers - layers.mean()) ** 2)
    return math.inf if slope >= 0 else -1.0 / slope
