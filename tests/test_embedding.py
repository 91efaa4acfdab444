"""Calling fastinit from one's own NumPy loop: the Network, the C fast path of the
checks, inference in the blocked kernel, out= buffers, and init_utils reusing its
cache. Every result is compared with the plain-NumPy reference or with the dict
path it replaces."""

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
import reference as ref
from conftest import random_problem, runnable_builds

import fastinit as fi
from fastinit import _boundary, init_utils
from fastinit.network import Layout

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import course_init_utils  # noqa: E402


@pytest.fixture
def problem():
    return random_problem(7, 3, m=45)


def layouts(array):
    """The same values as C-, F-ordered, strided, read-only and misaligned arrays."""
    array = np.asarray(array)
    wide = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), dtype=array.dtype)
    wide[..., ::2] = array
    read_only = array.copy()
    read_only.flags.writeable = False
    raw = bytearray(array.nbytes + 1)
    misaligned = np.frombuffer(raw, dtype=array.dtype, offset=1,
                               count=array.size).reshape(array.shape)
    misaligned[...] = array
    return [np.ascontiguousarray(array), np.asfortranarray(array), wide[..., ::2], read_only,
            misaligned]


# --- Network ---------------------------------------------------------------------------

def test_network_holds_a_checked_copy_with_writable_views(problem):
    dims, parameters, X, _ = problem
    net = fi.Network(parameters)
    assert net.dims == tuple(dims) and net.dtype == np.float64 and len(net) == 2 * len(dims) - 2
    assert list(net) == list(net.keys()) == [f"{n}{l}" for l in range(1, len(dims)) for n in "Wb"]
    for key, value in parameters.items():
        np.testing.assert_array_equal(net[key].reshape(value.shape), value)
        assert not np.shares_memory(net[key], value)
    assert net["b1"].shape == (dims[1], 1)
    net["W1"][0, 0] += 1.0
    assert net.theta[0] == parameters["W1"][0, 0] + 1.0
    copied = net.to_dict()
    copied["W1"][0, 0] = 99.0
    assert net["W1"][0, 0] != 99.0
    assert repr(net) == f"Network(dims={list(dims)}, dtype=float64)"
    twin = net.copy()
    twin.theta[:] = 0
    assert net.theta.any()
    buffer, W1 = twin.theta, twin["W1"]
    twin.theta = np.ones(twin.theta.size)
    twin.theta += 1.0
    assert twin.theta is buffer and (W1 == 2.0).all()
    with pytest.raises(ValueError):
        twin.theta = np.ones(3)


def test_network_dtype_follows_the_arrays_or_is_given(problem):
    _, parameters, _, _ = problem
    single = {k: v.astype(np.float32) for k, v in parameters.items()}
    assert fi.Network(single).dtype == np.float32
    assert fi.Network(parameters, dtype="float32").dtype == np.float32
    assert fi.Network(fi.Network(single), dtype=np.float64).dtype == np.float64
    mixed = dict(single, W1=parameters["W1"])
    assert fi.Network(mixed).dtype == np.float64
    listed = {k: v.tolist() for k, v in parameters.items()}
    np.testing.assert_array_equal(fi.Network(listed).theta, fi.Network(parameters).theta)


@pytest.mark.parametrize("bad, error, message", [
    ([1, 2], TypeError, "parameters must be a dict"),
    ({"W1": np.ones((2, 2))}, ValueError, "missing"),
    ({"W1": np.ones((2, 2)), "b1": np.ones((3, 1))}, ValueError, r"b1'\] must have shape"),
    ({"W1": np.full((2, 2), np.nan), "b1": np.ones((2, 1))}, ValueError, "NaN or infinite"),
    ({"W1": np.ones((2, 2), dtype=bool), "b1": np.ones((2, 1))}, TypeError, "boolean"),
])
def test_network_refuses_what_the_dict_path_refuses(bad, error, message):
    with pytest.raises(error, match=message):
        fi.Network(bad)
    with pytest.raises(error, match=message):
        fi.forward(np.ones((2, 3)), bad)


def test_network_rejects_unknown_keys_and_dtypes(problem):
    net = fi.Network(problem[1])
    with pytest.raises(KeyError, match="W1, b1"):
        net["W9"]
    with pytest.raises(ValueError, match="float32 or float64"):
        fi.Network(problem[1], dtype=np.int64)


