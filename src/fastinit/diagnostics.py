"""What an initializer does to the signal before any training: activation
statistics layer by layer (one seed, forward), :func:`signal_propagation`
(many seeds, forward and backward, against the mean-field theory), the
correlation of inputs through depth (:func:`correlation_propagation`) and the
input-output Jacobian's spectrum (:func:`jacobian_spectrum`), each against
:mod:`fastinit.theory`."""

import numpy as np

from ._validation import check_hidden_layers_dims, check_positive_int, check_seed, check_X
from .initializers import activation_options, initialize
from .network import forward
from .correlations import (CorrelationStats, correlated_inputs, correlation_propagation,
                           fit_depth_scale)
from .jacobian import JacobianSpectrum, jacobian, jacobian_spectrum
from .propagation import SignalStats, mean_field, signal_propagation

__all__ = ["DEEP_LAYERS", "CorrelationStats", "JacobianSpectrum", "SignalStats",
           "activation_stats", "correlated_inputs", "correlation_propagation", "fit_depth_scale",
           "jacobian", "jacobian_spectrum", "mean_field", "signal_propagation",
           "standard_normal_inputs"]

#: The default deep network: 100 inputs, 10 hidden layers of 100 units, 1 output.
DEEP_LAYERS = (100,) + (100,) * 10 + (1,)


def standard_normal_inputs(n_features=100, m=1000, seed=0):
    """``(n_features, m)`` standard-normal inputs from ``RandomState(seed)``."""
    n_features = check_positive_int(n_features, "n_features")
    m = check_positive_int(m, "m")
    return check_seed(seed).standard_normal((n_features, m))


def activation_stats(layers_dims=DEEP_LAYERS, method="he", X=None, seed=3):
    """Mean and standard deviation of every hidden layer's activations at
    initialization, and the fraction of its ReLU units that are dead, for one
    seed and the forward pass only. :func:`signal_propagation` measures many
    seeds, forward and backward, with the theory beside them.

    Parameters
    ----------
    layers_dims : sequence of int, default :data:`DEEP_LAYERS`
    method : str, default "he"
        A name in :data:`fastinit.INITIALIZERS`.
    X : array_like, shape (layers_dims[0], m), optional
        Inputs; defaults to :func:`standard_normal_inputs` with 1000 examples.
    seed : int, Generator or RandomState, default 3
        Seed of the initializer.

    Returns
    -------
    dict of ndarray
        ``"layer"`` (1 .. L-1), ``"mean"``, ``"std"`` and ``"dead_fraction"`` (the
        share of units that output 0 for every example), one entry per hidden
        layer.
    """
    dims = check_hidden_layers_dims(layers_dims)
    X = standard_normal_inputs(dims[0]) if X is None else check_X(X, n_features=dims[0])
    data = {"X": X} if method == "lsuv" else {}  # LSUV rescales on these same inputs
    data = activation_options(method, "relu", options=data)
    layers = forward(X, initialize(dims, method, seed=seed, dtype=X.dtype, **data))
    hidden = [layers[f"A{l}"] for l in range(1, len(dims) - 1)]
    return {
        "layer": np.arange(1, len(dims) - 1),
        "mean": np.array([A.mean(dtype=np.float64) for A in hidden]),
        "std": np.array([A.std(dtype=np.float64) for A in hidden]),
        "dead_fraction": np.array([np.mean(~(A > 0).any(axis=1)) for A in hidden]),
    }
