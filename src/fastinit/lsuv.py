"""Layer-sequential unit-variance initialization (Mishkin & Matas 2016, "All you
need is a good init"): rescale each hidden layer's weights in turn until its
pre-activations have variance 1 on the data."""

import warnings

import numpy as np

from ._validation import check_positive_int, check_positive_number
from .activations import DEFAULT_NEGATIVE_SLOPE, check_activation
from .network import Network, _prepare, forward

__all__ = ["LSUVWarning", "lsuv"]


class LSUVWarning(RuntimeWarning):
    """Some hidden layers did not reach unit variance within ``max_iter`` rescalings."""


def lsuv(parameters, X, activation="relu", tol=0.1, max_iter=10,
         negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Rescale the hidden layers so that their pre-activations have unit variance on ``X``.

    Layer by layer from the first, ``Z_l`` is computed on ``X`` (through the
    layers already rescaled) and ``W_l`` divided by ``sqrt(Var(Z_l))``, the
    variance taken over every unit and example, until ``|Var(Z_l) - 1| < tol`` or
    ``max_iter`` rescalings. The output layer is left as it is. Mishkin & Matas
    start from orthonormal weights (``fi.initialize(dims, "orthogonal")``);
    ``fi.initialize(dims, "lsuv", X=...)`` does both.

    Parameters
    ----------
    parameters : dict or Network
        The starting ``{"W1", "b1", ..., "WL", "bL"}``; not modified. Biases
        are kept (the method assumes zeros: with others the rescaling is only
        approximately right, and more iterations may be needed).
    X : array_like, shape (n_0, m)
        The data, e.g. the training set or a batch of it (m >= 2).
    activation : str, default "relu"
        The hidden activation the network will train with.
    tol : float, default 0.1
    max_iter : int, default 10
    negative_slope : float, default 0.01
        Leaky ReLU's slope for z < 0.

    Returns
    -------
    dict
        New parameters, in the dtype of the computation (float32 for float32
        ``X``, else float64).

    Warns
    -----
    LSUVWarning
        Naming the hidden layers whose variance was still off by ``tol`` or more
        (or was 0 or not finite, which no rescaling can fix) after ``max_iter``
        rescalings.
    """
    check_activation(activation, negative_slope)
    hidden = {"activation": activation, "negative_slope": negative_slope}
    tol = check_positive_number(tol, "tol")
    max_iter = check_positive_int(max_iter, "max_iter")
    net, X, _ = _prepare(X, parameters)
    if X.shape[1] < 2:
        raise ValueError(f"X must hold at least 2 examples (columns) to measure a variance, "
                         f"got {X.shape[1]}")
    net = Network(net) if net is parameters else net  # never the caller's
    unconverged = []
    for l in range(1, net.n_layers):
        W = net[f"W{l}"]
        for _ in range(max_iter):
            variance = _variance(X, net, l, hidden)
            if abs(variance - 1) < tol or not (np.isfinite(variance) and variance > 0):
                break
            W /= np.sqrt(variance)
        else:
            variance = _variance(X, net, l, hidden)
        if not abs(variance - 1) < tol:
            unconverged.append((l, variance))
    if unconverged:
        layers = ", ".join(f"{l} (variance {v:.3g})" for l, v in unconverged)
        stuck = any(not (np.isfinite(v) and v > 0) for _, v in unconverged)
        warnings.warn(f"LSUV: hidden layers {layers} are not within tol={tol:g} of unit "
                      f"variance after max_iter={max_iter} rescalings"
                      + ("; a variance of 0 or not finite cannot be rescaled" if stuck else ""),
                      LSUVWarning, stacklevel=2)
    return net.to_dict()


def _variance(X, net, l, hidden):
    """Var(Z_l) on X, over every unit and example."""
    return float(np.var(forward(X, net, **hidden)[f"Z{l}"]))
