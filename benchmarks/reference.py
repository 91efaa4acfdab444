"""Plain-NumPy reference implementation: the course's equations, written plainly.

This is what fastinit's compiled core is checked against in the tests and timed
against in the benchmarks. It follows the course's ``init_utils`` code as the
notebook runs it (``np.dot`` through NumPy's BLAS, new arrays at every update, the
cost computed every iteration), generalised from three layers to ``L``.

Nothing here is optimised, and nothing here imports fastinit.
"""

import numpy as np


def sigmoid(z):
    """The course's sigmoid, ``1 / (1 + exp(-z))`` (0 where ``exp(-z)`` overflows)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def relu(z):
    """The course's ReLU, ``max(0, z)``."""
    return np.maximum(0, z)


def initialize(layers_dims, scale, seed=3):
    """The course's initializers: ``np.random.seed(seed)``, then per layer
    ``randn(n_l, n_{l-1}) * scale(n_{l-1})`` and zero biases.

    ``scale`` is a number (``10`` for "random", ``0`` for "zeros") or a function of
    the fan-in (``lambda n: np.sqrt(2.0 / n)`` for "he").
    """
    rng = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        factor = scale(layers_dims[l - 1]) if callable(scale) else scale
        parameters["W" + str(l)] = rng.randn(layers_dims[l], layers_dims[l - 1]) * factor
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def forward(X, parameters):
    """LINEAR->RELU x (L-1) -> LINEAR->SIGMOID. Returns ``(AL, caches)`` where
    ``caches`` is ``[(Z1, A1), ..., (ZL, AL)]``."""
    L = len(parameters) // 2
    A = X
    caches = []
    for l in range(1, L + 1):
        Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]
        A = sigmoid(Z) if l == L else relu(Z)
        caches.append((Z, A))
    return A, caches


def compute_cost(AL, Y):
    """The course's cross-entropy from probabilities (``inf`` where a sigmoid
    saturated on the wrong side)."""
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def compute_cost_from_logits(ZL, Y):
    """Binary cross-entropy from the logits, ``max(z, 0) - z*y + log1p(exp(-|z|))``,
    averaged over the examples (summed over output units)."""
    m = Y.shape[1]
    losses = np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))
    return float(np.sum(losses) / m)


def backward(X, Y, parameters, caches):
    """The course's backward pass. Returns ``{"dW1", "db1", ..., "dWL", "dbL"}``."""
    m = X.shape[1]
    L = len(caches)
    grads = {}
    AL = caches[-1][1]
    dZ = 1.0 / m * (AL - Y)
    for l in range(L, 0, -1):
        A_prev = X if l == 1 else caches[l - 2][1]
        grads["dW" + str(l)] = np.dot(dZ, A_prev.T)
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA_prev = np.dot(parameters["W" + str(l)].T, dZ)
            # The course multiplies by np.int64(A_prev > 0), which silently turns
            # float32 into float64; a boolean mask keeps the dtype.
            dZ = np.multiply(dA_prev, A_prev > 0)
    return grads


def update_parameters(parameters, grads, learning_rate):
    """Gradient-descent step; returns new arrays, as the course does."""
    L = len(parameters) // 2
    updated = {}
    for l in range(1, L + 1):
        updated["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        updated["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return updated


def train(X, Y, parameters, learning_rate=0.01, num_iterations=15000, record_every=1000,
          cost="logits"):
    """The course's model loop. Returns ``(parameters, costs)`` where ``costs`` holds
    the cost before the update at every ``record_every``-th iteration.

    ``cost="logits"`` computes the stable cost from the logits; ``cost="course"``
    uses the course's ``compute_loss`` on the probabilities (which can be ``inf``).
    Either way the cost is computed every iteration, as the course does.
    """
    costs = []
    for i in range(num_iterations):
        AL, caches = forward(X, parameters)
        if cost == "course":
            c = compute_cost(AL, Y)
        else:
            c = compute_cost_from_logits(caches[-1][0], Y)
        grads = backward(X, Y, parameters, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % record_every == 0:
            costs.append(float(c))
    return parameters, costs


def predict(X, parameters):
    """0/1 predictions, ``AL > 0.5``, as ``int64`` of shape ``(n_L, m)``."""
    AL, _ = forward(X, parameters)
    return (AL > 0.5).astype(np.int64)


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """The course's random_mini_batches: ``np.random.seed(seed)``, a permutation
    of the examples, complete batches, then the remainder."""
    rng = np.random.RandomState(seed)
    m = X.shape[1]
    permutation = list(rng.permutation(m))
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    return [(shuffled_X[:, k:k + mini_batch_size], shuffled_Y[:, k:k + mini_batch_size])
            for k in range(0, m, mini_batch_size)]


def decayed_learning_rate(learning_rate0, epoch, decay, decay_rate, decay_interval=1000):
    """The course's update_lr ("inverse") and schedule_lr_decay ("scheduled")."""
    if decay == "inverse":
        return learning_rate0 / (1 + decay_rate * epoch)
    return learning_rate0 / (1 + decay_rate * np.floor(epoch / decay_interval))


def train_mini_batches(X, Y, parameters, optimizer="gd", learning_rate=0.0007,
                       mini_batch_size=64, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8,
                       num_epochs=10000, record_every=1000, seed=10, decay=None,
                       decay_rate=1.0, decay_interval=1000):
    """The course's optimization model(): before every epoch ``seed += 1`` and a new
    shuffle; per mini-batch forward, cost (summed), backward and the optimizer's
    update (Adam's step counter counts mini-batches); with ``decay``, after epoch
    ``i`` the learning rate becomes ``decay(learning_rate0, i)``. Returns
    ``(parameters, costs)`` with the epoch's summed cost divided by m every
    ``record_every`` epochs."""
    learning_rate0 = learning_rate
    m = X.shape[1]
    L = len(parameters) // 2
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    t = 0
    costs = []
    for epoch in range(num_epochs):
        seed = seed + 1
        cost_total = 0.0
        for batch_X, batch_Y in random_mini_batches(X, Y, mini_batch_size, seed):
            AL, caches = forward(batch_X, parameters)
            with np.errstate(divide="ignore", invalid="ignore"):
                cost_total += np.sum(np.multiply(-np.log(AL), batch_Y)
                                     + np.multiply(-np.log(1 - AL), 1 - batch_Y))
            grads = backward(batch_X, batch_Y, parameters, caches)
            updated = {}
            t += 1
            for l in range(1, L + 1):
                for name in ("W", "b"):
                    key, g = f"{name}{l}", grads[f"d{name}{l}"]
                    if optimizer == "gd":
                        step = g
                    elif optimizer == "momentum":
                        v[key] = beta * v[key] + (1 - beta) * g
                        step = v[key]
                    else:
                        v[key] = beta1 * v[key] + (1 - beta1) * g
                        s[key] = beta2 * s[key] + (1 - beta2) * np.power(g, 2)
                        v_hat = v[key] / (1 - np.power(beta1, t))
                        s_hat = s[key] / (1 - np.power(beta2, t))
                        step = v_hat / (np.sqrt(s_hat) + epsilon)
                    updated[key] = parameters[key] - learning_rate * step
            parameters = updated
        if decay is not None:
            learning_rate = decayed_learning_rate(learning_rate0, epoch, decay, decay_rate,
                                                  decay_interval)
        if epoch % record_every == 0:
            costs.append(cost_total / m)
    return parameters, costs
