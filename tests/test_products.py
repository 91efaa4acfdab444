"""The compiled core's fixed-order products (``_kernels.product`` and
``_kernels.product_of_transpose``) and the row-space training built on them.

``product(A, B, out)`` is ``A @ B`` and ``product_of_transpose(A, B, out)`` is
``A.T @ B`` (A read as it lies), each value one chain of fused multiply-adds over the
inner dimension in order, from 0. Both are checked against exact rational
arithmetic, against NumPy, across thread counts and across every compiled build this
CPU runs.
"""

from fractions import Fraction

import numpy as np
import pytest
import reference as ref
from conftest import runnable_builds

import fastinit as fi
from fastinit import _kernels, row_space

DTYPES = [np.float64, np.float32]


# --- helpers ------------------------------------------------------------------------------

BUILDS = [module for _, module in runnable_builds()]


def fused_builds():
    """The builds whose multiply-adds are fused (all of them, but the generic build on
    a CPU without FMA instructions, which rounds twice and so follows no exact model).

    Returns
    -------
    list of module
    """
    return [module for module in BUILDS if module.multiply_add() != "unfused"]


def round_to(value, dtype):
    """``value`` rounded to the nearest ``dtype`` number, ties to even.

    Parameters
    ----------
    value : fractions.Fraction
        An exact (finite) value.
    dtype : type
        ``np.float64`` or ``np.float32``.

    Returns
    -------
    float
        The rounded value (a Python float, exactly representable in ``dtype``).

    Notes
    -----
    ``float(Fraction)`` divides two integers, which Python rounds correctly. For
    float32 that double is rounded again, which can miss by one ulp, so the double's
    float32 neighbours are compared with the exact value as well.
    """
    nearest = float(value)
    if dtype == np.float64:
        return nearest
    guess = np.float32(nearest)
    candidates = [guess, np.nextafter(guess, np.float32(-np.inf)),
                  np.nextafter(guess, np.float32(np.inf))]
    candidates = [c for c in candidates if np.isfinite(c)]

    def distance_then_odd(candidate):
        odd = int(np.array(candidate, dtype=np.float32).view(np.uint32)) & 1
        return abs(Fraction(float(candidate)) - value), odd

    return float(min(candidates, key=distance_then_odd))


def fma(a, b, c, dtype):
    """``a * b + c`` with one rounding to ``dtype``.

    Parameters
    ----------
    a, b, c : float or numpy floating
    dtype : type

    Returns
    -------
    float
    """
    return round_to(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)), dtype)


def add(a, b, dtype):
    """``a + b`` rounded once to ``dtype``.

    Parameters
    ----------
    a, b : float or numpy floating
    dtype : type

    Returns
    -------
    float
    """
    return round_to(Fraction(float(a)) + Fraction(float(b)), dtype)


def model_product(A, B, entries=None):
    """The documented rounding of ``product``: each value one chain of fused
    multiply-adds over ``k`` in order from 0.

    Parameters
    ----------
    A : ndarray, shape (n, k)
    B : ndarray, shape (k, p)
    entries : iterable of (int, int), optional
        Only these values of the result (default: all of them).

    Returns
    -------
    dict
        ``{(i, j): value}``.
    """
    dtype = A.dtype.type
    if entries is None:
        entries = [(i, j) for i in range(A.shape[0]) for j in range(B.shape[1])]
    result = {}
    for i, j in entries:
        acc = 0.0
        for t in range(A.shape[1]):
            acc = fma(A[i, t], B[t, j], acc, dtype)
        result[i, j] = acc
    return result


def random_matrix(rng, shape, dtype):
    """Normal values spread over 2**-6 .. 2**6 in magnitude, so that sums round often.

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : tuple of int
    dtype : type

    Returns
    -------
    ndarray
        C-contiguous, of ``dtype``.
    """
    scale = np.exp2(rng.integers(-6, 7, size=shape))
    return np.ascontiguousarray((rng.standard_normal(shape) * scale).astype(dtype))


