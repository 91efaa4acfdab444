"""Issue 13's speed comparisons, shared by report.py and the pytest-benchmark
suite: a sweep against a serial loop of fi.train, and many seeds of one network
against JAX's jit(vmap(fori_loop)) over the seeds.

Both train on the notebook's circles data (learning rate 0.01, float64) from
He initialization with seeds 0, 1, ... A sweep's networks have equal hidden
widths, so the notebook's size is 2-10-10-1 here (the notebook's own is 2-10-5-1).
"""

import numpy as np
from jax_peer import jax_gradient_descent

import fastinit as fi

LAYERS = (2, 10, 10, 1)


def data():
    X, Y, _, _ = fi.datasets.load_dataset()
    return X, Y


def serial_loop(seeds, iterations):
    """``fi.train(..., n_threads=1)`` once per seed, one after another."""
    X, Y = data()
    for seed in seeds:
        fi.train(X, Y, fi.initialize(list(LAYERS), "he", seed=seed), num_iterations=iterations,
                 n_threads=1)


def fastinit_sweep(seeds, iterations):
    """The same runs through :func:`fastinit.sweep`'s default thread pool."""
    fi.sweep(["he"], depths=[len(LAYERS) - 2], widths=[LAYERS[1]], seeds=seeds,
             iterations=iterations)


def jax_vmap(seeds, iterations):
    """A function that trains every seed at once with JAX (CPU, float64):
    ``jit(vmap(fori_loop))`` over the seeds' parameters, compiled on the first
    call. None when JAX is not installed."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    X, Y = data()
    cpu = jax.devices("cpu")[0]
    stacked = {key: np.stack([fi.initialize(list(LAYERS), "he", seed=seed)[key]
                              for seed in seeds]) for key in fi.initialize(list(LAYERS))}
    train_one = jax_gradient_descent(len(LAYERS) - 1, iterations)
    train_all = jax.jit(jax.vmap(train_one, in_axes=(0, None, None)))
    params = jax.device_put({k: jnp.asarray(v) for k, v in stacked.items()}, cpu)
    X_j, Y_j = jax.device_put(jnp.asarray(X), cpu), jax.device_put(jnp.asarray(Y), cpu)
    return lambda: jax.block_until_ready(train_all(params, X_j, Y_j))
