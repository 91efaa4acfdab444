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


SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def activation(name, z, negative_slope=0.01):
    """A hidden layer's activation, as PyTorch defines it."""
    if name == "relu":
        return relu(z)
    if name == "leaky_relu":
        return np.where(z > 0, z, negative_slope * z)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "selu":
        return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))
    if name == "linear":
        return z
    raise ValueError(f"unknown activation {name!r}")


def activation_derivative(name, z, negative_slope=0.01):
    """The activation's derivative at ``z``, the ``z > 0`` branch only where ``z > 0``
    (as PyTorch takes it: 0 for ReLU at 0, ``negative_slope`` for leaky ReLU)."""
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, negative_slope).astype(z.dtype)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1 - s)
    if name == "selu":
        return np.where(z > 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(z, 0)))
    if name == "linear":
        return np.ones_like(z)
    raise ValueError(f"unknown activation {name!r}")


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


def forward(X, parameters, keep_prob=1.0, masks=None, hidden="relu", negative_slope=0.01):
    """LINEAR->RELU x (L-1) -> LINEAR->SIGMOID (another ``hidden`` activation in
    place of ReLU). Returns ``(AL, caches)`` where ``caches`` is
    ``[(Z1, A1), ..., (ZL, AL)]``.

    With ``masks`` (one boolean ``(n_l, m)`` array per hidden layer), the course's
    inverted dropout: ``A = A * D; A = A / keep_prob`` on every hidden layer.
    """
    L = len(parameters) // 2
    A = X
    caches = []
    for l in range(1, L + 1):
        Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]
        A = sigmoid(Z) if l == L else activation(hidden, Z, negative_slope)
        if masks is not None and l < L:
            A = A * masks[l - 1]
            A = A / keep_prob
        caches.append((Z, A))
    return A, caches


def fixed_masks(layers_dims, m, keep_prob, seed=1):
    """The course's dropout masks: ``np.random.seed(seed)`` (it reseeds with 1 at
    every forward pass), then ``rand(n_l, m) < keep_prob`` layer by layer."""
    rng = np.random.RandomState(seed)
    return [rng.rand(n, m) < keep_prob for n in layers_dims[1:-1]]


_MASK64 = (1 << 64) - 1


def _mix64(x):
    """SplitMix64's output function, on a Python int."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _mix32(x):
    """A 32-bit integer hash (lowbias32) of a uint32 array."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x7FEB352D)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x846CA68B)
    return x ^ (x >> np.uint32(16))


def hashed_masks(layers_dims, first, m, keep_prob, seed, step):
    """fastinit's own dropout masks (``train(keep_prob=...)`` without fixed masks),
    for examples ``first`` to ``first + m - 1`` at ``step``: hidden row r (counted
    over every hidden layer) keeps example j when
    ``mix32(key_r + j * 0x9E3779B9) < keep_prob * 2**32``, with
    ``key_r = mix64(mix64(mix64(seed) ^ step) ^ r)`` cut to 32 bits."""
    threshold = min(int(np.floor(keep_prob * 2.0**32)), 2**32 - 1)
    examples = np.arange(first, first + m, dtype=np.uint64).astype(np.uint32)
    masks, row = [], 0
    for n in layers_dims[1:-1]:
        layer = np.empty((n, m), dtype=bool)
        for i in range(n):
            key = np.uint32(_mix64(_mix64(_mix64(seed) ^ step) ^ row) & 0xFFFFFFFF)
            layer[i] = _mix32(key + examples * np.uint32(0x9E3779B9)) < threshold
            row += 1
        masks.append(layer)
    return masks


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


def backward(X, Y, parameters, caches, l2=0.0, keep_prob=1.0, masks=None, hidden="relu",
             negative_slope=0.01):
    """The course's backward pass. Returns ``{"dW1", "db1", ..., "dWL", "dbL"}``.

    ``l2`` adds ``l2 * W_l`` to every ``dW_l`` (the course's ``lambd / m * W``);
    ``masks`` are the forward pass's dropout masks, applied to ``dA`` as the course
    does (``dA = dA * D; dA = dA / keep_prob``).
    """
    m = X.shape[1]
    L = len(caches)
    grads = {}
    AL = caches[-1][1]
    dZ = 1.0 / m * (AL - Y)
    for l in range(L, 0, -1):
        A_prev = X if l == 1 else caches[l - 2][1]
        grads["dW" + str(l)] = np.dot(dZ, A_prev.T)
        if l2:
            grads["dW" + str(l)] = grads["dW" + str(l)] + l2 * parameters["W" + str(l)]
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA_prev = np.dot(parameters["W" + str(l)].T, dZ)
            if masks is not None:
                dA_prev = dA_prev * masks[l - 2]
                dA_prev = dA_prev / keep_prob
            if hidden == "relu":
                # The course multiplies by np.int64(A_prev > 0), which silently turns
                # float32 into float64; a boolean mask keeps the dtype.
                dZ = np.multiply(dA_prev, A_prev > 0)
            else:
                dZ = dA_prev * activation_derivative(hidden, caches[l - 2][0], negative_slope)
    return grads


