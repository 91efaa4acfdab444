"""Signal propagation at initialization: how the forward signal and the
backward gradients grow or shrink layer by layer, over many seeds, against the
mean-field theory (Poole et al. 2016; Schoenholz et al. 2017)."""

import concurrent.futures
import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from ._fixed_order import norm
from ._validation import check_layers_dims, check_positive_int, check_seeds
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, check_activation
from .initializers import activation_options, bias_variances as drawn_bias_variances, initialize, \
    weight_variances
from .network import Network, _backward, _forward_buffer, _prepare
from .theory import _chi_1, _length_map, _phi, _phi_prime, gaussian_expectation  # noqa: F401
from .threads import available_cores

__all__ = ["SignalStats", "activation_fractions", "gaussian_expectation", "layer_statistics",
           "mean_field", "signal_propagation"]

#: |A| above this counts as saturated for tanh; A below 1 - this or above it, for sigmoid.
SATURATION = 0.99


@dataclass
class SignalStats:
    """What :func:`signal_propagation` measured. Every per-layer array has shape
    ``(n_seeds, L)``, one row per seed and one column per layer with weights
    (the hidden layers, then the output layer).

    Attributes
    ----------
    pre_activation_second_moment : ndarray
        The mean of ``Z_l**2`` over units and examples.
    activation_std : ndarray
        The standard deviation of ``A_l``.
    dead_fraction : ndarray
        The fraction of ``A_l`` exactly 0 (ReLU and leaky ReLU layers; NaN
        for the others).
    saturated_fraction : ndarray
        The fraction of ``A_l`` with ``|A| > 0.99`` (tanh layers) or outside
        ``[0.01, 0.99]`` (sigmoid layers, the output included); NaN for the others.
    weight_grad_norm : ndarray
        ``||dW_l||_F`` of the mean binary cross-entropy on ``(X, Y)``.
    delta_second_moment : ndarray
        The mean of ``dZ_l**2``.
    theory_second_moment : ndarray, shape (L,)
        The mean-field prediction of ``E[Z_l**2]`` (see :func:`mean_field`);
        NaN when the initializer has no variance fixed by the fans.
    theory_chi : ndarray, shape (L,)
        ``chi_l = sigma_w(l+1)**2 E[phi'(z_l)**2]``: the factor by which the mean
        square of the deltas grows from layer ``l + 1`` down to layer ``l``
        (for equal widths); NaN for the output layer.
    seeds : list of int
    layers_dims, method, activation, negative_slope
        What was measured.
    """

    pre_activation_second_moment: np.ndarray
    activation_std: np.ndarray
    dead_fraction: np.ndarray
    saturated_fraction: np.ndarray
    weight_grad_norm: np.ndarray
    delta_second_moment: np.ndarray
    theory_second_moment: np.ndarray
    theory_chi: np.ndarray
    seeds: list
    layers_dims: list
    method: str
    activation: str
    negative_slope: float = DEFAULT_NEGATIVE_SLOPE
    init_options: dict = field(default_factory=dict)

    #: The per-seed statistics, in the order of the attributes above.
    PER_SEED = ("pre_activation_second_moment", "activation_std", "dead_fraction",
                "saturated_fraction", "weight_grad_norm", "delta_second_moment")


def activation_fractions(A, activation, output=False):
    """``(dead_fraction, saturated_fraction)`` of one layer's activations ``A``:
    dead for the ReLU family (exactly 0), saturated for tanh (``|A| > 0.99``) and
    sigmoid (``A < 0.01`` or ``A > 0.99``; the output layer is a sigmoid); NaN
    where the measure does not apply."""
    name = "sigmoid" if output else activation
    dead = float(np.mean(A == 0)) if name in ("relu", "leaky_relu") else math.nan
    if name == "tanh":
        saturated = float(np.mean(np.abs(A) > SATURATION))
    elif name == "sigmoid":
        saturated = float(np.mean((A < 1 - SATURATION) | (A > SATURATION)))
    else:
        saturated = math.nan
    return dead, saturated


