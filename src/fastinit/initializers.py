"""Weight initializers, and one registry from name to function.

Every initializer takes ``(layers_dims, seed=3, dtype=None, bias_std=0.0)`` (plus
its own options) and returns a new dict ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...,
"WL", "bL"}``. For layer ``l``, ``fan_in = n_{l-1}`` and ``fan_out = n_l``.

Parameters are drawn layer by layer, ``W1`` first, in float64 and then cast to
``dtype``. With an int ``seed`` the stream is the legacy ``RandomState(seed)``,
so ``"zeros"``, ``"random"`` and ``"he"`` with ``seed=3`` reproduce the course's
``initialize_parameters_*`` exactly (without touching NumPy's global state).

Biases are zeros unless ``bias_std > 0``; then ``b_l = N(0, 1) * bias_std``,
drawn from the same stream right after ``W_l`` (so ``W1, b1, W2, b2, ...``). With
the default ``bias_std=0`` nothing is drawn for the biases, so every draw is what
it was before biases could be drawn. The option is a standard deviation, as the
other scales (``scale``, ``gain``) and PyTorch's ``normal_(std=)`` and Keras's
``RandomNormal(stddev=)`` are; the mean-field theory's ``sigma_b2`` is its square
(:func:`bias_variances`).
"""

import inspect
import math
import numbers
from collections.abc import Mapping

import numpy as np

from ._householder import diagonal_signs, householder_qr
from ._validation import (_as_numeric_array, check_dtype, check_features, check_layers_dims,
                          check_memory, check_positive_number, check_seed)

__all__ = ["INITIALIZERS", "activation_options", "bias_variances", "check_bias_std", "initialize",
           "weight_variances"]

#: Keras divides the standard deviation of its truncated normal by this: the
#: standard deviation of a unit normal truncated to [-2, 2].
TRUNCATED_NORMAL_STD = 0.87962566103423978


def check_bias_std(bias_std):
    """``bias_std`` as a float: a real number >= 0 whose square is finite."""
    if isinstance(bias_std, (bool, np.bool_)) or not isinstance(bias_std, numbers.Real):
        raise TypeError(f"bias_std must be a real number, got {type(bias_std).__name__} "
                        f"{bias_std!r}")
    try:
        value = float(bias_std)  # first: float32 compared with 1e154 warns of an overflow
    except OverflowError:
        value = math.inf
    if not 0 <= value < 1e154:
        raise ValueError(f"bias_std must be a finite number >= 0 (below 1e154, so its "
                         f"square is finite), got {bias_std!r}")
    return value


def _critical_variance(bias_std, activation, negative_slope):
    """The critical initializer's ``sigma_w2``, with ``bias_std`` checked by its name."""
    from .theory import MAX_VARIANCE, critical_sigma_w2

    sigma_b2 = check_bias_std(bias_std) ** 2
    if sigma_b2 > MAX_VARIANCE:
        raise ValueError(f"bias_std must be at most {math.sqrt(MAX_VARIANCE):g} for the "
                         f"'critical' initializer (the theory's sigma_b2 = bias_std**2 is at "
                         f"most {MAX_VARIANCE:g}), got {bias_std!r}")
    return critical_sigma_w2(sigma_b2, activation=activation, negative_slope=negative_slope)


