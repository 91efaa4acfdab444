import numpy as np
import pytest
import reference as ref

import fastinit as fi

DIMS = [300, 400, 200, 1]


def options_for(method, n_inputs):
    """What an initializer needs besides the layer sizes: "lsuv" needs data."""
    if method == "lsuv":
        return {"X": np.random.default_rng(0).standard_normal((n_inputs, 50))}
    return {}


def fans(dims):
    return [(dims[l - 1], dims[l]) for l in range(1, len(dims))]


@pytest.mark.parametrize("method", sorted(fi.INITIALIZERS))
@pytest.mark.parametrize("dtype", [None, np.float32, np.float64, "float32"])
def test_every_initializer_returns_course_shapes_and_zero_biases(method, dtype):
    parameters = fi.initialize([5, 4, 3, 1], method, seed=0, dtype=dtype,
                               **options_for(method, 5))
    expected_dtype = np.float64 if dtype is None else np.dtype(dtype)
    assert list(parameters) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for l, (n_in, n_out) in enumerate(fans([5, 4, 3, 1]), 1):
        assert parameters[f"W{l}"].shape == (n_out, n_in)
        assert parameters[f"b{l}"].shape == (n_out, 1)
        assert parameters[f"W{l}"].dtype == expected_dtype
        assert not parameters[f"b{l}"].any()
        assert np.isfinite(parameters[f"W{l}"]).all()


@pytest.mark.parametrize("method", sorted(fi.INITIALIZERS))
def test_int_seed_is_reproducible_and_leaves_global_state_alone(method):
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = fi.initialize([4, 6, 1], method, seed=7, **options_for(method, 4))
    second = fi.INITIALIZERS[method]([4, 6, 1], seed=7, **options_for(method, 4))
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


@pytest.mark.parametrize("method, scale", [
    ("zeros", 0.0),
    ("random", 10.0),
    ("random_small", 0.01),
    ("he", lambda n: np.sqrt(2.0 / n)),
    ("xavier", lambda n: np.sqrt(1.0 / n)),
    ("lecun", lambda n: np.sqrt(1.0 / n)),
])
def test_course_style_methods_match_the_course_code(method, scale):
    dims = [7, 5, 3, 1]
    np.testing.assert_equal(fi.initialize(dims, method, seed=3), ref.initialize(dims, scale, seed=3))


@pytest.mark.parametrize("method, variance", [
    ("he", lambda fi_, fo: 2 / fi_),
    ("xavier", lambda fi_, fo: 1 / fi_),
    ("lecun", lambda fi_, fo: 1 / fi_),
    ("glorot", lambda fi_, fo: 2 / (fi_ + fo)),
    ("he_uniform", lambda fi_, fo: 2 / fi_),
    ("glorot_uniform", lambda fi_, fo: 2 / (fi_ + fo)),
    ("lecun_uniform", lambda fi_, fo: 1 / fi_),
    ("he_truncated_normal", lambda fi_, fo: 2 / fi_),
    ("glorot_truncated_normal", lambda fi_, fo: 2 / (fi_ + fo)),
    ("lecun_truncated_normal", lambda fi_, fo: 1 / fi_),
    ("random_small", lambda fi_, fo: 1e-4),
    ("random", lambda fi_, fo: 100.0),
])
def test_weight_variance_follows_the_formula(method, variance):
    parameters = fi.initialize(DIMS, method, seed=1)
    for l, (fan_in, fan_out) in enumerate(fans(DIMS)[:2], 1):
        W = parameters[f"W{l}"]
        assert abs(W.mean()) < 4 * np.sqrt(variance(fan_in, fan_out) / W.size)
        # Sample variance of >= 80000 values: within 2% of the formula.
        assert W.var() == pytest.approx(variance(fan_in, fan_out), rel=0.02)


@pytest.mark.parametrize("method, limit", [
    ("he_uniform", lambda fi_, fo: np.sqrt(6 / fi_)),
    ("glorot_uniform", lambda fi_, fo: np.sqrt(6 / (fi_ + fo))),
    ("lecun_uniform", lambda fi_, fo: np.sqrt(3 / fi_)),
])
def test_uniform_variants_stay_within_their_limit(method, limit):
    parameters = fi.initialize(DIMS, method, seed=2)
    for l, (fan_in, fan_out) in enumerate(fans(DIMS), 1):
        W = np.abs(parameters[f"W{l}"])
        assert W.max() <= limit(fan_in, fan_out)
        if W.size > 1000:
            assert W.max() > 0.99 * limit(fan_in, fan_out)


@pytest.mark.parametrize("method, variance", [
    ("he_truncated_normal", lambda fi_, fo: 2 / fi_),
    ("glorot_truncated_normal", lambda fi_, fo: 2 / (fi_ + fo)),
    ("lecun_truncated_normal", lambda fi_, fo: 1 / fi_),
])
def test_truncated_normal_is_cut_at_two_sigma_of_the_keras_stddev(method, variance):
    parameters = fi.initialize(DIMS, method, seed=4)
    for l, (fan_in, fan_out) in enumerate(fans(DIMS), 1):
        stddev = np.sqrt(variance(fan_in, fan_out)) / 0.87962566103423978
        W = np.abs(parameters[f"W{l}"])
        assert W.max() <= 2 * stddev
        if W.size > 1000:
            assert W.max() > 1.95 * stddev


