"""The edge of chaos's public surfaces under hostile input: fastinit.theory,
the biases and the "critical" initializer, fastinit.correlations,
fastinit.jacobian, edge_of_chaos.report, chaos_figures on a tampered
theory.json, and ``fastinit theory`` (special files for --out, sizes refused up
front, a real SIGINT). Bad input is a TypeError or ValueError naming the
argument, never a crash, a hang, a warning, a silent wrong answer or a
mutated input; the command answers in one line with exit 2 (130 for Ctrl-C)."""

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import fastinit as fi
from fastinit import chaos_figures, edge_of_chaos, theory
from fastinit.cli import main
from fastinit.correlations import correlated_inputs, correlation_propagation, fit_depth_scale
from fastinit.initializers import activation_options, bias_variances, weight_variances
from fastinit.jacobian import jacobian, jacobian_spectrum

pytestmark = pytest.mark.usefixtures("close_figures")

DIMS = [4, 6, 6, 1]
SMALL = ["--width", "4", "--depth", "3", "--seeds", "0", "--quiet"]


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture
def small_grid(monkeypatch):
    monkeypatch.setattr(edge_of_chaos, "PHASE_POINTS_W", 5)
    monkeypatch.setattr(edge_of_chaos, "PHASE_POINTS_B", 3)
    monkeypatch.setattr(edge_of_chaos, "LINE_POINTS", 4)
    monkeypatch.setattr(edge_of_chaos, "SCALE_POINTS", 7)


def _pair(seed=1):
    return correlated_inputs(4, 0.5, seed=seed)


# ---------------------------------------------------------------------------
# fastinit.theory
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, match", [
    (lambda: theory.length_map(True, 1.5), TypeError, "^q must"),
    (lambda: theory.length_map(1.0, np.bool_(True)), TypeError, "^sigma_w2"),
    (lambda: theory.length_map(np.array(1.0), 1.5), TypeError, "^q must"),
    (lambda: theory.length_map(Decimal("1"), 1.5), TypeError, "^q must"),
    (lambda: theory.length_map(10 ** 400, 1.5), ValueError, "^q must be a finite"),
    (lambda: theory.length_map(float("nan"), 1.5), ValueError, "^q must"),
    (lambda: theory.length_map(1, 1, activation=None), TypeError, "activation"),
    (lambda: theory.length_map(1, 1, activation=b"tanh"), TypeError, "activation"),
    (lambda: theory.length_map(1, 1, activation="TANH"), ValueError, "activation"),
    (lambda: theory.chi_1(1, activation="leaky_relu", negative_slope="0.1"), TypeError,
     "negative_slope"),
    (lambda: theory.chi_1(1, activation="leaky_relu", negative_slope=float("inf")), ValueError,
     "negative_slope"),
    (lambda: theory.chi_1(1, activation="tanh", negative_slope=1e7), ValueError,
     "negative_slope"),
    (lambda: theory.length_trajectory(1, 3.0, 1), TypeError, "^depth"),
    (lambda: theory.length_trajectory(1, np.array(3), 1), TypeError, "^depth"),
    (lambda: theory.length_trajectory(1, 0, 1), ValueError, "^depth"),
    (lambda: theory.correlation_trajectory(1, 0.5, 10 ** 30, 1), ValueError, "^depth"),
    (lambda: theory.jacobian_moments(1.5, 0.1, 2 ** 70), ValueError, "^depth"),
    (lambda: theory.jacobian_moments(1.5, 0.1, 3, weights=b"gaussian"), TypeError, "^weights"),
    (lambda: theory.jacobian_moments(1.5, 0.1, 3, weights="Gaussian"), ValueError, "^weights"),
    (lambda: theory.correlation_map(1.5, 1.0), ValueError, "^c must"),
    (lambda: theory.correlation_map(0.5, 1.0, q=math.inf), ValueError, "^q must"),
    (lambda: theory.chi_c(1.0, q=1.0, c=np.nan), ValueError, "^c must"),
    (lambda: theory.selu_fixed_point(0.0, 0.0), ValueError, "^tau"),
    (lambda: theory.selu_moment_map(1e7, 1.0), ValueError, "^mean"),
    (lambda: theory.activation_mean(1.0, "relu"), TypeError, "positional"),
    (lambda: theory.critical_line(["0.1"]), TypeError, "^sigma_b2_values"),
    (lambda: theory.critical_line([None]), TypeError, "^sigma_b2_values"),
    (lambda: theory.critical_line([1j]), TypeError, "^sigma_b2_values"),
    (lambda: theory.critical_line([True]), TypeError, "^sigma_b2_values"),
    (lambda: theory.critical_line([10 ** 400]), TypeError, "^sigma_b2_values"),
    (lambda: theory.critical_line([[0.1], [0.1, 0.2]]), ValueError, "^sigma_b2_values"),
    (lambda: theory.critical_line(np.array([np.inf], np.float16)), ValueError,
     "^sigma_b2_values"),
    (lambda: theory.critical_line("0.1"), TypeError, "^sigma_b2_values"),
])
def test_theory_refuses_bad_arguments_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_critical_line_refuses_a_huge_array_before_converting_it():
    huge = np.broadcast_to(np.uint8(0), (10 ** 9,))  # no memory behind it
    start = time.perf_counter()
    with pytest.raises(ValueError, match="sigma_b2_values must hold at most"):
        theory.critical_line(huge)
    assert time.perf_counter() - start < 5


