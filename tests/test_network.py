"""The public model-loop API: shapes, recording, immutability, errors."""

import pickle
import threading

import numpy as np
import pytest
import reference as ref

import fastinit as fi


@pytest.fixture
def problem():
    """dims [3, 4, 5, 1], 40 examples."""
    rng = np.random.default_rng(5)
    dims = [3, 4, 5, 1]
    parameters = fi.initialize(dims, "he", seed=rng)
    X = rng.standard_normal((3, 40))
    Y = (rng.random((1, 40)) < 0.5).astype(float)
    return dims, parameters, X, Y


def frozen_copies(*arrays_or_dicts):
    copies = []
    for item in arrays_or_dicts:
        if isinstance(item, dict):
            copies.append({k: v.copy() for k, v in item.items()})
        else:
            copies.append(item.copy())
    return copies


def assert_unchanged(originals, copies):
    for original, copy in zip(originals, copies):
        if isinstance(original, dict):
            assert original.keys() == copy.keys()
            for key in original:
                np.testing.assert_array_equal(original[key], copy[key])
        else:
            np.testing.assert_array_equal(original, copy)


def test_no_public_function_modifies_its_arguments(problem):
    dims, parameters, X, Y = problem
    copies = frozen_copies(parameters, X, Y)
    result = fi.train(X, Y, parameters, num_iterations=50, record_every=10)
    fi.forward(X, parameters)
    fi.backward(X, Y, parameters)
    fi.predict(X, parameters)
    fi.predict_proba(X, parameters)
    fi.accuracy(X, Y, parameters)
    assert_unchanged((parameters, X, Y), copies)
    for key in parameters:
        assert not np.shares_memory(result.parameters[key], parameters[key])


def test_read_only_inputs_are_accepted(problem):
    dims, parameters, X, Y = problem
    for array in (X, Y, *parameters.values()):
        array.setflags(write=False)
    result = fi.train(X, Y, parameters, num_iterations=5)
    assert result.parameters["W1"].flags.writeable


def test_costs_are_recorded_before_each_recorded_update(problem):
    dims, parameters, X, Y = problem
    result = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=25, record_every=10)
    assert result.iterations == [0, 10, 20]
    _, every_cost = ref.train(X, Y, parameters, learning_rate=0.1, num_iterations=25,
                              record_every=1)
    np.testing.assert_allclose(result.costs, [every_cost[0], every_cost[10], every_cost[20]],
                               rtol=1e-12)
    final_params, _ = ref.train(X, Y, parameters, learning_rate=0.1, num_iterations=25)
    AL, caches = ref.forward(X, final_params)
    assert result.final_cost == pytest.approx(
        ref.compute_cost_from_logits(caches[-1][0], Y), rel=1e-12)
    assert result.num_iterations == 25 and result.learning_rate == 0.1


def test_callback_and_print_cost(problem, capsys):
    dims, parameters, X, Y = problem
    seen = []
    result = fi.train(X, Y, parameters, num_iterations=30, record_every=10, print_cost=True,
                      callback=lambda i, c: seen.append((i, c)))
    assert seen == list(zip(result.iterations, result.costs))
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Cost after iteration {i}: {c}" for i, c in seen]
    fi.train(X, Y, parameters, num_iterations=30)
    assert capsys.readouterr().out == ""


def test_predict_accuracy_and_proba_agree(problem):
    dims, parameters, X, Y = problem
    proba = fi.predict_proba(X, parameters)
    predictions = fi.predict(X, parameters)
    assert proba.shape == predictions.shape == (1, X.shape[1])
    assert predictions.dtype == np.int64
    np.testing.assert_array_equal(predictions, ref.predict(X, parameters))
    assert fi.accuracy(X, Y, parameters) == pytest.approx(np.mean(predictions == Y))
    layers = fi.forward(X, parameters)
    assert sorted(layers) == sorted(["Z1", "A1", "Z2", "A2", "Z3", "A3", "AL"])
    np.testing.assert_array_equal(layers["AL"], proba)


def test_integer_inputs_and_labels_are_converted(problem):
    dims, parameters, X, Y = problem
    X_int = np.round(X * 3).astype(np.int32)
    result = fi.train(X_int, Y.astype(np.int64), parameters, num_iterations=3)
    expected = fi.train(X_int.astype(np.float64), Y, parameters, num_iterations=3)
    assert result == expected
    assert result.parameters["W1"].dtype == np.float64


def test_model_uses_the_notebook_architecture_by_default(circles, capsys):
    X, Y, _, _ = circles
    parameters = fi.model(X, Y, num_iterations=10, print_cost=False)
    assert [parameters[f"W{l}"].shape for l in (1, 2, 3)] == [(10, 2), (5, 10), (1, 5)]
    deep = fi.model(X, Y, num_iterations=10, print_cost=False, initialization="glorot",
                    layers_dims=[2, 4, 4, 4, 1])
    assert len(deep) == 8
    assert capsys.readouterr().out == ""


