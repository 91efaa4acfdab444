"""X passed as (m, n_features) where the course's layout is (n_features, m)
(issue 25): every entry point that checks X against the network says that X
looks transposed and to pass X.T."""

import re

import numpy as np
import pytest

import fastinit as fi
from fastinit import init_utils

DIMS = [2, 4, 3, 1]
RNG = np.random.RandomState(0)
X = RNG.randn(2, 30)
Y = (X[:1] > 0).astype(float)
PARAMETERS = fi.initialize(DIMS, "he", seed=1)
TRANSPOSED = re.escape("X has shape (30, 2): rows are features here, so it looks transposed; "
                       "pass X.T")


def cache():
    return init_utils.forward_propagation(X, PARAMETERS)[1]


ENTRY_POINTS = {
    "forward": lambda X: fi.forward(X, PARAMETERS),
    "backward": lambda X: fi.backward(X, Y, PARAMETERS),
    "predict": lambda X: fi.predict(X, PARAMETERS),
    "predict_proba": lambda X: fi.predict_proba(X, PARAMETERS),
    "accuracy": lambda X: fi.accuracy(X, Y, PARAMETERS),
    "train": lambda X: fi.train(X, Y, PARAMETERS, num_iterations=5),
    "train adam": lambda X: fi.train(X, Y, PARAMETERS, optimizer="adam", num_epochs=2,
                                     mini_batch_size=8),
    "gradient_check": lambda X: fi.gradient_check(PARAMETERS, X, Y),
    "lsuv": lambda X: fi.lsuv(PARAMETERS, X),
    "initialize lsuv": lambda X: fi.initialize(DIMS, "lsuv", seed=0, X=X),
    "signal_propagation": lambda X: fi.diagnostics.signal_propagation(DIMS, "he", X,
                                                                      seeds=[0]),
    "activation_stats": lambda X: fi.diagnostics.activation_stats(DIMS, "he", X=X),
    "Network.forward": lambda X: fi.Network(PARAMETERS).forward(X),
    "Network.backward": lambda X: fi.Network(PARAMETERS).backward(X, Y),
    "Network.predict": lambda X: fi.Network(PARAMETERS).predict(X),
    "Network.predict_proba": lambda X: fi.Network(PARAMETERS).predict_proba(X),
    "Network.accuracy": lambda X: fi.Network(PARAMETERS).accuracy(X, Y),
    "init_utils.forward_propagation": lambda X: init_utils.forward_propagation(X, PARAMETERS),
    "init_utils.backward_propagation": lambda X: init_utils.backward_propagation(X, Y, cache()),
    "init_utils.predict": lambda X: init_utils.predict(X, Y, PARAMETERS),
    "init_utils.predict_dec": lambda X: init_utils.predict_dec(PARAMETERS, X),
    "init_utils.plot_decision_boundary": lambda X: init_utils.plot_decision_boundary(
        lambda grid: init_utils.predict_dec(PARAMETERS, grid.T), X, Y),
    "plotting.plot_decision_boundary": lambda X: fi.plotting.plot_decision_boundary(
        PARAMETERS, X, Y),
}


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS)
def test_every_entry_point_says_a_transposed_X_looks_transposed(call):
    with pytest.raises(ValueError, match=TRANSPOSED):
        call(X.T)


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS)
def test_the_same_entry_points_accept_X_the_right_way_round(call):
    call(X)


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS)
def test_a_wrong_X_that_is_not_transposed_gets_no_such_hint(call):
    with pytest.raises(ValueError, match=r"X has 3 features|X must have shape \(2, m\)") \
            as error:
        call(np.ones((3, 30)))
    assert "transposed" not in str(error.value)


@pytest.mark.parametrize("convert", [
    lambda X: X.astype(np.float32), np.asfortranarray, lambda X: X.tolist(),
    lambda X: X.astype(np.int64), lambda X: np.ascontiguousarray(X)[:, ::1],
], ids=["float32", "fortran", "list", "int64", "view"])
def test_every_kind_of_transposed_X_gets_the_hint(convert):
    with pytest.raises(ValueError, match=TRANSPOSED):
        fi.predict(convert(np.ascontiguousarray(X.T)), PARAMETERS)


def test_one_example_given_as_a_row_is_told_to_pass_a_column():
    with pytest.raises(ValueError, match=re.escape("X has shape (1, 2): rows are features "
                                                   "here, so it looks transposed; pass X.T")):
        fi.predict(X[:, :1].T, PARAMETERS)


def test_the_message_names_what_expects_the_features():
    with pytest.raises(ValueError, match=r"parameters\['W1'\] expects 2 features as rows"):
        fi.predict(X.T, PARAMETERS)


def test_a_square_X_cannot_look_transposed():
    parameters = fi.initialize([3, 2, 1], seed=0)
    fi.predict(np.ones((3, 3)), parameters)  # right, whichever way round it was meant
    with pytest.raises(ValueError) as error:
        fi.predict(np.ones((4, 4)), parameters)
    assert "transposed" not in str(error.value)


def test_model_with_a_transposed_X_says_so_through_the_labels():
    # model() sizes its network from X, so a transposed X shows as labels that
    # do not fit: one label per row of X.
    with pytest.raises(ValueError, match=r"X \(shape \(30, 2\)\) looks transposed.*pass X\.T"):
        fi.model(X.T, Y, num_iterations=5, print_cost=False)


@pytest.mark.parametrize("call", [
    lambda Y: fi.train(X, Y, PARAMETERS, num_iterations=5),
    lambda Y: fi.accuracy(X, Y, PARAMETERS),
    lambda Y: fi.backward(X, Y, PARAMETERS),
    lambda Y: fi.gradient_check(PARAMETERS, X, Y),
], ids=["train", "accuracy", "backward", "gradient_check"])
def test_transposed_labels_are_told_to_pass_Y_T(call):
    with pytest.raises(ValueError, match=r"got \(30, 1\): it looks transposed; pass Y\.T"):
        call(Y.T)


def test_labels_of_the_wrong_length_get_no_hint():
    with pytest.raises(ValueError) as error:
        fi.train(X, Y[:, :10], PARAMETERS, num_iterations=5)
    assert "transposed" not in str(error.value)
