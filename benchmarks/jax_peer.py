"""JAX, the strongest peer measured (issue 16): plain gradient descent with the
whole loop compiled (``jit`` of a ``fori_loop``) on the CPU, float64 enabled.
Shared by report.py, seeds.py and the pytest-benchmark suite."""

import numpy as np


def jax_gradient_descent(n_layers, iterations):
    """JAX's plain gradient descent on a LINEAR->RELU x (L-1) -> LINEAR->SIGMOID
    network (stable cross-entropy from the logits, learning rate 0.01):
    ``train(params, X, Y)`` runs ``iterations`` steps in a ``fori_loop``. Needs
    JAX, imported by the caller."""
    import jax
    import jax.numpy as jnp

    def cost(params, X, Y):
        A = X
        for l in range(1, n_layers + 1):
            Z = params[f"W{l}"] @ A + params[f"b{l}"]
            A = jax.nn.relu(Z) if l < n_layers else Z
        losses = jnp.maximum(A, 0) - A * Y + jnp.log1p(jnp.exp(-jnp.abs(A)))
        return jnp.sum(losses) / X.shape[1]

    gradient = jax.grad(cost)

    def train(params, X, Y):
        def step(_, params):
            grads = gradient(params, X, Y)
            return {k: params[k] - 0.01 * grads[k] for k in params}
        return jax.lax.fori_loop(0, iterations, step, params)

    return train


def jax_loop(X, Y, parameters, iterations):
    """A function that runs ``iterations`` steps of :func:`jax_gradient_descent`
    from ``parameters`` on (X, Y), in their dtype, on the CPU, and waits for the
    result; compiled (and run once) here. None when JAX is not installed."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    cpu = jax.devices("cpu")[0]
    train = jax.jit(jax_gradient_descent(len(parameters) // 2, iterations))
    params = jax.device_put({k: jnp.asarray(v) for k, v in parameters.items()}, cpu)
    X_j, Y_j = jax.device_put(jnp.asarray(X), cpu), jax.device_put(jnp.asarray(Y), cpu)
    run = lambda: jax.block_until_ready(train(params, X_j, Y_j))
    trained = run()
    if trained["W1"].dtype != np.asarray(parameters["W1"]).dtype:
        raise TypeError(f"JAX trained in {trained['W1'].dtype}, not the parameters' dtype")
    return run


def jax_mini_batch_descent(n_layers, m, batch, num_epochs, learning_rate, activation):
    """JAX's mini-batch gradient descent on a LINEAR->ACTIVATION x (L-1) ->
    LINEAR->SIGMOID network (stable cross-entropy from the logits, averaged over
    each batch): ``train(params, X, Y)`` runs ``num_epochs`` epochs, each of the
    ``m // batch`` whole batches of consecutive examples in a ``fori_loop``, then
    the last ``m % batch`` examples as one batch, so the shapes and steps are
    fastinit's (without its reshuffle). Needs JAX, imported by the caller."""
    import jax
    import jax.numpy as jnp

    phi = {"tanh": jnp.tanh, "relu": jax.nn.relu}[activation]

    def cost(params, X, Y):
        A = X
        for l in range(1, n_layers + 1):
            Z = params[f"W{l}"] @ A + params[f"b{l}"]
            A = phi(Z) if l < n_layers else Z
        losses = jnp.maximum(A, 0) - A * Y + jnp.log1p(jnp.exp(-jnp.abs(A)))
        return jnp.sum(losses) / X.shape[1]

    gradient = jax.grad(cost)
    whole, rest = divmod(m, batch)

    def step(params, X, Y):
        grads = gradient(params, X, Y)
        return {k: params[k] - learning_rate * grads[k] for k in params}

    def epoch(_, params, X, Y):
        def batch_step(k, params):
            columns = lambda a: jax.lax.dynamic_slice_in_dim(a, k * batch, batch, axis=1)
            return step(params, columns(X), columns(Y))
        params = jax.lax.fori_loop(0, whole, batch_step, params)
        if rest:
            params = step(params, X[:, whole * batch:], Y[:, whole * batch:])
        return params

    def train(params, X, Y):
        return jax.lax.fori_loop(0, num_epochs, lambda e, p: epoch(e, p, X, Y), params)

    return train


def jax_mini_batch_vmap(X, Y, parameter_sets, batch, num_epochs, learning_rate, activation):
    """Like :func:`jax_mini_batch_loop` for a grid: ``jit(vmap(train))`` over the
    networks of ``parameter_sets`` (same shapes, stacked on a leading axis),
    on every core XLA is given. None when JAX is not installed."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    cpu = jax.devices("cpu")[0]
    train = jax.jit(jax.vmap(jax_mini_batch_descent(len(parameter_sets[0]) // 2, X.shape[1],
                                                    batch, num_epochs, learning_rate,
                                                    activation), in_axes=(0, None, None)))
    params = jax.device_put({k: jnp.stack([jnp.asarray(p[k], jnp.float64)
                                           for p in parameter_sets])
                             for k in parameter_sets[0]}, cpu)
    X_j = jax.device_put(jnp.asarray(X, jnp.float64), cpu)
    Y_j = jax.device_put(jnp.asarray(Y, jnp.float64), cpu)
    run = lambda: jax.block_until_ready(train(params, X_j, Y_j))
    run()
    return run


def jax_mini_batch_loop(X, Y, parameters, batch, num_epochs, learning_rate, activation):
    """A function that runs :func:`jax_mini_batch_descent` from ``parameters`` on
    (X, Y) in float64 on the CPU and waits for the result; compiled (and run once)
    here. None when JAX is not installed."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    cpu = jax.devices("cpu")[0]
    train = jax.jit(jax_mini_batch_descent(len(parameters) // 2, X.shape[1], batch,
                                           num_epochs, learning_rate, activation))
    params = jax.device_put({k: jnp.asarray(v, jnp.float64) for k, v in parameters.items()},
                            cpu)
    X_j = jax.device_put(jnp.asarray(X, jnp.float64), cpu)
    Y_j = jax.device_put(jnp.asarray(Y, jnp.float64), cpu)
    run = lambda: jax.block_until_ready(train(params, X_j, Y_j))
    trained = run()
    if trained["W1"].dtype != np.float64:
        raise TypeError(f"JAX trained in {trained['W1'].dtype}, not float64")
    return run
