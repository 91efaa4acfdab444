"""The compiled core against the plain-NumPy reference (benchmarks/reference.py)."""

import numpy as np
import pytest
import reference as ref
from conftest import random_problem

import fastinit as fi

TOLERANCE = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-5)}
DEPTHS = [1, 2, 3, 4, 5, 6]
DTYPES = [np.float64, np.float32]


def layouts(array):
    """The same values as C-order, Fortran-order, a strided view and read-only."""
    fortran = np.asfortranarray(array)
    padded = np.zeros((array.shape[0], 2 * array.shape[1]), dtype=array.dtype)
    padded[:, ::2] = array
    read_only = array.copy()
    read_only.setflags(write=False)
    return {"C": array, "F": fortran, "strided": padded[:, ::2], "read-only": read_only}


def reference_in_float64(parameters, X):
    """Reference computation in float64 on the (possibly float32) values."""
    return {k: v.astype(np.float64) for k, v in parameters.items()}, X.astype(np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("seed", range(4))
def test_forward_matches_reference(seed, depth, dtype):
    dims, parameters, X, _ = random_problem(seed, depth, dtype=dtype)
    layers = fi.forward(X, parameters)
    ref_params, ref_X = reference_in_float64(parameters, X)
    AL, caches = ref.forward(ref_X, ref_params)
    for l, (Z, A) in enumerate(caches, 1):
        assert layers[f"Z{l}"].dtype == dtype
        np.testing.assert_allclose(layers[f"Z{l}"], Z, **TOLERANCE[dtype])
        np.testing.assert_allclose(layers[f"A{l}"], A, **TOLERANCE[dtype])
    np.testing.assert_allclose(fi.predict_proba(X, parameters), AL, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("seed", range(4))
def test_backward_matches_reference(seed, depth, dtype):
    dims, parameters, X, Y = random_problem(seed, depth, dtype=dtype)
    grads = fi.backward(X, Y, parameters)
    ref_params, ref_X = reference_in_float64(parameters, X)
    AL, caches = ref.forward(ref_X, ref_params)
    expected = ref.backward(ref_X, Y.astype(np.float64), ref_params, caches)
    assert sorted(grads) == sorted(expected)
    for key, value in expected.items():
        assert grads[key].shape == value.shape
        assert grads[key].dtype == dtype
        np.testing.assert_allclose(grads[key], value, **TOLERANCE[dtype], err_msg=key)


@pytest.mark.parametrize("layout", ["C", "F", "strided", "read-only"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_memory_layouts_give_the_same_answer(layout, dtype):
    dims, parameters, X, Y = random_problem(11, 3, m=25, dtype=dtype)
    expected_grads = fi.backward(X, Y, parameters)
    expected_proba = fi.predict_proba(X, parameters)
    X_variant = layouts(X)[layout]
    Y_variant = layouts(Y)[layout]
    params_variant = {k: layouts(v)[layout] for k, v in parameters.items()}
    proba = fi.predict_proba(X_variant, params_variant)
    grads = fi.backward(X_variant, Y_variant, params_variant)
    np.testing.assert_array_equal(proba, expected_proba)
    for key in expected_grads:
        np.testing.assert_array_equal(grads[key], expected_grads[key])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("depth", DEPTHS)
def test_cost_matches_reference(depth, dtype):
    dims, parameters, X, Y = random_problem(depth, depth, m=50, dtype=dtype)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=1)
    ref_params, ref_X = reference_in_float64(parameters, X)
    AL, caches = ref.forward(ref_X, ref_params)
    np.testing.assert_allclose(result.costs[0], ref.compute_cost(AL, Y.astype(np.float64)),
                               **TOLERANCE[dtype])
    np.testing.assert_allclose(
        result.costs[0], ref.compute_cost_from_logits(caches[-1][0], Y.astype(np.float64)),
        **TOLERANCE[dtype])


def test_cost_from_logits_is_finite_when_the_sigmoid_saturates():
    X = np.array([[1.0, -1.0]])
    Y = np.array([[0, 1]])
    parameters = {"W1": np.array([[800.0]]), "b1": np.zeros((1, 1))}
    result = fi.train(X, Y, parameters, learning_rate=1e-9, num_iterations=1)
    assert result.costs[0] == pytest.approx(800.0, rel=1e-12)
    AL, _ = ref.forward(X, parameters)
    assert np.isinf(ref.compute_cost(AL, Y))


@pytest.mark.parametrize("depth", DEPTHS)
def test_training_trajectory_matches_reference_float64(depth):
    dims, parameters, X, Y = random_problem(100 + depth, depth, m=60)
    result = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=1000, record_every=100)
    expected_params, expected_costs = ref.train(X, Y, parameters, learning_rate=0.1,
                                                num_iterations=1000, record_every=100)
    np.testing.assert_allclose(result.costs, expected_costs, rtol=1e-9)
    for key, value in expected_params.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-9, atol=1e-12,
                                   err_msg=key)


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_training_trajectory_matches_reference_float32(depth):
    # float32 trajectories split wherever a ReLU unit sits near its kink, so these
    # cases are ones where the reference's own float32 and float64 runs agree:
    # there, float32 training is reproducible and fastinit must follow it.
    dims, parameters, X, Y = random_problem(200 + depth, depth, m=60, dtype=np.float32)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=1000, record_every=100)
    assert result.parameters["W1"].dtype == np.float32
    expected_params, expected_costs = ref.train(X, Y, parameters, learning_rate=0.05,
                                                num_iterations=1000, record_every=100)
    assert expected_params["W1"].dtype == np.float32
    _, float64_costs = ref.train(X.astype(np.float64), Y.astype(np.float64),
                                 {k: v.astype(np.float64) for k, v in parameters.items()},
                                 learning_rate=0.05, num_iterations=1000, record_every=100)
    np.testing.assert_allclose(expected_costs, float64_costs, rtol=1e-5)

    np.testing.assert_allclose(result.costs, expected_costs, rtol=1e-5)
    for key, value in expected_params.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-4, atol=1e-5,
                                   err_msg=key)


