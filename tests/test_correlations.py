"""Measured correlations between inputs and Jacobian spectra at initialization
(issue 26): seed by seed against plain NumPy, against the mean-field and
free-probability theory for wide layers, and against hostile arguments."""

import math

import numpy as np
import pytest
import reference as ref

import fastinit as fi
from fastinit import theory
from fastinit.correlations import correlated_inputs, correlation_propagation, fit_depth_scale
from fastinit.jacobian import jacobian, jacobian_spectrum

ACTIVATIONS = ["tanh", "relu", "leaky_relu", "sigmoid", "selu", "linear"]


def numpy_correlations(X, parameters, activation):
    """``(q, c, mean)`` of every hidden layer in plain NumPy."""
    _, caches = ref.forward(X, parameters, hidden=activation)
    m = X.shape[1]
    q, c, mean = [], [], []
    for Z, A in caches[:-1]:
        q.append(np.mean(Z ** 2))
        pairs = [(a, b) for a in range(m) for b in range(a + 1, m)]
        c.append(np.mean([Z[:, a] @ Z[:, b] / np.sqrt((Z[:, a] @ Z[:, a]) * (Z[:, b] @ Z[:, b]))
                          for a, b in pairs]))
        mean.append(np.mean(A))
    return np.array(q), np.array(c), np.array(mean)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("method, options", [("variance_scaling",
                                              {"scale": 1.7, "distribution": "normal",
                                               "bias_std": 0.3}),
                                             ("orthogonal", {"gain": 1.2, "bias_std": 0.1})])