def _build(layers_dims, seed, dtype, bias_std, draw):
    """Shared body: ``draw(rng, fan_out, fan_in)`` returns one float64 weight
    matrix; with ``bias_std > 0`` each layer's biases are drawn right after its
    weights."""
    dims = check_layers_dims(layers_dims)
    bias_std = check_bias_std(bias_std)
    rng = check_seed(seed)
    dtype = check_dtype(dtype)
    # float64 draws first, then the cast: twice the largest layer, plus every layer
    check_memory(8 * (sum(dims[l] * (dims[l - 1] + 1) for l in range(1, len(dims)))
                      + 2 * max(dims[l] * dims[l - 1] for l in range(1, len(dims)))),
                 f"layers_dims {list(dims)}")
    parameters = {}
    for l in range(1, len(dims)):
        with np.errstate(over="ignore"):
            W = np.asarray(draw(rng, dims[l], dims[l - 1]), dtype=dtype)
        if not np.isfinite(W).all():
            raise ValueError(f"the initializer's scale gives W{l} values beyond {dtype.name}'s "
                             f"range; choose a smaller scale or gain")
        parameters[f"W{l}"] = W
        if bias_std:
            with np.errstate(over="ignore"):
                b = np.asarray(rng.standard_normal((dims[l], 1)) * bias_std, dtype=dtype)
            if not np.isfinite(b).all():
                raise ValueError(f"bias_std {bias_std!r} gives b{l} values beyond "
                                 f"{dtype.name}'s range; choose a smaller bias_std")
        else:
            b = np.zeros((dims[l], 1), dtype=dtype)
        parameters[f"b{l}"] = b
    return parameters


def _normal(std_of):
    """A ``draw`` for ``standard_normal * std_of(fan_out, fan_in)``."""
    def draw(rng, fan_out, fan_in):
        return rng.standard_normal((fan_out, fan_in)) * std_of(fan_out, fan_in)
    return draw


def _uniform(limit_of):
    """A ``draw`` for ``uniform(-limit, limit)`` with ``limit_of(fan_out, fan_in)``."""
    def draw(rng, fan_out, fan_in):
        limit = limit_of(fan_out, fan_in)
        return rng.uniform(-limit, limit, size=(fan_out, fan_in))
    return draw


def _truncated_normal(variance_of, gain=1.0):
    """A ``draw`` as Keras's ``VarianceScaling(distribution="truncated_normal")``:
    a normal cut at two standard deviations (values outside are redrawn), its
    standard deviation ``gain * sqrt(variance) / 0.8796...`` so the result has
    the intended variance."""
    def draw(rng, fan_out, fan_in):
        z = rng.standard_normal((fan_out, fan_in))
        outside = np.abs(z) > 2
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(z) > 2
        return z * (gain * (np.sqrt(variance_of(fan_out, fan_in)) / TRUNCATED_NORMAL_STD))
    return draw


#: The fans :func:`variance_scaling` and the He family can scale by.
MODES = ("fan_in", "fan_out", "fan_avg")
#: The distributions of :func:`variance_scaling`.
DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")


def _checked_mode(mode, modes=MODES):
    if not isinstance(mode, str) or mode not in modes:
        raise ValueError(f"mode must be one of {', '.join(modes)}, got {mode!r}")
    return mode


def _fan(mode, fan_out, fan_in):
    """The fan that ``mode`` names (``fan_avg``: their mean)."""
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    return (fan_in + fan_out) / 2.0


def _checked_slope(negative_slope):
    """A finite real slope whose square (in ``1 + a**2``) is finite too."""
    if isinstance(negative_slope, (bool, np.bool_)) or \
            not isinstance(negative_slope, numbers.Real) or not abs(negative_slope) < 1e154:
        raise ValueError(f"negative_slope must be a finite number below 1e154 in size, "
                         f"got {negative_slope!r}")
    return float(negative_slope)


def _he_numerator(negative_slope):
    """``2 / (1 + a**2)``: the He variance times the fan (exactly 2.0 for ReLU)."""
    return 2.0 / (1 + _checked_slope(negative_slope) ** 2)


def zeros(layers_dims, seed=3, dtype=None, bias_std=0.0):
    """All weights zero: ``W_l = 0``. Fails to break symmetry (the course's
    ``initialize_parameters_zeros``). ``seed`` draws only the biases (when
    ``bias_std > 0``)."""
    return _build(layers_dims, seed, dtype, bias_std,
                  lambda rng, fan_out, fan_in: np.zeros((fan_out, fan_in)))


