"""Mean-field theory of signal propagation at initialization.

A fully-connected network with weights ``W_l ~ N(0, sigma_w2 / fan_in)`` and biases
``b_l ~ N(0, sigma_b2)`` has, in the limit of wide layers, pre-activations ``z^l``
that are Gaussian with a second moment ``q^l`` that evolves by the *length map*
(Poole et al. 2016)::

    q^{l+1} = sigma_w2 * E[phi(z)**2] + sigma_b2,        z ~ N(0, q^l)

and two inputs' pre-activations keep a correlation ``c^l`` that evolves by the
*correlation map* (Poole et al. 2016)::

    c^{l+1} = (sigma_w2 * E[phi(u1) phi(u2)] + sigma_b2) / q^{l+1}

with ``(u1, u2)`` centred Gaussian of variances ``q^l`` and correlation ``c^l``.
``q*`` and ``c*`` are their fixed points; ``chi_1 = sigma_w2 E[phi'(z)**2]`` (at
``q*``) is the slope of the correlation map at ``c = 1`` and the factor by which
the mean square of the gradients grows per layer; ``chi_1 = 1`` is the edge of
chaos. Schoenholz et al. 2017 give the depth scales over which ``q`` and ``c``
reach their fixed points; Pennington, Schoenholz and Ganguli 2017 the moments of
the input-output Jacobian's squared singular values; Klambauer et al. 2017 the
mean-and-variance map of SELU networks.

Conventions
-----------
- ``sigma_w2`` is ``fan_in * Var(W)``, ``sigma_b2`` is ``Var(b)``; ``q`` is the
  second moment ``E[z**2]`` of a pre-activation (its variance: the mean is 0).
- ``activation`` is one of :data:`fastinit.activations.ACTIVATIONS` (default
  ``"tanh"``); ``negative_slope`` is leaky ReLU's slope (checked whatever the
  activation, as everywhere in fastinit).
- At ``q = 0`` an expectation of ``phi'`` or ``phi''`` is its limit ``q -> 0+``
  (``E[relu'(z)**2] = 1/2``, not ``relu'(0)**2``): the behaviour of a signal
  that is small but not zero.
- ``q*`` is the fixed point that the length map reaches from ``q = 1``; it is
  ``math.inf`` where ``q`` grows without bound (the ReLU family and linear with
  ``sigma_w2 E[phi(z)**2] / q`` above 1, or equal to 1 with a bias; SELU with
  ``sigma_w2 * SELU_SCALE**2 / 2 >= 1``).
  Where ``q*`` is infinite the quantities that depend on it take their limit
  ``q -> inf`` (exact for the positively homogeneous ReLU family and linear).
- Every function returns plain floats or ndarrays and checks its arguments,
  raising ``TypeError`` or ``ValueError`` that names the argument.

Numerics
--------
One-dimensional expectations use composite Gauss-Legendre quadrature in
``t = z / sqrt(q)`` with a panel edge at ``z = 0`` (where the ReLU family and
SELU bend) and panels no wider than 0.25 in ``z`` where ``|z| < 40`` (where tanh
and the sigmoid change), accurate to about 1e-15 at every ``q``. Two-dimensional
ones write ``u1 = sqrt(q1) z1`` and ``u2 = sqrt(q2) (c z1 + sqrt(1 - c**2) z2)``,
integrate ``z1`` on panels graded geometrically towards ``z1 = 0`` down to the
smallest scale of the integrand there (``1/sqrt(q1)``, ``sqrt(1 - c**2) / |c|``, ...)
and ``z2`` on panels, per ``z1`` node, graded towards the point where ``u2 = 0``,
with a panel edge there: accurate to about 1e-15 relative from ``c = -1`` to
``c = 1`` (both included) and from ``q = 1e-8`` to ``1e8`` (checked against the
arc-cosine and erf kernels). The correlation map is computed as
``1 - c^{l+1} = sigma_w2 E[(phi(u1) - phi(u2))**2] / (2 q^{l+1})`` with the
differences taken without cancellation, so that correlations near 1 keep their
distance to 1 to full relative precision. Nodes and weights are built once per
variance (and per correlation in 2-D) and cached.

References
----------
B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli (2016), Exponential
expressivity in deep neural networks through transient chaos, NeurIPS.
S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein (2017), Deep information
propagation, ICLR.
J. Pennington, S. S. Schoenholz, S. Ganguli (2017), Resurrecting the sigmoid in
deep learning through dynamical isometry: theory and practice, NeurIPS.
G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter (2017), Self-normalizing
neural networks, NeurIPS.
"""

import functools
import math
import numbers

import numpy as np

from . import _fixed_math
from .activations import DEFAULT_NEGATIVE_SLOPE, SELU_ALPHA, SELU_SCALE, check_activation

__all__ = ["activation_mean", "chi_1", "chi_c", "correlation_fixed_point", "correlation_map",
           "correlation_trajectory", "critical_line", "critical_sigma_w2", "depth_scales",
           "gaussian_expectation", "gaussian_expectation_2d", "jacobian_moments",
           "length_fixed_point", "length_map", "length_trajectory", "selu_fixed_point",
           "selu_moment_map"]

#: The largest ``sigma_w2`` or ``sigma_b2`` the theory accepts.
MAX_VARIANCE = 1e6
#: The largest ``q`` the theory's functions accept (``gaussian_expectation`` takes any finite q).
MAX_Q = 1e100
#: The most layers a trajectory is computed for.
MAX_DEPTH = 100_000
#: The largest leaky ReLU slope the theory accepts.
MAX_SLOPE = 1e6
#: The most values :func:`critical_line` takes (each is a root search).
MAX_LINE_POINTS = 10_000

_EPS = np.finfo(np.float64).eps
_MAX_FLOAT = float(np.finfo(np.float64).max)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
#: Where an expectation is its limit q -> 0+, it is evaluated at this q: small
#: enough that phi is exactly its linear part on each side of 0, large enough
#: that the squares of the arguments (q * t**2) stay normal numbers.
_TINY_Q = 1e-200
#: chi within this of 1 is 1 (criticality).
_ROUNDING = 8 * _EPS


# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------

def _real(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None


def _in_range(value, name, low, high, what=None):
    number = _real(value, name)
    if not low <= number <= high:  # NaN fails too
        raise ValueError(f"{name} must be {what or f'a number in [{low:g}, {high:g}]'}, "
                         f"got {value!r}")
    return number


def _variance(value, name):
    return _in_range(value, name, 0.0, MAX_VARIANCE)


def _length(value, name):
    return _in_range(value, name, 0.0, MAX_Q)


def _correlation(value, name):
    return _in_range(value, name, -1.0, 1.0)


def _depth(value, name="depth", high=MAX_DEPTH):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if not 1 <= value <= high:
        raise ValueError(f"{name} must be an integer in [1, {high}], got {value!r}")
    return int(value)


def _hidden(activation, negative_slope):
    """``(name, slope)`` after :func:`fastinit.activations.check_activation`."""
    _, slope = check_activation(activation, negative_slope)
    if slope > MAX_SLOPE:
        raise ValueError(f"negative_slope must be at most {MAX_SLOPE:g} for the theory, "
                         f"got {negative_slope!r}")
    return activation, slope


def _callable(function, name="function"):
    if not callable(function):
        raise TypeError(f"{name} must be callable, got {type(function).__name__}")


# ---------------------------------------------------------------------------
# The activations and their derivatives
# ---------------------------------------------------------------------------

def _phi(activation, z, slope):
    if activation == "relu":
        return np.maximum(z, 0)
    if activation == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if activation == "tanh":
        return _fixed_math.tanh(z)
    if activation == "sigmoid":
        return 0.5 * (1 + _fixed_math.tanh(z / 2))
    if activation == "selu":
        return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * _fixed_math.expm1(np.minimum(z, 0)))
    return z


def _phi_prime(activation, z, slope):
    if activation == "relu":
        return (z > 0).astype(float)
    if activation == "leaky_relu":
        return np.where(z > 0, 1.0, slope)
    if activation == "tanh":
        t = _fixed_math.tanh(z)
        return 1 - t * t
    if activation == "sigmoid":
        s = 0.5 * (1 + _fixed_math.tanh(z / 2))
        return s * (1 - s)
    if activation == "selu":
        return np.where(z > 0, SELU_SCALE,
                        SELU_SCALE * SELU_ALPHA * _fixed_math.exp(np.minimum(z, 0)))
    return np.ones_like(z)


