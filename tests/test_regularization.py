"""L2 regularization and dropout (issue 6) against the reference, their
gradients against finite differences, and their masks."""

import numpy as np
import pytest
import reference as ref
from conftest import random_problem

import fastinit as fi


def assert_matches(result, expected, costs):
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    for key, value in expected.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-8, atol=1e-12)


def reference_final_cost(X, Y, parameters, lambd):
    """The cost without dropout, with the L2 term."""
    _, caches = ref.forward(X, parameters)
    return ref.compute_cost_from_logits(caches[-1][0], Y) + ref.l2_cost(parameters, lambd,
                                                                          X.shape[1])


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("lambd", [0.1, 0.7, 5.0])
def test_l2_matches_the_reference(depth, lambd):
    dims, parameters, X, Y = random_problem(depth, depth, m=120)
    result = fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=300,
                      record_every=50, lambd=lambd)
    expected, costs = ref.train(X, Y, parameters, learning_rate=0.05, num_iterations=300,
                                record_every=50, lambd=lambd)
    assert_matches(result, expected, costs)
    assert result.final_cost == pytest.approx(reference_final_cost(X, Y, expected, lambd),
                                              rel=1e-9)


def test_l2_shrinks_the_weights_and_leaves_the_biases_unpenalised(circles):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    plain = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=2000)
    regularized = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=2000, lambd=5.0)
    norm = lambda p: sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))
    assert norm(regularized.parameters) < 0.8 * norm(plain.parameters)
    # One step from zero weights: only the biases' gradient moves them, and the
    # L2 term (proportional to W) adds nothing.
    zeros = fi.initialize([2, 10, 5, 1], "zeros")
    one_step = lambda **kw: fi.train(X, Y, zeros, num_iterations=1, **kw).parameters
    for key, value in one_step(lambd=3.0).items():
        np.testing.assert_array_equal(value, one_step()[key])


@pytest.mark.parametrize("keep_prob", [0.5, 0.86])
@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_fixed_dropout_masks_are_the_courses(circles, keep_prob, lambd):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    kwargs = dict(learning_rate=0.05, num_iterations=400, record_every=50, lambd=lambd,
                  keep_prob=keep_prob)
    result = fi.train(X, Y, parameters, dropout_masks="fixed", **kwargs)
    expected, costs = ref.train(X, Y, parameters, dropout_masks="fixed", **kwargs)
    assert_matches(result, expected, costs)
    assert result.final_cost == pytest.approx(reference_final_cost(X, Y, expected, lambd),
                                              rel=1e-9)


@pytest.mark.parametrize("depth", [2, 3, 5])
@pytest.mark.parametrize("seed", [0, 10, 2**40 + 3])
def test_hashed_dropout_matches_the_reference(depth, seed):
    dims, parameters, X, Y = random_problem(depth + 7, depth, m=90)
    kwargs = dict(learning_rate=0.05, num_iterations=60, record_every=7, keep_prob=0.7,
                  lambd=0.2, seed=seed)
    result = fi.train(X, Y, parameters, **kwargs)
    expected, costs = ref.train(X, Y, parameters, dropout_masks="hashed", **kwargs)
    assert_matches(result, expected, costs)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("batch", [1, 32, 64])
def test_mini_batches_with_l2_and_dropout_match_the_reference(optimizer, batch):
    dims, parameters, X, Y = random_problem(batch, 3, m=150)
    kwargs = dict(optimizer=optimizer, learning_rate=0.01, mini_batch_size=batch, num_epochs=20,
                  record_every=5, seed=4, lambd=0.5, keep_prob=0.8)
    result = fi.train(X, Y, parameters, **kwargs)
    expected, costs = ref.train_mini_batches(X, Y, parameters, **kwargs)
    assert_matches(result, expected, costs)


@pytest.mark.parametrize("dropout_masks", [None, "fixed"])
def test_threads_give_the_same_bits_with_l2_and_dropout(dropout_masks):
    dims, parameters, X, Y = random_problem(5, 3, m=5000)
    runs = [fi.train(X, Y, parameters, learning_rate=0.05, num_iterations=30, record_every=10,
                     lambd=0.4, keep_prob=0.75, dropout_masks=dropout_masks, n_threads=n)
            for n in (1, 2, 3, 4)]
    assert all(run == runs[0] for run in runs[1:])


def test_recording_in_pieces_keeps_the_same_masks():
    dims, parameters, X, Y = random_problem(3, 3, m=200)
    kwargs = dict(learning_rate=0.05, num_iterations=40, keep_prob=0.6)
    once = fi.train(X, Y, parameters, record_every=40, **kwargs)
    pieces = fi.train(X, Y, parameters, record_every=3, **kwargs)
    for key, value in once.parameters.items():
        np.testing.assert_array_equal(pieces.parameters[key], value)


def test_dropout_masks_depend_on_the_seed():
    dims, parameters, X, Y = random_problem(3, 3, m=200)
    run = lambda seed: fi.train(X, Y, parameters, num_iterations=5, keep_prob=0.6, seed=seed)
    assert run(1) == run(1)
    assert not np.array_equal(run(1).parameters["W1"], run(2).parameters["W1"])


