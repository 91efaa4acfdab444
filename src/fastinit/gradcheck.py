"""Gradient checking: the compiled core's gradients against centred finite
differences of the cost, as the course's ``gradient_check_n`` does."""

import numpy as np

from . import _kernels
from ._validation import check_positive_number
from .network import _backprop_prepared, _prepare

__all__ = ["gradient_check"]


def _cost_function(layout, X, Y):
    """``J(theta)``: the mean cross-entropy of the flat parameters ``theta``."""
    work_size, n_blocks = _kernels.training_layout(layout.dims, X.shape[1], 1)
    work = np.empty(work_size, dtype=X.dtype)
    block_costs = np.empty(n_blocks)

    def cost(theta):
        return _kernels.descend(layout.dims, layout.w_off, layout.b_off, theta, X, Y, work,
                                block_costs, 1.0, 0, 1)

    return cost


def gradient_check(parameters, X, Y, epsilon=1e-7):
    """Relative difference between the analytic and the numerical gradient.

    ``||g - g_approx||_2 / (||g||_2 + ||g_approx||_2)``, where ``g`` holds every
    ``dW_l`` and ``db_l`` from the compiled core and ``g_approx`` the centred
    differences ``(J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)`` of the cost,
    one parameter at a time. The course calls a difference below 2e-7 correct.

    Parameters
    ----------
    parameters : dict
        ``{"W1", "b1", ..., "WL", "bL"}``.
    X : array_like, shape (n_0, m)
    Y : array_like, shape (n_L, m)
        Labels, 0 or 1.
    epsilon : float, default 1e-7

    Returns
    -------
    float
    """
    epsilon = check_positive_number(epsilon, "epsilon")
    layout, theta, X, Y = _prepare(X, parameters, Y)
    if X.dtype != np.float64:
        X, Y, theta = X.astype(np.float64), Y.astype(np.float64), theta.astype(np.float64)
    analytic = _backprop_prepared(layout, theta, X, Y)[-1]
    cost = _cost_function(layout, X, Y)
    numeric = np.empty_like(theta)
    shifted = theta.copy()
    for p in range(theta.size):
        shifted[p] = theta[p] + epsilon
        plus = cost(shifted)
        shifted[p] = theta[p] - epsilon
        minus = cost(shifted)
        shifted[p] = theta[p]
        numeric[p] = (plus - minus) / (2 * epsilon)
    numerator = np.linalg.norm(analytic - numeric)
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(numerator / denominator) if denominator > 0 else 0.0
