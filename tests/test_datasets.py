import ast
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import fastinit as fi

try:
    import sklearn.datasets
except ImportError:  # in the test extras; the golden digests below still run
    sklearn = None

needs_sklearn = pytest.mark.skipif(sklearn is None, reason="scikit-learn is not installed")

SIZES = [1, 2, 3, 7, 10, 99, 100, 101, 300, 1001]
#: SHA-256 digests of make_circles, make_moons and load_dataset results computed
#: on an AMD Zen 3 (AVX2, no AVX-512) with NumPy 2.4.6; "about" says how.
GOLDEN = json.loads((Path(__file__).parent / "golden" / "datasets.json").read_text())


def assert_identical(ours, theirs):
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@needs_sklearn
@pytest.mark.parametrize("n_samples", SIZES + [(3, 5), (0, 4), (10, 0)])
@pytest.mark.parametrize("noise", [None, 0.0, 0.05, 0.3])
@pytest.mark.parametrize("factor", [0.0, 0.3, 0.8, 0.999])
@pytest.mark.parametrize("shuffle", [True, False])
def test_make_circles_is_bit_identical_to_scikit_learn(n_samples, noise, factor, shuffle):
    kwargs = dict(n_samples=n_samples, noise=noise, factor=factor, shuffle=shuffle)
    assert_identical(fi.datasets.make_circles(random_state=42, **kwargs),
                     sklearn.datasets.make_circles(random_state=42, **kwargs))


@needs_sklearn
@pytest.mark.parametrize("n_samples", SIZES + [(3, 5), (1, 0), (0, 6)])
@pytest.mark.parametrize("noise", [None, 0.0, 0.1, 0.2])
@pytest.mark.parametrize("shuffle", [True, False])
def test_make_moons_is_bit_identical_to_scikit_learn(n_samples, noise, shuffle):
    kwargs = dict(n_samples=n_samples, noise=noise, shuffle=shuffle)
    assert_identical(fi.datasets.make_moons(random_state=7, **kwargs),
                     sklearn.datasets.make_moons(random_state=7, **kwargs))


@needs_sklearn
@pytest.mark.parametrize("generator", ["make_circles", "make_moons"])
def test_random_state_kinds_match_scikit_learn(generator):
    ours = getattr(fi.datasets, generator)
    theirs = getattr(sklearn.datasets, generator)
    assert_identical(ours(55, noise=0.1, random_state=np.random.RandomState(5)),
                     theirs(55, noise=0.1, random_state=np.random.RandomState(5)))
    np.random.seed(3)
    first = ours(55, noise=0.1, random_state=None)
    np.random.seed(3)
    assert_identical(first, theirs(55, noise=0.1, random_state=None))
    # Both advance NumPy's global state by the same draws.
    np.random.seed(3)
    ours(55, noise=0.1)
    after_ours = np.random.random()
    np.random.seed(3)
    theirs(55, noise=0.1)
    assert np.random.random() == after_ours


@needs_sklearn
def test_the_courses_moons_draw():
    # The optimization notebook: np.random.seed(3), then make_moons(300, noise=0.2).
    np.random.seed(3)
    ours = fi.datasets.make_moons(n_samples=300, noise=0.2)
    np.random.seed(3)
    assert_identical(ours, sklearn.datasets.make_moons(n_samples=300, noise=0.2))


@needs_sklearn
def test_load_dataset_is_the_notebooks_data():
    train_X, train_Y, test_X, test_Y = fi.datasets.load_dataset()
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100) and test_Y.shape == (1, 100)
    # The course's init_utils.load_dataset, verbatim.
    state = np.random.get_state()
    np.random.seed(1)
    course_train_X, course_train_Y = sklearn.datasets.make_circles(n_samples=300, noise=.05)
    np.random.seed(2)
    course_test_X, course_test_Y = sklearn.datasets.make_circles(n_samples=100, noise=.05)
    np.random.set_state(state)
    np.testing.assert_array_equal(train_X, course_train_X.T)
    np.testing.assert_array_equal(train_Y, course_train_Y.reshape((1, 300)))
    np.testing.assert_array_equal(test_X, course_test_X.T)
    np.testing.assert_array_equal(test_Y, course_test_Y.reshape((1, 100)))
    assert set(np.unique(train_Y)) == {0, 1}