def test_hashed_masks_keep_the_right_fraction_independently():
    dims = [3, 40, 30, 1]
    m = 5000
    layers = ref.hashed_masks(dims, 0, m, 0.86, seed=10, step=0)
    kept = np.concatenate([layer.ravel() for layer in layers])
    # 350,000 draws: the standard error of the fraction is 6e-4.
    assert abs(kept.mean() - 0.86) < 4e-3
    next_step = np.concatenate([layer.ravel() for layer in
                                ref.hashed_masks(dims, 0, m, 0.86, seed=10, step=1)])
    correlation = np.corrcoef(kept, next_step)[0, 1]
    assert abs(correlation) < 0.01
    rows = layers[0].astype(float)
    assert np.max(np.abs(np.corrcoef(rows)[np.triu_indices(40, 1)])) < 0.08
    # A block of examples starting later sees the continuation of the same masks.
    later = ref.hashed_masks(dims, 1000, 64, 0.86, seed=10, step=0)
    np.testing.assert_array_equal(later[1], layers[1][:, 1000:1064])


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("options", [dict(lambd=0.7), dict(keep_prob=0.86),
                                     dict(lambd=0.7, keep_prob=0.5)])
def test_gradient_check_with_l2_and_dropout(depth, options):
    dims, parameters, X, Y = random_problem(100 + depth, depth, m=16)
    assert fi.gradient_check(parameters, X, Y, **options) < 2e-7


def test_gradient_check_sees_the_l2_term_and_the_masks():
    """The checked gradient is the regularized one: it differs from the plain
    gradient and matches the reference's with the course's masks."""
    from fastinit import gradcheck

    dims, parameters, X, Y = random_problem(42, 3, m=20)
    net, X64, Y64 = fi.network._prepare(X, parameters, Y)
    layout, theta = net.layout, net.theta
    masks = fi.training.fixed_dropout_masks(layout.dims, X.shape[1], 0.8)
    cost, grad = gradcheck._objective(layout, X64, Y64, 0.7, 0.8, masks)(theta)
    expected_masks = ref.fixed_masks([int(n) for n in layout.dims], X.shape[1], 0.8)
    AL, caches = ref.forward(X, parameters, 0.8, expected_masks)
    grads = ref.backward(X, Y, parameters, caches, 0.7 / X.shape[1], 0.8, expected_masks)
    for key, value in layout.unpack(grad, prefix="d").items():
        np.testing.assert_allclose(value, grads[key], rtol=1e-9, atol=1e-15)
    expected_cost = (ref.compute_cost_from_logits(caches[-1][0], Y)
                     + ref.l2_cost(parameters, 0.7, X.shape[1]))
    assert cost == pytest.approx(expected_cost, rel=1e-12)
    plain = fi.backward(X, Y, parameters)
    assert not np.allclose(plain["dW1"], grads["dW1"])


def test_model_passes_regularization_through(circles):
    X, Y, _, _ = circles
    parameters = fi.model(X, Y, num_iterations=200, print_cost=False, lambd=0.7,
                          keep_prob=0.86, dropout_masks="fixed")
    expected, _ = ref.train(X, Y, fi.initialize([2, 10, 5, 1], "he", seed=3),
                            num_iterations=200, lambd=0.7, keep_prob=0.86)
    for key, value in expected.items():
        np.testing.assert_allclose(parameters[key], value, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("options, error, match", [
    (dict(lambd=-0.1), ValueError, "lambd must be a finite number >= 0"),
    (dict(lambd=float("nan")), ValueError, "lambd"),
    (dict(lambd="0.7"), TypeError, "lambd must be a number"),
    (dict(keep_prob=0.0), ValueError, r"keep_prob must be in \(0, 1\]"),
    (dict(keep_prob=1.5), ValueError, "keep_prob"),
    (dict(keep_prob=True), TypeError, "keep_prob must be a number"),
    (dict(dropout_masks="course"), ValueError, "dropout_masks must be None or 'fixed'"),
    (dict(keep_prob=0.8, dropout_masks="fixed", mini_batch_size=64), ValueError,
     "needs full-batch"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
    (dict(seed=2**64), ValueError, "seed must be >= 0 and < 2\\*\\*64"),
])
def test_bad_regularization_options_are_rejected(circles, options, error, match):
    X, Y, _, _ = circles
    parameters = fi.initialize([2, 10, 5, 1], "he", seed=3)
    with pytest.raises(error, match=match):
        fi.train(X, Y, parameters, num_iterations=2, **options)


def test_gradient_check_rejects_bad_regularization():
    dims, parameters, X, Y = random_problem(1, 2, m=5)
    with pytest.raises(ValueError, match="keep_prob"):
        fi.gradient_check(parameters, X, Y, keep_prob=0)
    with pytest.raises(ValueError, match="lambd"):
        fi.gradient_check(parameters, X, Y, lambd=-1)