def test_critical_line_takes_numpy_scalars_and_any_shape():
    line = theory.critical_line(np.array([[0.0], [0.05]], dtype=np.float32), activation="relu")
    assert line.shape == (2, 1) and np.all(line == 2.0)
    assert theory.critical_line(np.float64(0.0)).shape == ()
    assert theory.critical_line([]).shape == (0,)


@pytest.mark.parametrize("function, error, match", [
    (lambda z: "a", TypeError, "function must return real numbers"),
    (lambda z: None, TypeError, "function must return real numbers"),  # was NaN, silently
    (lambda z: z * 1j, TypeError, "function must return real numbers"),  # was a ComplexWarning
    (lambda z: np.append(z, z), ValueError,
     "function must return an array of its arguments' shape"),
    (lambda z: np.ones((2, z.size)), ValueError, "shape"),
    (42, TypeError, "function must be callable"),
])
@pytest.mark.parametrize("q", [0.0, 1.0])
def test_gaussian_expectation_refuses_what_the_function_returns(function, error, match, q):
    with pytest.raises(error, match=match):
        theory.gaussian_expectation(function, q)


def test_gaussian_expectation_at_q_0_checks_the_shape_too():
    with pytest.raises(ValueError, match="shape"):  # was an IndexError
        theory.gaussian_expectation(lambda z: np.zeros(0), 0.0)
    assert theory.gaussian_expectation(lambda z: 3.0, 0.0) == 3.0
    assert theory.gaussian_expectation(lambda z: z + 2, 0.0) == 2.0
    # an indicator is a number: P(z > 0) = 1/2
    assert theory.gaussian_expectation(lambda z: z > 0, 1.0) == pytest.approx(0.5, abs=1e-14)


def test_gaussian_expectation_2d_refuses_complex_and_keeps_its_nodes():
    with pytest.raises(TypeError, match="function must return real numbers"):
        theory.gaussian_expectation_2d(lambda a, b: a * b * 1j, 1.0, 1.0, 0.5)
    first = theory.gaussian_expectation_2d(lambda a, b: a * b, 1.0, 2.0, 0.5)

    def meddling(a, b):
        if a.flags.writeable:
            a[...] = 99.0  # the caller's function scribbling on its arguments
        return a * b

    theory.gaussian_expectation_2d(meddling, 1.0, 2.0, 0.5)
    assert theory.gaussian_expectation_2d(lambda a, b: a * b, 1.0, 2.0, 0.5) == first
    one = theory.gaussian_expectation(lambda z: z * z, 2.0)
    theory.gaussian_expectation(lambda z: z.fill(7.0) or z, 2.0)
    assert theory.gaussian_expectation(lambda z: z * z, 2.0) == one


def test_numpy_scalars_and_python_numbers_give_the_same_bits():
    reference = theory.length_map(0.5, 1.5, 0.1)
    assert theory.length_map(np.float32(0.5), np.float16(1.5), np.float64(0.1)) == reference
    assert theory.length_map(Fraction(1, 2), 1.5, 0.1) == reference
    assert theory.length_trajectory(1, np.int8(3), 1).shape == (3,)
    assert theory.correlation_fixed_point(np.int64(2), 0) == theory.correlation_fixed_point(2, 0)


@pytest.mark.parametrize("activation", ["tanh", "relu", "leaky_relu", "sigmoid", "selu",
                                        "linear"])
@pytest.mark.parametrize("sigma_w2, sigma_b2", [(0, 0), (1e6, 0), (1e6, 1e6), (0, 1e6),
                                                (5e-324, 0), (1e-300, 1e-300), (1e6, 5e-324)])
