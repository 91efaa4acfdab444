"""Mini-batches and the optimizers (issue 6, first part) against the course and
the reference."""

import numpy as np
import pytest
import reference as ref
from conftest import random_problem

import fastinit as fi

#: The course's optimization notebook: costs printed every 1000 epochs ("%f"), and
#: the training accuracy.
COURSE = {
    "gd": (["0.702405", "0.668101", "0.635288", "0.600491", "0.573367", "0.551977",
            "0.532370", "0.514007", "0.496472", "0.468014"], 0.7967),
    "momentum": (["0.702413", "0.668167", "0.635388", "0.600591", "0.573444", "0.552058",
                  "0.532458", "0.514101", "0.496652", "0.468160"], 0.7967),
    "adam": (["0.702166", "0.167845", "0.141316", "0.138788", "0.136066", "0.134240",
              "0.131127", "0.130216", "0.129623", "0.129118"], 0.94),
}


@pytest.fixture(scope="module")
def moons():
    """The course's data: np.random.seed(3), then make_moons(300, noise=0.2)."""
    state = np.random.get_state()
    np.random.seed(3)
    X, y = fi.datasets.make_moons(n_samples=300, noise=0.2)
    np.random.set_state(state)
    return X.T, y.reshape(1, -1)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_the_courses_optimization_experiment(moons, optimizer, capsys):
    X, Y = moons
    parameters = fi.initialize([2, 5, 2, 1], "he", seed=3)
    result = fi.train(X, Y, parameters, optimizer=optimizer, learning_rate=0.0007,
                      mini_batch_size=64, num_epochs=10000, record_every=1000, print_cost=True)
    printed, accuracy = COURSE[optimizer]
    assert [f"{c:f}" for c in result.costs] == printed
    assert result.iterations == list(range(0, 10000, 1000))
    assert round(fi.accuracy(X, Y, result.parameters), 4) == accuracy
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Cost after epoch {1000 * i}: {c}" for i, c in enumerate(printed)]


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("batch", [1, 7, 32, 50, 64, 200])
def test_mini_batch_training_matches_the_reference(optimizer, batch):
    dims, parameters, X, Y = random_problem(batch, 3, m=150)
    result = fi.train(X, Y, parameters, optimizer=optimizer, learning_rate=0.01,
                      mini_batch_size=batch, num_epochs=30, record_every=5, seed=4)
    expected, costs = ref.train_mini_batches(X, Y, parameters, optimizer=optimizer,
                                             learning_rate=0.01, mini_batch_size=batch,
                                             num_epochs=30, record_every=5, seed=4)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    for key, value in expected.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-8, atol=1e-12)


def test_float32_mini_batches_stay_close_to_float64(moons):
    X, Y = moons
    parameters = fi.initialize([2, 5, 2, 1], "he", seed=3)
    double = fi.train(X, Y, parameters, optimizer="adam", learning_rate=0.0007,
                      mini_batch_size=64, num_epochs=500, record_every=100)
    single = fi.train(X.astype(np.float32), Y, parameters, optimizer="adam",
                      learning_rate=0.0007, mini_batch_size=64, num_epochs=500,
                      record_every=100)
    assert single.parameters["W1"].dtype == np.float32
    np.testing.assert_allclose(single.costs, double.costs, rtol=1e-4)


def test_full_batch_adam_without_mini_batch_size():
    dims, parameters, X, Y = random_problem(9, 2, m=80)
    result = fi.train(X, Y, parameters, optimizer="adam", learning_rate=0.01,
                      num_epochs=50, record_every=10)
    expected, costs = ref.train_mini_batches(X, Y, parameters, optimizer="adam",
                                             learning_rate=0.01, mini_batch_size=80,
                                             num_epochs=50, record_every=10)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)