@pytest.mark.parametrize("dims", [[6, 3, 1], [3, 6, 6, 1], [5, 5, 1]])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal_has_orthonormal_rows_or_columns(dims, gain):
    parameters = fi.initialize(dims, "orthogonal", seed=5, gain=gain)
    for l in range(1, len(dims)):
        W = parameters[f"W{l}"] / gain
        n_out, n_in = W.shape
        gram = W @ W.T if n_out <= n_in else W.T @ W
        np.testing.assert_allclose(gram, np.eye(min(n_out, n_in)), atol=1e-12)


def test_orthogonal_sign_fix_makes_it_uniform():
    # Without the sign fix, QR returns a Q whose first column correlates with the
    # first column of the normal matrix; with it, the diagonal of Q averages ~0
    # sign bias. Check the mean of Q[0, 0] over many draws is near 0.
    rng = np.random.default_rng(0)
    firsts = [fi.initialize([3, 3, 1], "orthogonal", seed=rng)["W1"][0, 0] for _ in range(2000)]
    assert abs(np.mean(firsts)) < 0.05


def test_generator_and_randomstate_seeds():
    a = fi.initialize([4, 5, 1], "he", seed=np.random.default_rng(9))
    b = fi.initialize([4, 5, 1], "he", seed=np.random.default_rng(9))
    np.testing.assert_equal(a, b)
    c = fi.initialize([4, 5, 1], "he", seed=np.random.RandomState(3))
    np.testing.assert_equal(c, fi.initialize([4, 5, 1], "he", seed=3))


def test_seed_none_draws_from_numpys_global_state():
    np.random.seed(3)
    a = fi.initialize([4, 5, 1], "he", seed=None)
    np.testing.assert_equal(a, fi.initialize([4, 5, 1], "he", seed=3))


def test_options_reach_their_initializer():
    scaled = fi.initialize([3, 2, 1], "random", seed=3, scale=1.0)
    np.testing.assert_allclose(scaled["W1"] * 10, fi.initialize([3, 2, 1], "random", seed=3)["W1"])


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(layers_dims=[2, 3, 1], method="kaiming"), ValueError, "choose one of: .*he"),
    (dict(layers_dims=[2, 3, 1], method=3), TypeError, "method must be a string"),
    (dict(layers_dims=[2]), ValueError, "at least two entries"),
    (dict(layers_dims=[]), ValueError, "at least two entries"),
    (dict(layers_dims=[2, 0, 1]), ValueError, r"layers_dims\[1\] must be >= 1"),
    (dict(layers_dims=[2, -3, 1]), ValueError, r"layers_dims\[1\] must be >= 1"),
    (dict(layers_dims=[2, 2.5, 1]), TypeError, r"layers_dims\[1\] must be an integer"),
    (dict(layers_dims=[2, True, 1]), TypeError, r"layers_dims\[1\] must be an integer"),
    (dict(layers_dims=5), TypeError, "layers_dims must be a sequence"),
    (dict(layers_dims="21"), TypeError, "layers_dims must be a sequence"),
    (dict(layers_dims=[2, 1], seed=1.5), TypeError, "seed must be an int"),
    (dict(layers_dims=[2, 1], seed="3"), TypeError, "seed must be an int"),
    (dict(layers_dims=[2, 1], seed=-1), ValueError, "seed must be between"),
    (dict(layers_dims=[2, 1], dtype=np.int32), ValueError, "dtype must be float32 or float64"),
    (dict(layers_dims=[2, 1], dtype="banana"), TypeError, "dtype must be float32 or float64"),
    (dict(layers_dims=[2, 1], method="he", gain=2.0), TypeError, "does not take gain"),
    (dict(layers_dims=[2, 1], method="random", scale=-1.0), ValueError, "scale must be"),
    (dict(layers_dims=[2, 1], method="orthogonal", gain=float("nan")), ValueError, "gain must be"),
])
def test_bad_arguments_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        fi.initialize(**kwargs)


def test_layers_dims_is_not_modified():
    dims = [2, 3, 1]
    fi.initialize(dims, "he")
    assert dims == [2, 3, 1]
    assert fi.initialize(np.array([2, 3, 1]), "he")["W1"].shape == (3, 2)


@pytest.mark.parametrize("seed", [0, 3, 17, np.random.default_rng(5)])
@pytest.mark.parametrize("dtype", [None, np.float32])
@pytest.mark.parametrize("named, distribution", [("he", "normal"), ("he_uniform", "uniform"),
                                                 ("he_truncated_normal", "truncated_normal")])