def _phi_second(activation, z, slope):
    """``phi''`` away from 0 (the kinks of the ReLU family and SELU add nothing to
    the expectations taken here: they multiply ``phi(0) = 0``)."""
    if activation == "tanh":
        t = _fixed_math.tanh(z)
        return -2 * t * (1 - t * t)
    if activation == "sigmoid":
        s = 0.5 * (1 + _fixed_math.tanh(z / 2))
        return s * (1 - s) * (1 - 2 * s)
    if activation == "selu":
        return np.where(z > 0, 0.0, SELU_SCALE * SELU_ALPHA * _fixed_math.exp(np.minimum(z, 0)))
    return np.zeros_like(z)


def _phi_and_prime(activation, z, slope):
    """``(phi(z), phi'(z), extra)`` sharing the work; ``extra`` is what
    :func:`_phi_difference` reuses (tanh of the argument, expm1, ...)."""
    if activation == "relu":
        positive = z > 0
        return np.where(positive, z, 0.0), positive.astype(float), None
    if activation == "leaky_relu":
        positive = z > 0
        return np.where(positive, z, slope * z), np.where(positive, 1.0, slope), None
    if activation == "tanh":
        t = _fixed_math.tanh(z)
        return t, 1 - t * t, t
    if activation == "sigmoid":
        t = _fixed_math.tanh(z / 2)
        s = 0.5 * (1 + t)
        return s, s * (1 - s), t
    if activation == "selu":
        positive = z > 0
        # expm1 where z <= 0 only (elementwise: the bits of expm1(minimum(z, 0)))
        em = np.zeros(np.shape(z))
        negative = ~positive
        em[negative] = _fixed_math.expm1(z[negative])
        return (SELU_SCALE * np.where(positive, z, SELU_ALPHA * em),
                SELU_SCALE * np.where(positive, 1.0, SELU_ALPHA * (em + 1)), em)
    return z, np.ones_like(z), None


def _phi_difference(activation, slope, a, b, delta, phi_a, phi_b, extra_a, extra_b):
    """``phi(a) - phi(b)`` without cancellation, given ``delta = a - b`` computed
    accurately and what :func:`_phi_and_prime` returned for ``a`` and ``b``."""
    if activation == "linear":
        return np.broadcast_to(delta, np.broadcast(a, b).shape)
    if activation in ("relu", "leaky_relu"):
        negative = slope * delta if activation == "leaky_relu" else 0.0
        both_positive = (a > 0) & (b > 0)
        both_negative = (a <= 0) & (b <= 0)
        return np.where(both_positive, delta, np.where(both_negative, negative, phi_a - phi_b))
    if activation == "tanh":  # tanh a - tanh b = tanh(a - b) (1 - tanh a tanh b)
        return _fixed_math.tanh(delta) * (1 - extra_a * extra_b)
    if activation == "sigmoid":
        return 0.5 * _fixed_math.tanh(delta / 2) * (1 - extra_a * extra_b)
    # SELU: lambda (a - b) on the right, lambda alpha e^b expm1(a - b) on the left
    # (where a - b is small: that is where phi(a) - phi(b) cancels)
    both_positive = (a > 0) & (b > 0)
    close_negative = (a <= 0) & (b <= 0) & (np.abs(delta) < 1)
    left = np.zeros(close_negative.shape)
    if close_negative.any():  # elementwise: the same bits as over the whole grid
        left[close_negative] = _fixed_math.expm1(
            np.broadcast_to(delta, left.shape)[close_negative])
    left *= SELU_SCALE * SELU_ALPHA * (extra_b + 1)
    return np.where(both_positive, SELU_SCALE * delta,
                    np.where(close_negative, left, phi_a - phi_b))


def _homogeneous_k(activation, slope):
    """``E[phi(z)**2] / q`` (= ``E[phi'(z)**2]``) for the positively homogeneous
    activations, None for the others."""
    if activation == "relu":
        return 0.5
    if activation == "leaky_relu":
        return (1 + slope * slope) / 2
    if activation == "linear":
        return 1.0
    return None


def _asymptotic_prime_moments(activation, slope):
    """``(E[phi'**2], E[phi'**4])`` in the limit q -> inf (each side's slope at
    infinity, averaged)."""
    if activation == "relu":
        return 0.5, 0.5
    if activation == "leaky_relu":
        square = slope * slope
        return (1 + square) / 2, (1 + square * square) / 2
    if activation == "selu":
        square = SELU_SCALE * SELU_SCALE
        return square / 2, square * square / 2
    if activation == "linear":
        return 1.0, 1.0
    return 0.0, 0.0


# ---------------------------------------------------------------------------
# One-dimensional Gaussian expectations
# ---------------------------------------------------------------------------

def _legendre_rule(half_nodes, half_weights):
    """The full, ascending, symmetric rule from the nodes > 0 and their weights."""
    nodes = np.array(half_nodes)
    weights = np.array(half_weights)
    return np.concatenate([-nodes[::-1], nodes]), np.concatenate([weights[::-1], weights])


# Gauss-Legendre rules on [-1, 1] as literals: the nodes and weights correctly
# rounded (from 60-digit Newton iterations on the Legendre recurrence), not
# numpy.polynomial.legendre.leggauss's, which LAPACK computes (bits by CPU, and
# weights tens of ulp off).
_NODES, _WEIGHTS = _legendre_rule(
    (0.09501250983763744, 0.2816035507792589, 0.45801677765722737, 0.6178762444026438,
     0.755404408355003, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499),
    (0.1894506104550685, 0.18260341504492358, 0.16915651939500254, 0.14959598881657674,
     0.12462897125553388, 0.09515851168249279, 0.062253523938647894, 0.027152459411754096))


def _dot(weights, values):
    """``sum(weights * values)`` over 1-D arrays (``values`` may broadcast): the
    products summed by ``np.add.reduce`` of a contiguous float64 array, NumPy's
    pairwise sum in a fixed order (see ``_householder``), never BLAS."""
    return float(np.add.reduce(np.multiply(weights, values, dtype=np.float64)))


def _row_dots(weights, values):
    """``sum(weights * values, axis=1)`` for 2-D ``weights``: each row of the
    C-contiguous products summed in NumPy's fixed pairwise order."""
    return np.add.reduce(np.multiply(weights, values, order="C", dtype=np.float64), axis=1)


@functools.lru_cache(maxsize=128)
def _rule(q):
    """Nodes ``z`` and weights of the rule for ``z ~ N(0, q)``, ``q > 0``
    (read-only arrays, built once per q)."""
    scale = math.sqrt(q)
    edges = np.arange(-12.0, 12.0 + 1e-9, 0.25)
    z_edges = np.arange(-40.0, 40.0 + 1e-9, 0.25) / scale
    edges = np.unique(np.concatenate([edges, z_edges[np.abs(z_edges) < 12.0], [0.0]]))
    middle, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    t = (middle[:, None] + half[:, None] * _NODES).ravel()
    weights = (half[:, None] * _WEIGHTS).ravel() * _fixed_math.exp(-t * t / 2) \
        / math.sqrt(2 * math.pi)
    z = scale * t
    z.flags.writeable = False
    weights.flags.writeable = False
    return z, weights


def gaussian_expectation(function, q):
    """``E[function(z)]`` for ``z ~ N(0, q)``.

    Composite Gauss-Legendre quadrature in ``t = z / sqrt(q)`` over ``|t| <= 12``
    (the rest of the mass is below 1e-32), on panels no wider than 0.25 in ``t``
    nor, where ``|z| < 40``, in ``z``, with a panel edge at ``z = 0`` (where the
    ReLU family and SELU bend). Each panel's integrand is smooth, so the rule
    converges fast at every ``q`` (Gauss-Hermite over the whole line does not: it
    loses the kink at 0 and, for large ``q``, the narrow region where tanh and the
    sigmoid change). The nodes and weights are built once per ``q``.

    Parameters
    ----------
    function : callable
        Called once with a 1-D float array of nodes; returns an array of the
        same shape (NumPy ufuncs and their combinations do).
    q : float
        The variance, finite and >= 0. At ``q = 0`` the result is ``function(0)``.

    Returns
    -------
    float
    """
    _callable(function)
    q = _in_range(q, "q", 0.0, _MAX_FLOAT, "a finite number >= 0")
    if q == 0:
        return float(_values(function, np.zeros(1))[0])
    z, weights = _rule(q)
    return _dot(weights, _values(function, z.copy()))


