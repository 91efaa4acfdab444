"""DivergenceError consistency (issue 15, item 9): error.result equals a run
stopped at result.num_iterations, also under dropout and under momentum with L2."""

import pytest

import fastinit as fi


@pytest.mark.parametrize("options, key", [
    (dict(keep_prob=0.7, learning_rate=0.2, num_iterations=500), "num_iterations"),
    (dict(optimizer="momentum", lambd=0.5, mini_batch_size=64, learning_rate=0.5,
          num_epochs=200), "num_epochs"),
    (dict(optimizer="momentum", lambd=0.5, keep_prob=0.8, learning_rate=1.0, num_epochs=200),
     "num_epochs"),
])
def test_the_result_of_a_divergence_is_the_run_stopped_there(circles, options, key):
    X, Y, _, _ = circles
    X = X * 5
    parameters = fi.initialize([2, 10, 5, 1], "random", seed=1, scale=3.0)
    with pytest.raises(fi.DivergenceError) as caught:
        fi.train(X, Y, parameters, activation="linear", record_every=1, **options)
    result = caught.value.result
    assert result.num_iterations > 0
    again = fi.train(X, Y, parameters, activation="linear", record_every=1,
                     **{**options, key: result.num_iterations})
    assert result == again
    assert result.final_cost == again.final_cost
