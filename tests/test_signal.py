"""Signal propagation (issue 12): every statistic against plain NumPy seed by seed,
the mean-field theory against an independent quadrature, the layer history of
training, and the figures' inputs."""

import math

import numpy as np
import pytest
import reference as ref
from scipy import integrate

import fastinit as fi
from fastinit.diagnostics import mean_field, signal_propagation, standard_normal_inputs
from fastinit.initializers import weight_variances
from fastinit.propagation import gaussian_expectation

DEEP = [100] + [100] * 10 + [1]
CASES = [("he", "relu"), ("xavier", "relu"), ("xavier", "tanh")]


def numpy_statistics(X, Y, parameters, activation):
    """Every SignalStats statistic of one network, in plain NumPy."""
    L = len(parameters) // 2
    AL, caches = ref.forward(X, parameters, hidden=activation)
    grads = ref.backward(X, Y, parameters, caches, hidden=activation)
    deltas = [None] * L
    deltas[-1] = (AL - Y) / X.shape[1]
    for l in range(L - 1, 0, -1):
        Z = caches[l - 1][0]
        deltas[l - 1] = parameters[f"W{l + 1}"].T @ deltas[l] * \
            ref.activation_derivative(activation, Z)
    stats = {key: [] for key in fi.diagnostics.SignalStats.PER_SEED}
    for l, (Z, A) in enumerate(caches, 1):
        name = "sigmoid" if l == L else activation
        stats["pre_activation_second_moment"].append(np.mean(Z ** 2))
        stats["activation_std"].append(np.std(A))
        stats["dead_fraction"].append(np.mean(A == 0) if name == "relu" else np.nan)
        stats["saturated_fraction"].append(
            np.mean(np.abs(A) > 0.99) if name == "tanh" else
            np.mean((A < 0.01) | (A > 0.99)) if name == "sigmoid" else np.nan)
        stats["weight_grad_norm"].append(np.linalg.norm(grads[f"dW{l}"]))
        stats["delta_second_moment"].append(np.mean(deltas[l - 1] ** 2))
    return stats


@pytest.mark.parametrize("method, activation", CASES)
def test_every_statistic_matches_plain_numpy_seed_by_seed(method, activation):
    X = standard_normal_inputs(100, 500)
    X_before = X.copy()
    seeds = [0, 1, 7]
    stats = signal_propagation(DEEP, method, X, activation=activation, seeds=seeds)
    np.testing.assert_array_equal(X, X_before)
    for row, seed in enumerate(seeds):
        Y = np.random.default_rng(seed).integers(0, 2, size=(1, 500)).astype(float)
        expected = numpy_statistics(X, Y, fi.initialize(DEEP, method, seed=seed), activation)
        for key, values in expected.items():
            np.testing.assert_allclose(getattr(stats, key)[row], values, rtol=1e-9,
                                       atol=1e-300, err_msg=f"{key}, seed {seed}")
    assert stats.pre_activation_second_moment.shape == (3, 11)


def test_given_labels_are_used_and_the_seeds_run_in_any_number_of_workers():
    X = standard_normal_inputs(20, 200)
    Y = (X[:1] > 0).astype(float)
    one = signal_propagation([20, 30, 30, 1], "glorot", X, Y, activation="sigmoid",
                             seeds=range(4), n_workers=1)
    many = signal_propagation([20, 30, 30, 1], "glorot", X, Y, activation="sigmoid",
                              seeds=range(4), n_workers=3)
    for key in fi.diagnostics.SignalStats.PER_SEED:
        np.testing.assert_array_equal(getattr(one, key), getattr(many, key))
    expected = numpy_statistics(X, Y, fi.initialize([20, 30, 30, 1], "glorot", seed=2),
                                "sigmoid")
    np.testing.assert_allclose(one.weight_grad_norm[2], expected["weight_grad_norm"], rtol=1e-9)
    assert np.isfinite(one.saturated_fraction).all() and np.isnan(one.dead_fraction).all()


def independent_q(sigma2, q1, phi):
    """The mean-field recursion with scipy's adaptive quadrature; ``sigma2`` per layer."""
    q = [q1]
    for sigma2_l in sigma2[1:]:
        def integrand(z, q_l=q[-1]):
            return phi(z) ** 2 * math.exp(-z * z / (2 * q_l)) / math.sqrt(2 * math.pi * q_l)
        width = 12 * math.sqrt(q[-1])
        value = sum(integrate.quad(integrand, a, b, epsabs=0, epsrel=1e-12, limit=400)[0]
                    for a, b in ((-width, 0), (0, width)))
        q.append(sigma2_l * value)
    return np.array(q)


