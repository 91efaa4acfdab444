import ast
import hashlib
import inspect

import numpy as np
import pytest
import reference as ref

import fastinit as fi
from fastinit import _householder
from fastinit._householder import diagonal_signs, householder_qr

DIMS = [300, 400, 200, 1]


def options_for(method, n_inputs):
    """What an initializer needs besides the layer sizes: "lsuv" needs data,
    "critical" the activation."""
    if method == "lsuv":
        return {"X": np.random.default_rng(0).standard_normal((n_inputs, 50))}
    if method == "critical":
        return {"activation": "tanh"}
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


# --- orthogonal: a QR with the same bits on every CPU -----------------------------------


def gram_by_sums(q):
    """``q.T q`` summed with np.sum (pairwise), not BLAS."""
    return np.sum(q[:, :, None] * q[:, None, :], axis=0)


def lapack_haar_q(a):
    """The former orthogonal draw: LAPACK's Q with the signs of diag(R) fixed."""
    q, r = np.linalg.qr(a)
    return q * np.sign(np.diag(r))


def sha256_of(parameters):
    digest = hashlib.sha256()
    for key, value in parameters.items():
        digest.update(key.encode())
        digest.update(repr(value.shape).encode())
        digest.update(np.ascontiguousarray(value, dtype="<f8").tobytes())
    return digest.hexdigest()


SHAPES = [(1, 1), (5, 1), (2, 2), (6, 6), (9, 4), (17, 16), (64, 64), (150, 130), (300, 20)]


@pytest.mark.parametrize("shape", SHAPES)
def test_householder_q_has_orthonormal_columns(shape):
    q, _ = householder_qr(np.random.default_rng(0).standard_normal(shape))
    assert q.shape == shape and q.flags.c_contiguous
    np.testing.assert_allclose(gram_by_sums(q), np.eye(shape[1]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES + [(300, 300)])
def test_householder_qr_agrees_with_lapack(shape):
    a = np.random.default_rng(1).standard_normal(shape)
    q, r_diagonal = householder_qr(a)
    lapack_q, lapack_r = np.linalg.qr(a)
    np.testing.assert_allclose(r_diagonal, np.diag(lapack_r), rtol=1e-12, atol=0)
    np.testing.assert_allclose(q, lapack_q, rtol=0, atol=1e-12)
    np.testing.assert_allclose(q * diagonal_signs(r_diagonal), lapack_haar_q(a), rtol=0, atol=1e-12)


@pytest.mark.parametrize("dims", [[7, 5, 9, 3], [300, 400, 200, 1], [1, 1], [5, 1], [1, 5]])
@pytest.mark.parametrize("gain", [1.0, 1.5])
def test_orthogonal_agrees_with_the_former_lapack_draw(dims, gain):
    parameters = fi.initialize(dims, "orthogonal", seed=3, gain=gain)
    rng = np.random.RandomState(3)
    for l in range(1, len(dims)):
        fan_in, fan_out = dims[l - 1], dims[l]
        q = lapack_haar_q(rng.standard_normal((max(fan_out, fan_in), min(fan_out, fan_in))))
        expected = gain * (q.T if fan_out < fan_in else q)
        np.testing.assert_allclose(parameters[f"W{l}"], expected, rtol=0, atol=1e-12 * gain)


FORBIDDEN = ("dot", "vdot", "matmul", "einsum", "inner", "tensordot")


def test_orthogonal_and_lsuv_call_no_blas(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("BLAS/LAPACK called")

    monkeypatch.setattr(np.linalg, "qr", refuse)
    for name in FORBIDDEN:
        monkeypatch.setattr(np, name, refuse)
    X = np.random.default_rng(0).standard_normal((8, 40))
    assert np.isfinite(fi.initialize([8, 12, 6, 1], "orthogonal", seed=0)["W1"]).all()
    assert np.isfinite(fi.initialize([8, 12, 6, 1], "lsuv", seed=0, X=X)["W1"]).all()


def test_the_householder_code_names_no_blas():
    """The monkeypatch above cannot catch ``@``; the source can."""
    trees = [ast.parse(inspect.getsource(_householder)),
             ast.parse(inspect.getsource(fi.initializers.orthogonal))]
    for tree in trees:
        for node in ast.walk(tree):
            assert not (isinstance(node, (ast.BinOp, ast.AugAssign))
                        and isinstance(node.op, ast.MatMult)), ast.unparse(node)
            if isinstance(node, ast.Attribute):
                assert node.attr not in FORBIDDEN + ("linalg",), ast.unparse(node)
            if isinstance(node, ast.Name):
                assert node.id not in FORBIDDEN, node.id


def test_orthogonal_bits_are_fixed():
    """These digests hold the bits on other CPUs (AVX2, AVX-512, aarch64): a change
    here is a change of every orthogonal and lsuv start. The second case has rows
    longer than 128, so the pairwise sums split."""
    assert sha256_of(fi.initialize([7, 5, 9, 3], "orthogonal", seed=0)) == \
        "acc9b445fd0bd139e751a6801b98fd6da4da0db4c65401d375a0c9056e4071c3"
    assert sha256_of(fi.initialize([150, 300, 140], "orthogonal", seed=1)) == \
        "dd7b155a9305af6c64babfbf64dc10a714c8b3c103e8dc9070496eaddb705e3b"


def test_the_draws_under_the_orthogonal_digest_are_fixed():
    """If the digest above fails on some machine, this tells whether the normal
    draws (RandomState's polar method calls the C library's log) or the QR moved."""
    rng = np.random.RandomState(0)
    digest = hashlib.sha256()
    for shape in [(7, 5), (9, 5), (9, 3)]:
        digest.update(np.ascontiguousarray(rng.standard_normal(shape), dtype="<f8").tobytes())
    assert digest.hexdigest() == "dbc76821f1a72ae10bffc7141f18303416c17fca02d58fdcbc057db685216317"


def pairwise_sum(values):
    """NumPy's DOUBLE_pairwise_sum (numpy/_core/src/umath/loops_utils.h.src), in
    Python floats: the order householder_qr relies on."""
    n = len(values)
    if n < 8:
        total = -0.0
        for value in values:
            total += value
        return total
    if n <= 128:
        partial = list(values[:8])
        i = 8
        while i < n - n % 8:
            for lane in range(8):
                partial[lane] += values[i + lane]
            i += 8
        total = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + \
                ((partial[4] + partial[5]) + (partial[6] + partial[7]))
        for value in values[i:]:
            total += value
        return total
    half = n // 2 - (n // 2) % 8
    return pairwise_sum(values[:half]) + pairwise_sum(values[half:])


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (2, 8), (4, 9), (5, 127), (3, 128), (3, 129),
                                   (2, 300), (1, 1000), (300, 17), (200, 200), (2, 12288)])
