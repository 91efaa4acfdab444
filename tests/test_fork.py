"""Threads (issue 15): a child started with fork after the parent trained on
several threads must train, not hang in libgomp; libgomp's barrier spin is
shortened so that a busy machine is not made slower by threads (the load case
itself is a benchmark: python benchmarks/report.py --load)."""

import multiprocessing

import numpy as np
import pytest

import fastinit as fi
from fastinit import threads

X = np.random.default_rng(0).standard_normal((2, 100_000))
Y = (X[:1] > 0).astype(float)
PARAMETERS = fi.initialize([2, 10, 5, 1], "he", seed=3)


def train_in_child(n_threads, queue):
    result = fi.train(X, Y, PARAMETERS, num_iterations=5, n_threads=n_threads)
    queue.put((threads.resolve_threads(n_threads, [2, 10, 5, 1], X.shape[1]),
               result.parameters["W1"]))


@pytest.mark.parametrize("n_threads", [None, 2])
def test_a_forked_child_trains_on_one_thread_with_the_same_bits(n_threads):
    expected = fi.train(X, Y, PARAMETERS, num_iterations=5, n_threads=2)  # the pool is up
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=train_in_child, args=(n_threads, queue))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung")
    assert child.exitcode == 0
    used, W1 = queue.get(timeout=10)
    assert used == 1
    np.testing.assert_array_equal(W1, expected.parameters["W1"])


def test_the_barrier_spin_is_shortened_unless_the_user_set_it():
    import os
    import subprocess
    import sys

    code = "import os, fastinit; print(os.environ['GOMP_SPINCOUNT'])"
    environment = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=environment, check=True).stdout.strip()
    assert shown == "30000"
    environment["GOMP_SPINCOUNT"] = "123"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=environment, check=True).stdout.strip()
    assert shown == "123"
