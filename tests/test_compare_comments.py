"""The comment column of ``fastinit compare`` (issue 25): it says what each run's
results show, never what its initializer's name suggests."""

import json
import subprocess
import sys

import numpy as np
import pytest

import fastinit as fi
from fastinit.experiments import CHANCE_MARGIN, _comment_on as comment_on, identical_units


def run(*args):
    return subprocess.run([sys.executable, "-m", "fastinit", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def table_comments(stdout):
    """``{name: comment}`` from a printed comparison table."""
    rows = [line.split() for line in stdout.strip().splitlines()[2:]]
    return {row[0]: " ".join(row[5:]) for row in rows}


def constant(dims, value):
    """Parameters with every weight and bias ``value``: every unit of a layer the same."""
    return {key: np.full_like(array, value) for key, array in fi.initialize(dims, seed=0).items()}


# --- the case: a huge learning rate is not "recommended" ---------------------------

def test_he_at_learning_rate_100_says_it_did_not_train(tmp_path):
    process = run("compare", "--learning-rate", "100", "--iterations", "2000", "--no-plots",
                  "--quiet", "--out", tmp_path)
    assert process.returncode == 0, process.stderr
    assert "recommended" not in process.stdout
    comments = table_comments(process.stdout)
    assert comments == {"zeros": "failed to break symmetry", "random": "did not train",
                        "he": "did not train"}
    saved = json.loads((tmp_path / "results.json").read_text())["results"]
    assert {row["initializer"]: row["comment"] for row in saved} == comments
    assert [row["diverged"] for row in saved] == [False, False, False]


def test_the_library_agrees_with_the_table():
    runs, data = fi.compare_initializers(learning_rate=100, num_iterations=2000)
    he = runs[2]
    assert he.train_accuracy <= 0.5 + CHANCE_MARGIN
    assert he.comment == "did not train" and not he.diverged


def test_the_notebooks_runs_say_only_what_their_results_show():
    runs, _ = fi.compare_initializers(num_iterations=15000)
    assert [run.comment for run in runs] == ["failed to break symmetry", "", ""]
    assert runs[2].train_accuracy > 0.99  # He trained: nothing to remark


def test_optimizer_comments_come_from_results_too():
    runs, _ = fi.compare_optimizers(["gd", "adam"], num_epochs=300)
    for run in runs:
        assert run.comment in ("", "did not train")
        assert run.comment not in ("oscillations", "smoother")
        trained = run.train_accuracy > 0.5 + CHANCE_MARGIN and run.final_cost < run.costs[0]
        assert (run.comment == "") == trained


# --- failed to break symmetry: the trained units are identical -----------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "selu",
                                        "linear"])
def test_zeros_fails_to_break_symmetry_because_its_units_are_identical(activation):
    (run,), _ = fi.compare_initializers(["zeros"], hidden_layers=(6, 4), num_iterations=500,
                                        activation=activation)
    for l in (1, 2):
        W, b = run.parameters[f"W{l}"], run.parameters[f"b{l}"]
        assert (W == W[:1]).all() and (b == b[:1]).all()
    assert identical_units(run.parameters)
    assert run.comment == "failed to break symmetry"


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("value", [0.3, -0.2])
def test_a_symmetric_start_that_is_not_zeros_is_detected(circles, activation, value):
    X, Y, _, _ = circles
    result = fi.train(X, Y, constant([2, 16, 9, 1], value), learning_rate=0.05,
                      num_iterations=3000, activation=activation)
    score = fi.accuracy(X, Y, result.parameters, activation=activation)
    assert identical_units(result.parameters)
    # Even when such a network scores above chance, its units never separated.
    assert comment_on(result.parameters, score, 0.5, result.costs,
                      result.final_cost) == "failed to break symmetry"


def test_a_random_start_breaks_symmetry_even_when_the_run_fails():
    runs, _ = fi.compare_initializers(["random", "he"], learning_rate=100, num_iterations=500)
    for run in runs:
        assert not identical_units(run.parameters)
        assert run.comment != "failed to break symmetry"


def test_one_identical_layer_among_distinct_ones_is_not_a_symmetric_network():
    parameters = fi.initialize([2, 4, 3, 1], seed=0)
    parameters["W1"][:] = 0.5
    parameters["b1"][:] = 0.1
    assert not identical_units(parameters)
    parameters["W2"][:] = parameters["W2"][:1]
    parameters["b2"][:] = 0.0
    assert identical_units(parameters)


@pytest.mark.parametrize("dims", [[2, 1], [3, 1, 1], [2, 1, 1, 1]])
def test_no_hidden_layer_of_two_units_or_more_is_never_symmetric(dims):
    assert not identical_units(constant(dims, 0.0))


def test_units_that_differ_only_in_their_bias_are_distinct():
    parameters = constant([2, 3, 1], 0.5)
    parameters["b1"][1] = 0.25
    assert not identical_units(parameters)