def test_extreme_variances_give_numbers_not_errors(activation, sigma_w2, sigma_b2):
    xi_q, xi_c = theory.depth_scales(sigma_w2, sigma_b2, activation=activation)
    c_star = theory.correlation_fixed_point(sigma_w2, sigma_b2, activation=activation)
    assert -1 <= c_star <= 1
    assert math.isnan(xi_c) or xi_c >= 0
    mean, variance = theory.jacobian_moments(sigma_w2, sigma_b2, 50, activation=activation,
                                             weights="orthogonal")
    assert mean >= 0 and variance >= 0  # never NaN, never -0.0
    assert math.copysign(1.0, variance) == 1.0


def test_jacobian_moments_of_a_linear_orthogonal_network_have_no_spread_even_when_huge():
    # every squared singular value is sigma_w2**depth: variance 0, not inf * 0 = NaN
    assert theory.jacobian_moments(1e6, 0, 1000, weights="orthogonal",
                                   activation="linear") == (math.inf, 0.0)
    mean, variance = theory.jacobian_moments(1e-300, 1e-300, 50, weights="orthogonal")
    assert (mean, variance) == (0.0, 0.0) and math.copysign(1.0, variance) == 1.0


@pytest.mark.parametrize("activation", ["tanh", "relu", "leaky_relu", "sigmoid", "selu",
                                        "linear"])
@pytest.mark.parametrize("sigma_b2", [0, 5e-324, 1e-300, 1e-20, 1e6])
def test_critical_sigma_w2_at_extreme_bias_variances(activation, sigma_b2):
    try:
        critical = theory.critical_sigma_w2(sigma_b2, activation=activation)
    except ValueError as error:
        assert "sigma_b2" in str(error)
        return
    assert 0 < critical < math.inf


def test_theory_from_many_threads_at_once_agrees():
    expected = [theory.correlation_fixed_point(w, 0.05) for w in (1.5, 2.0, 3.0)]
    theory._moments.cache_clear()
    theory._grid_2d.cache_clear()
    results, barrier = [], threading.Barrier(4)

    def work():
        barrier.wait()
        results.append([theory.correlation_fixed_point(w, 0.05) for w in (1.5, 2.0, 3.0)])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == [expected] * 4


# ---------------------------------------------------------------------------
# Biases, "critical", activation_options
# ---------------------------------------------------------------------------

METHODS = [m for m in fi.INITIALIZERS if m != "lsuv"]


def _options(method):
    return {"activation": "tanh"} if method == "critical" else {}


@pytest.mark.parametrize("method", METHODS)
def test_bias_std_as_a_float32_scalar_draws_without_warning(method):
    parameters = fi.initialize(DIMS, method, bias_std=np.float32(0.5), **_options(method))
    expected = fi.initialize(DIMS, method, bias_std=float(np.float32(0.5)), **_options(method))
    assert np.array_equal(parameters["b1"], expected["b1"])
    assert np.any(parameters["b1"])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bias_std, error", [
    (np.array(0.1), TypeError), (True, TypeError), ("0.1", TypeError), (None, TypeError),
    (float("nan"), ValueError), (-0.1, ValueError), (1e154, ValueError),
    (10 ** 400, ValueError), (float("inf"), ValueError),
])
def test_every_initializer_refuses_a_bad_bias_std_by_name(method, bias_std, error):
    with pytest.raises(error, match="^bias_std"):
        fi.initialize(DIMS, method, bias_std=bias_std, **_options(method))


@pytest.mark.parametrize("bias_std", [1e153, 1e4, 1000.0001])
def test_critical_names_bias_std_when_its_square_is_beyond_the_theory(bias_std):
    with pytest.raises(ValueError, match="^bias_std must be at most 1000"):
        fi.initialize(DIMS, "critical", activation="tanh", bias_std=bias_std)
    with pytest.raises(ValueError, match="^bias_std must be at most 1000"):
        weight_variances(DIMS, "critical", activation="tanh", bias_std=bias_std)
    assert bias_variances(DIMS, "critical", bias_std=bias_std)[0] == bias_std ** 2


def test_critical_at_the_largest_bias_still_draws():
    parameters = fi.initialize(DIMS, "critical", activation="tanh", bias_std=1000.0)
    assert np.isfinite(parameters["W1"]).all()


