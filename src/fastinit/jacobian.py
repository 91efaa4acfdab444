"""The input-output Jacobian at initialization: its squared singular values,
seed by seed, exactly, with the free-probability theory of their mean and
variance beside them (Pennington, Schoenholz and Ganguli 2017)."""

import concurrent.futures
import math
from dataclasses import dataclass, field

import numpy as np

from . import _kernels
from ._fixed_order import total
from ._validation import (check_hidden_layers_dims, check_memory, check_positive_int,
                          check_seeds)
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, SELU_ALPHA, SELU_SCALE, \
    check_activation
from .initializers import activation_options, bias_variances, initialize, weight_variances
from .network import _forward_buffer, _prepare
from .propagation import mean_field
from .theory import MAX_Q, MAX_VARIANCE, _phi_prime
from .theory import _moments as _expectations
from .threads import available_cores

__all__ = ["JacobianSpectrum", "jacobian", "jacobian_spectrum"]

#: Initializers whose weights are orthogonal matrices (times a gain); the
#: theory treats every other one as Gaussian (i.i.d. entries of a wide layer
#: have the Gaussian's singular values).
ORTHOGONAL = ("orthogonal",)


@dataclass
class JacobianSpectrum:
    """What :func:`jacobian_spectrum` measured.

    Attributes
    ----------
    squared_singular_values : ndarray, shape (n_seeds, k)
        Each seed's squared singular values of ``J``, ascending, ``k = min(n_0,
        n_{L-1})``: the squares of LAPACK's singular values of ``J`` itself (not
        the eigenvalues of ``J^T J``, which lose every value below ``k * eps``
        times the largest; these keep values down to about ``(k * eps)**2`` times
        it). Their last bits may depend on the CPU; the moments below do not.
    mean, variance : ndarray, shape (n_seeds,)
        The mean and variance of each seed's ``k`` squared singular values:
        ``tr(G) / k`` and ``tr(G @ G) / k - mean**2`` of the Gram matrix ``G``
        of ``J``, summed in a fixed order (the same bits on every CPU).
    theory_mean, theory_variance : float
        Free probability's prediction for infinitely wide layers, layer by layer
        along the mean-field lengths of this input; NaN where the initializer has
        no weight variance fixed by the fans.
    weights : str
        ``"gaussian"`` or ``"orthogonal"``: which theory applies.
    seeds : list of int
    layers_dims, method, activation, negative_slope, init_options
    """

    squared_singular_values: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    theory_mean: float
    theory_variance: float
    weights: str
    seeds: list
    layers_dims: list
    method: str
    activation: str
    negative_slope: float = DEFAULT_NEGATIVE_SLOPE
    init_options: dict = field(default_factory=dict)


def _derivative(name, Z, A, slope):
    """``phi'(Z)`` from the compiled core's own ``Z`` and ``A`` (never NumPy's
    transcendental functions, whose last bits depend on the CPU)."""
    if name == "relu":
        return (Z > 0).astype(A.dtype)
    if name == "leaky_relu":
        return np.where(Z > 0, A.dtype.type(1), A.dtype.type(slope))
    if name == "tanh":
        return 1 - A * A
    if name == "sigmoid":
        return A * (1 - A)
    if name == "selu":
        return np.where(Z > 0, A.dtype.type(SELU_SCALE), A + A.dtype.type(SELU_SCALE * SELU_ALPHA))
    return np.ones_like(A)


def _jacobian(net, x, hidden):
    """``d A_{L-1} / d x`` at the one input ``x`` (shape (n_0, 1)), forward mode:
    ``T_l = phi'(Z_l) * (W_l @ T_{l-1})``, ``T_0 = I``, each product summed in
    the forward pass's fixed order."""
    buffer = _forward_buffer(net, x, hidden)
    rows = net.layout.activation_rows
    name = ACTIVATIONS[hidden[0]]
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow gives a NaN spectrum
        return _tangent(net, buffer, rows, name, hidden[1])