def _values(function, *arguments):
    values = np.asarray(function(*arguments))
    if not (values.dtype == bool or np.issubdtype(values.dtype, np.integer)
            or np.issubdtype(values.dtype, np.floating)):  # an indicator (bool) is a number
        raise TypeError(f"function must return real numbers, got dtype {values.dtype}")
    values = values.astype(float, copy=False)
    shape = np.broadcast(*arguments).shape
    if values.shape != shape:
        try:
            values = np.broadcast_to(values, shape)
        except ValueError:
            raise ValueError(f"function must return an array of its arguments' shape "
                             f"{shape}, got shape {values.shape}") from None
    return values


def _moment_values(activation, z, slope):
    """``(phi, phi', phi'')`` at ``z``; ``phi`` and ``phi'`` bit for bit
    :func:`_phi` and :func:`_phi_prime`, sharing their transcendental functions."""
    if activation == "tanh":
        t = _fixed_math.tanh(z)
        prime = 1 - t * t
        return t, prime, -2 * t * prime
    if activation == "sigmoid":
        s = 0.5 * (1 + _fixed_math.tanh(z / 2))
        prime = s * (1 - s)
        return s, prime, prime * (1 - 2 * s)
    if activation == "selu":
        exp_z, expm1_z = _fixed_math.exp_and_expm1(np.minimum(z, 0))
        left = SELU_SCALE * SELU_ALPHA * exp_z
        return (SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * expm1_z),
                np.where(z > 0, SELU_SCALE, left), np.where(z > 0, 0.0, left))
    return _phi(activation, z, slope), _phi_prime(activation, z, slope), np.zeros_like(z)


@functools.lru_cache(maxsize=4096)
def _moments(activation, slope, q):
    """The 1-D expectations at ``q`` (a float in [0, inf)), keyed by name:
    ``V = E[phi**2]``, ``M = E[phi'**2]``, ``P = E[phi phi'']``, ``S = E[phi''**2]``,
    ``mean = E[phi]``, ``mean_prime = E[phi']``, ``M2 = E[phi'**4]``. ``V`` and ``M``
    are bit for bit what :func:`gaussian_expectation` gives; the means of the odd
    activations are exactly 0; at ``q = 0`` the derivatives' moments are their
    limit ``q -> 0+``. (The dict is shared: never modify it.)"""
    if q == 0:
        limit = dict(_moments(activation, slope, _TINY_Q))
        phi0 = float(_phi(activation, np.zeros(1), slope)[0])
        second0 = float(_phi_second(activation, np.zeros(1), slope)[0])
        limit.update(V=phi0 * phi0, mean=phi0, P=phi0 * second0)
        if activation in ("tanh", "sigmoid"):
            # smooth at 0: the limits are the values there, exactly (the rule's
            # weights sum to 1 only to rounding)
            prime0 = float(_phi_prime(activation, np.zeros(1), slope)[0])
            square = prime0 * prime0
            limit.update(M=square, M2=square * square, mean_prime=prime0, S=second0 * second0)
        return limit
    z, weights = _rule(q)
    phi, prime, second = _moment_values(activation, z, slope)
    prime2 = prime * prime
    odd = activation in ("tanh", "linear")
    moments = {"V": _dot(weights, phi * phi), "M": _dot(weights, prime2),
               "P": _dot(weights, phi * second), "S": _dot(weights, second * second),
               "mean": 0.0 if odd else _dot(weights, phi), "mean_prime": _dot(weights, prime),
               "M2": _dot(weights, prime2 * prime2)}
    k = _homogeneous_k(activation, slope)
    if k is not None:
        # phi' is 1 for z > 0 and the slope below: its moments exactly (the rule's
        # weights sum to 1/2 on each side only to rounding)
        low = 0.0 if activation == "relu" else slope if activation == "leaky_relu" else 1.0
        square = low * low
        moments.update(M=k, M2=(1 + square * square) / 2, mean_prime=(1 + low) / 2)
    return moments