@pytest.mark.parametrize("options, error, match", [
    ({}, ValueError, "activation"),
    ({"activation": "nope"}, ValueError, "activation"),
    ({"activation": b"tanh"}, TypeError, "activation"),
    ({"activation": "leaky_relu", "negative_slope": float("nan")}, ValueError,
     "negative_slope"),
    ({"activation": "leaky_relu", "negative_slope": 1e7}, ValueError, "negative_slope"),
    ({"activation": "tanh", "gain": 2}, TypeError, "gain"),
])
def test_critical_refuses_bad_options(options, error, match):
    with pytest.raises(error, match=match):
        fi.initialize(DIMS, "critical", **options)


@pytest.mark.parametrize("call, error, match", [
    (lambda: bias_variances(DIMS, None), TypeError, "method"),
    (lambda: bias_variances(DIMS, "nope"), ValueError, "initializer"),
    (lambda: bias_variances([4], "he"), ValueError, "layers_dims"),
    (lambda: bias_variances(DIMS, "he", bias_std="1"), TypeError, "bias_std"),
    (lambda: activation_options("critical", "tanh", 0.01, "ab"), TypeError, "^options"),
    (lambda: activation_options("critical", "tanh", 0.01, 5), TypeError, "^options"),
    (lambda: activation_options("critical", "tanh", 0.01, [("a", 1)]), TypeError, "^options"),
])
def test_bias_variances_and_activation_options_refuse_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_activation_options_does_not_mutate_the_callers_dict():
    options = {"bias_std": 0.1}
    completed = activation_options("critical", "tanh", 0.01, options)
    assert options == {"bias_std": 0.1}
    assert completed == {"activation": "tanh", "negative_slope": 0.01, "bias_std": 0.1}


# ---------------------------------------------------------------------------
# fastinit.correlations
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("arguments, error, match", [
    ((1, 0.5), ValueError, "n_features"),
    ((True, 0.5), TypeError, "n_features"),
    ((3.0, 0.5), TypeError, "n_features"),
    ((3, True), TypeError, "correlation"),
    ((3, "0.5"), TypeError, "correlation"),
    ((3, np.array(0.5)), TypeError, "correlation"),
    ((3, 1 + 0j), TypeError, "correlation"),
    ((3, np.complex128(0.5)), TypeError, "correlation"),
    ((3, 1.5), ValueError, "correlation"),
    ((3, float("nan")), ValueError, "correlation"),
    ((3, 0.5, 0), ValueError, "second_moment"),
    ((3, 0.5, float("inf")), ValueError, "second_moment"),
    ((3, 0.5, np.bool_(True)), TypeError, "second_moment"),
    ((3, 0.5, 1e308), ValueError, "second_moment"),  # was inputs of inf, silently
    ((3, 0.5, 1.0, "x"), TypeError, "seed"),
    ((3, 0.5, 1.0, -1), ValueError, "seed"),
    ((10 ** 12, 0.5), ValueError, "n_features"),
])
def test_correlated_inputs_refuses_by_name(arguments, error, match):
    with pytest.raises(error, match=match):
        correlated_inputs(*arguments)


def test_correlated_inputs_at_extreme_second_moments():
    for moment in (1e300, 1e-300):
        X = correlated_inputs(3, 0.5, moment)
        assert np.isfinite(X).all()
        assert np.allclose(np.mean(X / math.sqrt(moment) * (X / math.sqrt(moment)), axis=0), 1)
    assert np.array_equal(correlated_inputs(3, np.float32(0.5)), correlated_inputs(3, 0.5))


def _propagate(X, method="he", **options):
    return correlation_propagation(DIMS, method, X, seeds=[0, 1], n_workers=1, **options)


@pytest.mark.parametrize("make", [
    lambda X: X.astype(np.float32).astype(np.float64),
    np.asfortranarray,
    lambda X: np.repeat(X, 2, axis=1)[:, ::2],
    lambda X: X.tolist(),
])
def test_correlation_propagation_takes_any_layout(make):
    X = _pair()
    expected = _propagate(make(X) if make is not np.asfortranarray
                          and not isinstance(make(X), list) else X).correlation
    assert np.array_equal(_propagate(make(X)).correlation, expected)
    assert np.isfinite(expected).all()


def test_correlation_propagation_reads_read_only_input_and_never_writes_it():
    X = _pair()
    frozen = X.copy()
    frozen.flags.writeable = False
    assert np.array_equal(_propagate(frozen).correlation, _propagate(X).correlation)
    assert np.array_equal(X, _pair())