def random(layers_dims, seed=3, dtype=None, scale=10.0, bias_std=0.0):
    """Large random weights: ``W_l = N(0, 1) * scale`` (the course's
    ``initialize_parameters_random``, ``scale=10``)."""
    scale = check_positive_number(scale, "scale")
    return _build(layers_dims, seed, dtype, bias_std, _normal(lambda fan_out, fan_in: scale))


def random_small(layers_dims, seed=3, dtype=None, bias_std=0.0):
    """Small random weights: ``W_l = N(0, 1) * 0.01`` (the tutorial's
    ``initialize_parameters_deep``)."""
    return _build(layers_dims, seed, dtype, bias_std, _normal(lambda fan_out, fan_in: 0.01))


def he(layers_dims, seed=3, dtype=None, negative_slope=0.0, mode="fan_in", bias_std=0.0):
    """He et al. (2015): ``W_l = N(0, 1) * sqrt(2 / ((1 + a**2) fan))``, ``a`` the
    ``negative_slope`` of a leaky ReLU (0: ReLU) and ``fan`` the ``mode``'s
    (``"fan_in"`` or ``"fan_out"``).

    With the defaults, the course's ``initialize_parameters_he``; PyTorch's
    ``kaiming_normal_(w, a, mode, nonlinearity="leaky_relu")``; Keras's
    ``VarianceScaling(2, "fan_in", "untruncated_normal")``. Keras's ``HeNormal``
    is truncated: :func:`he_truncated_normal`.
    """
    numerator, mode = _he_numerator(negative_slope), _checked_mode(mode, MODES[:2])
    return _build(layers_dims, seed, dtype, bias_std, _normal(
        lambda fan_out, fan_in: np.sqrt(numerator / _fan(mode, fan_out, fan_in))))