def test_float32_input_trains_in_float32_and_float64_input_in_float64(circles):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    single = fi.train(X.astype(np.float32), Y, parameters, num_iterations=10)
    double = fi.train(X, Y, parameters, num_iterations=10)
    assert all(v.dtype == np.float32 for v in single.parameters.values())
    assert all(v.dtype == np.float64 for v in double.parameters.values())
    assert fi.predict_proba(X.astype(np.float32), parameters).dtype == np.float32
    for key in double.parameters:
        np.testing.assert_allclose(single.parameters[key], double.parameters[key],
                                   rtol=1e-4, atol=1e-5)


def test_kernel_entry_points_refuse_inconsistent_sizes():
    """The kernels run without bounds checks; their entry points still refuse
    buffers that do not fit the layout, so a direct call cannot corrupt memory."""
    from fastinit import _kernels
    from fastinit.network import Layout

    layout = Layout((2, 3, 1))
    m = 4
    theta = np.zeros(layout.size)
    X = np.zeros((2, m))
    Y = np.zeros((1, m))
    read_only = np.zeros(8 * m)
    read_only.flags.writeable = False
    layers = np.zeros(8 * m)
    _kernels.forward_layers(layout.plan, theta, X, layers)
    _kernels.backward_layers(layout.plan, theta, X, Y, layers, np.zeros(7 * m), theta.copy())
    _kernels.infer(layout.plan, theta, X, np.zeros((1, m)), Y, 2)
    work_size, n_blocks = _kernels.training_layout(layout.dims, m, 1)
    work = np.zeros(work_size)
    costs = np.zeros(n_blocks)
    args = (layout.dims, layout.w_off, layout.b_off)
    _kernels.descend(*args, theta, X, Y, work, costs, 0.1, 2, 1)
    order = np.empty(m, dtype=np.intp)

    def epochs(work=np.zeros(_kernels.epoch_layout(layout.dims, 2)), v=theta, order=order,
               optimizer=2, first=0, n=1, seed=10, decay=0, interval=1000, lambd=0.0,
               keep_prob=1.0):
        return _kernels.epochs(*args, theta.copy(), X, Y, 2, work, order, v.copy(),
                               theta.copy(), optimizer, 0.1, 0.9, 0.9, 0.999, 1e-8, 0, first, n,
                               seed, decay, 1.0, interval, lambd, keep_prob)

    epochs()
    bad_calls = [
        lambda: _kernels.descend(*args, theta[:-1], X, Y, work, costs, 0.1, 1, 1),
        lambda: _kernels.descend(*args, theta, np.zeros((3, m)), Y, work, costs, 0.1, 1, 1),
        lambda: _kernels.descend(*args, theta, X, np.zeros((1, m + 1)), work, costs, 0.1, 1, 1),
        lambda: _kernels.descend(*args, theta, X, Y, work[:-1], costs, 0.1, 1, 1),
        lambda: _kernels.descend(*args, theta, X, Y, work, costs, 0.1, 1, 2),
        lambda: _kernels.descend(*args, theta, X, Y, work, np.zeros(n_blocks + 1), 0.1, 1, 1),
        lambda: _kernels.descend(*args, theta, X, Y, work, costs, 0.1, -1, 1),
        lambda: _kernels.descend(*args, theta, X, Y, work, costs, 0.1, 1, 0),
        lambda: _kernels.descend(layout.dims, layout.b_off, layout.w_off, theta, X, Y, work,
                                 costs, 0.1, 1, 1),
        lambda: _kernels.forward_layers(layout.plan, theta, X, layers[:-1]),
        lambda: _kernels.forward_layers(layout.plan, theta, np.zeros((2, 0)), layers[:0]),
        lambda: _kernels.forward_layers(layout.plan, theta, np.zeros((3, m)), layers),
        lambda: _kernels.forward_layers(layout.plan[:-1], theta, X, layers),
        lambda: _kernels.forward_layers(layout.plan, theta[:-1], X, layers),
        lambda: _kernels.forward_layers(layout.plan, theta, X.astype(np.float32), layers),
        lambda: _kernels.forward_layers(layout.plan, theta, X, read_only),
        lambda: _kernels.backward_layers(layout.plan, theta, X, Y, layers, np.zeros(7 * m - 1),
                                         theta.copy()),
        lambda: _kernels.backward_layers(layout.plan, theta, X, Y, layers, np.zeros(7 * m),
                                         theta[:-1].copy()),
        lambda: _kernels.backward_layers(layout.plan, theta, X, Y[:, :-1], layers,
                                         np.zeros(7 * m), theta.copy()),
        lambda: _kernels.backward_layers(layout.plan, theta, X, Y, layers[:-1],
                                         np.zeros(7 * m), theta.copy()),
        lambda: _kernels.infer(layout.plan, theta, X, np.zeros((1, m + 1)), None, 1),
        lambda: _kernels.infer(layout.plan, theta, X, None, np.zeros((1, m - 1)), 1),
        lambda: _kernels.infer(layout.plan, theta, X, None, None, 0),
        lambda: _kernels.infer(np.array([2, 3, 1, 0, 6], dtype=np.intp), theta, X, None, None,
                               1),
        lambda: _kernels.gradient_step(theta, theta[:-1], 0.1),
        lambda: _kernels.training_layout(np.array([2, 0, 1], dtype=np.intp), m, 1),
        lambda: epochs(work=work[:-1]),
        lambda: epochs(v=theta[:-1].copy()),
        lambda: epochs(optimizer=3),
        lambda: epochs(order=order[:-1]),
        lambda: epochs(first=-1),
        lambda: epochs(n=0),
        lambda: epochs(seed=2**32 - 5, n=5),
        lambda: epochs(seed=2**64 - 3),
        lambda: epochs(decay=3),
        lambda: epochs(interval=0),
        lambda: epochs(keep_prob=0.0),
        lambda: epochs(lambd=-1.0),
        lambda: _kernels.descend(*args, theta, X, Y, work, costs, 0.1, 1, 1, 0.0, 0.5, 0,
                                 np.ones(3 * m - 1, dtype=np.uint8)),
        lambda: _kernels.descend(*args, theta, X, Y, work, costs, 0.1, 1, 1, 0.0, 1.5),
        lambda: _kernels.descend(*args, theta, X, Y, work, costs, 0.1, 1, 1, float("nan")),
        lambda: _kernels.descend(*args, theta, X, Y, work, costs, 0.1, 1, 1, 0.0, 1.0, 0, None,
                                 -1),
        lambda: _kernels.gradient(*args, theta, X, Y, work, costs, theta[:-1].copy(), 1),
        lambda: _kernels.gradient(*args, theta, X, Y, work[:-1], costs, theta.copy(), 1),
        lambda: _kernels.epoch_layout(layout.dims, 0),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError, match="dtype mismatch"):
        _kernels.descend(*args, theta.astype(np.float32), X, Y, work, costs, 0.1, 1, 1)
    with pytest.raises(ValueError, match="X must be a C-contiguous float32 array"):
        _kernels.forward_layers(layout.plan, theta.astype(np.float32), X, layers)
    with pytest.raises(TypeError, match="theta"):
        _kernels.forward_layers(layout.plan, theta.astype(np.int64), X, layers)