def layer_statistics(net, X, Y, activation, l2=0.0):
    """Every layer's statistics for a :class:`~fastinit.network.Network` on checked
    data ``(X, Y)`` of its dtype, from one forward and one backward pass of the
    compiled core: a dict of lists of L floats, keyed by ``SignalStats.PER_SEED``
    plus ``"weight_norm"`` (``||W_l||_F``). ``activation`` is
    ``check_activation``'s pair; ``l2`` adds ``l2 * W_l`` to each ``dW_l`` (the
    course's L2 term, ``lambd / m``)."""
    m = X.shape[1]
    buffer = _forward_buffer(net, X, activation)
    grad = np.empty(net.layout.size, dtype=X.dtype)
    deltas = _backward(net, X, Y, buffer, grad, activation)
    rows = net.layout.activation_rows * m
    name = ACTIVATIONS[activation[0]]
    stats = {key: [] for key in SignalStats.PER_SEED + ("weight_norm",)}
    for l, (start, n) in enumerate(net.layout.layer_rows, 1):
        Z = buffer[start * m:(start + n) * m]
        A = buffer[rows + start * m:rows + (start + n) * m]
        dZ = deltas[start * m:(start + n) * m]
        offset, _, cols = net.layout.parameter_views[2 * l - 2]
        W = net.theta[offset:offset + n * cols].astype(np.float64)
        dW = grad[offset:offset + n * cols].astype(np.float64)
        if l2:
            dW = dW + l2 * W
        dead, saturated = activation_fractions(A, name, output=l == net.n_layers)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows
            values = {"pre_activation_second_moment": np.mean(np.square(Z, dtype=np.float64)),
                      "activation_std": np.std(A, dtype=np.float64),
                      "dead_fraction": dead, "saturated_fraction": saturated,
                      "weight_grad_norm": norm(dW),
                      "delta_second_moment": np.mean(np.square(dZ, dtype=np.float64)),
                      "weight_norm": norm(W)}
        for key, value in values.items():
            stats[key].append(float(value))
    return stats


def _one_seed(X, Y, dims, method, seed, activation, init_options):
    """The per-seed statistics, one list of L values each, in SignalStats.PER_SEED order."""
    net = Network(initialize(dims, method, seed=seed, dtype=X.dtype, **init_options), X.dtype)
    if Y is None:
        Y = np.random.default_rng(seed).integers(0, 2, size=(dims[-1], X.shape[1]))
        Y = Y.astype(X.dtype)
    stats = layer_statistics(net, X, Y, activation)
    return [stats[key] for key in SignalStats.PER_SEED]


def signal_propagation(layers_dims, method, X, Y=None, activation="relu", seeds=range(10),
                       negative_slope=DEFAULT_NEGATIVE_SLOPE, n_workers=None, **init_options):
    """The forward and backward signal through a network at initialization,
    seed by seed, with the mean-field theory beside it.

    For every seed ``s``, the network ``fi.initialize(layers_dims, method, seed=s,
    **init_options)`` runs forward on ``X`` and backward on the mean binary
    cross-entropy against ``Y``, in the compiled core; the seeds run side by
    side on ``n_workers`` threads. ``X`` is never modified.

    Parameters
    ----------
    layers_dims : sequence of int
    method : str
        An initializer name (``"lsuv"`` rescales on ``X``; ``"critical"`` and
        ``"lsuv"`` are given ``activation``). ``bias_std`` in ``init_options``
        draws biases, and the theory adds their variance.
    X : array_like, shape (layers_dims[0], m)
    Y : array_like, shape (layers_dims[-1], m), optional
        0/1 labels. When None, each seed draws its own: uniformly random 0/1
        labels from ``numpy.random.default_rng(seed)`` (a stream of their own,
        apart from the initializer's).
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation (see :func:`fastinit.train`). With
        ``activation="leaky_relu"`` the He family is initialized for the same
        slope (its ``negative_slope`` option), as ``kaiming_normal_(w, a)`` is
        paired with ``leaky_relu(a)``.
    seeds : iterable of int, default range(10)
    n_workers : int, optional
        Seeds measured at once; default every core this process may use.
    **init_options
        Passed to :func:`fastinit.initialize` (``gain``, ``mode``, ``scale``, ...).

    Returns
    -------
    SignalStats
    """
    dims = list(check_layers_dims(layers_dims))
    hidden = check_activation(activation, negative_slope)
    seeds = check_seeds(seeds)
    n_workers = available_cores() if n_workers is None else \
        check_positive_int(n_workers, "n_workers")
    init_options = activation_options(method, activation, negative_slope, init_options)
    if method == "lsuv":
        init_options = dict(init_options, X=X)
    probe = initialize(dims, method, seed=seeds[0], **init_options)  # checks method, options
    _, X, Y = _prepare(X, probe, Y)
    with concurrent.futures.ThreadPoolExecutor(max_workers=n_workers) as pool:
        per_seed = list(pool.map(lambda seed: _one_seed(X, Y, dims, method, seed, hidden,
                                                         init_options), seeds))
    arrays = [np.array([stats[k] for stats in per_seed]) for k in range(len(SignalStats.PER_SEED))]
    variances = None if method == "lsuv" else weight_variances(dims, method, **init_options)
    theory_q, theory_chi = mean_field(dims, variances, X, activation, negative_slope,
                                      drawn_bias_variances(dims, method, **init_options))
    return SignalStats(*arrays, theory_second_moment=theory_q, theory_chi=theory_chi,
                       seeds=seeds, layers_dims=dims, method=method, activation=activation,
                       negative_slope=hidden[1],
                       init_options={k: v for k, v in init_options.items() if k != "X"})