def xavier(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """The course's "Xavier": ``W_l = N(0, 1) * gain * sqrt(1 / fan_in)``.

    This is what the libraries call LeCun normal (see :func:`lecun`), untruncated;
    their "Xavier"/Glorot also counts ``fan_out`` (see :func:`glorot`).
    """
    gain = check_positive_number(gain, "gain")
    return _build(layers_dims, seed, dtype, bias_std,
                  _normal(lambda fan_out, fan_in: gain * np.sqrt(1.0 / fan_in)))


def glorot(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """Glorot & Bengio (2010): ``W_l = N(0, 1) * gain * sqrt(2 / (fan_in + fan_out))``.

    PyTorch's ``xavier_normal_(w, gain)``. Keras's ``GlorotNormal`` is truncated:
    :func:`glorot_truncated_normal`.
    """
    gain = check_positive_number(gain, "gain")
    return _build(layers_dims, seed, dtype, bias_std,
                  _normal(lambda fan_out, fan_in: gain * np.sqrt(2.0 / (fan_in + fan_out))))


def lecun(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """LeCun normal, untruncated: ``W_l = N(0, 1) * gain * sqrt(1 / fan_in)`` (the
    same draw as :func:`xavier`). Keras's ``LecunNormal`` is truncated:
    :func:`lecun_truncated_normal`."""
    gain = check_positive_number(gain, "gain")
    return _build(layers_dims, seed, dtype, bias_std,
                  _normal(lambda fan_out, fan_in: gain * np.sqrt(1.0 / fan_in)))


def he_uniform(layers_dims, seed=3, dtype=None, negative_slope=0.0, mode="fan_in",
               bias_std=0.0):
    """``W_l = U(-limit, limit)`` with ``limit = sqrt(6 / ((1 + a**2) fan))``
    (variance ``2 / ((1 + a**2) fan)``; see :func:`he` for ``a`` and ``fan``).
    PyTorch's ``kaiming_uniform_(w, a, mode, nonlinearity="leaky_relu")``;
    Keras's ``HeUniform``."""
    numerator, mode = _he_numerator(negative_slope), _checked_mode(mode, MODES[:2])
    return _build(layers_dims, seed, dtype, bias_std, _uniform(
        lambda fan_out, fan_in: np.sqrt(3 * numerator / _fan(mode, fan_out, fan_in))))


def glorot_uniform(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """``W_l = U(-limit, limit)`` with ``limit = gain * sqrt(6 / (fan_in + fan_out))``.
    PyTorch's ``xavier_uniform_(w, gain)``; Keras's ``GlorotUniform``."""
    gain = check_positive_number(gain, "gain")
    return _build(layers_dims, seed, dtype, bias_std,
                  _uniform(lambda fan_out, fan_in: gain * np.sqrt(6.0 / (fan_in + fan_out))))


def lecun_uniform(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """``W_l = U(-limit, limit)`` with ``limit = gain * sqrt(3 / fan_in)`` (variance
    ``gain**2 / fan_in``). Keras's ``LecunUniform``."""
    gain = check_positive_number(gain, "gain")
    return _build(layers_dims, seed, dtype, bias_std,
                  _uniform(lambda fan_out, fan_in: gain * np.sqrt(3.0 / fan_in)))


def he_truncated_normal(layers_dims, seed=3, dtype=None, negative_slope=0.0, mode="fan_in",
                        bias_std=0.0):
    """Keras's ``HeNormal``: a normal truncated at 2 sigma, variance
    ``2 / ((1 + a**2) fan)`` (see :func:`he` for ``a`` and ``fan``)."""
    numerator, mode = _he_numerator(negative_slope), _checked_mode(mode, MODES[:2])
    return _build(layers_dims, seed, dtype, bias_std, _truncated_normal(
        lambda fan_out, fan_in: numerator / _fan(mode, fan_out, fan_in)))


def glorot_truncated_normal(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """Keras's ``GlorotNormal``: a normal truncated at 2 sigma, variance
    ``gain**2 * 2 / (fan_in + fan_out)``."""
    gain = check_positive_number(gain, "gain")
    return _build(layers_dims, seed, dtype, bias_std,
                  _truncated_normal(lambda fan_out, fan_in: 2.0 / (fan_in + fan_out), gain))


def lecun_truncated_normal(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """Keras's ``LecunNormal``: a normal truncated at 2 sigma, variance
    ``gain**2 / fan_in``."""
    gain = check_positive_number(gain, "gain")
    return _build(layers_dims, seed, dtype, bias_std,
                  _truncated_normal(lambda fan_out, fan_in: 1.0 / fan_in, gain))


def variance_scaling(layers_dims, seed=3, dtype=None, scale=1.0, mode="fan_in",
                     distribution="truncated_normal", bias_std=0.0):
    """Keras's ``VarianceScaling``: weights of variance ``scale / n``, ``n`` the
    ``mode``'s fan (``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``, their mean).

    ``distribution``: ``"normal"`` (untruncated, std ``sqrt(scale / n)``; Keras
    calls it ``"untruncated_normal"``, also accepted), ``"truncated_normal"``
    (cut at 2 sigma, rescaled to that variance, as Keras) or ``"uniform"``
    (limit ``sqrt(3 scale / n)``). It draws from the same stream as the named
    initializers, so ``scale=2, mode="fan_in", distribution="normal"`` is
    :func:`he`, bit for bit, for the same seed (and ``"truncated_normal"`` and
    ``"uniform"`` give :func:`he_truncated_normal` and :func:`he_uniform`).
    """
    scale = check_positive_number(scale, "scale")
    mode = _checked_mode(mode)
    if distribution == "untruncated_normal":
        distribution = "normal"
    if not isinstance(distribution, str) or distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, "
                         f"got {distribution!r}")
    if distribution == "normal":
        draw = _normal(lambda fan_out, fan_in: np.sqrt(scale / _fan(mode, fan_out, fan_in)))
    elif distribution == "uniform":
        draw = _uniform(lambda fan_out, fan_in: np.sqrt(3 * scale / _fan(mode, fan_out, fan_in)))
    else:
        draw = _truncated_normal(lambda fan_out, fan_in: scale / _fan(mode, fan_out, fan_in))
    return _build(layers_dims, seed, dtype, bias_std, draw)


def orthogonal(layers_dims, seed=3, dtype=None, gain=1.0, bias_std=0.0):
    """Saxe et al. (2014): ``W_l = gain * Q`` with ``Q`` from the QR decomposition
    of a standard-normal matrix, signs fixed by ``sign(diag(R))`` so ``Q`` is
    uniformly distributed. ``W_l`` has orthonormal rows when ``n_l <= n_{l-1}``
    and orthonormal columns otherwise (Keras's ``Orthogonal``).

    ``gain`` is the papers' ``sigma_w``: a square ``W_l`` has ``fan_in * Var(W_l)
    = gain**2``, so ``orthogonal(dims, gain=math.sqrt(sigma_w2), bias_std=...)`` is
    the scaled-orthogonal initialization of Saxe et al. and Pennington et al.

    The QR is :func:`fastinit._householder.householder_qr`, not LAPACK's, so
    the same call gives the same bits on every CPU."""
    gain = check_positive_number(gain, "gain")

    def draw(rng, fan_out, fan_in):
        tall = rng.standard_normal((max(fan_out, fan_in), min(fan_out, fan_in)))
        q, r_diagonal = householder_qr(tall)
        q = q * diagonal_signs(r_diagonal)
        return gain * (q.T if fan_out < fan_in else q)

    return _build(layers_dims, seed, dtype, bias_std, draw)


def critical(layers_dims, seed=3, dtype=None, activation=None, negative_slope=0.01,
             bias_std=0.0):
    """On the edge of chaos (Poole et al. 2016; Schoenholz et al. 2017):
    ``W_l = N(0, 1) * sqrt(sigma_w2 / fan_in)`` with the ``sigma_w2`` at which the
    mean-field theory's ``chi_1 = 1`` for ``activation`` (required: the hidden
    layers' activation, with ``negative_slope`` for leaky ReLU) and biases of
    variance ``sigma_b2 = bias_std**2`` (:func:`fastinit.theory.critical_sigma_w2`).

    For ReLU it is :func:`he` (``sigma_w2 = 2`` whatever ``bias_std``), for
    ``"linear"`` :func:`lecun` (1), for tanh with ``bias_std=0`` ``sigma_w2 = 1``.
    The same stream as :func:`he`: the same seed gives the same standard normals.
    """
    from .activations import check_activation

    if activation is None:
        raise ValueError("the 'critical' initializer needs the hidden activation: "
                         "initialize(layers_dims, 'critical', activation='tanh')")
    check_activation(activation, negative_slope)
    sigma_w2 = _critical_variance(bias_std, activation, negative_slope)
    return _build(layers_dims, seed, dtype, bias_std,
                  _normal(lambda fan_out, fan_in: np.sqrt(sigma_w2 / fan_in)))


def lsuv(layers_dims, seed=3, dtype=None, X=None, activation="relu", tol=0.1, max_iter=10,
         negative_slope=0.01, bias_std=0.0):
    """Mishkin & Matas (2016): :func:`orthogonal` weights (and biases of
    ``bias_std``), then each hidden layer's weights rescaled to unit pre-activation
    variance on the data ``X`` (required, shape ``(n_0, m)``), as
    :func:`fastinit.lsuv` does with ``activation``, ``tol``, ``max_iter`` and
    ``negative_slope``."""
    from .lsuv import lsuv as rescale

    if X is None:
        raise ValueError("the 'lsuv' initializer needs the data: initialize(layers_dims, "
                         "'lsuv', X=train_X)")
    X = _as_numeric_array(X, "X")
    start = orthogonal(layers_dims, seed=seed, dtype=dtype, bias_std=bias_std)
    n_features = start["W1"].shape[1]
    if X.ndim == 2 and X.shape[0] != n_features == X.shape[1]:  # says to pass X.T
        check_features(X.shape, n_features, f"layers_dims {list(layers_dims)}")
    if X.ndim != 2 or X.shape[0] != n_features:
        raise ValueError(f"X must have shape ({n_features}, m) for layers_dims "
                         f"{list(layers_dims)}, got {X.shape}")
    dtype = start["W1"].dtype
    rescaled = rescale(start, X.astype(dtype), activation=activation, tol=tol,
                       max_iter=max_iter, negative_slope=negative_slope)
    return {key: value.astype(dtype, copy=False) for key, value in rescaled.items()}


#: Every initializer by name. Each value is a function
#: ``(layers_dims, seed=3, dtype=None, **options) -> parameters``.
INITIALIZERS = {
    function.__name__: function
    for function in (
        zeros, random, random_small, he, xavier, glorot, lecun,
        he_uniform, glorot_uniform, lecun_uniform,
        he_truncated_normal, glorot_truncated_normal, lecun_truncated_normal,
        orthogonal, variance_scaling, critical, lsuv,
    )
}


def activation_options(method, activation, negative_slope=0.01, options=None):
    """``options`` completed with what ``method`` needs to know of the hidden
    activation the network trains with: ``"critical"`` and ``"lsuv"`` its name and
    slope, the He family a leaky ReLU's slope (as PyTorch pairs
    ``kaiming_normal_(w, a)`` with ``leaky_relu(a)``). The caller's own values win.

    Parameters
    ----------
    method : str
    activation : str
    negative_slope : float, default 0.01
    options : dict, optional
        The initializer's options so far (not modified).

    Returns
    -------
    dict
    """
    if options is not None and not isinstance(options, Mapping):
        raise TypeError(f"options must be a dict of the initializer's options, got "
                        f"{type(options).__name__}")
    options = dict(options or {})
    if method in ("critical", "lsuv"):
        return {"activation": activation, "negative_slope": negative_slope, **options}
    if activation == "leaky_relu" and method in ("he", "he_uniform", "he_truncated_normal"):
        return {"negative_slope": negative_slope, **options}
    return options


def _variance_of(method, options):
    """``(fan_out, fan_in) -> Var(W)`` for the initializers whose variance is fixed
    by the fans, with ``options`` as :func:`initialize` passes them; None for the
    others."""
    def option(name, default):
        return options.get(name, default)

    gain = check_positive_number(option("gain", 1.0), "gain") if method in _GAIN_FAMILY else 1.0
    gain2 = gain * gain  # inf, not OverflowError, past 1e154
    if method in ("he", "he_uniform", "he_truncated_normal"):
        numerator = _he_numerator(option("negative_slope", 0.0))
        mode = _checked_mode(option("mode", "fan_in"), MODES[:2])
        return lambda fan_out, fan_in: numerator / _fan(mode, fan_out, fan_in)
    if method in ("glorot", "glorot_uniform", "glorot_truncated_normal"):
        return lambda fan_out, fan_in: gain2 * 2.0 / (fan_in + fan_out)
    if method in ("xavier", "lecun", "lecun_uniform", "lecun_truncated_normal"):
        return lambda fan_out, fan_in: gain2 / fan_in
    if method == "variance_scaling":
        scale = check_positive_number(option("scale", 1.0), "scale")
        mode = _checked_mode(option("mode", "fan_in"))
        return lambda fan_out, fan_in: scale / _fan(mode, fan_out, fan_in)
    if method == "orthogonal":  # rows or columns of norm gain
        gain = check_positive_number(option("gain", 1.0), "gain")
        gain2 = gain * gain
        return lambda fan_out, fan_in: gain2 / max(fan_out, fan_in)
    if method == "critical":
        sigma_w2 = _critical_variance(option("bias_std", 0.0), option("activation", None),
                                      option("negative_slope", 0.01))
        return lambda fan_out, fan_in: sigma_w2 / fan_in
    if method == "random":
        scale = check_positive_number(option("scale", 10.0), "scale")
        return lambda fan_out, fan_in: scale * scale  # inf, not OverflowError, past 1e154
    if method == "random_small":
        return lambda fan_out, fan_in: 1e-4
    if method == "zeros":
        return lambda fan_out, fan_in: 0.0
    return None


_GAIN_FAMILY = ("glorot", "glorot_uniform", "glorot_truncated_normal", "xavier", "lecun",
                "lecun_uniform", "lecun_truncated_normal")


def _checked_method(method):
    if not isinstance(method, str):
        raise TypeError(f"method must be a string, got {type(method).__name__}")
    if method not in INITIALIZERS:
        raise ValueError(f"unknown initializer {method!r}; choose one of: "
                         f"{', '.join(sorted(INITIALIZERS))}")
    return method


def weight_variances(layers_dims, method="he", **options):
    """The variance each initializer draws ``W_l`` with, per layer (the
    expectation over seeds of the mean of ``W_l**2``), or None where it has none
    fixed by the fans (``lsuv``, which rescales on data). The mean-field theory's
    ``sigma_w2`` is ``fan_in`` times it.

    Parameters
    ----------
    layers_dims : sequence of int
    method : str
    **options
        The initializer's options, as :func:`initialize` takes them.

    Returns
    -------
    ndarray of shape (L,), or None
    """
    dims = check_layers_dims(layers_dims)
    variance = _variance_of(_checked_method(method), options)
    if variance is None:
        return None
    return np.array([variance(dims[l], dims[l - 1]) for l in range(1, len(dims))], dtype=float)


def bias_variances(layers_dims, method="he", **options):
    """The variance each initializer draws ``b_l`` with, per layer:
    ``bias_std**2`` (0 by default), the mean-field theory's ``sigma_b2``.

    Parameters
    ----------
    layers_dims : sequence of int
    method : str
    **options
        The initializer's options, as :func:`initialize` takes them.

    Returns
    -------
    ndarray of shape (L,)
    """
    dims = check_layers_dims(layers_dims)
    _checked_method(method)
    return np.full(len(dims) - 1, check_bias_std(options.get("bias_std", 0.0)) ** 2)


def initialize(layers_dims, method="he", seed=3, dtype=None, **options):
    """Initial parameters for a LINEAR->ACTIVATION x (L-1) -> LINEAR->SIGMOID network.

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_0, n_1, ..., n_L]``: input size, hidden sizes, output size.
    method : str, default "he"
        A name in :data:`INITIALIZERS`.
    seed : int, numpy.random.Generator, numpy.random.RandomState or None, default 3
        An int reproduces the course (legacy ``RandomState``, layer by layer).
    dtype : float32 or float64, optional
        Defaults to float64.
    **options
        Passed to the initializer: ``bias_std`` for every one (biases
        ``N(0, bias_std**2)``, drawn after each layer's weights; default 0, no
        draw); ``scale`` for ``"random"``; ``gain`` for ``"orthogonal"`` and
        the Glorot, LeCun and course-Xavier families; ``negative_slope`` and
        ``mode`` for the He family; ``scale``, ``mode`` and ``distribution`` for
        ``"variance_scaling"``; ``activation`` (required) and ``negative_slope``
        for ``"critical"``; ``X`` (the data, required), ``activation``, ``tol``,
        ``max_iter`` and ``negative_slope`` for ``"lsuv"``.

    Returns
    -------
    dict
        ``{"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}``.

    Examples
    --------
    >>> import fastinit as fi
    >>> fi.initialize([3, 2, 1], "random", seed=3)["W2"]
    array([[-0.82741481, -6.27000677]])
    """
    if not isinstance(method, str):
        raise TypeError(f"method must be a string, got {type(method).__name__}")
    try:
        function = INITIALIZERS[method]
    except KeyError:
        raise ValueError(
            f"unknown initializer {method!r}; choose one of: {', '.join(sorted(INITIALIZERS))}"
        ) from None
    accepted = set(inspect.signature(function).parameters) - {"layers_dims", "seed", "dtype"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(
            f"initializer {method!r} does not take {', '.join(unknown)}; "
            f"its options: {', '.join(sorted(accepted)) or 'none'}"
        )
    return function(layers_dims, seed=seed, dtype=dtype, **options)