@pytest.mark.parametrize("dims, m", [([2, 10, 5, 1], 300), ([3, 17, 1], 1001),
                                     ([5, 40, 40, 1], 2500), ([4, 1], 37)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_results_are_bit_identical_for_every_thread_count(dims, m, dtype):
    rng = np.random.default_rng(m)
    X = rng.standard_normal((dims[0], m)).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    parameters = fi.initialize(dims, "he", seed=1, dtype=dtype)
    results = [fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=60,
                        record_every=20, n_threads=n) for n in (1, 2, 3, 4)]
    for result in results[1:]:
        assert result == results[0]


@pytest.fixture
def piece_bytes():
    """Sets the size of the training blocks' pieces for the test, then restores it."""
    from fastinit import _kernels

    default = _kernels.set_piece_bytes(0)
    _kernels.set_piece_bytes(default)
    yield lambda value: _kernels.set_piece_bytes(default if value is None else value)
    _kernels.set_piece_bytes(default)


# Narrow networks, whose blocks go through the network in pieces: every example
# count, output count, activation and regularization the pieces have to carry over.
PIECED_RUNS = [([2, 10, 5, 1], 300, {}),
               ([2, 10, 5, 1], 1100, dict(activation="tanh", keep_prob=0.8, n_threads=2)),
               ([3, 7, 2], 250, dict(lambd=0.5, activation="leaky_relu")),
               ([2, 10, 5, 1], 700, dict(keep_prob=0.7, dropout_masks="fixed")),
               ([2, 10, 5, 1], 1000, dict(mini_batch_size=512, optimizer="adam",
                                          num_epochs=3))]


@pytest.mark.parametrize("dims, m, options", PIECED_RUNS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_pieces_of_a_block_never_change_a_bit(dims, m, options, dtype, piece_bytes):
    from fastinit import _kernels

    rng = np.random.default_rng(m)
    X = rng.standard_normal((dims[0], m)).astype(dtype)
    Y = (rng.random((dims[-1], m)) < 0.5).astype(dtype)
    parameters = fi.initialize(dims, "he", seed=1, dtype=dtype)
    batch = options.get("mini_batch_size")
    results, layouts = [], set()
    for value in (None, 0, 30_000):  # the default pieces, none, smaller ones
        piece_bytes(value)
        layouts.add(_kernels.epoch_layout(np.array(dims), batch) if batch
                    else _kernels.training_layout(np.array(dims), m, 1)[0])
        results.append(fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=40,
                                record_every=10, **options))
    assert len(layouts) == 3  # three different cuts of the blocks really ran
    assert results[1] == results[0]
    assert results[2] == results[0]


def test_float32_trains_faster_path_in_float32_and_stays_close_on_many_examples():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 5000))
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    double = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=200)
    single = fi.train(X.astype(np.float32), Y, parameters, learning_rate=0.1,
                      num_iterations=200)
    np.testing.assert_allclose(single.costs, double.costs, rtol=1e-4)


