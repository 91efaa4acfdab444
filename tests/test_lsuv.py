"""LSUV (issue 11): unit pre-activation variance layer by layer, on the data."""

import warnings

import numpy as np
import pytest

import fastinit as fi
from fastinit.lsuv import LSUVWarning


def data(n_inputs=8, m=400, seed=0):
    return np.random.default_rng(seed).standard_normal((n_inputs, m)) * 3 + 1


@pytest.mark.parametrize("activation", ["relu", "tanh", "leaky_relu", "selu"])
@pytest.mark.parametrize("start", ["orthogonal", "random", "random_small", "glorot"])
def test_every_hidden_layer_ends_within_tol_of_unit_variance(activation, start):
    X = data()
    dims = [8, 30, 30, 20, 30, 1]
    parameters = fi.initialize(dims, start, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LSUVWarning)
        rescaled = fi.lsuv(parameters, X, activation=activation, tol=0.05)
    layers = fi.forward(X, rescaled, activation)
    for l in range(1, len(dims) - 1):
        assert abs(np.var(layers[f"Z{l}"]) - 1) < 0.05, l
    np.testing.assert_array_equal(rescaled[f"W{len(dims) - 1}"],
                                  parameters[f"W{len(dims) - 1}"])  # the output layer stays
    for l in range(1, len(dims)):
        np.testing.assert_array_equal(rescaled[f"b{l}"], parameters[f"b{l}"])
        ratio = rescaled[f"W{l}"] / parameters[f"W{l}"]
        np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-12)  # only rescaled


def test_the_callers_parameters_and_data_are_untouched():
    X = data()
    parameters = fi.initialize([8, 10, 10, 1], "random", seed=2)
    copies = {k: v.copy() for k, v in parameters.items()}
    X_copy = X.copy()
    fi.lsuv(parameters, X)
    net = fi.Network(parameters)
    theta = net.theta.copy()
    fi.lsuv(net, X)
    np.testing.assert_array_equal(net.theta, theta)
    np.testing.assert_array_equal(X, X_copy)
    for key, value in copies.items():
        np.testing.assert_array_equal(parameters[key], value)


def test_the_lsuv_initializer_is_orthogonal_then_lsuv():
    X = data()
    dims = [8, 12, 12, 1]
    expected = fi.lsuv(fi.initialize(dims, "orthogonal", seed=4), X, activation="tanh")
    got = fi.initialize(dims, "lsuv", seed=4, X=X, activation="tanh")
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key])
    assert fi.initialize(dims, "lsuv", seed=4, X=X, dtype="float32")["W1"].dtype == np.float32


def test_layers_that_cannot_converge_are_named():
    X = data()
    with pytest.warns(LSUVWarning, match=r"layers 1 \(variance 0\), 2 \(variance 0\).*cannot"):
        fi.lsuv(fi.initialize([8, 5, 5, 1], "zeros"), X)
    biased = fi.initialize([8, 5, 1], "random", seed=0)
    biased["b1"] = np.arange(5.0).reshape(5, 1)  # rescaling W1 cannot scale their spread
    with pytest.warns(LSUVWarning, match=r"layers 1 \(variance .*max_iter=1 "):
        fi.lsuv(biased, X, tol=1e-12, max_iter=1)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"tol": 0}, ValueError, "tol"),
    ({"max_iter": 0}, ValueError, "max_iter"),
    ({"max_iter": 1.5}, TypeError, "max_iter"),
    ({"activation": "swish"}, ValueError, "activation"),
    ({"X": np.ones((8, 1))}, ValueError, "at least 2 examples"),
    ({"X": np.ones((3, 10))}, ValueError, "features"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    arguments = {"X": data()} | kwargs
    with pytest.raises(error, match=match):
        fi.lsuv(fi.initialize([8, 5, 1], "he", seed=0), **arguments)


def test_compare_initializes_lsuv_on_the_training_inputs():
    runs, (train_X, train_Y, _, _) = fi.compare_initializers(["lsuv"], num_iterations=200,
                                                             activation="tanh")
    start = fi.initialize([2, 10, 5, 1], "lsuv", seed=3, X=train_X, activation="tanh")
    expected = fi.train(train_X, train_Y, start, num_iterations=200, activation="tanh")
    assert runs[0].final_cost == expected.final_cost