@pytest.mark.parametrize("make, error, match", [
    (lambda X: X.T, ValueError, "transposed"),
    (lambda X: X[:, :1], ValueError, "2 to 16 inputs"),
    (lambda X: np.ones((4, 17)), ValueError, "2 to 16 inputs"),
    (lambda X: np.where(X > 1, np.nan, X), ValueError, "NaN"),
    (lambda X: np.c_[X, np.zeros(4)], ValueError, "zeros"),
    (lambda X: X > 0, TypeError, "X"),
    (lambda X: X.astype(str), TypeError, "X"),
    (lambda X: X.astype(complex), TypeError, "X"),
    (lambda X: X[None], ValueError, "X"),
    (lambda X: X[:, 0], ValueError, "X"),
    (lambda X: None, TypeError, "X"),
])
def test_correlation_propagation_refuses_bad_inputs(make, error, match):
    with pytest.raises(error, match=match):
        _propagate(make(_pair()))


@pytest.mark.parametrize("keywords, error, match", [
    ({"seeds": []}, ValueError, "seeds"),
    ({"seeds": "01"}, TypeError, "seeds"),
    ({"seeds": 3}, TypeError, "seeds"),
    ({"seeds": [-1]}, ValueError, "seeds"),
    ({"n_workers": 0}, ValueError, "n_workers"),
    ({"n_workers": True}, TypeError, "n_workers"),
    ({"foo": 1}, TypeError, "foo"),
])
def test_correlation_propagation_refuses_bad_keywords(keywords, error, match):
    with pytest.raises(error, match=match):
        correlation_propagation(DIMS, "he", _pair(), **{"seeds": [0], **keywords})


def test_correlation_propagation_refuses_huge_layers_up_front():
    with pytest.raises(ValueError, match="GiB"):
        correlation_propagation([4, 10 ** 9, 10 ** 9, 1], "he", _pair(), seeds=[0])


@pytest.mark.parametrize("scale", [1e-300, 1e-320])
def test_inputs_whose_signal_underflows_give_nan_correlations_not_zero_division(scale):
    stats = _propagate(_pair() * scale)  # was ZeroDivisionError
    assert np.isnan(stats.correlation).all()


def test_a_huge_bias_gives_correlation_one_not_zero():
    # both inputs' pre-activations are the biases (1e150): their product of squares
    # overflows, which made the correlation 0.0, silently
    stats = _propagate(_pair(), bias_std=1e150)
    assert np.allclose(stats.correlation, 1.0)


def test_overflowing_weights_give_nan_not_errors():
    stats = _propagate(_pair(), method="xavier", gain=1e200)
    assert np.isnan(stats.theory_correlation).all()
    assert not np.isinf(stats.correlation).any()


@pytest.mark.parametrize("values, limit, error, match", [
    (["1", "2", "3"], 0, TypeError, "^values"),  # was accepted, converted
    ([True, False, True], 0, TypeError, "^values"),
    ([1j, 2, 3], 0, TypeError, "^values"),
    ("abc", 0, TypeError, "^values"),
    ({1: 2}, 0, TypeError, "^values"),
    ([[1, 2, 3]], 0, ValueError, "^values"),
    ([[1], [1, 2]], 0, ValueError, "^values"),
    (np.array(5.0), 0, ValueError, "^values"),
    ([1, 2, 3], "0", TypeError, "^limit"),
    ([1, 2, 3], True, TypeError, "^limit"),
    ([1, 2, 3], float("nan"), ValueError, "^limit"),
    ([1, 2, 3], float("inf"), ValueError, "^limit"),
])
def test_fit_depth_scale_refuses_by_name(values, limit, error, match):
    with pytest.raises(error, match=match):
        fit_depth_scale(values, limit)


def test_fit_depth_scale_on_extreme_values_is_quiet():
    assert math.isnan(fit_depth_scale([math.inf, 1, 0.5, 0.25], 0))  # was a RuntimeWarning
    assert math.isnan(fit_depth_scale([1e308, -1e308, 1e308, 1e308], -1e308))
    with pytest.raises(ValueError, match="^floor"):
        fit_depth_scale([1, 0.5, 0.25], 0, 0)
    values = [1, 0.5, 0.25, 0.125]
    expected = fit_depth_scale(values, 0)
    assert fit_depth_scale(np.array(values, dtype=np.float16), 0) == expected
    assert fit_depth_scale(np.array(values, dtype=object), 0) == expected
    assert fit_depth_scale(tuple(values), np.float32(0)) == expected


