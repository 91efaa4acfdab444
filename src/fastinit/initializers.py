"""Weight initializers, and one registry from name to function.

Every initializer takes ``(layers_dims, seed=3, dtype=None)`` (plus its own
options) and returns a new dict ``{"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL",
"bL"}``. Biases are always zeros. For layer ``l``, ``fan_in = n_{l-1}`` and
``fan_out = n_l``.

Weights are drawn layer by layer, ``W1`` first, in float64 and then cast to
``dtype``. With an int ``seed`` the stream is the legacy ``RandomState(seed)``,
so ``"zeros"``, ``"random"`` and ``"he"`` with ``seed=3`` reproduce the course's
``initialize_parameters_*`` exactly (without touching NumPy's global state).
"""

import inspect

import numpy as np

from ._validation import check_dtype, check_layers_dims, check_positive_number, check_seed

__all__ = ["INITIALIZERS", "initialize"]

#: Keras divides the standard deviation of its truncated normal by this: the
#: standard deviation of a unit normal truncated to [-2, 2].
TRUNCATED_NORMAL_STD = 0.87962566103423978


def _build(layers_dims, seed, dtype, draw):
    """Shared body: ``draw(rng, fan_out, fan_in)`` returns one float64 weight matrix."""
    dims = check_layers_dims(layers_dims)
    rng = check_seed(seed)
    dtype = check_dtype(dtype)
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = np.asarray(draw(rng, dims[l], dims[l - 1]), dtype=dtype)
        parameters[f"b{l}"] = np.zeros((dims[l], 1), dtype=dtype)
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


def _truncated_normal(variance_of):
    """A ``draw`` as Keras's ``VarianceScaling(distribution="truncated_normal")``:
    a normal cut at two standard deviations (values outside are redrawn), its
    standard deviation ``sqrt(variance) / 0.8796...`` so the result has the
    intended variance."""
    def draw(rng, fan_out, fan_in):
        z = rng.standard_normal((fan_out, fan_in))
        outside = np.abs(z) > 2
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(z) > 2
        return z * (np.sqrt(variance_of(fan_out, fan_in)) / TRUNCATED_NORMAL_STD)
    return draw


def zeros(layers_dims, seed=3, dtype=None):
    """All weights zero: ``W_l = 0``. Fails to break symmetry (the course's
    ``initialize_parameters_zeros``). ``seed`` is accepted and unused."""
    return _build(layers_dims, seed, dtype, lambda rng, fan_out, fan_in: np.zeros((fan_out, fan_in)))


def random(layers_dims, seed=3, dtype=None, scale=10.0):
    """Large random weights: ``W_l = N(0, 1) * scale`` (the course's
    ``initialize_parameters_random``, ``scale=10``)."""
    scale = check_positive_number(scale, "scale")
    return _build(layers_dims, seed, dtype, _normal(lambda fan_out, fan_in: scale))


def random_small(layers_dims, seed=3, dtype=None):
    """Small random weights: ``W_l = N(0, 1) * 0.01`` (the tutorial's
    ``initialize_parameters_deep``)."""
    return _build(layers_dims, seed, dtype, _normal(lambda fan_out, fan_in: 0.01))


def he(layers_dims, seed=3, dtype=None):
    """He et al. (2015): ``W_l = N(0, 1) * sqrt(2 / fan_in)`` (the course's
    ``initialize_parameters_he``), for ReLU layers."""
    return _build(layers_dims, seed, dtype, _normal(lambda fan_out, fan_in: np.sqrt(2.0 / fan_in)))


def xavier(layers_dims, seed=3, dtype=None):
    """The course's "Xavier": ``W_l = N(0, 1) * sqrt(1 / fan_in)``.

    This is what the libraries call LeCun normal (see :func:`lecun`); their
    "Xavier"/Glorot also counts ``fan_out`` (see :func:`glorot`).
    """
    return _build(layers_dims, seed, dtype, _normal(lambda fan_out, fan_in: np.sqrt(1.0 / fan_in)))