# ---------------------------------------------------------------------------
# Mean-field theory (fastinit.theory holds the maps; this is the recursion
# through one network's layers, whatever their widths and variances)
# ---------------------------------------------------------------------------

def _checked_bias_variances(bias_variances, L):
    """``bias_variances`` as a list of L floats in [0, inf); None gives zeros."""
    if bias_variances is None:
        return [0.0] * L
    if isinstance(bias_variances, (str, bytes)) or not hasattr(bias_variances, "__len__"):
        raise TypeError(f"bias_variances must be a sequence of {L} numbers (one per layer) or "
                        f"None, got {type(bias_variances).__name__}")
    if len(bias_variances) != L:
        raise ValueError(f"bias_variances must have one entry per layer ({L}), got "
                         f"{len(bias_variances)}")
    checked = []
    for index, value in enumerate(bias_variances):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"bias_variances[{index}] must be a real number, got "
                            f"{type(value).__name__} {value!r}")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not 0 <= value < math.inf:
            raise ValueError(f"bias_variances[{index}] must be a finite number >= 0, got "
                             f"{bias_variances[index]!r}")
        checked.append(value)
    return checked


def mean_field(layers_dims, variances, X, activation="relu",
               negative_slope=DEFAULT_NEGATIVE_SLOPE, bias_variances=None):
    """The mean-field recursion of the pre-activations' second moments through
    one network (:func:`fastinit.theory.length_map`, layer by layer).

    ``q_1 = sigma_w(1)**2 E[x**2] + sigma_b(1)**2`` and
    ``q_{l+1} = sigma_w(l+1)**2 E[phi(z)**2] + sigma_b(l+1)**2`` with
    ``z ~ N(0, q_l)``, where ``sigma_w(l)**2 = fan_in * Var(W_l)``,
    ``sigma_b(l)**2 = Var(b_l)`` and ``E[x**2]`` is the mean of ``X**2``; and
    ``chi_l = sigma_w(l+1)**2 E[phi'(z)**2]`` with ``z ~ N(0, q_l)`` (NaN for the
    output layer; at ``q_l = 0`` its limit ``q -> 0+``). Without biases the
    result is bit for bit the zero-bias recursion of earlier releases.

    Parameters
    ----------
    layers_dims : sequence of int
    variances : sequence of float, or None
        ``Var(W_l)`` per layer (:func:`fastinit.initializers.weight_variances`);
        None gives NaN everywhere.
    X : array_like, shape (layers_dims[0], m)
    activation : str
    negative_slope : float
    bias_variances : sequence of float, optional
        ``Var(b_l)`` per layer (``bias_std**2``); None (the default) means no
        biases.

    Returns
    -------
    q : ndarray, shape (L,)
        The predicted ``E[Z_l**2]``.
    chi : ndarray, shape (L,)
    """
    dims = list(check_layers_dims(layers_dims))
    L = len(dims) - 1
    q, chi = np.full(L, math.nan), np.full(L, math.nan)
    bias = _checked_bias_variances(bias_variances, L)
    if variances is None:
        return q, chi
    check_activation(activation, negative_slope)
    slope = float(negative_slope)
    sigma2 = [dims[l - 1] * float(variances[l - 1]) for l in range(1, L + 1)]
    q[0] = sigma2[0] * float(np.mean(np.square(np.asarray(X, dtype=np.float64)))) + bias[0]
    for l in range(1, L):
        if not 0 <= q[l - 1] < math.inf:  # overflowed, or NaN from NaN inputs
            q[l:] = math.inf if q[l - 1] == math.inf else math.nan
            break
        q[l] = _length_map(activation, slope, float(q[l - 1]), sigma2[l], bias[l])
        chi[l - 1] = _chi_1(activation, slope, sigma2[l], float(q[l - 1]))
    return q, chi