def test_train_result_pickles_to_an_equal_object(problem):
    dims, parameters, X, Y = problem
    result = fi.train(X, Y, parameters, num_iterations=20, record_every=5)
    clone = pickle.loads(pickle.dumps(result))
    assert clone == result
    clone.parameters["W1"] = clone.parameters["W1"] + 1
    assert clone != result


def test_training_in_threads_gives_the_sequential_results(circles):
    X, Y, _, _ = circles
    methods = ["he", "random", "glorot", "lecun"]
    sequential = [fi.train(X, Y, fi.initialize([2, 10, 5, 1], m, seed=3), num_iterations=2000)
                  for m in methods]
    threaded = [None] * len(methods)

    def run(i):
        threaded[i] = fi.train(X, Y, fi.initialize([2, 10, 5, 1], methods[i], seed=3),
                               num_iterations=2000)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(methods))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert threaded == sequential


def test_multiple_output_units_are_independent_sigmoids():
    rng = np.random.default_rng(0)
    parameters = fi.initialize([3, 4, 2], "he", seed=1)
    X = rng.standard_normal((3, 20))
    Y = (rng.random((2, 20)) < 0.5).astype(float)
    grads = fi.backward(X, Y, parameters)
    AL, caches = ref.forward(X, parameters)
    expected = ref.backward(X, Y, parameters, caches)
    for key in expected:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-12, atol=1e-15)


GOOD = dict(learning_rate=0.01, num_iterations=5)


@pytest.mark.parametrize("change, error, message", [
    (dict(X=np.zeros(5)), ValueError, "X must be 2-D"),
    (dict(X=np.zeros((3, 0))), ValueError, "no examples"),
    (dict(X=np.zeros((4, 40))), ValueError, "X has 4 features"),
    (dict(X=np.full((3, 40), np.nan)), ValueError, "X contains NaN"),
    (dict(X=np.full((3, 40), np.inf)), ValueError, "X contains NaN"),
    (dict(X=np.zeros((3, 40), dtype=complex)), TypeError, "X must hold real numbers"),
    (dict(X=np.zeros((3, 40), dtype=bool)), TypeError, "boolean"),
    (dict(X=np.full((3, 40), "a")), TypeError, "X must hold real numbers"),
    (dict(X=np.empty((3, 40), dtype=object)), TypeError, "X must hold real numbers"),
    (dict(X=None), TypeError, "X must be an array"),
    (dict(Y=np.zeros((1, 39))), ValueError, r"Y must have shape \(1, 40\)"),
    (dict(Y=np.zeros(40)), ValueError, r"Y must have shape \(1, 40\)"),
    (dict(Y=np.full((1, 40), 2)), ValueError, "only 0 and 1"),
    (dict(Y=np.full((1, 40), 0.5)), ValueError, "only 0 and 1"),
    (dict(Y=np.full((1, 40), np.nan)), ValueError, "only 0 and 1"),
    (dict(parameters=[1, 2]), TypeError, "parameters must be a dict"),
    (dict(parameters={}), ValueError, "no weights"),
    (dict(drop="b2"), ValueError, r"missing \['b2'\]"),
    (dict(drop="W3"), ValueError, "unexpected"),
    (dict(extra=("gamma", 1.0)), ValueError, "unexpected key 'gamma'"),
    (dict(set=("W2", np.zeros((5, 2)))), ValueError, "W2 must have"),
    (dict(set=("b1", np.zeros((2, 2)))), ValueError, r"parameters\['b1'\] must have shape"),
    (dict(set=("W1", np.zeros(3))), ValueError, "non-empty 2-D"),
    (dict(set=("W1", np.full((4, 3), np.nan))), ValueError, "NaN"),
    (dict(learning_rate=0), ValueError, "learning_rate must be a finite number > 0"),
    (dict(learning_rate=-0.1), ValueError, "learning_rate must be"),
    (dict(learning_rate=float("nan")), ValueError, "learning_rate must be"),
    (dict(learning_rate="0.1"), TypeError, "learning_rate must be a real number"),
    (dict(num_iterations=0), ValueError, "num_iterations must be a positive integer"),
    (dict(num_iterations=10.5), TypeError, "num_iterations must be an integer"),
    (dict(record_every=0), ValueError, "record_every must be"),
    (dict(callback=3), TypeError, "callback must be callable"),
])
def test_train_rejects_bad_input_with_a_clear_error(problem, change, error, message):
    dims, parameters, X, Y = problem
    kwargs = dict(X=X, Y=Y, parameters=dict(parameters), **GOOD)
    change = dict(change)
    if "drop" in change:
        del kwargs["parameters"][change.pop("drop")]
    if "extra" in change:
        key, value = change.pop("extra")
        kwargs["parameters"][key] = value
    if "set" in change:
        key, value = change.pop("set")
        kwargs["parameters"][key] = value
    kwargs.update(change)
    with pytest.raises(error, match=message):
        fi.train(**kwargs)