def activation_mean(q, *, activation="tanh", negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """``E[phi(z)]`` for ``z ~ N(0, q)``: the mean of a layer's activations when its
    pre-activations have second moment ``q`` (0 for the odd activations; positive
    for ReLU, the sigmoid and SELU away from its fixed point).

    Parameters
    ----------
    q : float
        In [0, 1e100].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float
    """
    name, slope = _hidden(activation, negative_slope)
    return _moments(name, slope, _length(q, "q"))["mean"]


# ---------------------------------------------------------------------------
# Two-dimensional Gaussian expectations
# ---------------------------------------------------------------------------

_NODES_2D, _WEIGHTS_2D = _legendre_rule(
    (0.1252334085114689, 0.3678314989981802, 0.5873179542866175, 0.7699026741943047,
     0.9041172563704749, 0.9815606342467192),
    (0.24914704581340277, 0.2334925365383548, 0.20316742672306592, 0.16007832854334622,
     0.10693932599531843, 0.04717533638651183))
_SCALED_WEIGHTS_2D = _WEIGHTS_2D * _INV_SQRT_2PI
#: The 2-D rule's half range and its widest panel, in standard deviations.
_RANGE_2D, _PANEL_2D = 9.0, 3.0
_BASE_2D = np.linspace(-_RANGE_2D, _RANGE_2D, int(round(2 * _RANGE_2D / _PANEL_2D)) + 1)


def _graded(scale):
    """Offsets ``eps, 2 eps, 4 eps, ...`` below the widest panel, ``eps = scale / 4``."""
    eps = min(scale, _PANEL_2D) / 4
    mantissa, exponent = math.frexp(_PANEL_2D / eps)  # exact: ceil(log2) without libm
    count = exponent - 1 if mantissa == 0.5 else exponent
    offsets = np.ldexp(eps, np.arange(count))
    return offsets[offsets < _PANEL_2D * (1 - 1e-12)]


def _panels(edges):
    """Nodes and weights (including the standard normal density) of the
    composite rule on ``edges`` (sorted along the last axis)."""
    middle = (edges[..., 1:] + edges[..., :-1]) / 2
    half = (edges[..., 1:] - edges[..., :-1]) / 2
    shape = edges.shape[:-1] + (-1,)
    t = (middle[..., None] + half[..., None] * _NODES_2D).reshape(shape)
    density = t * t
    density *= -0.5
    density = _fixed_math.exp(density)
    density *= (half[..., None] * _SCALED_WEIGHTS_2D).reshape(shape)
    return t, density


@functools.lru_cache(maxsize=256)
def _outer_rule(scale):
    """The rule in ``z1`` graded towards 0 down to ``scale / 4``."""
    graded = _graded(scale)
    edges = np.concatenate([_BASE_2D[_BASE_2D < 0], -graded[::-1], [0.0], graded,
                            _BASE_2D[_BASE_2D > 0]])
    t, weights = _panels(edges)
    t.flags.writeable = False
    weights.flags.writeable = False
    return t, weights


@functools.lru_cache(maxsize=8)
def _grid_2d(q1, q2, c, s, half=False):
    """``(t1, w1, z2, w2)``: outer nodes ``t1`` (N1,) with weights, inner nodes
    ``z2`` (N1, N2) with weights, for ``u1 = sqrt(q1) t1`` and
    ``u2 = sqrt(q2) (c t1 + s z2)``, ``s = sqrt(1 - c**2) > 0``. The grid is
    symmetric under ``(t1, z2) -> (-t1, -z2)``; ``half=True`` keeps the rows with
    ``t1 > 0``, their weights doubled (for integrands even under ``(u1, u2) -> (-u1, -u2)``)."""
    r1, r2 = math.sqrt(q1), math.sqrt(q2)
    scales = [_PANEL_2D]
    if r1 > 0:
        scales.append(1 / r1)
    if c != 0:
        scales.append(s / abs(c))
        if r2 > 0:
            scales.append(1 / (r2 * abs(c)))
    t1, w1 = _outer_rule(min(scales))
    if half:
        t1, w1 = t1[t1 > 0], 2 * w1[t1 > 0]
    graded = _graded(_PANEL_2D if r2 == 0 else 1 / (r2 * s))
    offsets = np.concatenate([-graded[::-1], [0.0], graded])
    kink = -c * t1 / s
    edges = np.concatenate([np.broadcast_to(_BASE_2D, (t1.size, _BASE_2D.size)),
                            np.clip(kink[:, None] + offsets, -_RANGE_2D, _RANGE_2D)], axis=1)
    edges.sort(axis=1)
    z2, w2 = _panels(edges)
    for array in (t1, w1, z2, w2):
        array.flags.writeable = False
    return t1, w1, z2, w2


def _sine(c):
    """``sqrt(1 - c**2)`` without cancellation near ``|c| = 1``."""
    return math.sqrt((1 - c) * (1 + c))


def gaussian_expectation_2d(function, q1, q2, c):
    """``E[function(u1, u2)]`` for ``(u1, u2)`` centred Gaussian with variances
    ``q1``, ``q2`` and correlation ``c``.

    With ``u1 = sqrt(q1) z1`` and ``u2 = sqrt(q2) (c z1 + sqrt(1 - c**2) z2)``
    (``z1``, ``z2`` independent standard normal), ``z1`` is integrated by composite
    Gauss-Legendre quadrature on panels graded geometrically towards ``z1 = 0``
    down to the smallest scale there and ``z2``, per ``z1`` node, on panels
    graded towards the point where ``u2 = 0``, with a panel edge there. The rule
    is exact to rounding (about 1e-15 relative) for functions smooth except where
    ``u1 = 0`` or ``u2 = 0`` (the ReLU family's and SELU's kinks, steps), for every
    ``c`` in [-1, 1] including both ends and for ``q`` from 1e-8 to 1e8.
    At ``c = +-1`` it is the one-dimensional rule of ``function(sqrt(q1) z,
    +-sqrt(q2) z)``.

    Parameters
    ----------
    function : callable
        Called once with two float arrays that broadcast together (``u1`` of
        shape ``(n, 1)``, ``u2`` of shape ``(n, k)``, or two 1-D arrays at
        ``c = +-1``); returns an array of their broadcast shape.
    q1, q2 : float
        The variances, finite and >= 0.
    c : float
        The correlation, in [-1, 1].

    Returns
    -------
    float
    """
    _callable(function)
    q1 = _in_range(q1, "q1", 0.0, _MAX_FLOAT, "a finite number >= 0")
    q2 = _in_range(q2, "q2", 0.0, _MAX_FLOAT, "a finite number >= 0")
    c = _correlation(c, "c")
    s = _sine(c)
    r1, r2 = math.sqrt(q1), math.sqrt(q2)
    if s == 0:
        t, weights = _outer_rule(min([_PANEL_2D] + [1 / r for r in (r1, r2) if r > 0]))
        return _dot(weights, _values(function, r1 * t, (c * r2) * t))
    t1, w1, z2, w2 = _grid_2d(q1, q2, c, s)
    u1 = (r1 * t1)[:, None]
    u2 = r2 * (c * t1[:, None] + s * z2)
    return _dot(w1, _row_dots(w2, _values(function, u1, u2)))


#: Below this ``1 - c``, differences ``phi(u1) - phi(u2)`` are taken without
#: cancellation (above it the direct difference loses less than a digit).
_CLOSE = 1 / 16


def _bivariate(activation, slope, q, c, d, s):
    """``(E[(phi(u1) - phi(u2))**2], E[phi'(u1) phi'(u2)])`` for ``u1``, ``u2`` of
    variance ``q`` > 0 and correlation ``c``; ``d = 1 - c`` and ``s = sqrt(1 - c**2)``
    are passed exactly (near ``c = 1`` they carry digits that ``c`` has lost)."""
    r = math.sqrt(q)
    if s == 0:
        if c > 0:
            return 0.0, _moments(activation, slope, q)["M"]
        z, weights = _rule(q)
        difference = _phi(activation, z, slope) - _phi(activation, -z, slope)
        return (_dot(weights, difference * difference),
                _dot(weights, _phi_prime(activation, z, slope) * _phi_prime(activation, -z, slope)))
    # phi(u) - phi(0) is odd for tanh, the sigmoid and linear: both integrands
    # are even under (u1, u2) -> (-u1, -u2), and half the grid does
    half = activation in ("tanh", "sigmoid", "linear")
    t1, w1, z2, w2 = _grid_2d(q, q, c, s, half)
    a = (r * t1)[:, None]
    b = r * (c * t1[:, None] + s * z2)
    phi_a, prime_a, extra_a = _phi_and_prime(activation, a, slope)
    phi_b, prime_b, extra_b = _phi_and_prime(activation, b, slope)
    if d < _CLOSE or activation == "linear":
        delta = r * (d * t1[:, None] - s * z2)
        difference = _phi_difference(activation, slope, a, b, delta, phi_a, phi_b,
                                     extra_a, extra_b)
    else:
        difference = phi_a - phi_b
    squares = _row_dots(w2, difference * difference)
    primes = _row_dots(w2, prime_b)
    return _dot(w1, squares), _dot(w1, prime_a[:, 0] * primes)


# ---------------------------------------------------------------------------
# Root finding
# ---------------------------------------------------------------------------

def _brent(function, a, b, fa, fb, rtol=4 * _EPS, max_iterations=200):
    """A root of ``function`` in ``[a, b]`` where ``fa`` and ``fb`` have opposite
    signs (Brent's method: inverse quadratic interpolation, secant, bisection)."""
    if fa == 0:
        return a
    if fb == 0:
        return b
    if abs(fa) < abs(fb):
        a, b, fa, fb = b, a, fb, fa
    c, fc, mflag, d = a, fa, True, 0.0
    for _ in range(max_iterations):
        if fa != fc and fb != fc:
            s = (a * fb * fc / ((fa - fb) * (fa - fc)) + b * fa * fc / ((fb - fa) * (fb - fc))
                 + c * fa * fb / ((fc - fa) * (fc - fb)))
        else:
            s = b - fb * (b - a) / (fb - fa)
        tolerance = rtol * abs(b) + 1e-300
        bisect = (not (min((3 * a + b) / 4, b) < s < max((3 * a + b) / 4, b))
                  or (mflag and abs(s - b) >= abs(b - c) / 2)
                  or (not mflag and abs(s - b) >= abs(c - d) / 2)
                  or (mflag and abs(b - c) < tolerance)
                  or (not mflag and abs(c - d) < tolerance))
        if bisect:
            s, mflag = (a + b) / 2, True
        else:
            mflag = False
        fs = function(s)
        d, c, fc = c, b, fb
        if fs == 0:
            return s
        if (fa < 0) != (fs < 0):
            b, fb = s, fs
        else:
            a, fa = s, fs
        if abs(fa) < abs(fb):
            a, b, fa, fb = b, a, fb, fa
        if abs(b - a) <= 2 * (rtol * abs(b) + 1e-300):
            return b
    return b


# ---------------------------------------------------------------------------
# The length map
# ---------------------------------------------------------------------------

def _length_map(activation, slope, q, sigma_w2, sigma_b2):
    return sigma_w2 * _moments(activation, slope, q)["V"] + sigma_b2


def length_map(q, sigma_w2, sigma_b2=0.0, *, activation="tanh",
               negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """The length map ``q -> sigma_w2 * E[phi(z)**2] + sigma_b2``, ``z ~ N(0, q)``:
    the second moment of the next layer's pre-activations (Poole et al. 2016).

    Parameters
    ----------
    q : float
        This layer's pre-activation second moment, in [0, 1e100].
    sigma_w2 : float
        ``fan_in * Var(W)``, in [0, 1e6].
    sigma_b2 : float, default 0.0
        ``Var(b)``, in [0, 1e6].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float
    """
    name, slope = _hidden(activation, negative_slope)
    return _length_map(name, slope, _length(q, "q"), _variance(sigma_w2, "sigma_w2"),
                       _variance(sigma_b2, "sigma_b2"))


def _length_fixed_point(activation, slope, sigma_w2, sigma_b2):
    if sigma_w2 == 0:
        return sigma_b2
    k = _homogeneous_k(activation, slope)
    if k is not None:  # the map is the line q -> sigma_w2 k q + sigma_b2
        gain = sigma_w2 * k
        if abs(gain - 1) <= _ROUNDING:
            return 1.0 if sigma_b2 == 0 else math.inf
        return math.inf if gain > 1 else sigma_b2 / (1 - gain)
    moments = functools.partial(_moments, activation, slope)
    phi0 = float(_phi(activation, np.zeros(1), slope)[0])
    if activation == "selu":
        gain = sigma_w2 * (SELU_SCALE * SELU_SCALE) / 2  # the slope of the map at infinity
        if gain >= 1 - _ROUNDING:
            return math.inf
        # E[selu(z)**2] <= scale**2 (q / 2 + alpha**2 / 2) bounds the map above
        high = (sigma_w2 * ((SELU_SCALE * SELU_ALPHA) * (SELU_SCALE * SELU_ALPHA)) / 2 + sigma_b2) / (1 - gain) * 1.01
    else:  # tanh and the sigmoid are bounded by 1
        high = sigma_w2 + sigma_b2
    if sigma_b2 == 0 and phi0 == 0 and sigma_w2 * moments(0.0)["M"] <= 1 + _ROUNDING:
        return 0.0  # q = 0 is the only fixed point, and it attracts

    def excess(q):
        return sigma_w2 * moments(q)["V"] + sigma_b2 - q

    # The map is increasing and meets the diagonal once above 0, from above: a
    # safeguarded Newton iteration from the top of the bracket [low, high].
    low, q = 0.0, high
    value = excess(q)
    for _ in range(200):
        if abs(value) <= _EPS * q:  # the residual is at rounding level
            return q
        if value > 0:
            low = q
        else:
            high = q
        m = moments(q)
        slope_q = sigma_w2 * (m["M"] + m["P"]) - 1
        step = value / slope_q if slope_q < 0 else math.inf
        candidate = q - step
        if not low < candidate < high:
            candidate = (low + high) / 2
        if abs(candidate - q) <= 2 * _EPS * q or high - low <= 2 * _EPS * high:
            return candidate
        q = candidate
        value = excess(q)
    return q


def length_fixed_point(sigma_w2, sigma_b2=0.0, *, activation="tanh",
                       negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """``q*``: the fixed point of :func:`length_map` that the map reaches from
    ``q = 1``, to about 1e-15 relative.

    - tanh, the sigmoid and SELU below its limit: the map is increasing and meets
      the diagonal once above 0, where it is solved by Newton's method in a
      bracket. ``0.0`` where ``phi(0) = 0``, ``sigma_b2 = 0`` and the slope of the
      map at 0 is at most 1 (tanh with ``sigma_w2 <= 1``).
    - The ReLU family and linear: the map is ``q -> sigma_w2 k q + sigma_b2`` with
      ``k = E[phi(z)**2] / q`` (1/2 for ReLU, ``(1 + a**2) / 2`` for leaky ReLU, 1
      for linear), so ``q* = sigma_b2 / (1 - sigma_w2 k)`` where
      ``sigma_w2 k < 1``; ``math.inf`` where ``sigma_w2 k > 1``, or ``= 1`` with
      ``sigma_b2 > 0``; ``1.0`` (the start: every ``q`` is fixed) where
      ``sigma_w2 k = 1`` and ``sigma_b2 = 0``.
    - SELU: ``math.inf`` where ``sigma_w2 * SELU_SCALE**2 / 2 >= 1`` (the map's
      slope at infinity).

    Parameters
    ----------
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float
        ``q*``, possibly ``0.0`` or ``math.inf``.
    """
    name, slope = _hidden(activation, negative_slope)
    return _length_fixed_point(name, slope, _variance(sigma_w2, "sigma_w2"),
                               _variance(sigma_b2, "sigma_b2"))


def length_trajectory(q0, depth, sigma_w2, sigma_b2=0.0, *, activation="tanh",
                      negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """The second moments ``q^1, ..., q^depth`` of the pre-activations of
    ``depth`` layers, for an input whose features have mean square ``q0``.

    As :func:`fastinit.propagation.mean_field`: the first layer is linear in the
    input, ``q^1 = sigma_w2 * q0 + sigma_b2``, then ``q^{l+1} = length_map(q^l)``.

    Parameters
    ----------
    q0 : float
        The input's mean of ``x**2`` over its features, in [0, 1e100].
    depth : int
        The number of layers, in [1, 100000].
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    ndarray, shape (depth,)
        ``inf`` from the layer after one whose length exceeds 1e100.
    """
    name, slope = _hidden(activation, negative_slope)
    q0 = _length(q0, "q0")
    depth = _depth(depth)
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    q = np.empty(depth)
    q[0] = sigma_w2 * q0 + sigma_b2
    for layer in range(1, depth):
        q[layer] = _length_map(name, slope, q[layer - 1], sigma_w2, sigma_b2) \
            if q[layer - 1] <= MAX_Q else math.inf
    return q


# ---------------------------------------------------------------------------
# The correlation map
# ---------------------------------------------------------------------------

def _limit_q(activation, slope, q):
    """``(activation, slope, q, drop_bias)`` at which to evaluate the maps for a
    length ``q``: ``q = 0`` is the limit ``q -> 0+``; ``q = inf`` the limit
    ``q -> inf``, exact for the homogeneous activations (evaluated at q = 1
    without the bias) and SELU's (a scaled ReLU's; the scale cancels)."""
    if q == 0:
        return activation, slope, _TINY_Q, False
    if math.isinf(q):
        return ("relu" if activation == "selu" else activation), slope, 1.0, True
    return activation, slope, q, False


def _correlation_step(activation, slope, q, d, sigma_w2, sigma_b2):
    """``(q_next, d_next)``: one layer of the maps for two inputs of length ``q``
    whose correlation is ``1 - d``; ``d_next = 1 - c_next``."""
    q_next = _length_map(activation, slope, q, sigma_w2, sigma_b2) if math.isfinite(q) \
        else math.inf
    if d == 0:
        return q_next, 0.0
    name, name_slope, q_eval, drop_bias = _limit_q(activation, slope, q)
    bias = 0.0 if drop_bias else sigma_b2
    squares, _ = _bivariate(name, name_slope, q_eval, 1 - d, d, math.sqrt(d * (2 - d)))
    norm = sigma_w2 * _moments(name, name_slope, q_eval)["V"] + bias
    if norm == 0:
        return q_next, math.nan
    return q_next, sigma_w2 * squares / (2 * norm)


def correlation_map(c, sigma_w2, sigma_b2=0.0, *, q=None, activation="tanh",
                    negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """The correlation map: the next layer's correlation of two inputs whose
    pre-activations both have second moment ``q`` and correlation ``c``,
    ``(sigma_w2 E[phi(u1) phi(u2)] + sigma_b2) / q_next`` with
    ``q_next = length_map(q)`` (Poole et al. 2016).

    Computed as ``1 - sigma_w2 E[(phi(u1) - phi(u2))**2] / (2 q_next)``, so that a
    correlation near 1 keeps its distance to 1 to full relative precision.

    Parameters
    ----------
    c : float
        In [-1, 1].
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    q : float, optional
        The common second moment, in [0, 1e100]; default :func:`length_fixed_point`
        (where ``q*`` is infinite, the map's limit ``q -> inf``).
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float
        NaN where both inputs' next pre-activations are exactly 0.
    """
    name, slope = _hidden(activation, negative_slope)
    c = _correlation(c, "c")
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    q = _length_fixed_point(name, slope, sigma_w2, sigma_b2) if q is None else _length(q, "q")
    _, d = _correlation_step(name, slope, q, 1 - c, sigma_w2, sigma_b2)
    return 1 - d


def correlation_trajectory(q0, c0, depth, sigma_w2, sigma_b2=0.0, *, activation="tanh",
                           negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """The lengths and correlations of two inputs' pre-activations through
    ``depth`` layers.

    The inputs have the same mean square ``q0`` over their features and
    correlation ``c0`` (``mean(xa * xb) / q0``). The first layer is linear in the
    input: ``q^1 = sigma_w2 q0 + sigma_b2`` and ``c^1 = (sigma_w2 q0 c0 + sigma_b2) / q^1``;
    then ``q^{l+1} = length_map(q^l)`` and ``c^{l+1} = correlation_map(c^l, q=q^l)``,
    both lengths moving together (as :func:`length_trajectory`).

    Parameters
    ----------
    q0 : float
        The inputs' mean of ``x**2``, in [0, 1e100].
    c0 : float
        The inputs' correlation, in [-1, 1].
    depth : int
        In [1, 100000].
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    q : ndarray, shape (depth,)
    c : ndarray, shape (depth,)
        NaN where the pre-activations are exactly 0 (no bias, zero input) or
        their lengths have overflowed.
    """
    name, slope = _hidden(activation, negative_slope)
    q0 = _length(q0, "q0")
    c0 = _correlation(c0, "c0")
    depth = _depth(depth)
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    q, d = np.empty(depth), np.empty(depth)
    q[0] = sigma_w2 * q0 + sigma_b2
    d[0] = sigma_w2 * q0 * (1 - c0) / q[0] if q[0] > 0 else math.nan
    for layer in range(1, depth):
        if not (math.isfinite(d[layer - 1]) and q[layer - 1] <= MAX_Q):
            q[layer] = math.inf if q[layer - 1] > MAX_Q else q[layer - 1]
            d[layer] = math.nan
            continue
        q[layer], d[layer] = _correlation_step(name, slope, q[layer - 1], d[layer - 1],
                                               sigma_w2, sigma_b2)
        if q[layer] == 0:
            d[layer] = math.nan
    return q, 1 - d


def _chi_1(activation, slope, sigma_w2, q):
    if math.isinf(q):
        return sigma_w2 * _asymptotic_prime_moments(activation, slope)[0]
    return sigma_w2 * _moments(activation, slope, q)["M"]


def chi_1(sigma_w2, sigma_b2=0.0, *, q=None, activation="tanh",
          negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """``chi_1 = sigma_w2 E[phi'(z)**2]``, ``z ~ N(0, q)``: the slope of the
    correlation map at ``c = 1`` and the factor by which the mean square of the
    backpropagated gradients grows per layer (Schoenholz et al. 2017).
    Below 1 the network is ordered, above 1 chaotic.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    q : float, optional
        In [0, 1e100]; default :func:`length_fixed_point` (its limit where that is
        infinite; the limit ``q -> 0+`` at 0).
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float
    """
    name, slope = _hidden(activation, negative_slope)
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    q = _length_fixed_point(name, slope, sigma_w2, sigma_b2) if q is None else _length(q, "q")
    return _chi_1(name, slope, sigma_w2, q)


def _correlation_fixed_point(activation, slope, sigma_w2, sigma_b2, q_star):
    """``(d*, chi_c)``: ``1 - c*`` and ``sigma_w2 E[phi'(u1) phi'(u2)]`` there."""
    chi = _chi_1(activation, slope, sigma_w2, q_star)
    if math.isinf(q_star) or chi <= 1 + _ROUNDING:
        return 0.0, chi
    # Chaotic (q* is then finite and > 0: chi_1 <= 1 where q* = 0). c = 1 repels,
    # and the map C is increasing and convex on [0, 1] (its Taylor coefficients
    # in c are sigma_w2 E[phi He_k]**2 / (k! q*) >= 0), so C(c) = c has one root
    # c* in [0, 1). With d = 1 - c and D(d) = 1 - C(1 - d), h = 1 - D(d) / d is
    # the mean slope of C over [c, 1] less 1: increasing and concave in d, from
    # 1 - chi_1 < 0 at d = 0+ to C(0) >= 0 at d = 1. It is solved in x = sqrt(d)
    # (where q* is large, D grows like sqrt(d) down to d ~ 1 / q*) by Newton's
    # method in a bracket, falling back on Newton's method in 1 / x (exact where
    # D ~ sqrt(d)) and on the Illinois secant.
    q = q_star
    m = _moments(activation, slope, q)
    norm = sigma_w2 * m["V"] + sigma_b2
    ratio = sigma_w2 * q / norm  # C'(c) = ratio E[phi'(u1) phi'(u2)] (1 at q = q*)

    def h(x):
        """``(h, dh/dx, chi_c)`` at ``d = x**2``."""
        d = x * x
        squares, primes = _bivariate(activation, slope, q, 1 - d, d, x * math.sqrt(2 - d))
        big_d = sigma_w2 * squares / (2 * norm)
        # dh/dd = (D(d) - d C'(1 - d)) / d**2
        return 1 - big_d / d, 2 * (big_d - d * ratio * primes) / (d * x), sigma_w2 * primes

    # At c = 0 the inputs are independent: h(1) = C(0) and its slope are 1-D
    low, high, h_low = 0.0, 1.0, 1 - chi
    h_high = (sigma_w2 * (m["mean"] * m["mean"]) + sigma_b2) / norm
    if h_high <= 0:  # C(0) = 0: c* = 0 (odd activations without bias)
        return 1.0, sigma_w2 * (m["mean_prime"] * m["mean_prime"])
    slope_high = 2 * (1 - h_high - ratio * (m["mean_prime"] * m["mean_prime"]))
    # A start from the quadratic in x through h(0+), h(1) and h'(1), and no lower
    # than the root of the tangent at d = 0 (C''(1) = sigma_w2 q* E[phi''**2],
    # finite for the smooth activations), which concavity puts below d*
    a = slope_high - (h_high - h_low)
    b = (h_high - h_low) - a
    discriminant = b * b - 4 * a * h_low
    if a != 0 and discriminant >= 0:
        x = (-b + math.sqrt(discriminant)) / (2 * a) if a > 0 else \
            -2 * h_low / (b + math.sqrt(discriminant))
    else:
        x = -h_low / b if b > 0 else math.nan
    if activation in ("tanh", "sigmoid") and m["S"] > 0:
        bound = math.sqrt(-h_low / (sigma_w2 * q * m["S"] / 2))
        if not x >= bound:
            x = bound
    if not low < x < high:
        x = -h_low / (h_high - h_low)
    value, slope_x, chi_c = h(x)
    side = 0
    for _ in range(100):
        if value == 0:
            break
        if value > 0:
            high, h_high = x, value
            if side == 1:
                h_low /= 2
            side = 1
        else:
            low, h_low = x, value
            if side == -1:
                h_high /= 2
            side = -1
        candidate = x - value / slope_x if slope_x > 0 else math.nan
        if not low < candidate < high:  # Newton's method in y = 1 / x
            y = 1 / x + value / (slope_x * x * x) if slope_x > 0 else math.nan
            candidate = 1 / y if y > 0 else math.nan
            if not low < candidate < high:  # the Illinois secant, then bisection
                candidate = low - h_low * (high - low) / (h_high - h_low)
                if not low < candidate < high:
                    candidate = (low + high) / 2
        step = abs(candidate - x)
        x = candidate
        if step <= 4 * _EPS * x:
            break
        value, slope_x, chi_c = h(x)
        if step <= 1e-7 * x:  # quadratic convergence: the next step is below rounding
            break
    return x * x, chi_c


def correlation_fixed_point(sigma_w2, sigma_b2=0.0, *, activation="tanh",
                            negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """``c*``: the stable fixed point of :func:`correlation_map` at ``q*``.

    ``1.0`` in the ordered phase (``chi_1 <= 1``: ``c = 1`` attracts) and where
    ``q*`` is infinite (the ReLU family's normalized map has slope 1 at ``c = 1``);
    in the chaotic phase the other fixed point, in [0, 1) (0 for odd activations
    without bias), solved to about 1e-15 in ``1 - c*``.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float
    """
    name, slope = _hidden(activation, negative_slope)
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    q_star = _length_fixed_point(name, slope, sigma_w2, sigma_b2)
    d, _ = _correlation_fixed_point(name, slope, sigma_w2, sigma_b2, q_star)
    return 1 - d


def chi_c(sigma_w2, sigma_b2=0.0, *, q=None, c=None, activation="tanh",
          negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """``chi_c = sigma_w2 E[phi'(u1) phi'(u2)]``, ``(u1, u2)`` of variance ``q`` and
    correlation ``c``: the slope of the correlation map at ``c`` when ``q`` is a
    fixed point (Schoenholz et al. 2017). At ``c = 1`` it is ``chi_1``.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    q : float, optional
        In [0, 1e100]; default ``q*``.
    c : float, optional
        In [-1, 1]; default :func:`correlation_fixed_point`.
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float
    """
    name, slope = _hidden(activation, negative_slope)
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    q_star = None
    if q is None:
        q = q_star = _length_fixed_point(name, slope, sigma_w2, sigma_b2)
    else:
        q = _length(q, "q")
    if c is None:
        if q_star is None:
            q_star = _length_fixed_point(name, slope, sigma_w2, sigma_b2)
        d, value = _correlation_fixed_point(name, slope, sigma_w2, sigma_b2, q_star)
        if q == q_star:
            return value
    else:
        d = 1 - _correlation(c, "c")
    if d == 0:
        return _chi_1(name, slope, sigma_w2, q)
    # at q = inf SELU's derivatives are a ReLU's times SELU_SCALE
    scale = SELU_SCALE * SELU_SCALE if name == "selu" and math.isinf(q) else 1.0
    name, slope, q, _ = _limit_q(name, slope, q)
    return scale * sigma_w2 * _bivariate(name, slope, q, 1 - d, d, math.sqrt(d * (2 - d)))[1]


def _depth_scale(chi):
    """``-1 / ln(chi)``: ``inf`` where ``chi`` is 1 to rounding, NaN above (no
    fixed point attracts), 0.0 at ``chi = 0``."""
    if abs(chi - 1) <= _ROUNDING:
        return math.inf
    if not chi < 1:  # above 1, or NaN
        return math.nan
    return -1 / float(_fixed_math.log(chi)) if chi > 0 else 0.0


def depth_scales(sigma_w2, sigma_b2=0.0, *, activation="tanh",
                 negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """``(xi_q, xi_c)``: the depth scales over which the length and the
    correlation approach ``q*`` and ``c*`` (Schoenholz et al. 2017)::

        xi_q = -1 / ln(chi_1 + sigma_w2 E[phi''(z) phi(z)])     (z ~ N(0, q*))
        xi_c = -1 / ln(chi_c)                                   (at q*, c*)

    ``chi_1 + sigma_w2 E[phi'' phi]`` is the slope of the length map at ``q*``.
    ``xi_c`` is ``math.inf`` at criticality (``chi_c = 1`` to rounding). Where ``q*``
    is infinite the slopes are their limits at infinity: ``(inf, inf)`` on the
    critical line of the ReLU family, NaN above it (nothing attracts); a depth
    scale is 0.0 where its slope is 0.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    (float, float)
    """
    name, slope = _hidden(activation, negative_slope)
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    q_star = _length_fixed_point(name, slope, sigma_w2, sigma_b2)
    if math.isinf(q_star):
        length_slope = _chi_1(name, slope, sigma_w2, q_star)
    else:
        m = _moments(name, slope, q_star)
        length_slope = sigma_w2 * (m["M"] + m["P"])
    _, chi = _correlation_fixed_point(name, slope, sigma_w2, sigma_b2, q_star)
    return _depth_scale(length_slope), _depth_scale(chi)


# ---------------------------------------------------------------------------
# The edge of chaos
# ---------------------------------------------------------------------------

def _critical_sigma_w2(activation, slope, sigma_b2):
    if activation in ("relu", "leaky_relu", "linear"):  # chi_1 = sigma_w2 k at every q
        return {"relu": 2.0, "leaky_relu": 2 / (1 + slope * slope), "linear": 1.0}[activation]
    phi0 = float(_phi(activation, np.zeros(1), slope)[0])
    if sigma_b2 == 0 and phi0 == 0:
        # q* = 0 on the critical line (tanh: sigma_w2 = 1 exactly)
        return 1 / _moments(activation, slope, 0.0)["M"]

    # On the critical line, with q = q*: sigma_w2 = 1 / E[phi'**2] and the bias
    # variance that makes q a fixed point is q - E[phi**2] / E[phi'**2].
    def excess(q):
        m = _moments(activation, slope, q)
        return q - m["V"] / m["M"] - sigma_b2

    # excess(q) rises through 0 once where it matters: for tanh and SELU it
    # increases from 0 at q = 0; the sigmoid's dips below -4 first, before q = 1.
    q, value = 1.0, excess(1.0)
    factor = 10.0 if value < 0 else 0.1
    for _ in range(20):
        other = q * factor
        other_value = excess(other)
        if (other_value < 0) != (value < 0):
            root = _brent(excess, q, other, value, other_value)
            return 1 / _moments(activation, slope, root)["M"]
        q, value = other, other_value
    if phi0 == 0 and factor < 1:
        # sigma_b2 so small that q* < 1e-19, where q - E[phi**2] / E[phi'**2] is
        # below the rounding of its terms: the limit sigma_b2 -> 0
        return 1 / _moments(activation, slope, 0.0)["M"]
    raise ValueError(f"no critical sigma_w2 (chi_1 = 1 at q*) for {activation} with "
                     f"sigma_b2 = {sigma_b2!r} and q* in [1e-20, 1e20]")


def critical_sigma_w2(sigma_b2=0.0, *, activation="tanh", negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """The ``sigma_w2`` on the edge of chaos: ``chi_1 = 1`` at ``q*(sigma_w2)``.

    Exact for the ReLU family and linear, whatever ``sigma_b2``: ``2`` for ReLU,
    ``2 / (1 + a**2)`` for leaky ReLU, 1 for linear (where ``sigma_b2 > 0``, ``q*`` is
    infinite there and ``chi_1`` is its limit). For tanh and SELU without bias,
    ``1 / phi'(0)**2``-like: the critical point has ``q* = 0`` (tanh: 1 exactly).
    Otherwise along the critical line parametrized by ``q = q*``:
    ``sigma_w2 = 1 / E[phi'(z)**2]`` and ``sigma_b2 = q - E[phi(z)**2] / E[phi'(z)**2]``,
    solved for ``q`` by Brent's method, so that ``|chi_1 - 1|`` is at rounding level.

    Parameters
    ----------
    sigma_b2 : float, default 0.0
        In [0, 1e6].
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Where no ``sigma_w2`` puts the network on the edge of chaos (with ``q*`` in
        [1e-20, 1e20]).
    """
    name, slope = _hidden(activation, negative_slope)
    return _critical_sigma_w2(name, slope, _variance(sigma_b2, "sigma_b2"))


def critical_line(sigma_b2_values, *, activation="tanh", negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """:func:`critical_sigma_w2` at each of ``sigma_b2_values``.

    Parameters
    ----------
    sigma_b2_values : array_like of float
        Each in [0, 1e6]; any shape.
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    ndarray of the shape of ``sigma_b2_values``
    """
    name, slope = _hidden(activation, negative_slope)
    if isinstance(sigma_b2_values, (str, bytes)):
        raise TypeError(f"sigma_b2_values must be an array of numbers, got "
                        f"{type(sigma_b2_values).__name__}")
    try:
        values = np.asarray(sigma_b2_values)
    except ValueError as error:  # ragged nesting
        raise ValueError(f"sigma_b2_values must be an array of numbers: {error}") from None
    if values.size > MAX_LINE_POINTS:
        raise ValueError(f"sigma_b2_values must hold at most {MAX_LINE_POINTS} values, got "
                         f"{values.size}")
    if values.dtype == bool or not (np.issubdtype(values.dtype, np.integer)
                                    or np.issubdtype(values.dtype, np.floating)):
        raise TypeError(f"sigma_b2_values must be an array of real numbers, got dtype "
                        f"{values.dtype}")
    values = values.astype(np.float64)
    bad = ~((values >= 0) & (values <= MAX_VARIANCE))
    if bad.any():
        raise ValueError(f"sigma_b2_values must be numbers in [0, {MAX_VARIANCE:g}], got "
                         f"{values[bad].ravel()[0]!r}")
    return np.array([_critical_sigma_w2(name, slope, float(b)) for b in values.ravel()],
                    dtype=np.float64).reshape(values.shape)


# ---------------------------------------------------------------------------
# The input-output Jacobian
# ---------------------------------------------------------------------------

def jacobian_moments(sigma_w2, sigma_b2, depth, *, weights="gaussian", activation="tanh",
                     negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """The mean and variance of the squared singular values of the input-output
    Jacobian ``J = D_L W_L ... D_1 W_1`` (``D_l = diag(phi'(z^l))``) of ``depth``
    wide layers at the fixed point ``q*``, by free probability (Pennington,
    Schoenholz and Ganguli 2017)::

        mean     = (sigma_w2 mu_1) ** depth
        variance = depth * mean**2 * (mu_2 / mu_1**2 - 1 - s_1)

    with ``mu_k = E[phi'(z)**(2k)]``, ``z ~ N(0, q*)``, and ``s_1`` the first
    coefficient of the S-transform of ``W W^T / sigma_w2``: -1 for Gaussian
    weights (Marchenko-Pastur), 0 for orthogonal ones. The moments of ``J J^T``
    multiply over free layers: its S-transform is the product of the layers'
    ``S_{D^2} S_{W W^T}``, ``S(z) = (1 - v z + ...) / m`` for mean ``m`` and
    normalized variance ``v``, so the means multiply and the ``v`` add.

    Parameters
    ----------
    sigma_w2, sigma_b2 : float
        In [0, 1e6].
    depth : int
        >= 1.
    weights : {"gaussian", "orthogonal"}, default "gaussian"
    activation : str, default "tanh"
    negative_slope : float, default 0.01

    Returns
    -------
    (float, float)
        ``inf`` where they overflow; where ``q*`` is infinite, ``mu_k`` are their
        limits (exact for the ReLU family).
    """
    name, slope = _hidden(activation, negative_slope)
    sigma_w2 = _variance(sigma_w2, "sigma_w2")
    sigma_b2 = _variance(sigma_b2, "sigma_b2")
    depth = _depth(depth, high=2 ** 63 - 1)
    if not isinstance(weights, str):
        raise TypeError(f"weights must be a str, got {type(weights).__name__}")
    if weights not in ("gaussian", "orthogonal"):
        raise ValueError(f"weights must be 'gaussian' or 'orthogonal', got {weights!r}")
    s_1 = -1.0 if weights == "gaussian" else 0.0
    q_star = _length_fixed_point(name, slope, sigma_w2, sigma_b2)
    if math.isinf(q_star):
        mu_1, mu_2 = _asymptotic_prime_moments(name, slope)
    else:
        m = _moments(name, slope, q_star)
        mu_1, mu_2 = m["M"], m["M2"]
    if mu_1 == 0 or sigma_w2 == 0:
        return 0.0, 0.0
    # x**depth by double-double powering (Python's ** calls the C library's pow)
    mean = _fixed_math.power(sigma_w2 * mu_1, depth)
    spread = mu_2 / (mu_1 * mu_1) - 1 - s_1
    if not spread > 0:  # every squared singular value is the mean (to rounding)
        return mean, 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        variance = float(np.float64(depth) * np.float64(mean * mean) * spread)
    return mean, max(variance, 0.0)


# ---------------------------------------------------------------------------
# SELU (Klambauer et al. 2017)
# ---------------------------------------------------------------------------

def _shifted_rule(mean, std):
    """Nodes ``z`` and weights for ``z ~ N(mean, std**2)``, ``std > 0``, with a
    panel edge where ``z = 0`` and panels graded around it."""
    t, weights = _outer_rule(min(_PANEL_2D, 1 / std))
    kink = -mean / std
    if abs(kink) < _RANGE_2D:
        graded = _graded(min(_PANEL_2D, 1 / std))
        edges = np.unique(np.concatenate([_BASE_2D, np.clip(
            kink + np.concatenate([-graded[::-1], [0.0], graded]), -_RANGE_2D, _RANGE_2D)]))
        t, weights = _panels(edges)
    return mean + std * t, weights


def _selu(z):
    return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * _fixed_math.expm1(np.minimum(z, 0)))


def _selu_map(mean, variance, omega, tau):
    m, v = mean * omega, variance * tau
    if v == 0:
        value = float(_selu(np.array([m]))[0])
        return value, 0.0
    z, weights = _shifted_rule(m, math.sqrt(v))
    y = _selu(z)
    first = _dot(weights, y)
    deviation = y - first
    return first, _dot(weights, deviation * deviation)


def selu_moment_map(mean, variance, *, omega=0.0, tau=1.0):
    """Klambauer et al.'s map ``g: (mu, nu) -> (mu~, nu~)`` (their eqs. 3-5): the
    mean and variance of ``selu(z)``, ``z ~ N(mu * omega, nu * tau)``, for a unit
    whose inputs are independent with mean ``mu`` and variance ``nu`` and whose
    weights have ``omega = sum w_i`` and ``tau = sum w_i**2``. SELU's constants are
    :data:`fastinit.activations.SELU_ALPHA` and ``SELU_SCALE``.

    By quadrature (the variance as ``E[(selu(z) - mu~)**2]``, which keeps its
    digits where the mean is large), with a panel edge at ``z = 0``.

    Parameters
    ----------
    mean : float
        ``mu``, finite, ``|mu| <= 1e6``.
    variance : float
        ``nu``, in [0, 1e6].
    omega : float, default 0.0
        ``|omega| <= 1e6``.
    tau : float, default 1.0
        In [0, 1e6].

    Returns
    -------
    (float, float)
        ``(mu~, nu~)``.
    """
    mean = _in_range(mean, "mean", -MAX_VARIANCE, MAX_VARIANCE)
    variance = _variance(variance, "variance")
    omega = _in_range(omega, "omega", -MAX_VARIANCE, MAX_VARIANCE)
    tau = _variance(tau, "tau")
    return _selu_map(mean, variance, omega, tau)


def selu_fixed_point(omega=0.0, tau=1.0):
    """The stable fixed point ``(mu*, nu*)`` of :func:`selu_moment_map`: Newton's
    method from ``(0, 1)`` on ``g(mu, nu) - (mu, nu)`` with the Jacobian by
    central differences. ``(0, 1)`` for ``omega = 0``, ``tau = 1``: SELU's
    constants were chosen for it (Klambauer et al. 2017, eq. 14).

    Parameters
    ----------
    omega : float, default 0.0
        ``|omega| <= 1e6``.
    tau : float, default 1.0
        In (0, 1e6].

    Returns
    -------
    (float, float)

    Raises
    ------
    ValueError
        Where Newton's method finds no fixed point with a positive variance.
    """
    omega = _in_range(omega, "omega", -MAX_VARIANCE, MAX_VARIANCE)
    tau = _variance(tau, "tau")
    if tau == 0:
        raise ValueError("tau must be > 0 (with tau = 0 every unit is constant), got 0.0")
    x = np.array([0.0, 1.0])

    def residual(point):
        return np.array(_selu_map(point[0], point[1], omega, tau)) - point

    value = residual(x)
    for _ in range(100):
        jacobian = np.empty((2, 2))
        for j in range(2):
            h = 1e-6 * max(1.0, abs(x[j]))
            up, down = x.copy(), x.copy()
            up[j] += h
            down[j] = max(down[j] - h, 0.0) if j == 1 else down[j] - h
            jacobian[:, j] = (residual(up) - residual(down)) / (up[j] - down[j])
        # the 2x2 system by Cramer's rule (np.linalg.solve calls LAPACK)
        determinant = jacobian[0, 0] * jacobian[1, 1] - jacobian[0, 1] * jacobian[1, 0]
        if not (determinant != 0 and np.isfinite(determinant)):
            break
        step = np.array([value[0] * jacobian[1, 1] - jacobian[0, 1] * value[1],
                         jacobian[0, 0] * value[1] - value[0] * jacobian[1, 0]]) / determinant
        candidate = x - step
        if not (np.all(np.isfinite(candidate)) and candidate[1] > 0):
            break
        new_value = residual(candidate)
        converged = np.all(np.abs(step) <= 8 * _EPS * np.maximum(1.0, np.abs(candidate)))
        x, value = candidate, new_value
        if converged or not np.any(value):
            return float(x[0]), float(x[1])
    if np.all(np.abs(value) <= 1e-13 * np.maximum(1.0, np.abs(x))):
        return float(x[0]), float(x[1])
    raise ValueError(f"no fixed point of the SELU moment map found for omega = {omega!r}, "
                     f"tau = {tau!r}")
