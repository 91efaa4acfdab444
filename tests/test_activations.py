"""Hidden activations (issue 11): every activation against the plain-NumPy
reference, through every training path; derivatives as PyTorch takes them;
gains; the activation stored with the parameters; bad arguments."""

import math
import subprocess
import sys

import numpy as np
import pytest
import reference as ref
from conftest import random_problem

import fastinit as fi
from fastinit import row_space

SLOPE = 0.05  # not the default, so that a slope that is not passed through shows
NON_RELU = [name for name in fi.ACTIVATIONS if name != "relu"]


def hidden(activation):
    return {"activation": activation, "negative_slope": SLOPE}


def reference_hidden(activation):
    return {"hidden": activation, "negative_slope": SLOPE}


def assert_parameters_close(got, expected, rtol=1e-9, atol=1e-12):
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=rtol, atol=atol, err_msg=key)


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("depth", [2, 4])
def test_full_batch_training_matches_the_reference(activation, depth):
    dims, parameters, X, Y = random_problem(10 + depth, depth, m=150)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=300,
                      record_every=50, **hidden(activation))
    expected, costs = ref.train(X, Y, parameters, learning_rate=0.05, num_iterations=300,
                                record_every=50, **reference_hidden(activation))
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    assert_parameters_close(result.parameters, expected)
    assert result.activation == activation
    assert result.negative_slope == SLOPE


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_mini_batches_with_l2_and_dropout_match_the_reference(activation, optimizer):
    dims, parameters, X, Y = random_problem(3, 3, m=130)
    options = dict(optimizer=optimizer, learning_rate=0.01, mini_batch_size=32, num_epochs=20,
                   record_every=5, seed=4, lambd=0.3, keep_prob=0.8)
    result = fi.train(X, Y, parameters, **options, **hidden(activation))
    expected, costs = ref.train_mini_batches(X, Y, parameters, **options,
                                             **reference_hidden(activation))
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    assert_parameters_close(result.parameters, expected)


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("dropout_masks", [None, "fixed"])
def test_full_batch_dropout_matches_the_reference(activation, dropout_masks):
    dims, parameters, X, Y = random_problem(5, 3, m=90)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=200, record_every=40,
                      keep_prob=0.7, dropout_masks=dropout_masks, seed=6, **hidden(activation))
    expected, costs = ref.train(X, Y, parameters, learning_rate=0.05, num_iterations=200,
                                record_every=40, keep_prob=0.7, seed=6,
                                dropout_masks="fixed" if dropout_masks else "hashed",
                                **reference_hidden(activation))
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    assert_parameters_close(result.parameters, expected)


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
def test_float32_training_follows_the_reference(activation):
    dims, parameters, X, Y = random_problem(7, 3, m=100, dtype=np.float32)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=100, record_every=20,
                      **hidden(activation))
    assert result.parameters["W1"].dtype == np.float32
    params64 = {key: value.astype(np.float64) for key, value in parameters.items()}
    expected, costs = ref.train(X.astype(np.float64), Y.astype(np.float64), params64,
                                learning_rate=0.05, num_iterations=100, record_every=20,
                                **reference_hidden(activation))
    np.testing.assert_allclose(result.costs, costs, rtol=2e-5)
    assert_parameters_close(result.parameters, expected, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
def test_row_space_form_matches_the_reference(activation):
    rng = np.random.default_rng(8)
    dims = [600, 6, 4, 1]
    parameters = fi.initialize(dims, "he", seed=8)
    X = rng.standard_normal((600, 40)) / 10
    Y = (rng.random((1, 40)) < 0.5).astype(float)
    assert row_space.use_row_space(dims, 40, 200, 0.0)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=200, record_every=50,
                      **hidden(activation))
    expected, costs = ref.train(X, Y, parameters, learning_rate=0.05, num_iterations=200,
                                record_every=50, **reference_hidden(activation))
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    assert_parameters_close(result.parameters, expected, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
def test_every_thread_count_gives_the_same_bits(activation):
    rng = np.random.default_rng(2)
    parameters = fi.initialize([3, 9, 7, 1], "glorot", seed=2)
    X = rng.standard_normal((3, 5000))
    Y = (X[:1] * X[1:2] > 0).astype(float)
    results = [fi.train(X, Y, parameters, num_iterations=30, record_every=10, n_threads=n,
                        keep_prob=0.9, **hidden(activation)) for n in (1, 2, 3)]
    assert results[0] == results[1] == results[2]
    probabilities = [fi.predict_proba(X, results[0].parameters, n_threads=n,
                                      **hidden(activation)) for n in (1, 2, 3)]
    np.testing.assert_array_equal(probabilities[0], probabilities[1])
    np.testing.assert_array_equal(probabilities[0], probabilities[2])


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_passes_match_the_reference(activation, dtype):
    dims, parameters, X, Y = random_problem(21, 4, m=37, dtype=dtype)
    rtol = 1e-12 if dtype == np.float64 else 1e-4
    AL, caches = ref.forward(X.astype(np.float64),
                             {k: v.astype(np.float64) for k, v in parameters.items()},
                             **reference_hidden(activation))
    layers = fi.forward(X, parameters, **hidden(activation))
    for l, (Z, A) in enumerate(caches, 1):
        np.testing.assert_allclose(layers[f"Z{l}"], Z, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(layers[f"A{l}"], A, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(fi.predict_proba(X, parameters, **hidden(activation)), AL,
                               rtol=rtol, atol=rtol)
    grads = fi.backward(X, Y, parameters, **hidden(activation))
    expected = ref.backward(X.astype(np.float64), Y.astype(np.float64),
                            {k: v.astype(np.float64) for k, v in parameters.items()}, caches,
                            **reference_hidden(activation))
    for key, value in expected.items():
        np.testing.assert_allclose(grads[key], value, rtol=100 * rtol, atol=rtol, err_msg=key)
    net = fi.Network(parameters)
    np.testing.assert_array_equal(net.predict(X, **hidden(activation)),
                                  fi.predict(X, parameters, **hidden(activation)))
    assert net.accuracy(X, Y, **hidden(activation)) == fi.accuracy(X, Y, parameters,
                                                                    **hidden(activation))


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("seed", range(4))
def test_gradient_check_passes_for_every_activation(activation, seed):
    dims, parameters, X, Y = random_problem(200 + seed, 3, m=25)
    assert fi.gradient_check(parameters, X, Y, **hidden(activation)) < 2e-7
    assert fi.gradient_check(parameters, X, Y, keep_prob=0.8, **hidden(activation)) < 2e-7


def test_the_derivative_at_zero_is_pytorchs():
    """With every pre-activation exactly 0, ReLU passes no gradient below the
    first layer and leaky ReLU passes the slope."""
    parameters = {"W1": np.zeros((3, 2)), "b1": np.zeros((3, 1)),
                  "W2": np.array([[0.5, -1.0, 2.0]]), "b2": np.zeros((1, 1))}
    X = np.array([[1.0, -2.0], [0.5, 3.0]])
    Y = np.array([[1.0, 0.0]])
    dZ2 = (ref.sigmoid(np.zeros((1, 2))) - Y) / 2
    relu = fi.backward(X, Y, parameters)
    np.testing.assert_array_equal(relu["dW1"], np.zeros((3, 2)))
    leaky = fi.backward(X, Y, parameters, activation="leaky_relu", negative_slope=0.25)
    np.testing.assert_allclose(leaky["dW1"], (parameters["W2"].T @ dZ2 * 0.25) @ X.T,
                               rtol=1e-15)
    selu = fi.backward(X, Y, parameters, activation="selu")
    np.testing.assert_allclose(selu["db1"], (parameters["W2"].T @ dZ2).sum(1, keepdims=True)
                               * ref.SELU_SCALE * ref.SELU_ALPHA, rtol=1e-15)


def test_the_activations_keep_their_values_to_a_few_ulp():
    z = np.concatenate([np.linspace(-40, 40, 40001), np.geomspace(1e-300, 1, 2001),
                        -np.geomspace(1e-300, 1, 2001), [0.625, -0.625, -0.3465736]])
    parameters = {"W1": np.ones((1, 1)), "b1": np.zeros((1, 1)),
                  "W2": np.ones((1, 1)), "b2": np.zeros((1, 1))}
    for activation in fi.ACTIVATIONS:
        got = fi.forward(z[None, :], parameters, activation)["A1"][0]
        want = ref.activation(activation, z)
        ulps = np.abs(got - want) / np.spacing(np.maximum(np.abs(want), 1e-300))
        assert ulps.max() <= 4, (activation, z[np.argmax(ulps)])


def test_tanh_and_sigmoid_saturate_cleanly():
    z = np.array([[-1e308, -800.0, -30.0, 30.0, 800.0, 1e308]])
    parameters = {"W1": np.ones((1, 1)), "b1": np.zeros((1, 1)),
                  "W2": np.ones((1, 1)), "b2": np.zeros((1, 1))}
    np.testing.assert_array_equal(fi.forward(z, parameters, "tanh")["A1"],
                                  [[-1, -1, -1, 1, 1, 1]])
    sigmoid = fi.forward(z, parameters, "sigmoid")["A1"][0]
    assert np.all((sigmoid >= 0) & (sigmoid <= 1)) and sigmoid[4] == 1.0


@pytest.mark.parametrize("nonlinearity, param, gain", [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("conv2d", None, 1.0),
    ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("leaky_relu", -0.2, math.sqrt(2 / 1.04)),
    ("selu", None, 0.75),
])
def test_calculate_gain_has_pytorchs_values(nonlinearity, param, gain):
    assert fi.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


@pytest.mark.parametrize("call, error, match", [
    (lambda: fi.calculate_gain("swish"), ValueError, "nonlinearity"),
    (lambda: fi.calculate_gain(3), TypeError, "nonlinearity"),
    (lambda: fi.calculate_gain("leaky_relu", "x"), ValueError, "param"),
    (lambda: fi.calculate_gain("leaky_relu", float("nan")), ValueError, "param"),
])
def test_calculate_gain_refuses_what_it_does_not_know(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"activation": "swish"}, ValueError, "activation.*relu, leaky_relu"),
    ({"activation": "ReLU"}, ValueError, "activation"),
    ({"activation": None}, TypeError, "activation"),
    ({"activation": "leaky_relu", "negative_slope": -0.1}, ValueError, "negative_slope"),
    ({"activation": "leaky_relu", "negative_slope": float("nan")}, ValueError, "negative_slope"),
    ({"activation": "leaky_relu", "negative_slope": True}, TypeError, "negative_slope"),
    ({"activation": "leaky_relu", "negative_slope": "0.1"}, TypeError, "negative_slope"),
])
def test_bad_activations_are_named(kwargs, error, match):
    dims, parameters, X, Y = random_problem(1, 2, m=10)
    calls = [lambda: fi.train(X, Y, parameters, num_iterations=2, **kwargs),
             lambda: fi.forward(X, parameters, **kwargs),
             lambda: fi.backward(X, Y, parameters, **kwargs),
             lambda: fi.predict_proba(X, parameters, **kwargs),
             lambda: fi.accuracy(X, Y, parameters, **kwargs),
             lambda: fi.gradient_check(parameters, X, Y, **kwargs)]
    for call in calls:
        with pytest.raises(error, match=match):
            call()