def update_parameters(parameters, grads, learning_rate):
    """Gradient-descent step; returns new arrays, as the course does."""
    L = len(parameters) // 2
    updated = {}
    for l in range(1, L + 1):
        updated["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        updated["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return updated


def l2_cost(parameters, lambd, m):
    """The course's L2 term, ``lambd / (2 m)`` times every weight squared and summed."""
    L = len(parameters) // 2
    return lambd / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)]))
                                 for l in range(1, L + 1))


def train(X, Y, parameters, learning_rate=0.01, num_iterations=15000, record_every=1000,
          cost="logits", lambd=0.0, keep_prob=1.0, dropout_masks="fixed", seed=10,
          hidden="relu", negative_slope=0.01):
    """The course's model loop. Returns ``(parameters, costs)`` where ``costs`` holds
    the cost before the update at every ``record_every``-th iteration.

    ``cost="logits"`` computes the stable cost from the logits; ``cost="course"``
    uses the course's ``compute_loss`` on the probabilities (which can be ``inf``).
    Either way the cost is computed every iteration, as the course does.
    ``lambd`` adds the course's L2 term to the cost and gradients; ``keep_prob < 1``
    drops out the hidden layers, with the course's ``fixed_masks`` or, with
    ``dropout_masks="hashed"``, ``hashed_masks`` of ``seed`` and the iteration.
    ``hidden`` and ``negative_slope``: the hidden activation (see :func:`activation`).
    """
    m = X.shape[1]
    dims = [X.shape[0]] + [parameters["b" + str(l)].shape[0]
                           for l in range(1, len(parameters) // 2 + 1)]
    masks = None
    if keep_prob < 1 and dropout_masks == "fixed":
        masks = fixed_masks(dims, m, keep_prob)
    costs = []
    for i in range(num_iterations):
        if keep_prob < 1 and dropout_masks == "hashed":
            masks = hashed_masks(dims, 0, m, keep_prob, seed, i)
        AL, caches = forward(X, parameters, keep_prob, masks, hidden, negative_slope)
        if cost == "course":
            c = compute_cost(AL, Y)
        else:
            c = compute_cost_from_logits(caches[-1][0], Y)
        if lambd:
            c = c + l2_cost(parameters, lambd, m)
        grads = backward(X, Y, parameters, caches, lambd / m, keep_prob, masks, hidden,
                         negative_slope)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % record_every == 0:
            costs.append(float(c))
    return parameters, costs


def predict(X, parameters, hidden="relu", negative_slope=0.01):
    """0/1 predictions, ``AL > 0.5``, as ``int64`` of shape ``(n_L, m)``."""
    AL, _ = forward(X, parameters, hidden=hidden, negative_slope=negative_slope)
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
                       decay_rate=1.0, decay_interval=1000, lambd=0.0, keep_prob=1.0,
                       hidden="relu", negative_slope=0.01):
    """The course's optimization model(): before every epoch ``seed += 1`` and a new
    shuffle; per mini-batch forward, cost (summed), backward and the optimizer's
    update (Adam's step counter counts mini-batches); with ``decay``, after epoch
    ``i`` the learning rate becomes ``decay(learning_rate0, i)``. Returns
    ``(parameters, costs)`` with the epoch's summed cost divided by m every
    ``record_every`` epochs.

    fastinit's extensions: ``lambd`` adds ``lambd / m * W`` (m: every example) to
    each weight gradient and ``m`` times ``l2_cost`` of the weights at the
    epoch's start to its summed cost; ``keep_prob < 1`` drops out the hidden
    layers with ``hashed_masks`` of ``seed`` (the first one) and the step count.
    """
    learning_rate0 = learning_rate
    mask_seed = seed
    dims = [X.shape[0]] + [parameters["b" + str(l)].shape[0]
                           for l in range(1, len(parameters) // 2 + 1)]
    m = X.shape[1]
    L = len(parameters) // 2
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    t = 0
    costs = []
    for epoch in range(num_epochs):
        seed = seed + 1
        cost_total = m * l2_cost(parameters, lambd, m) if lambd else 0.0
        for k, (batch_X, batch_Y) in enumerate(random_mini_batches(X, Y, mini_batch_size, seed)):
            masks = None
            if keep_prob < 1:
                masks = hashed_masks(dims, k * mini_batch_size, batch_X.shape[1], keep_prob,
                                     mask_seed, t)
            AL, caches = forward(batch_X, parameters, keep_prob, masks, hidden, negative_slope)
            with np.errstate(divide="ignore", invalid="ignore"):
                cost_total += np.sum(np.multiply(-np.log(AL), batch_Y)
                                     + np.multiply(-np.log(1 - AL), 1 - batch_Y))
            grads = backward(batch_X, batch_Y, parameters, caches, lambd / m, keep_prob, masks,
                             hidden, negative_slope)
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