def test_variance_scaling_with_scale_2_fan_in_is_the_he_family_bit_for_bit(seed, dtype, named,
                                                                           distribution):
    dims = [13, 8, 5, 1]
    copy = lambda s: np.random.default_rng(5) if isinstance(s, np.random.Generator) else s
    expected = fi.initialize(dims, named, seed=copy(seed), dtype=dtype)
    got = fi.initialize(dims, "variance_scaling", seed=copy(seed), dtype=dtype, scale=2,
                        mode="fan_in", distribution=distribution)
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key])
        assert got[key].dtype == expected[key].dtype


@pytest.mark.parametrize("mode, fan", [("fan_in", lambda i, o: i), ("fan_out", lambda i, o: o),
                                       ("fan_avg", lambda i, o: (i + o) / 2)])
@pytest.mark.parametrize("distribution", ["normal", "untruncated_normal", "truncated_normal",
                                          "uniform"])
def test_variance_scaling_has_the_variance_it_promises(mode, fan, distribution):
    parameters = fi.initialize(DIMS, "variance_scaling", seed=1, scale=1.7, mode=mode,
                               distribution=distribution)
    for l, (n_in, n_out) in enumerate(fans(DIMS)[:2], 1):  # W3 is too small to measure
        W = parameters[f"W{l}"]
        assert W.var() == pytest.approx(1.7 / fan(n_in, n_out), rel=0.03)
        if distribution == "truncated_normal":
            assert np.abs(W).max() <= 2 * np.sqrt(1.7 / fan(n_in, n_out)) / 0.8796 + 1e-12
        if distribution == "uniform":
            assert np.abs(W).max() <= np.sqrt(3 * 1.7 / fan(n_in, n_out))


@pytest.mark.parametrize("method", ["he", "he_uniform", "he_truncated_normal"])
@pytest.mark.parametrize("negative_slope", [0.0, 0.2, 1.0])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_the_he_family_takes_kaimings_negative_slope_and_mode(method, negative_slope, mode):
    parameters = fi.initialize(DIMS, method, seed=2, negative_slope=negative_slope, mode=mode)
    for l, (n_in, n_out) in enumerate(fans(DIMS)[:2], 1):
        fan = n_in if mode == "fan_in" else n_out
        expected = 2 / (1 + negative_slope ** 2) / fan
        assert parameters[f"W{l}"].var() == pytest.approx(expected, rel=0.03)
    default = fi.initialize(DIMS, method, seed=2)
    relu = fi.initialize(DIMS, method, seed=2, negative_slope=0.0, mode="fan_in")
    for key in default:
        np.testing.assert_array_equal(default[key], relu[key])


def test_he_with_a_slope_is_pytorchs_kaiming_normal():
    """kaiming_normal_(W, a, mode="fan_out"): std = gain(leaky_relu, a) / sqrt(fan_out), drawn
    here from the same stream."""
    dims, a = [6, 9, 4, 1], 0.3
    parameters = fi.initialize(dims, "he", seed=11, negative_slope=a, mode="fan_out")
    rng = np.random.RandomState(11)
    for l in range(1, len(dims)):
        std = fi.calculate_gain("leaky_relu", a) / np.sqrt(dims[l])
        np.testing.assert_allclose(parameters[f"W{l}"],
                                   rng.standard_normal((dims[l], dims[l - 1])) * std, rtol=1e-15)


@pytest.mark.parametrize("method", ["glorot", "glorot_uniform", "glorot_truncated_normal",
                                    "lecun", "lecun_uniform", "lecun_truncated_normal", "xavier"])
def test_the_glorot_lecun_and_xavier_families_take_a_gain(method):
    default = fi.initialize(DIMS, method, seed=4)
    unit = fi.initialize(DIMS, method, seed=4, gain=1.0)
    tanh = fi.initialize(DIMS, method, seed=4, gain=fi.calculate_gain("tanh"))
    for key in default:
        np.testing.assert_array_equal(default[key], unit[key])
        np.testing.assert_allclose(tanh[key], default[key] * 5 / 3, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("method, options, error, match", [
    ("variance_scaling", {"mode": "fan_sum"}, ValueError, "mode"),
    ("variance_scaling", {"distribution": "cauchy"}, ValueError, "distribution"),
    ("variance_scaling", {"scale": 0}, ValueError, "scale"),
    ("variance_scaling", {"scale": "2"}, TypeError, "scale"),
    ("he", {"mode": "fan_avg"}, ValueError, "mode"),
    ("he_uniform", {"negative_slope": float("nan")}, ValueError, "negative_slope"),
    ("he", {"negative_slope": "0.1"}, ValueError, "negative_slope"),
    ("glorot", {"gain": -1.0}, ValueError, "gain"),
    ("glorot", {"negative_slope": 0.1}, TypeError, "negative_slope"),
    ("lsuv", {}, ValueError, "needs the data"),
    ("lsuv", {"X": np.zeros((3, 10))}, ValueError, "X must have shape"),
])
def test_bad_initializer_options_are_named(method, options, error, match):
    with pytest.raises(error, match=match):
        fi.initialize([4, 5, 1], method, seed=0, **options)
