"""Every compiled build of the kernels against the reference, in one process."""

import importlib
import os

import numpy as np
import pytest
import reference as ref
from conftest import NOTEBOOK_HE_COSTS, random_problem

import fastinit as fi
from fastinit import _kernels


def available_builds():
    builds = ["_kernels_generic"]
    from fastinit import _kernels_generic

    if _kernels_generic.cpu_has_avx2_fma():
        try:
            importlib.import_module("fastinit._kernels_avx2")
            builds.append("_kernels_avx2")
        except ImportError:
            pass
    return builds


@pytest.fixture(params=available_builds())
def build(request, monkeypatch):
    """Route fastinit's kernels through one build for the test."""
    module = importlib.import_module(f"fastinit.{request.param}")
    for name in ("descend", "forward_layers", "backward_layers", "infer", "gradient",
                 "gradient_step", "training_layout", "epochs", "epoch_layout"):
        monkeypatch.setattr(_kernels, name, getattr(module, name))
    return module


def test_the_chosen_build_is_the_best_the_cpu_runs():
    from fastinit import _kernels_generic

    best = "avx2+fma" if "_kernels_avx2" in available_builds() else \
        _kernels_generic.instruction_set()
    forced = os.environ.get("FASTINIT_ISA", "").strip().lower()
    expected = _kernels_generic.instruction_set() if forced == "generic" else best
    assert _kernels.INSTRUCTION_SET == expected
    assert fi.show_config(file=None)["instruction_set"] == expected


@pytest.mark.parametrize("depth", [1, 2, 4, 6])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_build_trains_like_the_reference(build, depth, dtype):
    dims, parameters, X, Y = random_problem(300 + depth, depth, m=100, dtype=dtype)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=300,
                      record_every=100)
    expected_params, expected_costs = ref.train(X, Y, parameters, learning_rate=0.05,
                                                num_iterations=300, record_every=100)
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(result.costs, expected_costs, rtol=rtol)
    for key, value in expected_params.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=rtol * 10,
                                   atol=rtol / 10, err_msg=key)


def test_every_build_reproduces_the_notebook(build, circles):
    X, Y, X_test, Y_test = circles
    result = fi.train(X, Y, fi.initialize([2, 10, 5, 1], "he", seed=3))
    np.testing.assert_allclose(result.costs, NOTEBOOK_HE_COSTS, rtol=1e-9)
    assert fi.accuracy(X_test, Y_test, result.parameters) == 0.96


def test_every_build_is_bit_identical_across_thread_counts(build):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 3000))
    Y = (rng.random((1, 3000)) < 0.5).astype(float)
    parameters = fi.initialize([3, 20, 20, 1], "he", seed=1)
    one = fi.train(X, Y, parameters, num_iterations=40, record_every=10, n_threads=1)
    two = fi.train(X, Y, parameters, num_iterations=40, record_every=10, n_threads=2)
    assert one == two


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_every_build_trains_mini_batches_like_the_reference(build, optimizer):
    dims, parameters, X, Y = random_problem(77, 3, m=130)
    result = fi.train(X, Y, parameters, optimizer=optimizer, learning_rate=0.01,
                      mini_batch_size=40, num_epochs=20, record_every=5)
    _, costs = ref.train_mini_batches(X, Y, parameters, optimizer=optimizer,
                                      learning_rate=0.01, mini_batch_size=40, num_epochs=20,
                                      record_every=5)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_build_trains_with_l2_and_dropout_like_the_reference(build, dtype):
    dims, parameters, X, Y = random_problem(78, 3, m=150, dtype=dtype)
    options = dict(learning_rate=0.05, num_iterations=60, record_every=20, lambd=0.4,
                   keep_prob=0.8)
    result = fi.train(X, Y, parameters, **options)
    _, costs = ref.train(X, Y, parameters, dropout_masks="hashed", **options)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9 if dtype == np.float64 else 1e-4)
    assert fi.gradient_check(parameters, X, Y, lambd=0.4, keep_prob=0.8) < 2e-7


def test_every_build_trains_in_row_space_like_the_reference(build):
    rng = np.random.default_rng(79)
    X = rng.standard_normal((500, 30))
    Y = (rng.random((1, 30)) < 0.5).astype(float)
    parameters = fi.initialize([500, 12, 4, 1], "he", seed=2)
    assert fi.row_space.use_row_space([500, 12, 4, 1], 30, 50, 0.0)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=50, record_every=10)
    _, costs = ref.train(X, Y, parameters, learning_rate=0.05, num_iterations=50,
                         record_every=10)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_build_trains_every_activation_like_the_reference(build, activation, dtype):
    dims, parameters, X, Y = random_problem(40, 3, m=70, dtype=dtype)
    options = dict(learning_rate=0.05, num_iterations=200, record_every=50, keep_prob=0.9,
                   negative_slope=0.1)
    result = fi.train(X, Y, parameters, activation=activation, **options)
    expected_params, expected_costs = ref.train(X, Y, parameters, hidden=activation,
                                                dropout_masks="hashed", **options)
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(result.costs, expected_costs, rtol=rtol)
    for key, value in expected_params.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=rtol * 10,
                                   atol=rtol / 10, err_msg=key)
    layers = fi.forward(X, result.parameters, activation, negative_slope=0.1)
    np.testing.assert_allclose(fi.predict_proba(X, result.parameters, activation=activation,
                                                negative_slope=0.1), layers["AL"], rtol=rtol)
