"""Fuzz fastinit's public entry points with hypothesis.

Run as a script (tests/test_fuzz.py does, in a subprocess, so that a crash of the
compiled core fails a test instead of killing pytest):

    python tests/fuzz_entry_points.py --examples 200

Every call gets random shapes, dtypes, memory layouts (C, Fortran, strided,
read-only, misaligned) and sometimes an invalid value. It must either return
what benchmarks/reference.py computes, or raise ValueError or TypeError. Prints
how many examples ran and how many ended in each way.
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import reference as ref  # noqa: E402

import fastinit as fi  # noqa: E402
from fastinit import init_utils  # noqa: E402

OUTCOMES = Counter()
LAYOUTS = ["C", "F", "strided", "read-only", "misaligned"]
BAD_VALUES = [None, "nan", "inf", "label", "shape", "ndim", "dtype", "empty", "missing",
              "chain", "activation"]
#: Entry points that take the hidden activation (the others see "activation" as valid).
TAKES_ACTIVATION = ("activations",)


def relayout(array, layout):
    """The same values in another memory layout."""
    array = np.asarray(array)
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        wide = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), dtype=array.dtype)
        wide[..., ::2] = array
        return wide[..., ::2]
    if layout == "read-only":
        copy = array.copy()
        copy.setflags(write=False)
        return copy
    if layout == "misaligned" and array.dtype.itemsize > 1:
        raw = bytearray(array.nbytes + 1)
        view = np.frombuffer(raw, dtype=array.dtype, offset=1, count=array.size)
        view = view.reshape(array.shape)
        view[...] = array
        return view
    return array


@st.composite
def problems(draw):
    dims = draw(st.lists(st.integers(1, 6), min_size=2, max_size=5))
    dims[-1] = 1
    m = draw(st.integers(1, 40))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64, np.int32]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((dims[0], m)) * 3).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(draw(st.sampled_from([np.int64, np.float64])))
    param_dtype = np.float32 if dtype == np.float32 else np.float64
    parameters = fi.initialize(dims, draw(st.sampled_from(["he", "glorot", "random_small"])),
                               seed=seed, dtype=param_dtype)
    layout = draw(st.sampled_from(LAYOUTS))
    X = relayout(X, layout)
    Y = relayout(Y, layout)
    parameters = {k: relayout(v, layout) for k, v in parameters.items()}
    bad = draw(st.one_of(st.just(None), st.sampled_from(BAD_VALUES[1:])))
    if bad == "nan":
        X = np.array(X, dtype=np.float64)
        X[0, 0] = np.nan
    elif bad == "inf":
        parameters = dict(parameters)
        W = np.array(parameters["W1"], dtype=np.float64)
        W[0, 0] = np.inf
        parameters["W1"] = W
    elif bad == "label":
        Y = np.array(Y, dtype=np.float64)
        Y[0, 0] = draw(st.sampled_from([2.0, -1.0, 0.5, np.nan]))
    elif bad == "shape":
        Y = np.zeros((1, m + 1))
    elif bad == "ndim":
        X = np.asarray(X).ravel()
    elif bad == "dtype":
        X = np.asarray(X).astype(draw(st.sampled_from([bool, complex, object, str])))
    elif bad == "empty":
        X = np.zeros((dims[0], 0))
        Y = np.zeros((1, 0))
    elif bad == "missing":
        parameters = {k: v for k, v in parameters.items() if k != f"b{len(dims) - 1}"}
    elif bad == "chain" and len(dims) > 2:
        parameters = dict(parameters)
        parameters["W2"] = np.zeros((dims[2], dims[1] + 1))
    hidden = {"activation": draw(st.sampled_from(fi.ACTIVATIONS)),
              "negative_slope": draw(st.sampled_from([0.0, 0.01, 0.3, 2.0]))}
    if bad == "activation":
        key, value = draw(st.sampled_from([
            ("activation", "swish"), ("activation", "Tanh"), ("activation", None),
            ("activation", 2), ("negative_slope", -0.5), ("negative_slope", np.nan),
            ("negative_slope", np.inf), ("negative_slope", "0.1"), ("negative_slope", None)]))
        hidden[key] = value
    return dims, X, Y, parameters, bad, hidden


def tolerance(X):
    return dict(rtol=2e-4, atol=2e-5) if np.asarray(X).dtype == np.float32 else \
        dict(rtol=1e-9, atol=1e-12)


#: L2 and dropout for the "train_regularized" entry point.
REGULARIZED = dict(lambd=0.3, keep_prob=0.8, seed=5)


def run_entry_point(name, X, Y, parameters, hidden):
    """Call one entry point, then check its answer against the reference."""
    originals = {k: np.array(v, copy=True) for k, v in parameters.items()}
    X_before = np.array(X, copy=True)
    if name == "forward":
        got = fi.predict_proba(X, parameters)
    elif name == "forward_layers":
        got = fi.forward(X, parameters)
    elif name == "network":
        net = fi.Network(parameters)
        got = net.backward(X, Y, out=net.backward(X, Y))
        proba = net.predict_proba(X)
        got["AL"] = net.predict_proba(X, out=np.empty_like(proba))
        np.testing.assert_array_equal(got["AL"], proba)
    elif name == "init_utils":
        a3, cache = init_utils.forward_propagation(X, parameters)
        got = init_utils.backward_propagation(X, Y, cache)
        got["AL"] = a3
    elif name == "backward":
        got = fi.backward(X, Y, parameters)
    elif name == "train":
        got = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=20, record_every=5)
    elif name == "train_regularized":
        got = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=20, record_every=5,
                       **REGULARIZED)
    elif name == "predict":
        got = fi.predict(X, parameters)
    elif name == "accuracy":
        got = fi.accuracy(X, Y, parameters)
    elif name == "activations":
        got = fi.backward(X, Y, parameters, **hidden)
        got.update(fi.forward(X, parameters, **hidden))
        got["proba"] = fi.predict_proba(X, parameters, **hidden)
        try:
            got["train"] = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=20,
                                    record_every=5, keep_prob=0.9, **hidden)
        except fi.DivergenceError:
            got["train"] = None  # checked below: the reference must diverge too
    else:
        got = fi.gradient_check(parameters, X, Y)

    # Only valid input gets here: compare with the reference.
    ref_X = np.asarray(X, dtype=np.float64)
    ref_params = {k: np.asarray(v, dtype=np.float64) for k, v in parameters.items()}
    tol = tolerance(X)
    if name in ("forward", "predict", "accuracy"):
        AL, _ = ref.forward(ref_X, ref_params)
        if name == "forward":
            np.testing.assert_allclose(got, AL, **tol)
        elif name == "predict":
            assert got.shape == AL.shape and set(np.unique(got)) <= {0, 1}
        else:
            assert 0.0 <= got <= 1.0
    elif name == "forward_layers":
        _, caches = ref.forward(ref_X, ref_params)
        for l, (Z, A) in enumerate(caches, 1):
            np.testing.assert_allclose(got[f"Z{l}"], Z, **tol)
            np.testing.assert_allclose(got[f"A{l}"], A, **tol)
    elif name in ("backward", "network", "init_utils"):
        AL, caches = ref.forward(ref_X, ref_params)
        expected = ref.backward(ref_X, np.asarray(Y, dtype=np.float64), ref_params, caches)
        for key in expected:
            np.testing.assert_allclose(np.reshape(got[key], expected[key].shape), expected[key],
                                       **tol)
        if name != "backward":
            np.testing.assert_allclose(got["AL"], AL, **tol)
    elif name == "train":
        _, costs = ref.train(ref_X, np.asarray(Y, dtype=np.float64), ref_params,
                             learning_rate=0.05, num_iterations=20, record_every=5)
        np.testing.assert_allclose(got.costs, costs, rtol=max(tol["rtol"], 1e-8) * 10)
    elif name == "activations":
        options = {"hidden": hidden["activation"], "negative_slope": hidden["negative_slope"]}
        AL, caches = ref.forward(ref_X, ref_params, **options)
        expected = ref.backward(ref_X, np.asarray(Y, dtype=np.float64), ref_params, caches,
                                **options)
        for key in expected:
            np.testing.assert_allclose(got[key], expected[key], **tol)
        for l, (Z, A) in enumerate(caches, 1):
            np.testing.assert_allclose(got[f"A{l}"], A, **tol)
        np.testing.assert_allclose(got["proba"], AL, **tol)
        with np.errstate(all="ignore"):
            trained, costs = ref.train(ref_X, np.asarray(Y, dtype=np.float64), ref_params,
                                       learning_rate=0.05, num_iterations=20, record_every=5,
                                       keep_prob=0.9, dropout_masks="hashed", **options)
        if got["train"] is None:  # a linear or leaky network with large inputs can blow up
            assert not (np.isfinite(costs).all() and
                        all(np.isfinite(value).all() for value in trained.values()))
        else:
            np.testing.assert_allclose(got["train"].costs, costs,
                                       rtol=max(tol["rtol"], 1e-8) * 10)
    elif name == "train_regularized":
        _, costs = ref.train(ref_X, np.asarray(Y, dtype=np.float64), ref_params,
                             learning_rate=0.05, num_iterations=20, record_every=5,
                             dropout_masks="hashed", **REGULARIZED)
        np.testing.assert_allclose(got.costs, costs, rtol=max(tol["rtol"], 1e-8) * 10)
    else:
        # A ReLU input at exactly 0 (zero bias after a dead unit) is a kink where
        # finite differences disagree with the gradient; the measure stays in [0, 1].
        assert 0.0 <= got <= 1.0
    # Nothing the caller passed was modified.
    np.testing.assert_array_equal(np.asarray(X), X_before)
    for key, value in originals.items():
        np.testing.assert_array_equal(np.asarray(parameters[key]), value)


def make_test(name, examples):
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(problems())
    def fuzz(problem):
        dims, X, Y, parameters, bad, hidden = problem
        # Labels do not reach forward or predict; a 1-layer network has no W2.
        if (bad in ("label", "shape") and name in ("forward", "forward_layers", "predict")) or \
                (bad == "chain" and len(dims) <= 2) or \
                (bad == "activation" and name not in TAKES_ACTIVATION):
            bad = None
        try:
            run_entry_point(name, X, Y, parameters, hidden)
        except (ValueError, TypeError) as error:
            if bad is None:
                raise AssertionError(f"valid input to {name} raised {error!r}") from error
            OUTCOMES[f"{name}: clear error"] += 1
        else:
            if bad is not None:
                raise AssertionError(f"{name} accepted bad input ({bad})")
            OUTCOMES[f"{name}: answer checked"] += 1
    return fuzz


ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-5, 20), st.floats(allow_nan=True),
                     st.text(max_size=3), st.lists(st.integers(-2, 8), max_size=5))


def make_initialize_test(examples):
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(layers_dims=st.one_of(st.lists(st.integers(1, 9), min_size=2, max_size=6),
                                 st.lists(st.integers(-2, 9), max_size=6), ANYTHING),
           method=st.one_of(st.sampled_from(sorted(fi.INITIALIZERS)), ANYTHING),
           seed=st.one_of(st.integers(0, 2**32 - 1), st.integers(-3, 2**33), ANYTHING),
           dtype=st.sampled_from([None, "float32", "float64", "int8", "complex64"]))
    def fuzz(layers_dims, method, seed, dtype):
        try:
            parameters = fi.initialize(layers_dims, method, seed=seed, dtype=dtype)
        except (ValueError, TypeError):
            OUTCOMES["initialize: clear error"] += 1
            return
        dims = list(layers_dims)
        assert len(parameters) == 2 * (len(dims) - 1)
        for l in range(1, len(dims)):
            assert parameters[f"W{l}"].shape == (dims[l], dims[l - 1])
            assert np.isfinite(parameters[f"W{l}"]).all()
        OUTCOMES["initialize: answer checked"] += 1
    return fuzz


def make_datasets_test(examples):
    import sklearn.datasets

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(generator=st.sampled_from(["make_circles", "make_moons"]),
           n_samples=st.one_of(st.integers(1, 60), st.tuples(st.integers(0, 9),
                                                              st.integers(0, 9)),
                               st.integers(-3, 60), ANYTHING),
           noise=st.one_of(st.none(), st.floats(0, 2), st.floats(-1, 2), ANYTHING),
           random_state=st.one_of(st.integers(0, 99), st.none(), st.integers(-2, 99), ANYTHING))
    def fuzz(generator, n_samples, noise, random_state):
        state = np.random.get_state()  # random_state=None draws from the global state
        try:
            X, y = getattr(fi.datasets, generator)(n_samples, noise=noise,
                                                   random_state=random_state)
        except (ValueError, TypeError) as error:
            # scikit-learn must refuse it too, except a bool for a number, which
            # scikit-learn takes as 0 or 1 and fastinit refuses on purpose.
            if any(isinstance(v, bool) for v in (n_samples, noise, random_state)):
                OUTCOMES["datasets: clear error"] += 1
                return
            try:
                getattr(sklearn.datasets, generator)(n_samples, noise=noise,
                                                     random_state=random_state)
            except Exception:
                OUTCOMES["datasets: clear error"] += 1
                return
            raise AssertionError(f"fastinit refused what scikit-learn accepts: {error}")
        np.random.set_state(state)
        X_ref, y_ref = getattr(sklearn.datasets, generator)(n_samples, noise=noise,
                                                            random_state=random_state)
        np.testing.assert_array_equal(X, X_ref)
        np.testing.assert_array_equal(y, y_ref)
        OUTCOMES["datasets: answer checked"] += 1
    return fuzz


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args()
    names = ["forward", "forward_layers", "backward", "network", "init_utils", "train",
             "train_regularized", "predict", "accuracy", "gradient_check", "activations"]
    for name in names:
        make_test(name, args.examples)()
    make_initialize_test(args.examples)()
    make_datasets_test(args.examples)()
    total = sum(OUTCOMES.values())
    for key in sorted(OUTCOMES):
        print(f"{key}: {OUTCOMES[key]}")
    print(f"fuzz examples: {total}, crashes: 0")


if __name__ == "__main__":
    main()