# ---------------------------------------------------------------------------
# fastinit.jacobian
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("x, error, match", [
    (np.ones((4, 2)), ValueError, "one input"),
    (np.ones((1, 4)), ValueError, "transposed"),
    (np.ones(5), ValueError, "features"),
    (np.float64(1), ValueError, "2-D"),
    (None, TypeError, "array"),
    ("abcd", TypeError, "real"),
    (["1", "2", "3", "4"], TypeError, "real"),
    (np.array([True, False, True, True]), TypeError, "boolean"),
    (np.array([1, np.nan, 1, 1]), ValueError, "NaN"),
])
def test_jacobian_refuses_bad_inputs(x, error, match):
    with pytest.raises(error, match=match):
        jacobian(DIMS, "he", x)


def test_jacobian_takes_any_layout_of_one_input_and_leaves_it_alone():
    x = np.linspace(-1, 1, 4)
    reference = jacobian(DIMS, "he", x)
    frozen = x.copy()
    frozen.flags.writeable = False
    assert np.array_equal(jacobian(DIMS, "he", frozen), reference)
    assert np.array_equal(jacobian(DIMS, "he", np.repeat(x, 2)[::2]), reference)
    assert np.array_equal(jacobian(DIMS, "he", np.asfortranarray(x[:, None])), reference)
    assert np.array_equal(jacobian(DIMS, "he", x.tolist()), reference)
    assert np.array_equal(x, np.linspace(-1, 1, 4))


@pytest.mark.parametrize("call, error, match", [
    (lambda: jacobian(DIMS, "lsuv", np.ones(4)), ValueError, "lsuv"),
    (lambda: jacobian([10 ** 6, 10 ** 6, 1], "he", np.ones(4)), ValueError, "GiB"),
    (lambda: jacobian(DIMS, "he", np.ones(4), activation="softmax"), ValueError, "activation"),
    (lambda: jacobian(DIMS, "he", np.ones(4), seed="0"), TypeError, "seed"),
    (lambda: jacobian_spectrum(DIMS, "he", np.ones(4), seeds=[]), ValueError, "seeds"),
    (lambda: jacobian_spectrum(DIMS, "he", np.ones(4), seeds=[0], n_workers="2"), TypeError,
     "n_workers"),
])
def test_jacobian_refuses_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_jacobian_that_is_zero_has_theory_variance_zero_not_nan():
    spectrum = jacobian_spectrum(DIMS, "he", np.zeros(4), activation="relu", seeds=[0, 1],
                                 n_workers=1)
    assert np.all(spectrum.mean == 0)
    assert spectrum.theory_mean == 0.0 and spectrum.theory_variance == 0.0


def test_overflowing_jacobians_are_nan_or_zero_without_warnings():
    x = np.ones(4)
    assert np.isfinite(jacobian(DIMS, "xavier", x, gain=1e200)).all()
    spectrum = jacobian_spectrum(DIMS, "he", np.full(4, 1e200), seeds=[0], n_workers=1)
    assert math.isnan(spectrum.theory_mean)


# ---------------------------------------------------------------------------
# edge_of_chaos.report
# ---------------------------------------------------------------------------

def test_report_refuses_a_depth_beyond_the_theory_before_measuring():
    start = time.perf_counter()
    with pytest.raises(ValueError, match="^depth must be at most 100000"):
        edge_of_chaos.report("tanh", 0.05, width=2, depth=100_001, seeds=[0])
    assert time.perf_counter() - start < 5  # was 6 minutes of measurements first


@pytest.mark.parametrize("keywords, error, match", [
    ({"sigma_b2": np.bool_(True)}, TypeError, "sigma_b2"),
    ({"sigma_b2": 10 ** 400}, ValueError, "sigma_b2"),
    ({"width": np.float64(4)}, TypeError, "width"),
    ({"depth": True}, TypeError, "depth"),
    ({"seeds": "0"}, TypeError, "seeds"),
    ({"c0": -1.0}, ValueError, "c0"),
    ({"c0": "0.5"}, TypeError, "c0"),
    ({"c0": -10 ** 400}, ValueError, "c0"),
    ({"negative_slope": -1}, ValueError, "negative_slope"),
    ({"activation": None}, TypeError, "activation"),
])
def test_report_refuses_by_name(keywords, error, match):
    with pytest.raises(error, match=match):
        edge_of_chaos.report(**{"width": 4, "depth": 3, "seeds": [0], **keywords})


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear"])
def test_report_with_a_subnormal_bias_variance_runs(small_grid, activation):
    data = edge_of_chaos.report(activation, 5e-324, width=4, depth=3, seeds=[0])  # was a
    assert data["critical"]["sigma_w2"] > 0                                       # ZeroDivision
    json.dumps(data, allow_nan=True)