def test_units_equal_up_to_rounding_count_as_identical():
    parameters = constant([2, 3, 1], 0.5)
    parameters["W1"][1, 0] = np.nextafter(0.5, 1.0)
    assert identical_units(parameters)
    parameters["W1"][1, 0] = 0.5001
    assert not identical_units(parameters)


# --- diverged: the package's divergence signal ---------------------------------------------

def test_a_diverging_run_is_a_result_commented_diverged():
    runs, _ = fi.compare_initializers(["zeros", "he"], learning_rate=1e300, num_iterations=3000)
    zeros, he = runs
    assert he.diverged and he.comment == "diverged"
    assert np.isnan([he.train_accuracy, he.test_accuracy, he.final_cost]).all()
    # The costs run on as NaN, so every run has one cost per recorded iteration.
    assert he.iterations == zeros.iterations == [0, 1000, 2000]
    assert len(he.costs) == 3 and np.isnan(he.costs[-1])
    assert all(np.isfinite(value).all() for value in he.parameters.values())
    assert not zeros.diverged and zeros.comment == "failed to break symmetry"


def test_a_diverging_optimizer_run_is_commented_diverged():
    runs, _ = fi.compare_optimizers(["adam"], learning_rate=1e300, num_epochs=250)
    assert runs[0].diverged and runs[0].comment == "diverged"
    assert runs[0].iterations == [0, 100, 200] and len(runs[0].costs) == 3


def test_the_command_line_reports_divergence_in_the_table_and_files(tmp_path):
    process = run("compare", "--inits", "he,glorot", "--learning-rate", "1e300",
                  "--iterations", "2000", "--quiet", "--out", tmp_path)
    assert process.returncode == 0, process.stderr
    assert table_comments(process.stdout) == {"he": "diverged", "glorot": "diverged"}
    saved = json.loads((tmp_path / "results.json").read_text())["results"]
    assert [row["diverged"] for row in saved] == [True, True]
    assert saved[0]["comment"] == "diverged" and np.isnan(saved[0]["train_accuracy"])
    for name in ("costs.png", "boundaries.png", "layer_history.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


# --- did not train: chance accuracy, or a cost that did not fall ---------------------------

PARAMETERS = fi.initialize([2, 3, 1], seed=1)


@pytest.mark.parametrize("accuracy, majority, costs, final, comment", [
    (0.50, 0.5, [0.7, 0.6], 0.5, "did not train"),  # chance
    (0.52, 0.5, [0.7, 0.6], 0.5, "did not train"),  # within the margin
    (0.53, 0.5, [0.7, 0.6], 0.5, ""),
    (0.81, 0.8, [0.7, 0.6], 0.5, "did not train"),  # an imbalanced set: its majority
    (0.95, 0.5, [0.7, 0.6], 0.7, "did not train"),  # the cost did not fall
    (0.95, 0.5, [0.7, 0.6], 0.9, "did not train"),  # it rose
    (0.95, 0.5, [], 0.3, ""),
    (0.95, 0.5, [0.7], 0.3, ""),
    (float("nan"), 0.5, [0.7], float("nan"), "did not train"),
])
def test_did_not_train(accuracy, majority, costs, final, comment):
    assert comment_on(PARAMETERS, accuracy, majority, costs, final) == comment


def test_diverged_comes_before_everything_else():
    symmetric = constant([2, 3, 1], 0.0)
    assert comment_on(symmetric, 0.5, 0.5, [0.7], 0.7, diverged=True) == "diverged"
    assert comment_on(symmetric, 0.5, 0.5, [0.7], 0.7) == "failed to break symmetry"


def test_no_comment_is_kept_for_a_name():
    import fastinit.experiments as experiments

    assert not hasattr(experiments, "COMMENTS")
    source = open(experiments.__file__).read()
    for phrase in ("recommended method", "too large weights", "oscillations", "smoother"):
        assert phrase not in source


@pytest.mark.parametrize("parameters, error, match", [
    (None, TypeError, "parameters must be a dict"),
    ([np.ones((2, 2))], TypeError, "parameters must be a dict"),
    ({"W1": np.ones((2, 2))}, ValueError, "missing"),
    ({"W1": np.ones((2, 2)), "b1": np.ones((2, 1)), "W2": np.ones((1, 3)),
      "b2": np.ones((1, 1))}, ValueError, "W2"),
    ({"W1": np.full((2, 2), np.nan), "b1": np.ones((2, 1))}, ValueError, "NaN"),
    ({"W1": np.array([["a", "b"]]), "b1": np.ones((1, 1))}, TypeError, "W1"),
])
def test_identical_units_refuses_what_is_not_parameters(parameters, error, match):
    with pytest.raises(error, match=match):
        identical_units(parameters)


def test_identical_units_takes_a_network():
    assert identical_units(fi.Network(constant([2, 3, 1], 0.5)))
    assert not identical_units(fi.Network(fi.initialize([2, 3, 1], seed=0)))