def run_product(module, A, B, n_threads=1):
    """``A @ B`` through ``module.product`` into a fresh array.

    Parameters
    ----------
    module : module
        A compiled build (or ``fastinit._kernels``).
    A, B : ndarray
    n_threads : int

    Returns
    -------
    ndarray
    """
    out = np.full((A.shape[0], B.shape[1]), np.nan, dtype=A.dtype)
    module.product(A, B, out, n_threads)
    return out


def run_of_transpose(module, A, B, n_threads=1, symmetric=False):
    """``A.T @ B`` through ``module.product_of_transpose`` into a fresh array.

    Parameters
    ----------
    module : module
    A : ndarray, shape (k, n)
    B : ndarray, shape (k, p)
    n_threads : int
    symmetric : bool

    Returns
    -------
    ndarray
    """
    out = np.full((A.shape[1], B.shape[1]), np.nan, dtype=A.dtype)
    module.product_of_transpose(A, B, out, n_threads, symmetric)
    return out


def transposed(A):
    """``A.T`` as a C-contiguous array."""
    return np.ascontiguousarray(A.T)


def assert_same_bits(actual, expected, message=""):
    """Assert two arrays have the same dtype, shape and bytes (NaN payloads and the
    sign of zero included).

    Parameters
    ----------
    actual, expected : ndarray
    message : str
    """
    assert actual.dtype == expected.dtype, message
    assert actual.shape == expected.shape, message
    assert actual.tobytes() == expected.tobytes(), message


def assert_matches_model(result, model, label):
    """Assert ``result[i, j] == model[i, j]`` for every entry of ``model``.

    Parameters
    ----------
    result : ndarray
    model : dict
    label : str
    """
    wrong = {key: (float(result[key]), value) for key, value in model.items()
             if float(result[key]) != value}
    assert not wrong, f"{label}: (got, exact model) differ at {wrong}"


