"""Gradient checking: the compiled core's gradients against centred finite
differences of the cost, as the course's ``gradient_check_n`` does."""

import numbers

import numpy as np

from . import _kernels
from ._fixed_order import norm
from ._validation import check_labels_given, check_positive_number
from .activations import DEFAULT_NEGATIVE_SLOPE, check_activation
from .network import _prepare
from .training import _check_regularization, fixed_dropout_masks

__all__ = ["gradient_check"]


def _objective(layout, X, Y, lambd, keep_prob, masks, activation=(0, DEFAULT_NEGATIVE_SLOPE)):
    """``theta -> (J(theta), dJ/dtheta)``: the cost and gradient that training
    uses (cross-entropy, the L2 term, dropout with ``masks``, the hidden
    ``activation`` as ``check_activation`` gives it), from the compiled core."""
    work_size, n_blocks = _kernels.training_layout(layout.dims, X.shape[1], 1)
    work = np.empty(work_size, dtype=X.dtype)
    block_costs = np.empty(n_blocks)

    def cost_and_gradient(theta):
        grad = np.empty_like(theta)
        cost = _kernels.gradient(layout.dims, layout.w_off, layout.b_off, theta, X, Y, work,
                                 block_costs, grad, 1, lambd, keep_prob, 0, masks, 0,
                                 *activation)
        return cost, grad

    return cost_and_gradient


def gradient_check(parameters, X, Y, epsilon=1e-7, lambd=0.0, keep_prob=1.0, seed=1,
                   activation="relu", negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Relative difference between the analytic and the numerical gradient.

    ``||g - g_approx||_2 / (||g||_2 + ||g_approx||_2)``, where ``g`` holds every
    ``dW_l`` and ``db_l`` from the compiled core (the gradient training uses)
    and ``g_approx`` the centred differences
    ``(J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)`` of the cost, one
    parameter at a time. The course calls a difference below 2e-7 correct.

    Parameters
    ----------
    parameters : dict or Network
        ``{"W1", "b1", ..., "WL", "bL"}``.
    X : array_like, shape (n_0, m)
    Y : array_like, shape (n_L, m)
        Labels, 0 or 1.
    epsilon : float, default 1e-7
    lambd : float, default 0.0
        Check the cost and gradient with the L2 term (as in :func:`fastinit.train`).
    keep_prob : float in (0, 1], default 1.0
        Check with dropout on the hidden layers. The masks are fixed, as
        :func:`fastinit.train` draws them with ``dropout_masks="fixed"``
        (``RandomState(seed)``, ``rand(n_l, m) < keep_prob`` per hidden layer),
        so every evaluation of the cost sees the same network.
    seed : int, default 1
        Seed of those masks (the course's).
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation, as in :func:`fastinit.train`.

    Returns
    -------
    float
    """
    epsilon = check_positive_number(epsilon, "epsilon")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int in [0, 2**32), got {type(seed).__name__} {seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32), got {seed!r}")
    lambd, keep_prob = _check_regularization(lambd, keep_prob, None)
    activation = check_activation(activation, negative_slope)
    net, X, Y = _prepare(X, parameters, check_labels_given(Y))
    layout, theta = net.layout, net.theta
    if X.dtype != np.float64:
        X, Y, theta = X.astype(np.float64), Y.astype(np.float64), theta.astype(np.float64)
    masks = None
    if keep_prob < 1:
        masks = fixed_dropout_masks(layout.dims, X.shape[1], keep_prob, seed)
    objective = _objective(layout, X, Y, lambd, keep_prob, masks, activation)
    analytic = objective(theta)[1]
    numeric = np.empty_like(theta)
    shifted = theta.copy()
    for p in range(theta.size):
        shifted[p] = theta[p] + epsilon
        plus = objective(shifted)[0]
        shifted[p] = theta[p] - epsilon
        minus = objective(shifted)[0]
        shifted[p] = theta[p]
        numeric[p] = (plus - minus) / (2 * epsilon)
    numerator = norm(analytic - numeric)
    denominator = norm(analytic) + norm(numeric)
    return float(numerator / denominator) if denominator > 0 else 0.0