def test_sigmoid_outputs_match_numpy_to_the_last_bits():
    # The kernels' exp is their own (vectorizable); check it through the output.
    z = np.concatenate([np.linspace(-40, 40, 4001), [-745.0, -700.0, 0.0, 700.0, 745.0]])
    parameters = {"W1": np.ones((1, 1)), "b1": np.zeros((1, 1))}
    proba = fi.predict_proba(z.reshape(1, -1), parameters)[0]
    with np.errstate(over="ignore"):
        expected = 1.0 / (1.0 + np.exp(-z))
    np.testing.assert_allclose(proba, expected, rtol=4e-16, atol=1e-300)
    z32 = z.astype(np.float32)
    proba32 = fi.predict_proba(z32.reshape(1, -1),
                               {k: v.astype(np.float32) for k, v in parameters.items()})[0]
    with np.errstate(over="ignore"):
        expected32 = 1.0 / (1.0 + np.exp(-z32.astype(np.float64)))
    np.testing.assert_allclose(proba32, expected32, rtol=3e-7, atol=1e-37)


def test_training_allocates_nothing_per_iteration():
    import tracemalloc

    X, Y, _, _ = fi.datasets.load_dataset()
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    fi.train(X, Y, parameters, num_iterations=10)
    tracemalloc.start()
    fi.train(X, Y, parameters, num_iterations=100, record_every=100)
    _, few = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    fi.train(X, Y, parameters, num_iterations=10_000, record_every=10_000)
    _, many = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert many <= few + 1024


def test_peak_memory_on_many_examples_is_below_the_references():
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 100_000))
    Y = (X[:1] * X[1:] > 0).astype(float)
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)

    def peak(function):
        tracemalloc.start()
        function()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    ours = peak(lambda: fi.train(X, Y, parameters, num_iterations=2))
    theirs = peak(lambda: ref.train(X, Y, parameters, num_iterations=2, cost="course"))
    assert ours < theirs


@pytest.mark.parametrize("m", [1, 2, 3, 64, 300, 4099])
@pytest.mark.parametrize("seed", [0, 11, 12345, 2**32 - 2])
def test_the_epoch_shuffle_is_numpys_legacy_permutation(m, seed):
    """One epoch of plain gd with batches of one example visits the examples in
    the order RandomState(seed + 1).permutation(m) gives: the gradient of the
    first batch is that of the permutation's first example, and so on. Checked
    through the reference's own loop, which shuffles with NumPy."""
    rng = np.random.default_rng(m)
    parameters = fi.initialize([2, 3, 1], "he", seed=1)
    X = rng.standard_normal((2, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    result = fi.train(X, Y, parameters, mini_batch_size=1, num_epochs=1, learning_rate=0.1,
                      seed=seed)
    expected, _ = ref.train_mini_batches(X, Y, parameters, optimizer="gd", learning_rate=0.1,
                                         mini_batch_size=1, num_epochs=1, seed=seed)
    for key, value in expected.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-12, atol=1e-15)