# --- 1. exact rounding ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 7, 8, 9, 33, 70])
def test_each_value_is_rounded_as_documented(dtype, k):
    rng = np.random.default_rng(100 * k + (dtype == np.float32))
    n, p = (int(v) for v in rng.integers(1, 6, size=2))
    A = random_matrix(rng, (n, k), dtype)
    B = random_matrix(rng, (k, p), dtype)
    expected = model_product(A, B)
    for module in fused_builds():
        label = f"{module.__name__} n={n} k={k} p={p} {np.dtype(dtype).name}"
        assert_matches_model(run_product(module, A, B), expected, f"product {label}")
        assert_matches_model(run_of_transpose(module, transposed(A), B), expected,
                             f"product_of_transpose {label}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_exact_model_tells_the_orders_apart(dtype):
    """The checks above could fail: on these values products rounded before being
    added, or the same fused chain run backwards, give other bits than the documented
    order, and the kernels give the documented one."""
    rng = np.random.default_rng(5)
    A = random_matrix(rng, (5, 70), dtype)
    B = random_matrix(rng, (70, 5), dtype)
    fused = model_product(A, B)
    backwards = model_product(A[:, ::-1].copy(), B[::-1].copy())
    rounded_twice = {}
    t = dtype
    for (i, j) in fused:
        acc = t(0)
        for s in range(70):
            acc = t(acc + t(A[i, s] * B[s, j]))
        rounded_twice[i, j] = float(acc)
    assert fused != rounded_twice and fused != backwards
    assert_matches_model(run_product(_kernels, A, B), fused, "product")
    assert_matches_model(run_of_transpose(_kernels, transposed(A), B), fused,
                         "product_of_transpose")


@pytest.mark.parametrize("dtype", DTYPES)
def test_long_sums_carry_their_chains_across_panels_and_blocks(dtype):
    """Both products sum in panels of 128 inner values, carrying each chain in out;
    past 16 rows they split the result in tasks; columns past the last whole tile
    go to a tile that overlaps the one before it. Values in each of those regions are
    still exactly the model's."""
    rng = np.random.default_rng(11)
    A = random_matrix(rng, (1100, 37), dtype)
    B = random_matrix(rng, (1100, 70), dtype)
    entries = [(0, 0), (36, 69), (20, 65), (17, 3), (15, 64), (31, 31), (32, 33)]
    result = run_of_transpose(_kernels, A, B, n_threads=2)
    assert_matches_model(result, model_product(transposed(A), B, entries),
                         "product_of_transpose")
    symmetric = run_of_transpose(_kernels, B, B, n_threads=2, symmetric=True)
    assert_matches_model(symmetric, model_product(transposed(B), B,
                                                  [(3, 66), (66, 3), (69, 69), (40, 33)]),
                         "symmetric product_of_transpose")
    C = random_matrix(rng, (300, 45), dtype)
    wide = run_product(_kernels, transposed(A[:300]), C, n_threads=2)
    assert_matches_model(wide, model_product(transposed(A[:300]), C,
                                             [(0, 0), (36, 44), (17, 33)]), "product")


# --- 2. against NumPy -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("of_transpose", [False, True])
def test_they_agree_with_numpy_within_rounding(dtype, of_transpose):
    rng = np.random.default_rng(3)
    n, k, p = 37, 300, 45
    A = rng.standard_normal((k, n) if of_transpose else (n, k)).astype(dtype)
    B = rng.standard_normal((k, p)).astype(dtype)
    left = A.T if of_transpose else A
    result = run_of_transpose(_kernels, A, B) if of_transpose else run_product(_kernels, A, B)
    assert result.dtype == dtype and result.shape == (n, p)
    # Any order of summation is within k ulps of |A| @ |B| of the exact value.
    exact = left.astype(np.float64) @ B.astype(np.float64)
    bound = 2 * k * np.finfo(dtype).eps * (np.abs(left).astype(np.float64)
                                           @ np.abs(B).astype(np.float64))
    assert np.all(np.abs(result - exact) <= bound)
    assert np.all(np.abs(result - left @ B) <= 2 * bound)
    assert np.any(result != 0)


# --- 3. thread counts and the symmetric form ----------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_every_thread_count_gives_the_same_bits(dtype):
    rng = np.random.default_rng(17)
    A = random_matrix(rng, (600, 50), dtype)
    B = random_matrix(rng, (600, 70), dtype)
    one_t = run_of_transpose(_kernels, A, B, n_threads=1)
    one = run_product(_kernels, transposed(A), B, n_threads=1)
    assert not np.isnan(one_t).any() and not np.isnan(one).any()
    assert_same_bits(one_t, one)
    for n_threads in (2, 3):
        assert_same_bits(run_of_transpose(_kernels, A, B, n_threads), one_t, f"{n_threads}")
        assert_same_bits(run_product(_kernels, transposed(A), B, n_threads), one,
                         f"{n_threads}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, k", [(1, 5), (16, 33), (50, 600), (70, 40), (33, 7), (100, 3)])
def test_the_symmetric_form_is_the_full_product(dtype, n, k):
    rng = np.random.default_rng(n + k)
    X = random_matrix(rng, (k, n), dtype)
    full = run_of_transpose(_kernels, X, X.copy())
    for n_threads in (1, 2, 3):
        gram = run_of_transpose(_kernels, X, X, n_threads, symmetric=True)
        assert_same_bits(gram, full, f"n_threads={n_threads}")
        assert_same_bits(gram, np.ascontiguousarray(gram.T), f"n_threads={n_threads}")


# --- 4. every build -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, k, p", [(1, 1, 1), (3, 7, 5), (21, 75, 37), (18, 530, 66),
                                     (5, 32, 32), (17, 129, 3), (40, 20, 209)])