def _tangent(net, buffer, rows, name, slope):
    """The forward-mode product through the hidden layers of ``buffer``'s pass."""
    tangent = None
    for l, (start, n) in enumerate(net.layout.layer_rows[:-1], 1):
        Z, A = buffer[start:start + n], buffer[rows + start:rows + start + n]
        derivative = _derivative(name, Z, A, slope)[:, None]
        W = net[f"W{l}"]
        if tangent is None:
            tangent = derivative * W
        else:
            product = np.empty((n, tangent.shape[1]), dtype=W.dtype)
            _kernels.product(np.ascontiguousarray(W), tangent, product, 1)
            tangent = derivative * product
    return tangent


def jacobian(layers_dims, method, x, activation="tanh", seed=0,
             negative_slope=DEFAULT_NEGATIVE_SLOPE, **init_options):
    """The Jacobian of the last hidden layer's activations with respect to the
    input, ``J = D_{L-1} W_{L-1} ... D_1 W_1`` with ``D_l = diag(phi'(z_l))``, at
    initialization, for one seed: exactly (forward mode on the compiled core's
    products, the same bits on every CPU).

    Parameters
    ----------
    layers_dims : sequence of int
        At least one hidden layer.
    method : str
    x : array_like, shape (layers_dims[0],) or (layers_dims[0], 1)
        The input.
    activation : str, default "tanh"
    seed : int, default 0
    negative_slope : float, default 0.01
    **init_options
        Passed to :func:`fastinit.initialize`.

    Returns
    -------
    ndarray, shape (layers_dims[-2], layers_dims[0])
    """
    dims, hidden, init_options = _checked(layers_dims, activation, negative_slope, method,
                                          init_options)
    net, x = _network_and_input(dims, method, seed, x, init_options)
    return _jacobian(net, x, hidden)


def _checked(layers_dims, activation, negative_slope, method, init_options):
    dims = list(check_hidden_layers_dims(layers_dims))
    # the tangent, one product and the Gram matrix, in float64
    check_memory(8 * (3 * max(dims[1:-1]) * dims[0] + min(dims[0], dims[-2]) ** 2),
                 f"the Jacobian of layers_dims {dims}")
    hidden = check_activation(activation, negative_slope)
    if method == "lsuv":
        raise ValueError("method 'lsuv' rescales on data and has no single input; "
                         "initialize it and pass the parameters' weights to 'orthogonal' "
                         "instead")
    return dims, hidden, activation_options(method, activation, hidden[1], init_options)