@pytest.mark.parametrize("method, activation, phi", [
    ("he", "relu", lambda z: max(z, 0.0)),
    ("xavier", "relu", lambda z: max(z, 0.0)),
    ("xavier", "tanh", math.tanh),
    ("glorot", "tanh", math.tanh),
])
def test_the_theory_matches_an_independent_quadrature(method, activation, phi):
    X = standard_normal_inputs(100, 300, seed=4) * 1.7
    variances = weight_variances(DEEP, method)
    sigma2 = [n_in * v for n_in, v in zip(DEEP[:-1], variances)]
    q, chi = mean_field(DEEP, variances, X, activation)
    np.testing.assert_allclose(q, independent_q(sigma2, sigma2[0] * np.mean(X ** 2), phi),
                               rtol=1e-6)
    if activation == "relu":
        ratio = 1.0 if method == "he" else 0.5  # He keeps the signal, Xavier halves it
        np.testing.assert_allclose(q[1:10] / q[:9], ratio, rtol=1e-9)
        np.testing.assert_allclose(chi[:-1], ratio, rtol=1e-9)
    else:
        steps = np.abs(np.diff(q[:10]))
        assert np.all(steps[1:] < steps[:-1])  # tanh converges to its fixed point
    assert np.isnan(chi[-1])


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("q", [1e-6, 0.3, 1.0, 30.0, 1e8])
def test_the_quadrature_holds_at_every_scale(activation, q):
    """Against scipy for E[phi(z)^2] and E[phi'(z)^2], z ~ N(0, q), from tiny to huge q."""
    from fastinit.propagation import _phi, _phi_prime

    for function in (lambda z: _phi(activation, z, 0.1) ** 2,
                     lambda z: _phi_prime(activation, z, 0.1) ** 2):
        def integrand(z):
            return float(function(np.array([z]))[0]) * math.exp(-z * z / (2 * q)) / \
                math.sqrt(2 * math.pi * q)
        width = 12 * math.sqrt(q)
        points = sorted({-width, 0.0, width, *[p for p in (-40, -20, 20, 40) if abs(p) < width]})
        expected = sum(integrate.quad(integrand, a, b, epsabs=0, epsrel=1e-12, limit=800)[0]
                       for a, b in zip(points[:-1], points[1:]))
        assert gaussian_expectation(function, q) == pytest.approx(expected, rel=1e-6)