@needs_sklearn
@pytest.mark.parametrize("generator, kwargs", [
    ("make_circles", dict(factor=0.5)),
    ("make_moons", {}),
])
@pytest.mark.parametrize("n_samples", [4097, 20001, (3000, 7001)])
def test_large_draws_are_bit_identical_to_scikit_learn(generator, kwargs, n_samples):
    # Thousands of angles, uneven halves, with and without noise.
    for noise in (None, 0.1):
        assert_identical(
            getattr(fi.datasets, generator)(n_samples, noise=noise, random_state=3, **kwargs),
            getattr(sklearn.datasets, generator)(n_samples, noise=noise, random_state=3, **kwargs))


def digest(arrays):
    """SHA-256 over the dtype, shape and bytes of each array, in order (the
    golden file's "about")."""
    sha = hashlib.sha256()
    for array in arrays:
        sha.update(str(array.dtype).encode())
        sha.update(str(array.shape).encode())
        sha.update(array.tobytes())
    return sha.hexdigest()


def run_case(case):
    """Call a golden case such as ``make_moons(n_samples=100, random_state=0)``."""
    call = ast.parse(case, mode="eval").body
    assert call.func.id in ("make_circles", "make_moons", "load_dataset")
    return getattr(fi.datasets, call.func.id)(
        *(ast.literal_eval(arg) for arg in call.args),
        **{keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords})


def test_golden_file_covers_every_generator():
    assert "SHA-256 over (dtype, shape, bytes)" in GOLDEN["about"]
    names = {ast.parse(case, mode="eval").body.func.id for case in GOLDEN["cases"]}
    assert names == {"make_circles", "make_moons", "load_dataset"}


@pytest.mark.parametrize("case", list(GOLDEN["cases"]))
def test_same_bits_as_the_golden_digests(case):
    assert digest(run_case(case)) == GOLDEN["cases"][case]


def test_load_dataset_leaves_the_global_state_alone():
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    fi.datasets.load_dataset()
    assert np.random.random() == expected


@pytest.mark.parametrize("call, error, message", [
    (lambda: fi.datasets.make_circles(-1), ValueError, "n_samples must be an int >= 0"),
    (lambda: fi.datasets.make_moons(0), ValueError, "n_samples must be an int >= 1"),
    (lambda: fi.datasets.make_moons(2.5), ValueError, "n_samples must be"),
    (lambda: fi.datasets.make_circles((1, 2, 3)), ValueError, "tuple of two ints"),
    (lambda: fi.datasets.make_circles(10, factor=1.0), ValueError, r"factor must be in \[0, 1\)"),
    (lambda: fi.datasets.make_circles(10, factor=-0.1), ValueError, "factor"),
    (lambda: fi.datasets.make_circles(10, factor="big"), TypeError, "factor"),
    (lambda: fi.datasets.make_moons(10, noise=-1), ValueError, "noise must be"),
    (lambda: fi.datasets.make_moons(10, noise=float("nan")), ValueError, "noise must be"),
    (lambda: fi.datasets.make_moons(10, noise="loud"), TypeError, "noise must be"),
    (lambda: fi.datasets.make_moons(10, random_state=1.5), TypeError, "random_state must be"),
    (lambda: fi.datasets.make_moons(10, random_state=np.random.default_rng(0)), TypeError,
     "random_state must be"),
    (lambda: fi.datasets.make_moons(10, random_state=-3), ValueError, "random_state must be"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_sines_and_cosines_never_go_through_numpys_dispatched_functions(monkeypatch):
    """NumPy's float64 sin and cos use other code on AVX-512 CPUs than elsewhere;
    the data sets must not depend on which (their values come from the C library)."""
    expected = [fi.datasets.make_circles(50, noise=0.1, random_state=1),
                fi.datasets.make_moons(51, noise=0.1, random_state=1),
                fi.datasets.load_dataset("moons")]

    def refuse(*args, **kwargs):
        raise AssertionError("a data set called NumPy's sin or cos")

    monkeypatch.setattr(np, "sin", refuse)
    monkeypatch.setattr(np, "cos", refuse)
    got = [fi.datasets.make_circles(50, noise=0.1, random_state=1),
           fi.datasets.make_moons(51, noise=0.1, random_state=1),
           fi.datasets.load_dataset("moons")]
    for ours, theirs in zip(got, expected):
        assert_identical(ours, theirs)