def test_numpy_sums_rows_in_the_fixed_pairwise_order(shape):
    """householder_qr's dot products are np.add.reduce along the contiguous last
    axis; with values spread over 40 orders of magnitude any other order would
    round differently."""
    rng = np.random.default_rng(shape[0] * 100003 + shape[1])
    a = rng.standard_normal(shape) * np.exp(rng.uniform(-46, 46, shape))
    sums = np.add.reduce(a, axis=1)
    assert [float(s) for s in sums] == [pairwise_sum(row.tolist()) for row in a]
    assert float(np.add.reduce(a[0])) == pairwise_sum(a[0].tolist())


def test_householder_qr_of_a_1x1_matrix():
    for value in (-3.0, 0.0, 2.5):
        q, r_diagonal = householder_qr([[value]])
        assert q.tolist() == [[1.0]] and r_diagonal.tolist() == [value]
    assert fi.initialize([1, 1], "orthogonal", seed=0)["W1"].tolist() in ([[1.0]], [[-1.0]])


def test_a_zero_column_reflects_nothing_and_gives_no_nan():
    a = np.random.default_rng(2).standard_normal((7, 4))
    a[:, 2] = 0.0
    q, r_diagonal = householder_qr(a)
    assert np.isfinite(q).all() and r_diagonal[2] == 0.0
    assert diagonal_signs(r_diagonal)[2] == 1.0
    np.testing.assert_allclose(gram_by_sums(q * diagonal_signs(r_diagonal)), np.eye(4), atol=1e-14)
    np.testing.assert_allclose(np.abs(q[:, [0, 1, 3]]), np.abs(np.linalg.qr(a)[0][:, [0, 1, 3]]),
                               atol=1e-14)
    q, r_diagonal = householder_qr(np.zeros((3, 2)))
    np.testing.assert_array_equal(q, np.eye(3, 2))
    np.testing.assert_array_equal(r_diagonal, [0.0, 0.0])


@pytest.mark.parametrize("exponent", [-1000, -600, 600, 1000])
def test_scaling_by_a_power_of_two_changes_no_bit_of_q(exponent):
    """Norms are taken after an exact power-of-two scaling, so columns near the
    ends of the float64 range neither overflow (1e300**2) nor underflow."""
    a = np.random.default_rng(3).standard_normal((40, 30))
    q, r_diagonal = householder_qr(a)
    scaled_q, scaled_diagonal = householder_qr(np.ldexp(a, exponent))
    np.testing.assert_array_equal(scaled_q, q)
    np.testing.assert_array_equal(scaled_diagonal, np.ldexp(r_diagonal, exponent))


def test_float32_orthogonal_is_the_float64_draw_cast():
    dims = [9, 6, 12, 1]
    single = fi.initialize(dims, "orthogonal", seed=4, dtype=np.float32)
    double = fi.initialize(dims, "orthogonal", seed=4)
    for key in double:
        assert single[key].dtype == np.float32
        np.testing.assert_array_equal(single[key], double[key].astype(np.float32))


@pytest.mark.parametrize("a, match", [
    (np.ones(3), "2-D"),
    (np.ones((2, 3)), "tall"),
    (np.array([[1.0], [np.nan]]), "finite"),
    (np.array([[np.inf]]), "finite"),
])
def test_householder_qr_refuses_what_it_cannot_decompose(a, match):
    with pytest.raises(ValueError, match=match):
        householder_qr(a)