def test_measurements_equal_plain_numpy_seed_by_seed(activation, method, options):
    dims = [12, 20, 20, 20, 1]
    X = np.random.default_rng(0).standard_normal((12, 3))
    before = X.copy()
    stats = correlation_propagation(dims, method, X, activation=activation, seeds=[3, 8],
                                    **options)
    np.testing.assert_array_equal(X, before)
    for row, seed in enumerate([3, 8]):
        parameters = fi.initialize(dims, method, seed=seed, **options)
        q, c, mean = numpy_correlations(X, parameters, activation)
        np.testing.assert_allclose(stats.second_moment[row], q, rtol=1e-12)
        np.testing.assert_allclose(stats.correlation[row], c, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(stats.activation_mean[row], mean, rtol=1e-12, atol=1e-15)
    assert stats.second_moment.shape == (2, 3)


def test_correlated_inputs_have_the_length_and_correlation_asked_for():
    X = correlated_inputs(50, 0.3, second_moment=2.5, seed=4)
    assert X.shape == (50, 2)
    np.testing.assert_allclose(np.mean(X ** 2, axis=0), 2.5, rtol=1e-13)
    assert X[:, 0] @ X[:, 1] / np.sqrt((X[:, 0] @ X[:, 0]) * (X[:, 1] @ X[:, 1])) == \
        pytest.approx(0.3, abs=1e-13)


@pytest.mark.parametrize("sigma_w2, sigma_b2", [(1.0, 0.05), (1.76, 0.05), (4.0, 0.05)])
def test_wide_tanh_networks_follow_the_theory_within_their_seed_spread(sigma_w2, sigma_b2):
    width, depth = 400, 12
    dims = [width] * (depth + 1) + [1]
    X = correlated_inputs(width, 0.6, second_moment=0.5, seed=1)
    stats = correlation_propagation(dims, "variance_scaling", X, activation="tanh",
                                    seeds=range(8), scale=sigma_w2, distribution="normal",
                                    bias_std=math.sqrt(sigma_b2))
    for measured, predicted in ((stats.second_moment, stats.theory_second_moment),
                                (stats.correlation, stats.theory_correlation)):
        spread = measured.std(axis=0, ddof=1)
        # the seeds' mean within 4 standard errors, plus the O(1/width) finite-width bias
        assert np.all(np.abs(measured.mean(axis=0) - predicted)
                      <= 4 * spread / math.sqrt(8) + 2.0 / width), (measured.mean(0), predicted)
    q_star = theory.length_fixed_point(sigma_w2, sigma_b2, activation="tanh")
    assert stats.theory_second_moment[-1] == pytest.approx(q_star, rel=1e-2)  # converging


def test_the_theory_correlation_is_the_theory_modules_trajectory():
    width = 30
    X = correlated_inputs(width, 0.2, second_moment=1.0, seed=0)
    stats = correlation_propagation([width] * 6 + [1], "variance_scaling", X, activation="tanh",
                                    seeds=[0], scale=2.0, distribution="normal",
                                    bias_std=math.sqrt(0.1))
    q, c = theory.correlation_trajectory(1.0, 0.2, 5, 2.0, 0.1, activation="tanh")
    np.testing.assert_allclose(stats.theory_second_moment, q, rtol=1e-9)
    np.testing.assert_allclose(stats.theory_correlation, c, rtol=1e-9)


def test_fit_depth_scale_recovers_an_exponential():
    layers = np.arange(30)
    values = 0.4 + 0.5 * np.exp(-layers / 6.5)
    assert fit_depth_scale(values, 0.4, floor=1e-6) == pytest.approx(6.5, rel=1e-9)
    assert math.isnan(fit_depth_scale(values, 0.4, floor=0.4))  # two layers above the floor
    assert fit_depth_scale(3.0 + np.arange(5), 2.0, floor=0.5) == math.inf  # growing


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("method", ["variance_scaling", "orthogonal"])
def test_the_jacobian_equals_plain_numpy(activation, method):
    dims = [9, 11, 8, 10, 1]
    options = {"scale": 1.5, "distribution": "normal"} if method == "variance_scaling" \
        else {"gain": 1.3}
    x = np.random.default_rng(2).standard_normal(9)
    J = jacobian(dims, method, x, activation=activation, seed=4, bias_std=0.2, **options)
    parameters = fi.initialize(dims, method, seed=4, bias_std=0.2, **options)
    _, caches = ref.forward(x[:, None], parameters, hidden=activation)
    expected = np.eye(9)
    for l, (Z, _) in enumerate(caches[:-1], 1):
        expected = ref.activation_derivative(activation, Z) * (parameters[f"W{l}"] @ expected)
    np.testing.assert_allclose(J, expected, rtol=1e-11, atol=1e-13)


def test_the_spectrums_moments_are_its_values_moments():
    dims = [30, 30, 30, 1]
    x = correlated_inputs(30, 0.0, seed=0)[:, 0]
    spectrum = jacobian_spectrum(dims, "variance_scaling", x, activation="tanh", seeds=[0, 1],
                                 scale=1.3, distribution="normal")
    for row in range(2):
        J = jacobian(dims, "variance_scaling", x, activation="tanh", seed=[0, 1][row],
                     scale=1.3, distribution="normal")
        values = np.linalg.svd(J, compute_uv=False) ** 2
        np.testing.assert_allclose(np.sort(values), spectrum.squared_singular_values[row],
                                   rtol=1e-9, atol=1e-12)
        assert spectrum.mean[row] == pytest.approx(values.mean(), rel=1e-12)
        assert spectrum.variance[row] == pytest.approx(values.var(), rel=1e-9)


@pytest.mark.parametrize("method, options, weights", [
    ("variance_scaling", {"scale": 1.0, "distribution": "normal"}, "gaussian"),
    ("orthogonal", {"gain": 1.0}, "orthogonal"),
])
@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_wide_jacobians_follow_free_probability(method, options, weights, activation):
    width, depth = 300, 6
    dims = [width] * (depth + 1) + [1]
    x = correlated_inputs(width, 0.0, second_moment=0.05, seed=3)[:, 0]
    spectrum = jacobian_spectrum(dims, method, x, activation=activation, seeds=range(8),
                                 **options)
    assert spectrum.weights == weights
    for measured, predicted in ((spectrum.mean, spectrum.theory_mean),
                                (spectrum.variance, spectrum.theory_variance)):
        # within 4 standard errors of the seeds' mean, plus 2% for finite width
        error = 4 * measured.std(ddof=1) / math.sqrt(8) + 0.02 * predicted + 1e-12
        assert abs(measured.mean() - predicted) <= error, (measured, predicted)
    if activation == "linear" and weights == "orthogonal":
        np.testing.assert_allclose(spectrum.squared_singular_values, 1.0, rtol=1e-9)


def test_the_jacobian_theory_at_the_fixed_point_is_the_theory_modules():
    sigma_w2, sigma_b2, depth = 1.5, 0.05, 8
    q_star = theory.length_fixed_point(sigma_w2, sigma_b2, activation="tanh")
    x = np.full(50, math.sqrt((q_star - sigma_b2) / sigma_w2))
    for weights, method, options in (("gaussian", "variance_scaling",
                                      {"scale": sigma_w2, "distribution": "normal"}),
                                     ("orthogonal", "orthogonal", {"gain": math.sqrt(sigma_w2)})):
        spectrum = jacobian_spectrum([50] * (depth + 1) + [1], method, x, activation="tanh",
                                     seeds=[0], bias_std=math.sqrt(sigma_b2), **options)
        mean, variance = theory.jacobian_moments(sigma_w2, sigma_b2, depth, weights=weights,
                                                 activation="tanh")
        assert spectrum.theory_mean == pytest.approx(mean, rel=1e-9)
        assert spectrum.theory_variance == pytest.approx(variance, rel=1e-9)


@pytest.mark.parametrize("call, error, match", [
    (lambda X: correlation_propagation([4, 5, 1], "he", X), ValueError, "2 to 16 inputs"),
    (lambda X: correlation_propagation([4, 5, 1], "he", np.ones((4, 17))), ValueError,
     "2 to 16 inputs"),
    (lambda X: jacobian([10**6, 10**6, 1], "he", np.ones(10**6)), ValueError,
     "GiB, more than this machine's"),
    (lambda X: correlation_propagation([4, 1], "he", np.ones((4, 2))), ValueError,
     "hidden layer"),
    (lambda X: correlation_propagation([4, 5, 1], "he", np.ones((4, 2)) * np.nan), ValueError,
     "finite"),
    (lambda X: correlation_propagation([4, 5, 1], "he", np.zeros((4, 2))), ValueError,
     "column\\) of zeros"),
    (lambda X: correlation_propagation([4, 5, 1], "he", np.ones((5, 2))), ValueError, "X"),
    (lambda X: correlation_propagation([4, 5, 1], "he", np.ones((4, 2)), seeds=3), TypeError,
     "seeds"),
    (lambda X: correlation_propagation([4, 5, 1], "nope", np.ones((4, 2))), ValueError,
     "unknown initializer"),
    (lambda X: correlation_propagation([4, 5, 1], "he", np.ones((4, 2)), activation="gelu"),
     ValueError, "unknown activation"),
    (lambda X: jacobian([4, 5, 1], "he", np.ones((4, 2))), ValueError, "x must be one input"),
    (lambda X: jacobian([4, 5, 1], "he", np.ones(3)), ValueError, "x"),
    (lambda X: jacobian([4, 5, 1], "he", np.array([1, 2, np.inf, 0.0])), ValueError, "finite"),
    (lambda X: jacobian_spectrum([4, 5, 1], "lsuv", np.ones(4)), ValueError, "lsuv"),
    (lambda X: correlated_inputs(1, 0.5), ValueError, "n_features"),
    (lambda X: correlated_inputs(10**15, 0.5), ValueError, "n_features 1000000000000000 would"),
    (lambda X: correlated_inputs(5, 1.5), ValueError, "correlation"),
    (lambda X: correlated_inputs(5, math.nan), ValueError, "correlation"),
    (lambda X: correlated_inputs(5, True), TypeError, "correlation"),
    (lambda X: correlated_inputs(5, 0.5, second_moment=0), ValueError, "second_moment"),
    (lambda X: fit_depth_scale(np.ones((2, 2)), 1.0), ValueError, "values must be 1-D"),
    (lambda X: fit_depth_scale(np.ones(5), 1.0, floor=-1), ValueError, "floor"),
])
def test_hostile_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call(np.ones((4, 1)))


def test_float32_inputs_measure_in_float32_and_leave_the_input_alone():
    X = correlated_inputs(16, 0.5, seed=0).astype(np.float32)
    X.flags.writeable = False
    stats = correlation_propagation([16, 16, 16, 1], "he", X, activation="relu", seeds=[0, 1])
    assert np.isfinite(stats.correlation).all()
    spectrum = jacobian_spectrum([16, 16, 16, 1], "he", X[:, 0], activation="relu", seeds=[0])
    assert np.isfinite(spectrum.mean).all()


def test_threads_change_no_bit():
    X = correlated_inputs(40, 0.5, seed=0)
    one = correlation_propagation([40] * 5 + [1], "he", X, activation="relu", seeds=range(6),
                                  n_workers=1)
    many = correlation_propagation([40] * 5 + [1], "he", X, activation="relu", seeds=range(6),
                                   n_workers=3)
    np.testing.assert_array_equal(one.correlation, many.correlation)
    np.testing.assert_array_equal(one.second_moment, many.second_moment)


@pytest.mark.filterwarnings("error")
def test_overflowing_signals_give_nan_not_a_crash_or_a_warning():
    X = np.ones((4, 2)) * 1e200
    X[0, 1] = -1e200
    stats = correlation_propagation([4, 5, 5, 1], "he", X, activation="relu", seeds=[0])
    assert np.isnan(stats.correlation).all() and np.isnan(stats.theory_correlation).all()
    X = np.arange(1.0, 9.0).reshape(4, 2)
    stats = correlation_propagation([4, 5, 5, 1], "random", X, activation="tanh", seeds=[0],
                                    scale=1e200)
    assert np.isnan(stats.theory_correlation).all()
    for method, options in (("random", {"scale": 1e200}), ("glorot", {"gain": 1e300})):
        spectrum = jacobian_spectrum([4, 5, 5, 1], method, X[:, 0], activation="relu",
                                     seeds=[0], **options)
        assert np.isnan(spectrum.squared_singular_values).all()
        assert math.isnan(spectrum.mean[0]) and math.isnan(spectrum.theory_mean)


def test_huge_gains_give_infinite_variances_not_overflow_errors():
    assert fi.initializers.weight_variances([3, 4, 1], "glorot", gain=1e300)[0] == math.inf
    assert fi.initializers.weight_variances([3, 4, 1], "random", scale=1e200)[0] == math.inf
    assert fi.initializers.weight_variances([3, 4, 1], "orthogonal", gain=1e300)[0] == math.inf


def test_the_jacobian_theory_of_a_vanishing_input_is_the_small_signal_limit():
    """x = 0 exactly gives z = 0 exactly and, for ReLU, J = 0; an input whose mean
    square underflows is a small signal: half the units pass, as for q -> 0+."""
    dims = [30, 30, 30, 1]
    zero = jacobian_spectrum(dims, "he", np.zeros(30), activation="relu", seeds=[0])
    assert zero.theory_mean == 0.0 and zero.mean[0] == 0.0
    tiny = jacobian_spectrum(dims, "he", np.full(30, 1e-170), activation="relu", seeds=range(4))
    assert tiny.theory_mean == 1.0
    assert abs(tiny.mean.mean() - 1.0) < 4 * tiny.mean.std(ddof=1) / 2 + 0.1