def test_the_activation_travels_with_the_saved_parameters(tmp_path):
    dims, parameters, X, Y = random_problem(4, 3, m=50)
    result = fi.train(X, Y, parameters, num_iterations=50, **hidden("leaky_relu"))
    fi.save_parameters(tmp_path / "p.npz", result.parameters, result.activation,
                       result.negative_slope)
    loaded, stored = fi.load_parameters(tmp_path / "p.npz", with_activation=True)
    assert stored == {"activation": "leaky_relu", "negative_slope": SLOPE}
    assert_parameters_close(loaded, result.parameters, rtol=0, atol=0)
    assert fi.load_parameters(tmp_path / "p.npz").keys() == result.parameters.keys()

    np.savez(tmp_path / "old.npz", **result.parameters)  # written before activations
    assert fi.load_parameters(tmp_path / "old.npz", with_activation=True)[1] == {
        "activation": "relu", "negative_slope": 0.01}


@pytest.mark.parametrize("entries, match", [
    ({"activation": np.array("swish")}, "unknown activation"),
    ({"activation": np.array(["tanh", "relu"])}, "one string"),
    ({"activation": np.array(3.0)}, "one string"),
    ({"negative_slope": np.array(-1.0)}, "negative_slope"),
    ({"negative_slope": np.array("0.1")}, "one float"),
    ({"negative_slope": np.zeros(2)}, "one float"),
])
def test_hostile_activation_entries_are_refused(tmp_path, entries, match):
    dims, parameters, X, Y = random_problem(4, 2, m=5)
    np.savez(tmp_path / "bad.npz", **parameters, **entries)
    with pytest.raises(ValueError, match=match):
        fi.load_parameters(tmp_path / "bad.npz")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "fastinit", *args], capture_output=True,
                          text=True, timeout=300)


