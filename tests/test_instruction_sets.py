"""Every compiled build of the kernels against the reference, in one process."""

import importlib
import os
import subprocess
import sys

import numpy as np
import pytest
import reference as ref
from conftest import NOTEBOOK_HE_COSTS, random_problem, runnable_builds

import fastinit as fi
from fastinit import _kernels


def available_builds():
    """The generic build and every other build this CPU runs, fastest last."""
    return [module.__name__.rsplit(".", 1)[1] for _, module in runnable_builds(False)]


@pytest.fixture(params=available_builds())
def build(request, monkeypatch):
    """Route fastinit's kernels through one build for the test."""
    module = importlib.import_module(f"fastinit.{request.param}")
    for name in ("descend", "forward_layers", "backward_layers", "infer", "gradient",
                 "gradient_step", "training_layout", "epochs", "epoch_layout"):
        monkeypatch.setattr(_kernels, name, getattr(module, name))
    return module


def test_the_chosen_build_is_the_best_the_cpu_runs():
    best = importlib.import_module(f"fastinit.{available_builds()[-1]}").instruction_set()
    forced = os.environ.get("FASTINIT_ISA", "").strip().lower()
    expected = best if not forced else \
        importlib.import_module(f"fastinit._kernels_{forced}").instruction_set()
    assert _kernels.INSTRUCTION_SET == expected
    assert fi.show_config(file=None)["instruction_set"] == expected


@pytest.mark.parametrize("forced", ["avx2", "avx512"])
def test_a_forced_build_is_the_one_used_or_an_error(forced):
    """FASTINIT_ISA names a build: a fresh interpreter uses it where the CPU runs
    it, and refuses to import where it cannot."""
    code = "import fastinit as fi; print(fi.show_config(file=None)['instruction_set'])"
    env = {**os.environ, "FASTINIT_ISA": forced}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    if f"_kernels_{forced}" in available_builds():
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip().startswith(forced)
    else:
        assert run.returncode != 0
        assert "FASTINIT_ISA" in run.stderr


@pytest.mark.parametrize("module", ["_kernels_avx2", "_kernels_avx512", "_kernels_avx512_layout"])
def test_importing_a_build_directly_never_kills_the_interpreter(module):
    """Importing a build module by name (not through fastinit._kernels) on a CPU
    that cannot run it raises ImportError instead of dying of SIGILL; on a CPU that
    runs it, the import works. A fresh interpreter each time."""
    code = f"import fastinit.{module} as build; print(build.instruction_set())"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    runs = [m.__name__.rsplit(".", 1)[1] for _, m in runnable_builds()]
    if module in runs:
        assert run.returncode == 0, run.stderr
    elif "No module named" in run.stderr:  # a build this installation does not have
        assert run.returncode == 1
    else:
        assert run.returncode == 1, f"exit {run.returncode}: {run.stderr[-500:]}"
        assert run.stderr.strip().splitlines()[-1].startswith("ImportError: fastinit."
                                                               f"{module} is built for")


def test_an_unknown_forced_build_is_refused():
    env = {**os.environ, "FASTINIT_ISA": "sse9"}
    run = subprocess.run([sys.executable, "-c", "import fastinit"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "FASTINIT_ISA must be one of 'generic', 'avx512', 'avx2'" in run.stderr


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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m", [40, 90, 300])
def test_every_build_trains_wide_and_narrow_tiles_like_the_reference(build, dtype, m):
    """Layers of 15 and 16-17 units and inputs sit on either side of FI_WIDE_INPUTS,
    where the forward pass and the input gradient change to wider register tiles;
    float32 at m = 90 leaves an odd number of chunks, so that the last columns take
    the one-chunk tail. Last layers of 1, 2 and 3 rows over 16, 10 and 9 inputs give
    the weight gradient's tiles of 1 and 2 rows across eight inputs and of 3 rows split
    in two."""
    rng = np.random.default_rng(m)
    for dims in ([16, 17, 15, 16, 1], [5, 10, 2], [17, 9, 3]):
        X = rng.standard_normal((dims[0], m)).astype(dtype)
        Y = (rng.random((dims[-1], m)) < 0.5).astype(dtype)
        parameters = fi.initialize(dims, "he", seed=5, dtype=dtype)
        options = dict(learning_rate=0.05, num_iterations=40, record_every=10)
        result = fi.train(X, Y, parameters, **options)
        expected_params, expected_costs = ref.train(X, Y, parameters, **options)
        rtol = 1e-9 if dtype == np.float64 else 1e-4
        np.testing.assert_allclose(result.costs, expected_costs, rtol=rtol)
        for key, value in expected_params.items():
            np.testing.assert_allclose(result.parameters[key], value, rtol=rtol * 10,
                                       atol=rtol / 10, err_msg=f"{dims} {key}")


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


def test_every_build_measures_its_fma_peak(build):
    """fma_peak (report.py's yardstick) times real work and names bad arguments.
    Only that it is a positive, finite rate is asserted: speed is measured in
    benchmarks, not in unit tests."""
    rate = build.fma_peak(1, rounds=200_000)
    assert np.isfinite(rate) and rate > 0
    for bad in ({"n_threads": 0}, {"rounds": 0}):
        with pytest.raises(ValueError, match="n_threads and rounds must be positive"):
            build.fma_peak(**{"n_threads": 1, "rounds": 1000, **bad})