def test_every_build_gives_the_same_bits(dtype, n, k, p):
    rng = np.random.default_rng(n * k * p)
    A = random_matrix(rng, (n, k), dtype)
    B = random_matrix(rng, (k, p), dtype)
    At = random_matrix(rng, (k, n), dtype)
    first = BUILDS[0]
    expected = (run_product(first, A, B), run_of_transpose(first, At, B),
                run_of_transpose(first, B, B, symmetric=True))
    assert not any(np.isnan(e).any() for e in expected)
    for module in BUILDS[1:]:
        for threads in (1, 2):
            got = (run_product(module, A, B, threads), run_of_transpose(module, At, B, threads),
                   run_of_transpose(module, B, B, threads, symmetric=True))
            for name, g, e in zip(("product", "of_transpose", "symmetric"), got, expected):
                assert_same_bits(g, e, f"{name} {module.__name__} n_threads={threads}")


def test_the_builds_tested_include_the_chosen_one():
    assert _kernels._impl in BUILDS


# --- 5. hostile inputs -------------------------------------------------------------------

def _hostile_cases():
    """``(label, call)`` pairs, each call a function of no argument that passes
    ``product`` or ``product_of_transpose`` something they must refuse.

    Returns
    -------
    list of tuple
    """
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 6))
    At = transposed(A)
    B = rng.standard_normal((6, 5))
    out = np.empty((4, 5))
    read_only = np.empty((4, 5))
    read_only.flags.writeable = False
    P, PT = _kernels.product, _kernels.product_of_transpose
    return [
        ("1-D A", lambda: P(A.ravel(), B, out)),
        ("3-D A", lambda: P(A[None], B, out)),
        ("1-D B", lambda: P(A, B.ravel(), out)),
        ("3-D B", lambda: PT(At, B[None], out)),
        ("inner mismatch", lambda: P(A, rng.standard_normal((7, 5)), out)),
        ("inner mismatch, of transpose", lambda: PT(A, B, out)),
        ("float32 A, float64 B", lambda: P(A.astype(np.float32), B, out.astype(np.float32))),
        ("float64 A, float32 B", lambda: PT(At, B.astype(np.float32), out)),
        ("float32 out", lambda: P(A, B, out.astype(np.float32))),
        ("int arrays", lambda: P(A.astype(int), B.astype(int), out.astype(int))),
        ("int B", lambda: PT(At, B.astype(np.int64), out)),
        ("list A", lambda: P(A.tolist(), B, out)),
        ("None out", lambda: PT(At, B, None)),
        ("A.T", lambda: P(At.T, B, out)),
        ("sliced B", lambda: P(A, rng.standard_normal((6, 10))[:, ::2], out)),
        ("Fortran B", lambda: PT(At, np.asfortranarray(B), out)),
        ("A.T of transpose", lambda: PT(A.T, B, out)),
        ("read-only out", lambda: P(A, B, read_only)),
        ("read-only out, of transpose", lambda: PT(At, B, read_only)),
        ("small out", lambda: P(A, B, np.empty((4, 4)))),
        ("large out", lambda: PT(At, B, np.empty((4, 6)))),
        ("n_threads=0", lambda: P(A, B, out, 0)),
        ("n_threads=-1", lambda: PT(At, B, out, -1)),
        ("n_threads=-2**31", lambda: P(A, B, out, -2**31)),
        ("symmetric, two arrays", lambda: PT(B, B.copy(), np.empty((5, 5)), 1, True)),
        ("symmetric, two shapes", lambda: PT(At, B, out, 1, True)),
    ]


@pytest.mark.parametrize("label, call", _hostile_cases(), ids=[c[0] for c in _hostile_cases()])
def test_hostile_arguments_are_refused(label, call):
    with pytest.raises((ValueError, TypeError)):
        call()


