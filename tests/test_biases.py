"""Biases at initialization (``bias_std``), their variances for the theory, and
the ``"critical"`` initializer."""

import math

import numpy as np
import pytest

import fastinit as fi
from fastinit.initializers import bias_variances, weight_variances

from test_initializers import options_for

DIMS = [6, 9, 7, 1]


@pytest.mark.parametrize("method", sorted(fi.INITIALIZERS))
def test_the_default_draws_no_biases_and_leaves_the_weights_alone(method):
    default = fi.initialize(DIMS, method, seed=5, **options_for(method, 6))
    explicit = fi.initialize(DIMS, method, seed=5, bias_std=0.0, **options_for(method, 6))
    for key in default:
        np.testing.assert_array_equal(default[key], explicit[key])
        if key.startswith("b"):
            assert not default[key].any()


@pytest.mark.parametrize("method, std", [("he", lambda n: math.sqrt(2 / n)),
                                         ("random", lambda n: 10.0),
                                         ("xavier", lambda n: math.sqrt(1 / n))])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_each_layers_biases_come_right_after_its_weights_in_one_stream(method, std, dtype):
    parameters = fi.initialize(DIMS, method, seed=11, dtype=dtype, bias_std=0.3)
    stream = np.random.RandomState(11)
    for l in range(1, len(DIMS)):
        W = stream.standard_normal((DIMS[l], DIMS[l - 1])) * std(DIMS[l - 1])
        b = stream.standard_normal((DIMS[l], 1)) * 0.3
        np.testing.assert_array_equal(parameters[f"W{l}"], W.astype(dtype))
        np.testing.assert_array_equal(parameters[f"b{l}"], b.astype(dtype))
        assert parameters[f"b{l}"].dtype == dtype


def test_only_the_first_layers_weights_are_shared_with_the_bias_free_draw():
    with_biases = fi.initialize(DIMS, "he", seed=2, bias_std=1.0)
    without = fi.initialize(DIMS, "he", seed=2)
    np.testing.assert_array_equal(with_biases["W1"], without["W1"])
    assert not np.array_equal(with_biases["W2"], without["W2"])


@pytest.mark.parametrize("method", sorted(set(fi.INITIALIZERS) - {"lsuv"}))
def test_biases_have_the_variance_bias_variances_gives(method):
    dims = [40, 400, 400, 1]
    options = dict(options_for(method, 40), bias_std=0.7)
    draws = [fi.initialize(dims, method, seed=s, **options) for s in range(5)]
    expected = bias_variances(dims, method, **options)
    np.testing.assert_array_equal(expected, [0.7 ** 2] * 3)
    for l in (1, 2):
        measured = np.mean([np.mean(p[f"b{l}"] ** 2) for p in draws])
        # 2000 squared normals: relative standard error sqrt(2/2000) ~ 3%
        assert measured == pytest.approx(expected[l - 1], rel=0.15)


def test_lsuv_keeps_its_biases():
    X = np.random.default_rng(0).standard_normal((6, 80))
    parameters = fi.initialize(DIMS, "lsuv", seed=1, X=X, bias_std=0.2)
    start = fi.initialize(DIMS, "orthogonal", seed=1, bias_std=0.2)
    for l in range(1, len(DIMS)):
        np.testing.assert_array_equal(parameters[f"b{l}"], start[f"b{l}"])


def test_bias_variances_default_to_zero():
    np.testing.assert_array_equal(bias_variances(DIMS, "he"), np.zeros(3))


@pytest.mark.parametrize("bias_std, error, match", [
    (-0.1, ValueError, "bias_std must be a finite number >= 0"),
    (math.nan, ValueError, "bias_std"),
    (math.inf, ValueError, "bias_std"),
    (True, TypeError, "bias_std must be a real number"),
    ("0.1", TypeError, "bias_std"),
    (None, TypeError, "bias_std"),
    (np.array([0.1]), TypeError, "bias_std"),
    (1e300, ValueError, "below 1e154"),
])
@pytest.mark.parametrize("where", ["initialize", "bias_variances"])
def test_bad_bias_std_is_named(bias_std, error, match, where):
    with pytest.raises(error, match=match):
        if where == "bias_variances":
            bias_variances(DIMS, "he", bias_std=bias_std)
        else:
            fi.initialize(DIMS, "he", bias_std=bias_std)


def test_biases_beyond_float32_are_refused_by_name():
    with pytest.raises(ValueError, match="b1 values beyond float32's range"):
        fi.initialize(DIMS, "he", dtype=np.float32, bias_std=1e39)