@pytest.mark.parametrize("options, error, message", [
    (dict(optimizer="sgd"), ValueError, "optimizer must be one of gd, momentum, adam"),
    (dict(optimizer="adam", beta1=1.0), ValueError, r"beta1 must be in \[0, 1\)"),
    (dict(optimizer="momentum", beta=-0.1), ValueError, r"beta must be in \[0, 1\)"),
    (dict(optimizer="adam", beta2="0.9"), TypeError, "beta2 must be a number"),
    (dict(optimizer="adam", epsilon=0), ValueError, "epsilon must be a finite number > 0"),
    (dict(mini_batch_size=0), ValueError, "mini_batch_size must be a positive integer"),
    (dict(mini_batch_size=2.5), TypeError, "mini_batch_size must be an integer"),
    (dict(mini_batch_size=8, num_epochs=0), ValueError, "num_epochs must be a positive"),
    (dict(mini_batch_size=8, seed=-1), ValueError, "seed must be >= 0"),
    (dict(mini_batch_size=8, seed="10"), TypeError, "seed must be an int"),
])
def test_bad_optimizer_options_raise_clear_errors(options, error, message):
    dims, parameters, X, Y = random_problem(1, 2, m=20)
    with pytest.raises(error, match=message):
        fi.train(X, Y, parameters, **options)


def test_model_passes_the_optimizer_options_through(moons, capsys):
    X, Y = moons
    parameters = fi.model(X, Y, learning_rate=0.0007, layers_dims=[2, 5, 2, 1],
                          optimizer="adam", mini_batch_size=64, num_epochs=2000)
    assert capsys.readouterr().out.splitlines() == [
        f"Cost after epoch {1000 * i}: {c}" for i, c in enumerate(COURSE["adam"][0][:2])]
    assert parameters["W3"].shape == (1, 2)


@pytest.mark.parametrize("decay, rate, interval", [("inverse", 1.0, 1000), ("inverse", 0.3, 1000),
                                                   ("scheduled", 1.0, 10), ("scheduled", 0.5, 7)])
@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_learning_rate_decay_matches_the_reference(decay, rate, interval, optimizer):
    dims, parameters, X, Y = random_problem(5, 3, m=120)
    options = dict(optimizer=optimizer, learning_rate=0.1, mini_batch_size=32, num_epochs=40,
                   record_every=4, decay=decay, decay_rate=rate, decay_interval=interval)
    result = fi.train(X, Y, parameters, **options)
    expected, costs = ref.train_mini_batches(X, Y, parameters, **options)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9)
    for key, value in expected.items():
        np.testing.assert_allclose(result.parameters[key], value, rtol=1e-8, atol=1e-12)
    plain = fi.train(X, Y, parameters, **dict(options, decay=None))
    assert plain.costs[-1] != result.costs[-1]


def test_decay_prints_the_learning_rate_as_the_course_does(moons, capsys):
    X, Y = moons
    fi.train(X, Y, fi.initialize([2, 5, 2, 1], "he", seed=3), optimizer="gd",
             learning_rate=0.1, mini_batch_size=64, num_epochs=2001, record_every=1000,
             decay="scheduled", decay_rate=1.0, decay_interval=1000, print_cost=True)
    rates = [line for line in capsys.readouterr().out.splitlines() if "learning rate" in line]
    assert rates == ["learning rate after epoch 0: 0.100000",
                     "learning rate after epoch 1000: 0.050000",
                     "learning rate after epoch 2000: 0.033333"]


@pytest.mark.parametrize("options, error, message", [
    (dict(decay="exponential"), ValueError, "decay must be None, 'inverse' or 'scheduled'"),
    (dict(decay="inverse", decay_rate=0), ValueError, "decay_rate must be a finite number"),
    (dict(decay="scheduled", decay_interval=0), ValueError, "decay_interval must be a positive"),
])
def test_bad_decay_options_raise_clear_errors(options, error, message):
    dims, parameters, X, Y = random_problem(1, 2, m=20)
    with pytest.raises(error, match=message):
        fi.train(X, Y, parameters, **options)