def test_the_command_line_trains_saves_and_predicts_with_the_activation(tmp_path):
    X, Y, X_test, Y_test = fi.datasets.load_dataset("moons")
    np.savez(tmp_path / "train.npz", X=X.T, Y=Y.ravel())
    np.savez(tmp_path / "test.npz", X=X_test.T, Y=Y_test.ravel())
    process = run_cli("train", "--data", str(tmp_path / "train.npz"), "--layers", "8,4",
                      "--init", "glorot", "--iterations", "500", "--learning-rate", "0.1",
                      "--activation", "leaky_relu", "--negative-slope", "0.2",
                      "--save", str(tmp_path / "p.npz"), "--quiet")
    assert process.returncode == 0, process.stderr
    expected = fi.train(X, Y, fi.initialize([2, 8, 4, 1], "glorot", seed=3), learning_rate=0.1,
                        num_iterations=500, activation="leaky_relu", negative_slope=0.2)
    loaded, stored = fi.load_parameters(tmp_path / "p.npz", with_activation=True)
    assert stored == {"activation": "leaky_relu", "negative_slope": 0.2}
    assert_parameters_close(loaded, expected.parameters, rtol=0, atol=0)
    predicted = run_cli("predict", "--params", str(tmp_path / "p.npz"), "--data",
                        str(tmp_path / "test.npz"), "--proba")
    assert predicted.returncode == 0, predicted.stderr
    np.testing.assert_array_equal(
        [float(v) for v in predicted.stdout.split()],
        fi.predict_proba(X_test, loaded, activation="leaky_relu", negative_slope=0.2)[0])
    assert not np.array_equal([float(v) for v in predicted.stdout.split()],
                              fi.predict_proba(X_test, loaded)[0])