def test_no_fixed_variance_gives_nan_theory():
    X = standard_normal_inputs(10, 50)
    stats = signal_propagation([10, 10, 10, 1], "lsuv", X, seeds=[0])
    assert np.isnan(stats.theory_second_moment).all()
    assert weight_variances([10, 10, 1], "lsuv") is None
    np.testing.assert_allclose(weight_variances([10, 20, 1], "he", negative_slope=0.5,
                                                mode="fan_out"), [2 / 1.25 / 20, 2 / 1.25 / 1])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"method": "nope"}, ValueError, "initializer"),
    ({"activation": "swish"}, ValueError, "activation"),
    ({"seeds": []}, ValueError, "seeds"),
    ({"seeds": [-1]}, ValueError, "seeds"),
    ({"X": np.ones((3, 5))}, ValueError, "features"),
    ({"Y": np.full((1, 50), 2.0)}, ValueError, "Y"),
    ({"n_workers": 0}, ValueError, "n_workers"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    arguments = {"layers_dims": [10, 5, 1], "method": "he",
                 "X": standard_normal_inputs(10, 50)} | kwargs
    with pytest.raises(error, match=match):
        signal_propagation(**arguments)


# ---------------------------------------------------------------------------
# During training
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("options", [
    {},
    {"lambd": 0.7},
    {"activation": "tanh", "keep_prob": 0.8},
    {"optimizer": "adam", "mini_batch_size": 64, "num_epochs": 300, "record_every": 100},
])
def test_tracking_changes_no_bit_and_starts_at_the_initial_norms(circles, options):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    training = {"num_iterations": 3000, **options}
    plain = fi.train(X, Y, parameters, **training)
    tracked = fi.train(X, Y, parameters, track_layers=True, **training)
    assert plain.layer_history is None
    assert tracked == plain
    history = tracked.layer_history
    n = len(tracked.iterations)
    assert all(values.shape == (n, 3) for values in history.values())
    activation = options.get("activation", "relu")
    grads = fi.backward(X, Y, parameters, activation=activation)
    l2 = options.get("lambd", 0.0) / X.shape[1]
    for l in range(1, 4):
        assert history["weight_norm"][0, l - 1] == pytest.approx(
            np.linalg.norm(parameters[f"W{l}"]), rel=1e-12)
        assert history["grad_norm"][0, l - 1] == pytest.approx(
            np.linalg.norm(grads[f"dW{l}"] + l2 * parameters[f"W{l}"]), rel=1e-9)
    last = fi.forward(X, tracked.parameters, activation)  # the final record is not the end
    assert history["activation_std"][0, 0] == pytest.approx(
        np.std(fi.forward(X, parameters, activation)["A1"]), rel=1e-12)
    assert np.isfinite(last["A1"]).all()


def test_tracking_in_row_space_form_sees_the_real_weights():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((600, 40))
    Y = (rng.random((1, 40)) < 0.5).astype(float)
    parameters = fi.initialize([600, 6, 1], "he", seed=1)
    assert fi.row_space.use_row_space([600, 6, 1], 40, 300, 0.0)
    result = fi.train(X, Y, parameters, num_iterations=300, record_every=100, track_layers=True)
    assert result.layer_history["weight_norm"][0, 0] == pytest.approx(
        np.linalg.norm(parameters["W1"]), rel=1e-12)


def test_a_diverged_run_keeps_the_history_it_recorded():
    X = standard_normal_inputs(3, 100)
    Y = (X[:1] > 0).astype(float)
    with pytest.raises(fi.DivergenceError) as caught:
        fi.train(X, Y, fi.initialize([3, 5, 5, 1], "random", seed=0), learning_rate=1e3,
                 num_iterations=50, record_every=1, activation="linear", track_layers=True)
    result = caught.value.result
    assert result.layer_history["weight_norm"].shape == (len(result.iterations), 3)


def test_track_layers_must_be_a_bool(circles):
    X, Y, _, _ = circles
    with pytest.raises(TypeError, match="track_layers"):
        fi.train(X, Y, fi.initialize([2, 3, 1]), num_iterations=2, track_layers="yes")


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def test_the_signal_figure_draws_medians_bands_and_theory():
    X = standard_normal_inputs(30, 200)
    dims = [30] + [30] * 5 + [1]
    stats = {name: signal_propagation(dims, name, X, seeds=range(5))
             for name in ("he", "xavier", "orthogonal")}
    figure = fi.plotting.plot_signal_propagation(stats)
    forward, backward = figure.axes
    assert forward.get_yscale() == backward.get_yscale() == "log"
    labelled = [line for line in forward.lines if not line.get_label().startswith("_")]
    assert [line.get_label() for line in labelled] == ["he", "xavier", "orthogonal"]
    medians = {line.get_label(): line.get_ydata() for line in labelled}
    np.testing.assert_allclose(medians["he"],
                               np.median(stats["he"].pre_activation_second_moment, axis=0))
    dashed = [line for line in forward.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 3  # orthogonal's variance is fixed by the fans too
    np.testing.assert_allclose(dashed[0].get_ydata(), stats["he"].theory_second_moment)
    np.testing.assert_allclose(dashed[2].get_ydata(), stats["orthogonal"].theory_second_moment)
    assert len(backward.collections) == 3  # one band each
    with pytest.raises(ValueError):
        fi.plotting.plot_signal_propagation({})


def test_the_layer_history_figure_has_a_row_per_run_and_a_line_per_layer(circles):
    X, Y, _, _ = circles
    results = {name: fi.train(X, Y, fi.initialize([2, 10, 5, 1], name, seed=3),
                              num_iterations=2000, track_layers=True, activation="tanh")
               for name in ("he", "glorot")}
    figure = fi.plotting.plot_layer_history({k: r.layer_history for k, r in results.items()},
                                            results["he"].iterations)
    assert len(figure.axes) == 2 * 4  # norms, gradients, spread, saturation; no dead units
    first = figure.axes[0]
    assert len(first.lines) == 3
    np.testing.assert_allclose(first.lines[0].get_ydata(),
                               results["he"].layer_history["weight_norm"][:, 0])
    assert "saturated" in figure.axes[3].get_title()
    with pytest.raises(ValueError, match="one entry per recorded row"):
        fi.plotting.plot_layer_history(results["he"].layer_history, [0])
    with pytest.raises(ValueError, match="track_layers"):
        fi.plotting.plot_layer_history({"x": {}}, [0])