def _network_and_input(dims, method, seed, x, init_options):
    parameters = initialize(dims, method, seed=seed, **init_options)
    x_array = np.asarray(x) if not isinstance(x, np.ndarray) else x
    if getattr(x_array, "ndim", None) == 1:
        x = x_array.reshape(-1, 1)
    net, x, _ = _prepare(x, parameters)
    if x.shape[1] != 1:
        raise ValueError(f"x must be one input, of shape ({dims[0]},) or ({dims[0]}, 1), got "
                         f"{x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("x must be finite (no NaN or inf)")
    return net, x


def _moments(J):
    """``(values, mean, variance)`` of ``J``'s squared singular values."""
    J = np.ascontiguousarray(J, dtype=np.float64)
    side = J if J.shape[0] >= J.shape[1] else np.ascontiguousarray(J.T)
    k = side.shape[1]
    if not np.isfinite(J).all():  # the signal or the weights overflowed: no spectrum
        return np.full(k, math.nan), math.nan, math.nan
    gram = np.empty((k, k))
    _kernels.product_of_transpose(side, side, gram, 1, True)
    mean = total(np.diagonal(gram)) / k
    second = total(gram * gram) / k
    values = np.linalg.svd(J, compute_uv=False)
    return np.sort(values * values), mean, second - mean * mean


def jacobian_spectrum(layers_dims, method, x, activation="tanh", seeds=range(10),
                      negative_slope=DEFAULT_NEGATIVE_SLOPE, n_workers=None, **init_options):
    """The squared singular values of the input-output Jacobian (see
    :func:`jacobian`) at one input, seed by seed, with the theory of their mean
    and variance.

    The theory (Pennington et al. 2017) composes the layers as free random
    matrices: with ``mu_k(l) = E[phi'(z)**(2k)]`` at the mean-field length
    ``q^l`` of the input, the mean is ``prod_l sigma_w2(l) mu_1(l)`` and the
    variance ``mean**2 * sum_l (mu_2(l) / mu_1(l)**2 - 1 + g)`` with ``g = 1`` for
    Gaussian weights and 0 for orthogonal ones (whose products are isometries for
    a linear network). Exact for infinitely wide square layers; a layer of width
    ``N`` adds corrections of order ``depth / N``.

    Parameters
    ----------
    layers_dims : sequence of int
    method : str
        Any initializer but ``"lsuv"``; ``"orthogonal"`` gets the orthogonal theory.
    x : array_like, shape (layers_dims[0],) or (layers_dims[0], 1)
    activation : str, default "tanh"
    seeds : iterable of int, default range(10)
    negative_slope : float, default 0.01
    n_workers : int, optional
        Seeds at once; default every core this process may use.
    **init_options
        Passed to :func:`fastinit.initialize`.

    Returns
    -------
    JacobianSpectrum
    """
    dims, hidden, init_options = _checked(layers_dims, activation, negative_slope, method,
                                          init_options)
    seeds = check_seeds(seeds)
    n_workers = available_cores() if n_workers is None else \
        check_positive_int(n_workers, "n_workers")
    _, checked_x = _network_and_input(dims, method, seeds[0], x, init_options)

    def one_seed(seed):
        net, _ = _network_and_input(dims, method, seed, checked_x, init_options)
        return _moments(_jacobian(net, checked_x, hidden))

    with concurrent.futures.ThreadPoolExecutor(max_workers=n_workers) as pool:
        per_seed = list(pool.map(one_seed, seeds))
    weights = "orthogonal" if method in ORTHOGONAL else "gaussian"
    theory = _theory(dims, method, init_options, checked_x, ACTIVATIONS[hidden[0]], hidden[1],
                     weights)
    return JacobianSpectrum(np.array([row[0] for row in per_seed]),
                            np.array([row[1] for row in per_seed]),
                            np.array([row[2] for row in per_seed]), *theory, weights=weights,
                            seeds=seeds, layers_dims=dims, method=method, activation=activation,
                            negative_slope=hidden[1], init_options=dict(init_options))


def _theory(dims, method, options, x, activation, slope, weights):
    """``(mean, variance)`` of free probability along the mean-field lengths of
    ``x`` (:func:`fastinit.propagation.mean_field`), layer by layer."""
    variances = weight_variances(dims, method, **options)
    sigma_b2 = bias_variances(dims, method, **options)
    hidden = len(dims) - 2
    sigma_w2 = [dims[l] * variances[l] for l in range(hidden)]
    with np.errstate(over="ignore", invalid="ignore"):
        lengths, _ = mean_field(dims, variances, x, activation, slope, sigma_b2)
        inputs = [float(np.mean(np.square(x, dtype=np.float64))), *lengths[:hidden - 1]]
    if not all(0 <= length <= MAX_Q for length in inputs) or \
            not all(0 <= w <= MAX_VARIANCE for w in sigma_w2) or \
            not all(b <= MAX_VARIANCE for b in sigma_b2[:hidden]):  # beyond the theory's range
        return math.nan, math.nan
    zero_input = not np.any(x)  # else a length of 0 is an underflow: the limit q -> 0+
    mean, relative_variance = 1.0, 0.0
    for l in range(hidden):
        if lengths[l] == 0 and zero_input:  # every z is exactly 0: phi'(0), as the network has
            prime = float(_phi_prime(activation, np.zeros(1), slope)[0])
            mu1 = prime * prime
            mu2 = mu1 * mu1
        else:
            moments = _expectations(activation, slope, float(lengths[l]))
            mu1, mu2 = moments["M"], moments["M2"]
        mean *= sigma_w2[l] * mu1
        relative_variance += mu2 / (mu1 * mu1) - 1 + (weights == "gaussian") if mu1 > 0 \
            else math.nan
    if mean == 0 and math.isnan(relative_variance):  # phi' = 0 somewhere: J = 0
        return mean, 0.0
    return mean, mean * mean * relative_variance