def glorot(layers_dims, seed=3, dtype=None):
    """Glorot & Bengio (2010), the libraries' "Xavier normal":
    ``W_l = N(0, 1) * sqrt(2 / (fan_in + fan_out))``."""
    return _build(layers_dims, seed, dtype,
                  _normal(lambda fan_out, fan_in: np.sqrt(2.0 / (fan_in + fan_out))))


def lecun(layers_dims, seed=3, dtype=None):
    """LeCun normal: ``W_l = N(0, 1) * sqrt(1 / fan_in)`` (same draw as :func:`xavier`)."""
    return _build(layers_dims, seed, dtype, _normal(lambda fan_out, fan_in: np.sqrt(1.0 / fan_in)))


def he_uniform(layers_dims, seed=3, dtype=None):
    """``W_l = U(-limit, limit)`` with ``limit = sqrt(6 / fan_in)`` (variance 2 / fan_in)."""
    return _build(layers_dims, seed, dtype, _uniform(lambda fan_out, fan_in: np.sqrt(6.0 / fan_in)))


def glorot_uniform(layers_dims, seed=3, dtype=None):
    """``W_l = U(-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``."""
    return _build(layers_dims, seed, dtype,
                  _uniform(lambda fan_out, fan_in: np.sqrt(6.0 / (fan_in + fan_out))))


def lecun_uniform(layers_dims, seed=3, dtype=None):
    """``W_l = U(-limit, limit)`` with ``limit = sqrt(3 / fan_in)`` (variance 1 / fan_in)."""
    return _build(layers_dims, seed, dtype, _uniform(lambda fan_out, fan_in: np.sqrt(3.0 / fan_in)))


def he_truncated_normal(layers_dims, seed=3, dtype=None):
    """Keras's ``HeNormal``: truncated normal at 2 sigma, variance ``2 / fan_in``."""
    return _build(layers_dims, seed, dtype, _truncated_normal(lambda fan_out, fan_in: 2.0 / fan_in))


def glorot_truncated_normal(layers_dims, seed=3, dtype=None):
    """Keras's ``GlorotNormal``: truncated normal at 2 sigma, variance
    ``2 / (fan_in + fan_out)``."""
    return _build(layers_dims, seed, dtype,
                  _truncated_normal(lambda fan_out, fan_in: 2.0 / (fan_in + fan_out)))


def lecun_truncated_normal(layers_dims, seed=3, dtype=None):
    """Keras's ``LecunNormal``: truncated normal at 2 sigma, variance ``1 / fan_in``."""
    return _build(layers_dims, seed, dtype, _truncated_normal(lambda fan_out, fan_in: 1.0 / fan_in))


def orthogonal(layers_dims, seed=3, dtype=None, gain=1.0):
    """Saxe et al. (2014): ``W_l = gain * Q`` with ``Q`` from the QR decomposition
    of a standard-normal matrix, signs fixed by ``sign(diag(R))`` so ``Q`` is
    uniformly distributed. ``W_l`` has orthonormal rows when ``n_l <= n_{l-1}``
    and orthonormal columns otherwise (Keras's ``Orthogonal``)."""
    gain = check_positive_number(gain, "gain")

    def draw(rng, fan_out, fan_in):
        tall = rng.standard_normal((max(fan_out, fan_in), min(fan_out, fan_in)))
        q, r = np.linalg.qr(tall)
        q = q * np.sign(np.diag(r))
        return gain * (q.T if fan_out < fan_in else q)

    return _build(layers_dims, seed, dtype, draw)


#: Every initializer by name. Each value is a function
#: ``(layers_dims, seed=3, dtype=None, **options) -> parameters``.
INITIALIZERS = {
    function.__name__: function
    for function in (
        zeros, random, random_small, he, xavier, glorot, lecun,
        he_uniform, glorot_uniform, lecun_uniform,
        he_truncated_normal, glorot_truncated_normal, lecun_truncated_normal,
        orthogonal,
    )
}


def initialize(layers_dims, method="he", seed=3, dtype=None, **options):
    """Initial parameters for a LINEAR->RELU x (L-1) -> LINEAR->SIGMOID network.

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
        Passed to the initializer: ``scale`` for ``"random"``, ``gain`` for
        ``"orthogonal"``.

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
