"""Drop-in replacement for the course's ``init_utils`` module.

Same names, arguments, return shapes and dict keys as the course's module, so the
notebook's cells run unchanged after ``from init_utils import ...`` becomes
``from fastinit.init_utils import ...``; the network passes run in fastinit's
compiled core.

Differences, all deliberate:

* nothing touches NumPy's global random state (the course's initializers call
  ``np.random.seed(3)``; these draw the same numbers from their own
  ``RandomState(3)``), and ``load_dataset`` does not draw a scatter plot;
* ``plot_decision_boundary`` draws on the current axes and returns the figure
  instead of calling ``plt.show()``;
* ``update_parameters`` returns a new dict instead of rebinding the caller's keys;
* ``backward_propagation`` takes the hidden layers from what ``forward_propagation``
  computed (its cache carries them), as the course's does, instead of a second
  forward pass;
* ``predict`` prints ``Accuracy: ...`` as the course's does (the one ``print`` in
  fastinit's library code outside ``print_cost``, kept because the notebook's
  output depends on it).
"""

import functools

import numpy as np

from . import _boundary, _kernels, datasets, initializers
from ._validation import (_as_numeric_array, check_labels_given, check_positive_number, check_X,
                          check_Y)
from .activations import DEFAULT_NEGATIVE_SLOPE, check_activation
from .network import (Layout, Weights, _backward, _forward_buffer, _pack, _pack_gradients,
                      _prepare, predict as _predict)
from .plotting import draw_decision_regions

__all__ = [
    "backward_propagation",
    "compute_loss",
    "forward_propagation",
    "initialize_parameters_he",
    "initialize_parameters_random",
    "initialize_parameters_zeros",
    "load_dataset",
    "plot_decision_boundary",
    "predict",
    "predict_dec",
    "relu",
    "sigmoid",
    "update_parameters",
]