# ---------------------------------------------------------------------------
# chaos_figures on a tampered theory.json
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report_text():
    import unittest.mock

    with unittest.mock.patch.multiple(edge_of_chaos, PHASE_POINTS_W=5, PHASE_POINTS_B=3,
                                      LINE_POINTS=4, SCALE_POINTS=7):
        data = edge_of_chaos.report("tanh", 0.05, width=6, depth=4, seeds=[0, 1])
    return json.dumps(data, allow_nan=True)


TAMPERINGS = {
    "settings emptied": lambda d: d.__setitem__("settings", {}),
    "depth a string": lambda d: d["settings"].__setitem__("depth", "4"),
    "seeds an int": lambda d: d["settings"].__setitem__("seeds", 3),
    "sigma_b2 a string": lambda d: d["settings"].__setitem__("sigma_b2", "x"),
    "critical sigma_w2 a string": lambda d: d["critical"].__setitem__("sigma_w2", "1"),
    "c_star ragged": lambda d: d["phase"]["c_star"][0].pop(),
    "c_star holds a string": lambda d: d["phase"]["c_star"][0].__setitem__(0, "a"),
    "c_star empty": lambda d: d["phase"].__setitem__("c_star", []),
    "phase axis empty": lambda d: d["phase"].__setitem__("sigma_w2", []),
    "phase axis NaN": lambda d: d["phase"]["sigma_w2"].__setitem__(0, float("nan")),
    "points empty": lambda d: d.__setitem__("points", []),
    "points a dict": lambda d: d.__setitem__("points", {}),
    "an unknown phase": lambda d: d["points"][0].__setitem__("phase", "weird"),
    "a measurement cut short": lambda d: d["points"][0]["measured"]["c_mean"].pop(),
    "theory c a string": lambda d: d["points"][0]["theory"].__setitem__("c", "abcd"),
    "depth-scale axis cut short": lambda d: d["depth_scales"]["sigma_w2"].pop(),
    "no gaussian jacobian": lambda d: d["jacobian"].pop("gaussian"),
    "theory_mean a string": lambda d: d["jacobian"]["gaussian"].__setitem__("theory_mean", "1"),
    "jacobian a list": lambda d: d.__setitem__("jacobian", []),
}


@pytest.mark.parametrize("name", list(chaos_figures.FIGURES))
@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_a_tampered_report_is_a_value_error_about_the_report(report_text, name, tampering):
    import matplotlib.pyplot as plt

    data = json.loads(report_text)
    TAMPERINGS[tampering](data)
    before = set(plt.get_fignums())
    try:
        figure = chaos_figures.FIGURES[name](data)
    except ValueError as error:
        assert str(error).startswith("report "), error
    else:  # this figure does not read what was tampered with
        figure.canvas.draw()
        plt.close(figure)
    assert set(plt.get_fignums()) == before  # nothing left open


@pytest.mark.parametrize("tampering", [
    lambda d: d["critical"].__setitem__("sigma_w2", float("nan")),
    lambda d: d["critical"].__setitem__("sigma_w2", -1.0),
    lambda d: d["points"][0]["measured"].__setitem__("q_mean", [float("inf")] * 4),
    lambda d: d["points"][0]["measured"].__setitem__("q_mean", [-1.0] * 4),
    lambda d: d["depth_scales"].__setitem__("xi_c", [float("nan")] * 7),
    lambda d: d["jacobian"]["gaussian"].__setitem__("squared_singular_values", []),
    lambda d: d["jacobian"]["gaussian"].__setitem__("squared_singular_values", [-1.0, 0.0]),
    lambda d: d["jacobian"]["gaussian"].__setitem__("squared_singular_values", [math.nan] * 3),
    lambda d: d["jacobian"]["gaussian"].__setitem__("theory_mean", 0.0),
])
def test_odd_but_well_formed_numbers_still_draw(report_text, tampering):
    import matplotlib.pyplot as plt

    data = json.loads(report_text)
    tampering(data)
    for figure in chaos_figures.figures(data).values():
        figure.canvas.draw()
        plt.close(figure)


def test_the_figures_leave_the_report_alone(report_text):
    data = json.loads(report_text)
    for figure in chaos_figures.figures(data).values():
        import matplotlib.pyplot as plt
        plt.close(figure)
    assert json.dumps(data, allow_nan=True) == report_text