@pytest.mark.parametrize("args", [["--activation", "swish"], ["--negative-slope", "-1"],
                                  ["--negative-slope", "nan"]])
def test_the_command_line_refuses_bad_activations(args):
    process = run_cli("compare", "--iterations", "10", "--no-plots", *args)
    assert process.returncode == 2
    assert len(process.stderr.strip().splitlines()) == 1
    assert "activation" in process.stderr or "negative-slope" in process.stderr


def test_compare_trains_with_the_activation(tmp_path):
    runs, (train_X, train_Y, _, _) = fi.compare_initializers(
        ["glorot"], num_iterations=300, activation="tanh")
    expected = fi.train(train_X, train_Y, fi.initialize([2, 10, 5, 1], "glorot", seed=3),
                        num_iterations=300, activation="tanh")
    assert runs[0].final_cost == expected.final_cost
    assert runs[0].train_accuracy == fi.accuracy(train_X, train_Y, expected.parameters,
                                                 activation="tanh")


@pytest.mark.parametrize("activation", NON_RELU)
def test_init_utils_takes_the_activation(activation):
    from fastinit import init_utils

    dims, parameters, X, Y = random_problem(30, 3, m=41)
    a3, cache = init_utils.forward_propagation(X, parameters, **hidden(activation))
    grads = init_utils.backward_propagation(X, Y, cache, **hidden(activation))
    AL, caches = ref.forward(X, parameters, **reference_hidden(activation))
    expected = ref.backward(X, Y, parameters, caches, **reference_hidden(activation))
    np.testing.assert_allclose(a3, AL, rtol=1e-12)
    for key, value in expected.items():
        np.testing.assert_allclose(grads[key], value, rtol=1e-10, atol=1e-14, err_msg=key)
