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
* ``predict`` prints ``Accuracy: ...`` as the course's does (the one ``print`` in
  fastinit's library code outside ``print_cost``, kept because the notebook's
  output depends on it).
"""

import numpy as np

from . import _kernels, datasets, initializers
from .network import _backprop, _Layout, forward, predict as _predict
from ._validation import check_parameters, check_positive_number, check_X, check_Y
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
    (fastinit's own costs come from the logits and stay finite.)
    """
    a3 = np.asarray(a3, dtype=float)
    Y = np.asarray(Y)
    if a3.shape != Y.shape or a3.ndim != 2:
        raise ValueError(f"a3 and Y must both have shape (1, m), got {a3.shape} and {Y.shape}")
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def forward_propagation(X, parameters):
    """LINEAR->RELU x (L-1) -> LINEAR->SIGMOID, in the compiled core.

    Returns
    -------
    a_L : ndarray, shape (1, m)
        The output probabilities.
    cache : tuple
        ``(z1, a1, W1, b1, z2, a2, W2, b2, ..., zL, aL, WL, bL)``; for the
        course's three layers exactly the course's 12-tuple.
    """
    layers = forward(X, parameters)
    n_layers = len(layers) // 2
    cache = []
    for l in range(1, n_layers + 1):
        cache += [layers[f"Z{l}"], layers[f"A{l}"], parameters[f"W{l}"], parameters[f"b{l}"]]
    return layers["AL"], tuple(cache)


def backward_propagation(X, Y, cache):
    """Gradients in the course's dict: ``dz3, dW3, db3, da2, dz2, dW2, db2, da1,
    dz1, dW1, db1`` (for three layers; the same pattern for any depth).

    The compiled core recomputes the forward pass from the weights in ``cache``.
    """
    if not isinstance(cache, tuple) or len(cache) == 0 or len(cache) % 4:
        raise ValueError("cache must be the tuple returned by forward_propagation")
    n_layers = len(cache) // 4
    parameters = {}
    for l in range(1, n_layers + 1):
        parameters[f"W{l}"] = cache[4 * l - 2]
        parameters[f"b{l}"] = cache[4 * l - 1]
    layout, _, _, dZ, dA, grad = _backprop(X, Y, parameters)
    m = dZ.size // int(layout.dims[1:].sum())
    dZ_layers = layout.split_layers(dZ, m)
    dA_layers = layout.split_layers(dA, m)
    weights = layout.unpack(grad, prefix="d")
    gradients = {}
    for l in range(n_layers, 0, -1):
        gradients[f"dz{l}"] = dZ_layers[l - 1]
        gradients[f"dW{l}"] = weights[f"dW{l}"]
        gradients[f"db{l}"] = weights[f"db{l}"]
        if l > 1:
            gradients[f"da{l - 1}"] = dA_layers[l - 2]
    return gradients


def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step, ``W - learning_rate * dW`` for every parameter.

    ``grads`` may hold the course's ``dz``/``da`` entries too; only ``dW1``,
    ``db1``, ... are used. Returns a new dict of new arrays.
    """
    learning_rate = check_positive_number(learning_rate, "learning_rate")
    dims, layers = check_parameters(parameters)
    if not hasattr(grads, "items"):
        raise TypeError(f"grads must be a dict with keys 'dW1', 'db1', ..., got {type(grads).__name__}")
    weight_grads = {key: value for key, value in grads.items() if str(key)[:2] in ("dW", "db")}
    grad_dims, grad_layers = check_parameters(weight_grads, layers[0][0].dtype, name="grads",
                                              prefix="d")
    if grad_dims != dims:
        raise ValueError(f"grads have layer sizes {list(grad_dims)}, parameters {list(dims)}")
    layout = _Layout(dims)
    theta = layout.pack(layers, layers[0][0].dtype)
    _kernels.gradient_step(theta, layout.pack(grad_layers, theta.dtype), learning_rate)
    return layout.unpack(theta)


def predict(X, y, parameters):
    """0/1 predictions of shape (1, m); prints ``Accuracy: ...`` as the course does."""
    p = _predict(X, parameters)
    y = check_Y(y, p.shape[1], p.shape[0], np.float64, name="y")
    print("Accuracy: " + str(np.mean(p[0, :] == y[0, :])))
    return p


def predict_dec(parameters, X):
    """Boolean predictions ``a3 > 0.5`` of shape (1, m), for the decision boundary."""
    return forward(X, parameters)["AL"] > 0.5


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