# ---------------------------------------------------------------------------
# fastinit theory
# ---------------------------------------------------------------------------

def _run(args, capsys):
    code = main(["theory", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


@pytest.mark.parametrize("arguments, option", [
    (["--depth", "100001", "--width", "2"], "--depth"),
    (["--depth", "1000000000"], "--depth"),
    (["--width", "99999999999999999999"], "--width"),
    (["--width", "100000", "--depth", "1"], "--width"),
    (["--negative-slope", "inf"], "--negative-slope"),
    (["--bias-variance", "0x10"], "--bias-variance"),
    (["--seeds", ""], "--seeds"),
    (["--seeds", "4294967296"], "--seeds"),
    (["--seeds", "0-100000"], "--seeds"),
    (["--depth", "-1"], "--depth"),
])
def test_sizes_and_bad_options_are_refused_up_front(tmp_path, capsys, arguments, option):
    start = time.perf_counter()
    code, out, err = _run(["--out", tmp_path / "out", *arguments], capsys)
    assert code == 2 and out == ""
    assert len(err) == 1 and err[0].startswith("fastinit: error: ") and option in err[0]
    assert time.perf_counter() - start < 5


def test_a_slope_the_theory_refuses_is_one_line(tmp_path, capsys):
    code, _, err = _run([*SMALL, "--activation", "leaky_relu", "--negative-slope", "1e7",
                         "--out", tmp_path / "out"], capsys)
    assert code == 2 and len(err) == 1 and "negative_slope" in err[0]


@pytest.mark.parametrize("kind", ["fifo", "devnull", "link to a file", "file"])
def test_out_that_is_not_a_folder_is_refused_and_kept(tmp_path, capsys, kind):
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    if kind == "fifo":
        out = tmp_path / "fifo"
        os.mkfifo(out)
    elif kind == "devnull":
        out = os.devnull
    elif kind == "link to a file":
        out = tmp_path / "link"
        os.symlink(target, out)
    else:
        out = target
    code, _, err = _run([*SMALL, "--out", out], capsys)
    assert code == 2 and len(err) == 1 and "--out" in err[0]
    assert target.read_text() == "keep me"
    if kind == "fifo":
        assert os.path.exists(out) and not os.path.isdir(out)


def test_out_through_a_link_to_a_folder_writes_into_the_folder(tmp_path, capsys, small_grid):
    folder = tmp_path / "real"
    folder.mkdir()
    os.symlink(folder, tmp_path / "link")
    code, _, err = _run([*SMALL, "--no-plots", "--out", tmp_path / "link"], capsys)
    assert code == 0, err
    assert os.path.islink(tmp_path / "link")
    assert json.loads((folder / "theory.json").read_text())["command"] == "theory"


@pytest.mark.parametrize("name, kind", [("theory.json", "fifo"), ("theory.json", "folder"),
                                        ("edge_phase.png", "fifo")])
def test_a_special_file_where_an_output_goes_is_refused_in_one_line(tmp_path, capsys,
                                                                    small_grid, name, kind):
    out = tmp_path / "out"
    out.mkdir()
    if kind == "fifo":
        os.mkfifo(out / name)
    else:
        (out / name).mkdir()
    arguments = [*SMALL, "--out", out] + (["--no-plots"] if name == "theory.json" else [])
    code, _, err = _run(arguments, capsys)
    assert code == 2 and len(err) == 1 and name in err[0]
    assert os.path.exists(out / name)
    assert os.path.isdir(out / name) == (kind == "folder")


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear"])
def test_a_subnormal_bias_variance_on_the_command_line(tmp_path, capsys, small_grid, activation):
    code, _, err = _run([*SMALL, "--no-plots", "--activation", activation, "--bias-variance",
                         "5e-324", "--out", tmp_path / "out"], capsys)
    assert code == 0, err  # was "fastinit: error: ZeroDivisionError: float division by zero"


def test_ctrl_c_on_fastinit_theory_is_one_line_and_130(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "fastinit", "theory", "--seeds", "0-99", "--out",
         str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    first = process.stderr.readline()  # the first progress line: the work has started
    assert "critical point" in first, first
    time.sleep(1.0)
    assert process.poll() is None
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == ["fastinit: interrupted"]
    assert stdout == ""
    assert time.monotonic() - sent < 5
    assert not (tmp_path / "out" / "theory.json").exists()