def test_refused_arguments_leave_out_alone():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((6, 4))
    out = np.full((4, 4), 3.0)
    with pytest.raises(ValueError, match="symmetric"):
        _kernels.product_of_transpose(A, A.copy(), out, 1, True)
    with pytest.raises(ValueError, match="n_threads"):
        _kernels.product_of_transpose(A, A, out, 0)
    np.testing.assert_array_equal(out, 3.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, k, p", [(0, 3, 4), (3, 4, 0), (0, 0, 0), (0, 5, 0), (0, 0, 3)])
def test_empty_results_are_fine(dtype, n, k, p):
    A = np.ones((n, k), dtype=dtype)
    out = np.empty((n, p), dtype=dtype)
    _kernels.product(A, np.ones((k, p), dtype=dtype), out, 2)
    _kernels.product_of_transpose(transposed(A), np.ones((k, p), dtype=dtype), out, 2)
    assert out.shape == (n, p) and out.size == 0
    gram = np.empty((n, n), dtype=dtype)
    At = transposed(A)
    _kernels.product_of_transpose(At, At, gram, 2, True)
    np.testing.assert_array_equal(gram, A @ A.T)  # sums of ones: exact in any order


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("function", ["product", "product_of_transpose", "symmetric"])
@pytest.mark.parametrize("n, p", [(3, 4), (3, 32)])
def test_an_empty_inner_dimension_gives_zeros(dtype, function, n, p):
    """A @ B over an inner dimension of 0 is a matrix of zeros, as NumPy gives."""
    B = np.ones((0, p), dtype=dtype)
    if function == "symmetric":
        out = np.full((p, p), np.nan, dtype=dtype)
        _kernels.product_of_transpose(B, B, out, 1, True)
    elif function == "product":
        out = np.full((n, p), np.nan, dtype=dtype)
        _kernels.product(np.ones((n, 0), dtype=dtype), B, out, 1)
    else:
        out = np.full((n, p), np.nan, dtype=dtype)
        _kernels.product_of_transpose(np.ones((0, n), dtype=dtype), B, out, 1)
    np.testing.assert_array_equal(out, np.zeros_like(out))


@pytest.mark.parametrize("case", ["product, (p, n) out", "of transpose, 1-D out",
                                  "symmetric, 1-D out"])
def test_an_out_of_another_shape_is_refused(case):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((3, 5))
    B = rng.standard_normal((5, 32))
    with pytest.raises(ValueError):
        if case.startswith("product"):
            _kernels.product(A, B, np.empty((32, 3)))
        elif case.startswith("of transpose"):
            _kernels.product_of_transpose(transposed(A), B, np.empty(96))
        else:
            _kernels.product_of_transpose(B, B, np.empty(32 * 32), 1, True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("of_transpose", [False, True])
def test_nan_and_inf_propagate(dtype, of_transpose):
    """A NaN in row i of A makes row i NaN; an inf meeting positive values makes inf,
    meeting a zero NaN; every other value is the one without them, to the bit."""
    rng = np.random.default_rng(4)
    n, k, p = 6, 40, 37
    A = np.abs(random_matrix(rng, (n, k), dtype)) + dtype(0.5)
    B = np.abs(random_matrix(rng, (k, p), dtype)) + dtype(0.5)
    B[7, 3] = 0

    def compute(A):
        if of_transpose:
            return run_of_transpose(_kernels, transposed(A), B, 2)
        return run_product(_kernels, A, B, 2)

    clean = compute(A)
    assert np.isfinite(clean).all()
    hostile = A.copy()
    hostile[1, 30] = np.nan
    hostile[4, 7] = np.inf
    result = compute(hostile)
    assert np.isnan(result[1]).all()
    assert np.isnan(result[4, 3])
    assert np.isposinf(np.delete(result[4], 3)).all()
    untouched = [0, 2, 3, 5]
    assert_same_bits(result[untouched], clean[untouched])
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(np.isnan(result), np.isnan(hostile @ B))


@pytest.mark.parametrize("k", [45, 300])
def test_nan_in_the_symmetric_form_fills_its_row_and_column(k):
    rng = np.random.default_rng(6)
    X = random_matrix(rng, (k, 50), np.float64)
    X[40, 13] = np.nan
    gram = run_of_transpose(_kernels, X, X, 2, symmetric=True)
    expected = np.zeros((50, 50), dtype=bool)
    expected[13, :] = expected[:, 13] = True
    np.testing.assert_array_equal(np.isnan(gram), expected)


# --- 6. row-space training end to end ------------------------------------------------------

def wide_problem(seed, dims=(600, 5, 1), m=30):
    """A network with far fewer examples than inputs, and data for it.

    Parameters
    ----------
    seed : int
    dims : tuple of int
    m : int

    Returns
    -------
    parameters : dict
    X : ndarray, shape (dims[0], m)
    Y : ndarray, shape (1, m)
    """
    rng = np.random.default_rng(seed)
    parameters = fi.initialize(list(dims), "he", seed=seed)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    return parameters, X, Y


@pytest.fixture
def row_spaces(monkeypatch):
    """Every RowSpace fi.train makes, recorded."""
    made = []

    class Recorded(row_space.RowSpace):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(fi.training, "RowSpace", Recorded)
    return made


def test_row_space_training_matches_the_reference_on_every_thread_count(row_spaces):
    parameters, X, Y = wide_problem(8)
    options = dict(learning_rate=0.05, num_iterations=80, record_every=20)
    assert row_space.use_row_space([600, 5, 1], 30, 80, 0.0)
    results = [fi.train(X, Y, parameters, n_threads=n, **options) for n in (1, 2)]
    assert [space.n_threads for space in row_spaces] == [1, 2]
    expected, costs = ref.train(X, Y, parameters, **options)
    np.testing.assert_allclose(results[0].costs, costs, rtol=1e-9)
    assert costs[-1] < costs[0]
    for key, value in expected.items():
        assert results[0].parameters[key].shape == value.shape
        np.testing.assert_allclose(results[0].parameters[key], value, rtol=1e-8, atol=1e-12,
                                   err_msg=key)
        assert_same_bits(results[1].parameters[key], results[0].parameters[key], key)
    assert_same_bits(np.asarray(results[1].costs), np.asarray(results[0].costs))
    assert results[1].final_cost == results[0].final_cost


def test_row_space_products_are_the_kernels_products():
    parameters, X, Y = wide_problem(9)
    layout = fi.network.Layout.of((600, 5, 1))
    theta = layout.pack([(parameters["W1"], parameters["b1"].ravel()),
                         (parameters["W2"], parameters["b2"].ravel())], np.float64)
    spaces = [row_space.RowSpace(layout, theta, X, n_threads=n) for n in (1, 2, 3)]
    gram = run_of_transpose(_kernels, X, X.copy())
    offset = run_product(_kernels, parameters["W1"], X)
    for space in spaces:
        assert_same_bits(space.gram, gram)
        assert_same_bits(space.offset, offset.ravel())
    np.testing.assert_allclose(gram, X.T @ X, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(offset, parameters["W1"] @ X, rtol=1e-12, atol=1e-10)
    # Coefficients C give W1 = W1(0) + C X^T, on every thread count alike.
    rng = np.random.default_rng(1)
    coefficients = rng.standard_normal(5 * 30) * 1e-2
    trained = np.concatenate([coefficients, spaces[0].theta[5 * 30:]])
    weights = [space.parameters_of(trained)["W1"] for space in spaces]
    np.testing.assert_allclose(weights[0], parameters["W1"]
                               + coefficients.reshape(5, 30) @ X.T, rtol=1e-12, atol=1e-12)
    for W1 in weights[1:]:
        assert_same_bits(W1, weights[0])
    C = coefficients.reshape(5, 30)
    assert_same_bits(weights[0], parameters["W1"] + run_product(_kernels, C, transposed(X)))