def sigmoid(x):
    """``1 / (1 + exp(-x))``, elementwise."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-np.asarray(x)))


def relu(x):
    """``max(0, x)``, elementwise."""
    return np.maximum(0, x)


def compute_loss(a3, Y):
    """The course's cross-entropy from the output probabilities ``a3``.

    ``(1/m) * nansum(-Y log(a3) - (1 - Y) log(1 - a3))``, kept as the course wrote
    it: a probability of exactly 0 or 1 on the wrong side gives ``inf``.
    (fastinit's own costs come from the logits and stay finite.) The logs are
    NumPy's; with int64 or float64 labels the rest runs in C, step for step as
    NumPy computes it, so the result has the same bits.
    """
    a3 = _as_numeric_array(a3, "a3").astype(float, copy=False)
    Y = _as_numeric_array(Y, "Y")
    if a3.shape != Y.shape or a3.ndim != 2:
        raise ValueError(f"a3 and Y must both have shape (1, m), got {a3.shape} and {Y.shape}")
    m = Y.shape[1]
    operands = _boundary.loss_operands(a3, Y)
    if operands is not None:
        operands, inside = operands
        if inside:
            logs = np.log(operands)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = np.log(operands)
        return 1.0 / m * _boundary.cross_entropy_sum(logs, Y)
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def forward_propagation(X, parameters, activation="relu",
                        negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """LINEAR->RELU x (L-1) -> LINEAR->SIGMOID, in the compiled core.

    ``activation`` and ``negative_slope`` (fastinit's, not the course's)
    replace ReLU in the hidden layers, as in :func:`fastinit.forward`; pass
    the same ones to :func:`backward_propagation`.

    Returns
    -------
    a_L : ndarray, shape (1, m)
        The output probabilities.
    cache : tuple
        ``(z1, a1, W1, b1, z2, a2, W2, b2, ..., zL, aL, WL, bL)``; for the
        course's three layers exactly the course's 12-tuple.
    """
    activation = check_activation(activation, negative_slope)
    net, X, _ = _prepare(X, parameters)
    m = X.shape[1]
    layers = _boundary.split(_forward_buffer(net, X, activation), net.layout.layer_rows, m,
                             net.layout.activation_rows * m)
    cache = _boundary.course_cache(layers, parameters, net.layout.keys)
    return cache[-3], cache


def backward_propagation(X, Y, cache, activation="relu",
                         negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Gradients in the course's dict: ``dz3, dW3, db3, da2, dz2, dW2, db2, da1,
    dz1, dW1, db1`` (for three layers; the same pattern for any depth).

    The weights come from ``cache`` and, as in the course, so do the layers'
    values when ``cache`` holds the arrays :func:`forward_propagation` made for
    data of this size (otherwise the compiled core recomputes them).
    ``activation`` and ``negative_slope`` must be those the cache was made with.
    """
    activation = check_activation(activation, negative_slope)
    if not isinstance(cache, tuple) or len(cache) == 0 or len(cache) % 4:
        raise ValueError("cache must be the tuple returned by forward_propagation")
    layers, weights = _boundary.unzip_cache(tuple(cache))
    net, X, Y = _prepare(X, Weights(weights), check_labels_given(Y), name="cache")
    m = X.shape[1]
    size = net.layout.activation_rows * m
    buffer = _boundary.flat_of(layers, net.layout.layer_rows, m, size, X.dtype.num, 2 * size)
    if buffer is None:
        buffer = _forward_buffer(net, X, activation)
    grad = np.empty(net.layout.size, dtype=X.dtype)
    deltas = _backward(net, X, Y, buffer, grad, activation)
    return _boundary.named_views((deltas, grad), _gradient_spec(net.layout), m)


@functools.lru_cache(maxsize=64)
def _gradient_spec(layout):
    """``named_views`` of the course's gradient dict, in its order (``dz3, dW3,
    db3, da2, dz2, ...``), from the backward pass's deltas (every dZ_l, then
    the hidden layers' dA_l) and the flat gradient."""
    spec = []
    for l in range(layout.n_layers, 0, -1):
        start, rows = layout.layer_rows[l - 1]
        (offset, _, cols), (b_offset, _, _) = layout.parameter_views[2 * l - 2:2 * l]
        spec += [(f"dz{l}", 0, 0, start, rows, 0, 1), (f"dW{l}", 1, offset, 0, rows, cols, 0),
                 (f"db{l}", 1, b_offset, 0, rows, 1, 0)]
        if l > 1:
            start, rows = layout.layer_rows[l - 2]
            spec.append((f"da{l - 1}", 0, 0, layout.activation_rows + start, rows, 0, 1))
    return tuple(spec)


def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step, ``W - learning_rate * dW`` for every parameter.

    ``grads`` may hold the course's ``dz``/``da`` entries too; only ``dW1``,
    ``db1``, ... are used. Returns a new dict of new arrays.
    """
    learning_rate = check_positive_number(learning_rate, "learning_rate")
    dims, theta = _pack(parameters, None)
    layout = Layout.of(dims)
    step = _pack_gradients(grads, layout, theta.dtype, "grads")
    _kernels.gradient_step(theta, step, learning_rate)
    return layout.named(theta)


def predict(X, y, parameters):
    """0/1 predictions of shape (1, m); prints ``Accuracy: ...`` as the course does."""
    p = _predict(X, parameters)
    y = check_Y(y, p.shape[1], p.shape[0], np.float64, name="y")
    print("Accuracy: " + str(np.mean(p[0, :] == y[0, :])))
    return p


def predict_dec(parameters, X):
    """Boolean predictions ``a3 > 0.5`` of shape (1, m), for the decision boundary."""
    return _predict(X, parameters).astype(bool)


def load_dataset():
    """The notebook's circles: ``train_X (2, 300), train_Y (1, 300), test_X (2, 100),
    test_Y (1, 100)``."""
    return datasets.load_dataset()


def plot_decision_boundary(model, X, y):
    """Draw ``model``'s decision regions and the points on the current axes.

    ``model`` maps an ``(k, 2)`` array of points to ``k`` predictions (the
    notebook passes ``lambda x: predict_dec(parameters, x.T)``). Returns the
    current figure; never shows it.
    """
    import matplotlib.pyplot as plt

    X = check_X(X, n_features=2)
    ax = plt.gca()
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    limits_set = not ax.get_autoscalex_on() or not ax.get_autoscaley_on()
    draw_decision_regions(ax, model, X, y)
    if limits_set:
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    return ax.figure


def initialize_parameters_zeros(layers_dims):
    """All-zero weights and biases (the course's function)."""
    return initializers.zeros(layers_dims)


def initialize_parameters_random(layers_dims):
    """``randn * 10`` weights from ``RandomState(3)``, zero biases (the course's function)."""
    return initializers.random(layers_dims, seed=3)


def initialize_parameters_he(layers_dims):
    """``randn * sqrt(2 / n_{l-1})`` weights from ``RandomState(3)``, zero biases
    (the course's function)."""
    return initializers.he(layers_dims, seed=3)