def test_every_public_call_takes_a_network_with_the_dicts_result(problem, tmp_path):
    dims, parameters, X, Y = problem
    net = fi.Network(parameters)
    for name in ("forward", "predict_proba", "predict"):
        a, b = getattr(fi, name)(X, parameters), getattr(fi, name)(X, net)
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            for key in a:
                np.testing.assert_array_equal(a[key], b[key])
        else:
            np.testing.assert_array_equal(a, b)
    for key, value in fi.backward(X, Y, parameters).items():
        np.testing.assert_array_equal(value, fi.backward(X, Y, net)[key])
    assert fi.accuracy(X, Y, parameters) == fi.accuracy(X, Y, net) == net.accuracy(X, Y)
    assert fi.train(X, Y, parameters, num_iterations=50) == fi.train(X, Y, net, num_iterations=50)
    assert fi.gradient_check(net, X, Y) == fi.gradient_check(parameters, X, Y)
    before = net.theta.copy()
    fi.train(X, Y, net, num_iterations=5)
    np.testing.assert_array_equal(net.theta, before)
    fi.save_parameters(tmp_path / "net.npz", net)
    loaded = fi.load_parameters(tmp_path / "net.npz")
    np.testing.assert_array_equal(fi.Network(loaded).theta, net.theta)
    np.testing.assert_array_equal(net.forward(X)["AL"], fi.forward(X, parameters)["AL"])
    np.testing.assert_array_equal(net.predict(X), fi.predict(X, parameters))


def test_a_network_and_float32_data_compute_in_float32(problem):
    _, parameters, X, Y = problem
    net = fi.Network(parameters)
    single = fi.predict_proba(X.astype(np.float32), net)
    assert single.dtype == np.float32
    np.testing.assert_array_equal(
        single, fi.predict_proba(X.astype(np.float32), {k: v.astype(np.float32)
                                                         for k, v in parameters.items()}))


# --- the C fast path gives what the complete checks give ----------------------------------

def test_every_memory_layout_gives_the_same_bits(problem):
    _, parameters, X, Y = problem
    expected_forward = fi.forward(np.ascontiguousarray(X), parameters)
    expected_grads = fi.backward(X, Y, parameters)
    expected_proba = fi.predict_proba(X, parameters)
    for X_layout in layouts(X):
        for Y_layout in layouts(Y):
            grads = fi.backward(X_layout, Y_layout, parameters)
            for key, value in expected_grads.items():
                np.testing.assert_array_equal(grads[key], value)
        np.testing.assert_array_equal(fi.predict_proba(X_layout, parameters), expected_proba)
        np.testing.assert_array_equal(fi.forward(X_layout, parameters)["AL"],
                                      expected_forward["AL"])
    W1_layouts = layouts(parameters["W1"])
    for W1 in W1_layouts:
        np.testing.assert_array_equal(fi.predict_proba(X, dict(parameters, W1=W1)),
                                      expected_proba)
    flat_biases = {k: (v.ravel() if k.startswith("b") else v) for k, v in parameters.items()}
    np.testing.assert_array_equal(fi.predict_proba(X, flat_biases), expected_proba)
    integers = {k: np.rint(v * 4).astype(np.int64) for k, v in parameters.items()}
    np.testing.assert_array_equal(
        fi.predict_proba(X, integers),
        fi.predict_proba(X, {k: v.astype(np.float64) for k, v in integers.items()}))


def test_the_fast_checks_hand_anything_unusual_to_the_complete_ones(problem):
    _, parameters, X, Y = problem
    assert _boundary.pack_parameters(parameters, 12) is not None
    for unusual in (dict(parameters, W1=parameters["W1"].astype(np.int64)),
                    dict(parameters, W1=np.ma.masked_array(parameters["W1"])),
                    dict(parameters, W1=np.full_like(parameters["W1"], np.inf)),
                    dict(parameters, W9=parameters["W1"]),
                    {k: v.tolist() for k, v in parameters.items()}):
        assert _boundary.pack_parameters(unusual, 12) is None
    assert _boundary.check_matrix(X) is X
    assert _boundary.check_matrix(X.astype(np.int64)) is None
    assert _boundary.check_matrix(np.where(X > 0, np.nan, X)) is None
    assert _boundary.check_labels(Y, 1, X.shape[1], 12) is Y
    assert _boundary.check_labels(Y * 2, 1, X.shape[1], 12) is None
    assert _boundary.check_labels(Y.astype(bool), 1, X.shape[1], 12) is None


