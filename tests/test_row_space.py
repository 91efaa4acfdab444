"""Full-batch training with fewer examples than inputs runs in the row space
of the data (fastinit.row_space.RowSpace): the same answer as plain training, up to
rounding."""

import numpy as np
import pytest
import reference as ref

import fastinit as fi
from fastinit import row_space
from fastinit.network import Layout


def wide_problem(seed, hidden, n0=600, m=40, dtype=np.float64):
    rng = np.random.default_rng(seed)
    dims = [n0, *hidden, 1]
    parameters = fi.initialize(dims, "he", seed=seed, dtype=dtype)
    X = rng.standard_normal((n0, m)).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    return dims, parameters, X, Y


@pytest.fixture
def plain_training(monkeypatch):
    """Switch the row-space form off."""
    monkeypatch.setattr(fi.training, "use_row_space", lambda *args: False)


def test_it_is_chosen_only_where_it_pays():
    assert row_space.use_row_space([12288, 20, 7, 5, 1], 209, 20, 0.0)
    assert not row_space.use_row_space([12288, 20, 7, 5, 1], 209, 20, 0.7)  # L2
    assert not row_space.use_row_space([12288, 20, 7, 5, 1], 209, 1, 0.0)   # too few steps
    assert not row_space.use_row_space([2, 10, 5, 1], 300, 15000, 0.0)     # the notebook
    assert not row_space.use_row_space([100, 10, 1], 60, 1000, 0.0)         # m > n0 / 2


@pytest.mark.parametrize("hidden", [(), (8,), (12, 5), (20, 7, 5)])
def test_it_matches_the_reference(hidden):
    dims, parameters, X, Y = wide_problem(len(hidden), hidden)
    assert row_space.use_row_space(dims, X.shape[1], 60, 0.0)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=60, record_every=10)
    expected, costs = ref.train(X, Y, parameters, learning_rate=0.05, num_iterations=60,
                                record_every=10)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    for key, value in expected.items():
        assert result.parameters[key].shape == value.shape
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("options", [dict(keep_prob=0.7), dict(keep_prob=0.7,
                                                               dropout_masks="fixed")])
def test_dropout_is_unchanged_by_it(options):
    dims, parameters, X, Y = wide_problem(3, (16, 6))
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=40, record_every=10,
                      **options)
    expected, costs = ref.train(X, Y, parameters, learning_rate=0.05, num_iterations=40,
                                record_every=10,
                                dropout_masks=options.get("dropout_masks", "hashed"),
                                keep_prob=0.7)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    for key, value in expected.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-8, atol=1e-12)


def test_it_agrees_with_plain_training(monkeypatch):
    dims, parameters, X, Y = wide_problem(5, (10, 4), m=64)
    fast = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=100, record_every=20)
    monkeypatch.setattr(fi.training, "use_row_space", lambda *args: False)
    plain = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=100, record_every=20)
    np.testing.assert_allclose(fast.costs, plain.costs, rtol=1e-12)
    assert fast.final_cost == pytest.approx(plain.final_cost, rel=1e-12)
    for key, value in plain.parameters.items():
        np.testing.assert_allclose(fast.parameters[key], value, rtol=1e-10, atol=1e-14)


def test_float32_stays_near_float64():
    dims, parameters, X, Y = wide_problem(7, (10, 4))
    exact = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=50, record_every=10)
    single = fi.train(X.astype(np.float32), Y,
                      {k: v.astype(np.float32) for k, v in parameters.items()},
                      learning_rate=0.05, num_iterations=50, record_every=10)
    assert single.parameters["W1"].dtype == np.float32
    np.testing.assert_allclose(single.costs, exact.costs, rtol=2e-5)


def test_threads_give_the_same_bits():
    dims, parameters, X, Y = wide_problem(11, (24, 8), n0=2000, m=300)
    assert row_space.use_row_space(dims, X.shape[1], 20, 0.0)
    runs = [fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=20, record_every=5,
                     n_threads=n) for n in (1, 2, 3)]
    assert all(run == runs[0] for run in runs[1:])


def test_divergence_returns_full_parameters():
    dims, parameters, X, Y = wide_problem(2, (8,))
    with pytest.raises(fi.DivergenceError) as caught:
        fi.train(X * 1e3, Y, parameters, learning_rate=1e6, num_iterations=50, record_every=1)
    result = caught.value.result
    assert result.parameters["W1"].shape == (8, 600)
    assert all(np.isfinite(v).all() for v in result.parameters.values())


def test_the_kernel_checks_the_row_space_arguments():
    from fastinit import _kernels

    layout = Layout((5, 3, 1))
    m = 5
    theta = np.zeros(layout.size)
    gram, Y = np.eye(m), np.zeros((1, m))
    work_size, n_blocks = _kernels.training_layout(layout.dims, m, 1)
    args = (layout.dims, layout.w_off, layout.b_off, theta, gram, Y, np.zeros(work_size),
            np.zeros(n_blocks), 0.1, 1, 1)
    _kernels.descend(*args, row_space_offset=np.zeros(3 * m))
    with pytest.raises(ValueError, match="row_space_offset"):
        _kernels.descend(*args, row_space_offset=np.zeros(3 * m - 1))
    with pytest.raises(ValueError, match="lambd = 0"):
        _kernels.descend(*args, 0.5, row_space_offset=np.zeros(3 * m))
    layout = Layout((4, 3, 1))
    theta = np.zeros(layout.size)
    work_size, n_blocks = _kernels.training_layout(layout.dims, m, 1)
    with pytest.raises(ValueError, match="Gram matrix"):
        _kernels.descend(layout.dims, layout.w_off, layout.b_off, theta, np.zeros((4, m)), Y,
                         np.zeros(work_size), np.zeros(n_blocks), 0.1, 1, 1,
                         row_space_offset=np.zeros(3 * m))