def test_orthogonal_weight_variance_is_gain_squared_over_the_larger_fan():
    dims = [30, 50, 20, 1]
    expected = weight_variances(dims, "orthogonal", gain=1.5)
    np.testing.assert_allclose(expected, [2.25 / 50, 2.25 / 50, 2.25 / 20])
    parameters = fi.initialize(dims, "orthogonal", seed=0, gain=1.5)
    for l in range(1, len(dims)):  # exactly: rows or columns of norm gain
        assert np.mean(parameters[f"W{l}"] ** 2) == pytest.approx(expected[l - 1], rel=1e-12)


def test_critical_for_relu_is_he_and_for_bias_free_tanh_is_lecun_bit_for_bit():
    dims = [7, 30, 30, 1]
    for activation, twin in (("relu", "he"), ("linear", "lecun"), ("tanh", "lecun")):
        critical = fi.initialize(dims, "critical", seed=4, activation=activation)
        same = fi.initialize(dims, twin, seed=4)
        for key in critical:
            np.testing.assert_array_equal(critical[key], same[key])


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "selu", "relu", "leaky_relu",
                                        "linear"])
@pytest.mark.parametrize("bias_std", [0.0, 0.1, math.sqrt(0.05), 0.5])
def test_critical_sits_on_the_critical_line(activation, bias_std):
    from fastinit import theory

    try:
        sigma_w2 = theory.critical_sigma_w2(bias_std ** 2, activation=activation)
    except ValueError:
        with pytest.raises(ValueError):
            fi.initialize([5, 5, 1], "critical", activation=activation, bias_std=bias_std)
        return
    variances = weight_variances([5, 8, 1], "critical", activation=activation,
                                 bias_std=bias_std)
    np.testing.assert_allclose(variances * [5, 8], sigma_w2, rtol=1e-15)
    if math.isfinite(theory.length_fixed_point(sigma_w2, bias_std ** 2, activation=activation)):
        assert abs(theory.chi_1(sigma_w2, bias_std ** 2, activation=activation) - 1) < 1e-10
    parameters = fi.initialize([400, 400, 1], "critical", seed=0, activation=activation,
                               bias_std=bias_std)
    assert np.mean(parameters["W1"] ** 2) * 400 == pytest.approx(sigma_w2, rel=0.02)


def test_critical_needs_the_activation_and_names_it():
    with pytest.raises(ValueError, match="needs the hidden activation"):
        fi.initialize([3, 4, 1], "critical")
    with pytest.raises(ValueError, match="unknown activation"):
        fi.initialize([3, 4, 1], "critical", activation="gelu")
    with pytest.raises(ValueError, match="bias_std"):
        fi.initialize([3, 4, 1], "critical", activation="tanh", bias_std=-1)


def test_experiments_and_sweeps_initialize_critical_for_the_activation_they_train_with():
    from fastinit.experiments import _initial

    X = np.zeros((2, 5), dtype=np.float32)
    for activation in ("tanh", "sigmoid"):
        start = _initial([2, 6, 1], "critical", 3, (X,), {"activation": activation})
        expected = fi.initialize([2, 6, 1], "critical", seed=3, dtype=np.float32,
                                 activation=activation)
        for key in expected:
            np.testing.assert_array_equal(start[key], expected[key])
    relu = _initial([2, 6, 1], "critical", 3, (X,), {})
    np.testing.assert_array_equal(relu["W1"], fi.initialize([2, 6, 1], "he", seed=3,
                                                            dtype=np.float32)["W1"])


def test_the_estimator_initializes_critical_for_its_own_activation():
    from sklearn.datasets import make_moons

    from fastinit.sklearn import FastInitClassifier

    X, y = make_moons(60, noise=0.1, random_state=0)
    critical = FastInitClassifier(init="critical", max_iter=20, random_state=1).fit(X, y)
    he = FastInitClassifier(init="he", max_iter=20, random_state=1).fit(X, y)
    for key in he.parameters_:  # ReLU's critical point is He's
        np.testing.assert_array_equal(critical.parameters_[key], he.parameters_[key])
    lecun = FastInitClassifier(init="lecun", activation="tanh", max_iter=20,
                               random_state=1).fit(X, y)
    tanh = FastInitClassifier(init="critical", activation="tanh", max_iter=20,
                              random_state=1).fit(X, y)
    for key in lecun.parameters_:  # tanh's, without biases, is sigma_w2 = 1
        np.testing.assert_array_equal(tanh.parameters_[key], lecun.parameters_[key])


def test_the_command_line_trains_from_critical(tmp_path):
    from fastinit import cli

    data = tmp_path / "data.csv"
    rows = np.random.default_rng(0).standard_normal((40, 2))
    np.savetxt(data, np.column_stack([rows, rows[:, 0] > 0]), delimiter=",", fmt="%.6f")
    assert cli.main(["train", "--data", str(data), "--init", "critical", "--activation", "tanh",
                     "--iterations", "5", "--quiet"]) == 0