def test_no_call_modifies_its_arguments(problem):
    _, parameters, X, Y = problem
    originals = copy.deepcopy((parameters, X, Y))
    net = fi.Network(parameters)
    theta = net.theta.copy()
    fi.forward(X, parameters)
    grads = fi.backward(X, Y, net)
    fi.backward(X, Y, parameters, out=grads)
    fi.predict_proba(X, net, out=np.empty((1, X.shape[1])))
    fi.accuracy(X, Y, parameters, n_threads=2)
    a3, cache = init_utils.forward_propagation(X, parameters)
    init_utils.update_parameters(parameters, init_utils.backward_propagation(X, Y, cache), 0.1)
    for got, want in zip((parameters, X, Y), originals):
        if isinstance(got, dict):
            for key in got:
                np.testing.assert_array_equal(got[key], want[key])
        else:
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(net.theta, theta)


# --- inference in the blocked kernel --------------------------------------------------------

@pytest.mark.parametrize("dims, m", [([2, 10, 5, 1], 300), ([2, 10, 5, 1], 100_003),
                                     ([7, 40, 40, 3], 2_501), ([3, 1], 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predictions_match_the_reference_with_the_same_bits_on_every_thread_count(dims, m,
                                                                                  dtype):
    rng = np.random.default_rng(m)
    X = rng.standard_normal((dims[0], m)).astype(dtype)
    Y = (rng.random((dims[-1], m)) < 0.5).astype(dtype)
    parameters = fi.initialize(dims, "he", seed=1, dtype=dtype)
    expected, _ = ref.forward(X.astype(np.float64),
                              {k: v.astype(np.float64) for k, v in parameters.items()})
    one = fi.predict_proba(X, parameters, n_threads=1)
    assert one.dtype == dtype and one.shape == (dims[-1], m)
    np.testing.assert_allclose(one, expected, rtol=1e-12 if dtype == np.float64 else 1e-4,
                               atol=1e-6 if dtype == np.float32 else 0)
    accuracy = np.mean((one > 0.5) == (Y > 0.5))
    for n_threads in (2, 3, 4):
        np.testing.assert_array_equal(fi.predict_proba(X, parameters, n_threads=n_threads), one)
        assert fi.accuracy(X, Y, parameters, n_threads=n_threads) == accuracy
    np.testing.assert_array_equal(fi.predict(X, parameters, n_threads=3),
                                  (one > 0.5).astype(np.int64))


def test_predict_proba_writes_into_out(problem):
    _, parameters, X, _ = problem
    out = np.full((1, X.shape[1]), -1.0)
    assert fi.predict_proba(X, parameters, out=out) is out
    np.testing.assert_array_equal(out, fi.predict_proba(X, parameters))
    net = fi.Network(parameters)
    assert net.predict_proba(X, out=out) is out


@pytest.mark.parametrize("out, error, message", [
    ([[0.0] * 45], TypeError, "out must be a NumPy array"),
    (np.empty((1, 44)), ValueError, r"shape \(1, 45\)"),
    (np.empty((1, 45), dtype=np.float32), ValueError, "float64"),
    (np.empty((1, 90))[:, ::2], ValueError, "C-contiguous"),
    (np.empty((1, 45)), ValueError, "writable"),
])
def test_predict_proba_refuses_a_bad_out(problem, out, error, message):
    _, parameters, X, _ = problem
    if message == "writable":
        out.flags.writeable = False
    with pytest.raises(error, match=message):
        fi.predict_proba(X, parameters, out=out)


@pytest.mark.parametrize("n_threads, error", [(0, ValueError), (1.5, TypeError),
                                              (True, TypeError)])
def test_inference_refuses_bad_thread_counts(problem, n_threads, error):
    _, parameters, X, Y = problem
    with pytest.raises(error, match="n_threads"):
        fi.predict_proba(X, parameters, n_threads=n_threads)
    with pytest.raises(error, match="n_threads"):
        fi.accuracy(X, Y, parameters, n_threads=n_threads)


# --- backward(out=) and a loop that keeps a Network ----------------------------------------

def test_backward_writes_into_a_previous_result(problem):
    dims, parameters, X, Y = problem
    grads = fi.backward(X, Y, parameters)
    other = fi.initialize(dims, "xavier", seed=5)
    again = fi.backward(X, Y, other, out=grads)
    assert again is grads
    for key, value in fi.backward(X, Y, other).items():
        np.testing.assert_array_equal(grads[key], value)


def test_backward_refuses_an_out_it_did_not_make(problem):
    dims, parameters, X, Y = problem
    grads = fi.backward(X, Y, parameters)
    bad_outs = [
        {k: v.copy() for k, v in grads.items()},
        dict(grads, dW1=grads["dW1"].copy()),
        {k: v for k, v in grads.items() if k != "db1"},
        fi.backward(X.astype(np.float32), Y, parameters),
        fi.backward(X[:, :5], Y[:, :5], fi.initialize([dims[0], 2, 1], "he")),
        [1, 2],
    ]
    net = fi.Network(parameters)
    with pytest.raises(ValueError, match="out must be a dict returned by backward"):
        fi.backward(X, Y, net, out=net.layout.named(net.theta, "d"))  # would overwrite net
    for out in bad_outs:
        with pytest.raises(ValueError, match="out must be a dict returned by backward"):
            fi.backward(X, Y, parameters, out=out)


def test_a_loop_that_keeps_a_network_trains_like_the_reference(problem):
    _, parameters, X, Y = problem
    net = fi.Network(parameters)
    grads = None
    for _ in range(30):
        grads = net.backward(X, Y, out=grads)
        net.theta -= 0.1 * net.flat(grads)
    expected, _ = ref.train(X, Y, parameters, learning_rate=0.1, num_iterations=30)
    for key, value in expected.items():
        np.testing.assert_allclose(net[key].reshape(value.shape), value, rtol=1e-9, atol=1e-12)
    assert np.shares_memory(net.flat(grads), grads["dW1"])
    copied = {k: v.copy() for k, v in grads.items()}
    np.testing.assert_array_equal(net.flat(copied), net.flat(grads))
    with pytest.raises(ValueError, match="layer sizes"):
        net.flat(fi.backward(X, Y, fi.initialize([X.shape[0], 2, 1], "he")))


# --- init_utils ---------------------------------------------------------------------------

def test_backward_propagation_reads_the_layers_from_the_cache_as_the_course_does(circles):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    a3, cache = init_utils.forward_propagation(X, parameters)
    cache[5][:, ::3] = 0.0   # a2, changed in place, as the course's backward would see it
    grads = init_utils.backward_propagation(X, Y, cache)
    expected = course_init_utils.backward_propagation(X, Y, tuple(np.array(v) for v in cache))
    for key in ("dW3", "db3", "dW2", "dz2", "dW1", "db1"):
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-12, atol=1e-15)


def test_backward_propagation_recomputes_a_cache_it_did_not_make(circles):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    _, cache = init_utils.forward_propagation(X, parameters)
    ours = init_utils.backward_propagation(X, Y, cache)
    copied = init_utils.backward_propagation(X, Y, tuple(np.array(v) for v in cache))
    smaller = init_utils.backward_propagation(X[:, :50], Y[:, :50], cache)
    assert list(ours) == list(copied) == ["dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2",
                                          "da1", "dz1", "dW1", "db1"]
    for key in ours:
        np.testing.assert_array_equal(ours[key], copied[key])
    direct = fi.backward(X[:, :50], Y[:, :50], parameters)
    np.testing.assert_array_equal(smaller["dW1"], direct["dW1"])


def test_compute_loss_has_the_courses_bits():
    rng = np.random.default_rng(0)
    for trial in range(300):
        m = int(rng.integers(1, 700))
        a3 = rng.random((1, m))
        if trial % 4 == 1:
            a3[rng.random(a3.shape) < 0.1] = rng.choice([0.0, 1.0])
        if trial % 4 == 2:
            a3[rng.random(a3.shape) < 0.1] = np.nan
        Y = (rng.random((1, m)) < 0.5).astype(np.int64 if trial % 2 else np.float64)
        if trial % 5 == 0:
            Y = rng.random((1, m))
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = course_init_utils.compute_loss(a3, Y)
        got = init_utils.compute_loss(a3, Y)
        assert got == expected or (np.isnan(got) and np.isnan(expected)), trial


def test_update_parameters_takes_the_fast_path_and_the_complete_one_alike(circles):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    grads = init_utils.backward_propagation(X, Y, init_utils.forward_propagation(X, parameters)[1])
    fast = init_utils.update_parameters(parameters, grads, 0.01)
    listed = init_utils.update_parameters({k: v.tolist() for k, v in parameters.items()},
                                          {k: v.tolist() for k, v in grads.items()}, 0.01)
    for key in fast:
        np.testing.assert_array_equal(fast[key], listed[key])
        assert not np.shares_memory(fast[key], parameters[key])
    single = init_utils.update_parameters({k: v.astype(np.float32) for k, v in parameters.items()},
                                          grads, 0.01)
    assert all(v.dtype == np.float32 for v in single.values())
    with pytest.raises(ValueError, match="grads"):
        init_utils.update_parameters(parameters, dict(grads, dW4=grads["dW1"]), 0.01)
    with pytest.raises(TypeError, match="grads must be a dict"):
        init_utils.update_parameters(parameters, [1], 0.01)


def test_the_layout_is_made_once_per_layer_sizes():
    assert Layout.of((2, 10, 5, 1)) is Layout.of((2, 10, 5, 1))
    layout = Layout.of((3, 4, 1))
    assert layout.plan.tolist() == [3, 4, 1, 0, 16, 12, 20]
    with pytest.raises(ValueError):
        layout.plan[0] = 5


# --- the whole-layer passes round as documented ------------------------------------------

def _builds():
    """Each build this CPU runs, and whether it fuses multiply-adds (every build
    does, but the generic one on a CPU without FMA)."""
    return [(module, module.multiply_add() != "unfused") for _, module in runnable_builds()]


@pytest.mark.parametrize("m", [6, 7, 37])
@pytest.mark.parametrize("module, fused", _builds())
def test_the_whole_layer_passes_sum_each_value_in_order(module, fused, m):
    """forward_layers and backward_layers (fi.forward, fi.backward) keep the
    rounding of fastinit's first plain loops: every value summed from 0 in
    order, the bias last; fused multiply-adds (unless the CPU has no FMA), except
    that a weight gradient rounds each product before adding it but for the
    last one when m is odd. Checked here against exact arithmetic."""
    from fractions import Fraction

    def madd(a, b, c, fuse):
        return float(Fraction(a) * Fraction(b) + Fraction(c)) if fuse else c + a * b

    rng = np.random.default_rng(m)
    dims = (3, 4, 2)
    layout = Layout.of(dims)
    theta = rng.standard_normal(layout.size)
    X = rng.standard_normal((3, m))
    Y = (rng.random((2, m)) < 0.5).astype(np.float64)
    layers = np.empty(12 * m)
    module.forward_layers(layout.plan, theta, X, layers)
    Z, A = layers[:6 * m], layers[6 * m:]
    W1, b1, W2, b2 = layout.views(theta)
    Z1, Z2 = Z[:4 * m].reshape(4, m), Z[4 * m:].reshape(2, m)
    A1 = A[:4 * m].reshape(4, m)
    for Z_l, W, b, inputs in ((Z1, W1, b1, X), (Z2, W2, b2, A1)):
        for i in range(W.shape[0]):
            for j in range(m):
                acc = 0.0
                for k in range(W.shape[1]):
                    acc = madd(W[i, k], inputs[k, j], acc, fused)
                assert Z_l[i, j] == acc + b[i, 0]
    np.testing.assert_array_equal(A1, np.maximum(Z1, 0))
    deltas, grad = np.empty(10 * m), np.empty(layout.size)
    module.backward_layers(layout.plan, theta, X, Y, layers, deltas, grad)
    dZ, dA = deltas[:6 * m], deltas[6 * m:]
    dZ2 = dZ[4 * m:].reshape(2, m)
    dW1, db1, dW2, db2 = layout.views(grad)
    for i in range(2):
        for k in range(4):
            acc = 0.0
            for j in range(m):
                acc = madd(dZ2[i, j], A1[k, j], acc, fused and m % 2 == 1 and j == m - 1)
            assert dW2[i, k] == acc
        total = 0.0
        for j in range(m):
            total += dZ2[i, j]
        assert db2[i, 0] == total
    dA1 = dA.reshape(4, m)
    for k in range(4):
        for j in range(m):
            acc = 0.0
            for i in range(2):
                acc = madd(W2[i, k], dZ2[i, j], acc, fused)
            assert dA1[k, j] == acc
    np.testing.assert_array_equal(dZ[:4 * m].reshape(4, m), np.where(A1 > 0, dA1, 0.0))
