"""Hostile review of FastInitClassifier (issue 24): every parameter, every
array and every public method, as a careless or hostile caller would use them.

Each case asserts something that could fail: the error's type and that its
message names the estimator's own parameter (never fastinit's internal
``num_iterations``, ``lambd``, ``beta1``...), or agreement with a plain refit.
"""

import copy
import pickle
import re
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
import scipy.sparse  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from fastinit.sklearn import FastInitClassifier  # noqa: E402
from fastinit.training import DivergenceError  # noqa: E402

#: fastinit's own names, which the estimator's messages must never show as the
#: name of what was wrong.
INTERNAL = re.compile(r"\b(num_iterations|num_epochs|lambd|beta1|beta2|beta|mini_batch_size|"
                      r"seed|layers_dims|learning_rate|optimizer|method)\b must")


def data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)


def quick(**params):
    return FastInitClassifier(**{"max_iter": 30, "random_state": 0, **params})


def assert_names(error, name):
    message = str(error.value)
    assert name in message, message
    assert not INTERNAL.search(message), message
    assert "\n" not in message, message


# --- constructor parameters: checked in fit, named as the caller spelt them ----------------

BAD_PARAMETERS = [
    # (parameters, expected type, name in the message)
    ({"hidden_layer_sizes": "55"}, TypeError, "hidden_layer_sizes"),  # not (5, 5)
    ({"hidden_layer_sizes": b"55"}, TypeError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (5.0,)}, TypeError, "hidden_layer_sizes[0]"),
    ({"hidden_layer_sizes": (5, 2.5)}, TypeError, "hidden_layer_sizes[1]"),
    ({"hidden_layer_sizes": (True, 5)}, TypeError, "hidden_layer_sizes[0]"),
    ({"hidden_layer_sizes": True}, TypeError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": None}, TypeError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": 5.0}, TypeError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": iter((5, 5))}, TypeError, "hidden_layer_sizes"),  # one-shot
    ({"hidden_layer_sizes": ((5,), (5,))}, TypeError, "hidden_layer_sizes[0]"),
    ({"hidden_layer_sizes": np.ones((2, 2), dtype=int)}, TypeError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": {5: 5}}, TypeError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (5, 0)}, ValueError, "hidden_layer_sizes[1]"),
    ({"hidden_layer_sizes": -3}, ValueError, "hidden_layer_sizes[0]"),
    ({"hidden_layer_sizes": (float("nan"),)}, TypeError, "hidden_layer_sizes[0]"),
    ({"batch_size": 2.5}, TypeError, "batch_size"),  # not 2
    ({"batch_size": 32.0}, TypeError, "batch_size"),
    ({"batch_size": True}, TypeError, "batch_size"),
    ({"batch_size": "AUTO"}, TypeError, "batch_size"),  # MLPClassifier's "auto" only
    ({"batch_size": "full"}, TypeError, "batch_size"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": -5}, ValueError, "batch_size"),
    ({"batch_size": float("inf")}, TypeError, "batch_size"),
    ({"max_iter": 2.5}, TypeError, "max_iter"),
    ({"max_iter": 100.0}, TypeError, "max_iter"),
    ({"max_iter": True}, TypeError, "max_iter"),
    ({"max_iter": np.bool_(True)}, TypeError, "max_iter"),
    ({"max_iter": float("nan")}, TypeError, "max_iter"),
    ({"max_iter": 0}, ValueError, "max_iter"),
    ({"max_iter": -1}, ValueError, "max_iter"),
    ({"max_iter": "100"}, TypeError, "max_iter"),
    ({"max_iter": 2**31, "solver": "adam"}, ValueError, "max_iter"),  # not "seed"
    ({"max_iter": 2**40, "batch_size": 8}, ValueError, "max_iter"),
    ({"alpha": -1.0}, ValueError, "alpha"),
    ({"alpha": float("nan")}, ValueError, "alpha"),
    ({"alpha": float("inf")}, ValueError, "alpha"),
    ({"alpha": 10**400}, ValueError, "alpha"),
    ({"alpha": "0.1"}, TypeError, "alpha"),
    ({"alpha": None}, TypeError, "alpha"),
    ({"alpha": 1j}, TypeError, "alpha"),
    ({"alpha": np.array([0.1])}, TypeError, "alpha"),
    ({"learning_rate_init": 0}, ValueError, "learning_rate_init"),
    ({"learning_rate_init": -0.1}, ValueError, "learning_rate_init"),
    ({"learning_rate_init": float("nan")}, ValueError, "learning_rate_init"),
    ({"learning_rate_init": float("inf")}, ValueError, "learning_rate_init"),
    ({"learning_rate_init": "fast"}, TypeError, "learning_rate_init"),
    ({"learning_rate_init": True}, TypeError, "learning_rate_init"),
    ({"momentum": 1.0, "solver": "momentum"}, ValueError, "momentum"),
    ({"momentum": -0.1}, ValueError, "momentum"),
    ({"momentum": 1.0, "solver": "sgd"}, ValueError, "momentum"),  # not "beta"
    ({"momentum": "0.9"}, TypeError, "momentum"),
    ({"beta_1": 1.0, "solver": "adam"}, ValueError, "beta_1"),
    ({"beta_1": float("nan"), "solver": "adam"}, ValueError, "beta_1"),
    ({"beta_2": -0.001, "solver": "adam"}, ValueError, "beta_2"),
    ({"beta_2": "0.999", "solver": "adam"}, TypeError, "beta_2"),
    ({"epsilon": 0.0, "solver": "adam"}, ValueError, "epsilon"),
    ({"epsilon": float("inf"), "solver": "adam"}, ValueError, "epsilon"),
    ({"keep_prob": 0.0}, ValueError, "keep_prob"),
    ({"keep_prob": 1.5}, ValueError, "keep_prob"),
    ({"keep_prob": float("nan")}, ValueError, "keep_prob"),
    ({"n_threads": 0}, ValueError, "n_threads"),
    ({"n_threads": 2.0}, TypeError, "n_threads"),
    ({"n_threads": True}, TypeError, "n_threads"),
    ({"n_threads": 10**6}, ValueError, "n_threads"),
    ({"random_state": -1}, ValueError, "random_state"),  # not "seed"
    ({"random_state": 2**32}, ValueError, "random_state"),
    ({"random_state": 1.5}, TypeError, "random_state"),
    ({"random_state": "3"}, TypeError, "random_state"),
    ({"random_state": True}, TypeError, "random_state"),
    ({"random_state": np.random.default_rng(0)}, TypeError, "random_state"),
    ({"init": ["he"]}, TypeError, "init"),  # not "unhashable type"
    ({"init": "lsuv"}, ValueError, "init"),
    ({"init": "HE"}, ValueError, "init"),
    ({"solver": ["gd"]}, TypeError, "solver"),
    ({"solver": "lbfgs"}, ValueError, "solver"),  # MLPClassifier's, which fastinit lacks
    ({"solver": "SGD"}, ValueError, "solver"),
    ({"solver": None}, TypeError, "solver"),
    ({"activation": None}, TypeError, "activation"),
    ({"activation": "Logistic"}, ValueError, "activation"),
    ({"activation": "softmax"}, ValueError, "activation"),
    ({"activation": ("relu",)}, TypeError, "activation"),
    ({"init": None}, TypeError, "init"),
    ({"verbose": "yes"}, TypeError, "verbose"),
    ({"verbose": -1}, ValueError, "verbose"),
]


@pytest.mark.parametrize("params, kind, name", BAD_PARAMETERS,
                         ids=[f"{next(iter(p))}={p[next(iter(p))]!r}"[:40]
                              for p, _, _ in BAD_PARAMETERS])
def test_a_bad_parameter_is_refused_at_fit_by_its_own_name(params, kind, name):
    X, y = data()
    clf = quick(**params)  # __init__ only stores
    assert clf.get_params()["max_iter"] is params.get("max_iter", 30)
    with pytest.raises(kind) as error:
        clf.fit(X, y)
    assert_names(error, name)
    assert not hasattr(clf, "parameters_")


def test_every_parameter_has_a_bad_value_named_by_it():
    covered = {name.split("[")[0] for _, _, name in BAD_PARAMETERS}
    assert set(FastInitClassifier().get_params()) <= covered


# --- scikit-learn MLPClassifier's spellings of the same things (issue 25) -----------------

def fitted_parameters(**params):
    X, y = data(250)
    return quick(max_iter=20, **params).fit(X, y).parameters_


def assert_same_network(first, second):
    assert first.keys() == second.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


@pytest.mark.parametrize("mlp, ours", [
    ({"activation": "logistic"}, {"activation": "sigmoid"}),
    ({"activation": "identity"}, {"activation": "linear"}),
    ({"solver": "sgd", "batch_size": 32}, {"solver": "momentum", "batch_size": 32}),
    ({"solver": "sgd", "momentum": 0.5}, {"solver": "momentum", "momentum": 0.5}),
    ({"batch_size": "auto"}, {"batch_size": 200}),  # min(200, n_samples) of 250
    ({"batch_size": "auto", "solver": "adam"}, {"batch_size": 200, "solver": "adam"}),
])
def test_mlpclassifiers_names_train_as_fastinits_own(mlp, ours):
    assert_same_network(fitted_parameters(**mlp), fitted_parameters(**ours))


def test_batch_size_auto_on_fewer_than_200_samples_is_the_whole_set():
    X, y = data(40)
    auto = quick(batch_size="auto", solver="adam").fit(X, y).parameters_
    assert_same_network(auto, quick(batch_size=40, solver="adam").fit(X, y).parameters_)


def test_an_mlpclassifier_configuration_fits_both_estimators():
    from sklearn.neural_network import MLPClassifier

    X, y = data(60)
    params = dict(hidden_layer_sizes=(6,), activation="logistic", solver="sgd", alpha=1e-4,
                  batch_size="auto", learning_rate_init=0.05, max_iter=50, momentum=0.8,
                  beta_1=0.9, beta_2=0.999, epsilon=1e-8, random_state=0, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning
        MLPClassifier(**params).fit(X, y)
    clf = FastInitClassifier(**params).fit(X, y)
    assert clf.get_params()["activation"] == "logistic" and clf.n_iter_ == 50


def test_predict_uses_the_activation_fitted_under_its_alias():
    X, y = data(60)
    alias = quick(activation="logistic").fit(X, y)
    own = quick(activation="sigmoid").fit(X, y)
    alias.set_params(activation="relu")  # after fit: changes nothing until the next fit
    np.testing.assert_array_equal(alias.predict_proba(X), own.predict_proba(X))


# --- X passed transposed: the error says so ------------------------------------------------

@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score"])
def test_a_transposed_X_at_predict_time_says_pass_X_T(method):
    X, y = data(40)
    clf = quick().fit(X, y)
    arguments = (X.T, y) if method == "score" else (X.T,)
    with pytest.raises(ValueError, match=r"X has shape \(3, 40\).*looks transposed.*pass X\.T"):
        getattr(clf, method)(*arguments)


@pytest.mark.parametrize("convert", [np.asarray, lambda X: X.tolist()], ids=["array", "list"])
def test_a_transposed_X_at_fit_says_pass_X_T(convert):
    X, y = data(40)
    with pytest.raises(ValueError, match=r"X has shape \(3, 40\).*looks transposed.*pass X\.T"):
        quick().fit(convert(X.T), y)


@pytest.mark.parametrize("X_shape", [(40, 2), (2, 40), (5, 5)])
def test_a_wrong_X_that_is_not_transposed_gets_no_such_hint(X_shape):
    X, y = data(40)
    clf = quick().fit(X, y)
    with pytest.raises(ValueError) as error:
        clf.predict(np.zeros(X_shape))
    assert "transposed" not in str(error.value)


def test_set_params_only_stores_and_fit_names_the_parameter():
    X, y = data()
    clf = quick().fit(X, y)
    clf.set_params(alpha=-1.0)  # no error yet: scikit-learn's convention
    with pytest.raises(ValueError) as error:
        clf.fit(X, y)
    assert_names(error, "alpha")
    with pytest.raises(ValueError, match="Invalid parameter 'lambd'"):
        clf.set_params(lambd=0.1)


@pytest.mark.parametrize("sizes", [(10**12,), (10**30, 2), (10**6, 10**6), [2**62]])
def test_huge_layers_are_refused_before_allocation(sizes):
    X, y = data()
    with pytest.raises(ValueError, match="GiB") as error:
        quick(hidden_layer_sizes=sizes).fit(X, y)
    assert_names(error, "hidden_layer_sizes")


def test_huge_layers_under_an_address_space_limit_end_in_a_named_error():
    """Layers that fit the machine but not the process's RLIMIT_AS: a ValueError
    naming hidden_layer_sizes, not a MemoryError traceback or a crash."""
    code = """if True:
        import resource, numpy as np
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
        from fastinit.sklearn import FastInitClassifier
        X = np.random.RandomState(0).randn(40, 3); y = (X[:, 0] > 0).astype(int)
        try:
            FastInitClassifier(hidden_layer_sizes=(10000, 10000), max_iter=1,
                               n_threads=1).fit(X, y)
            print("fitted")
        except ValueError as error:
            print("ValueError", error)
    """
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(("ValueError", "fitted")), run.stdout
    if run.stdout.startswith("ValueError"):
        assert "hidden_layer_sizes" in run.stdout and "Traceback" not in run.stderr


@pytest.mark.parametrize("sizes", [5, (5,), [5], np.array([5]), (np.int64(5),)])
def test_every_spelling_of_one_layer_trains_the_same(sizes):
    X, y = data()
    reference = quick(hidden_layer_sizes=(5,)).fit(X, y)
    clf = quick(hidden_layer_sizes=sizes).fit(X, y)
    for key, value in reference.parameters_.items():
        np.testing.assert_array_equal(clf.parameters_[key], value)


def test_no_hidden_layer_is_a_logistic_regression():
    X, y = data()
    clf = quick(hidden_layer_sizes=(), max_iter=500, learning_rate_init=0.5).fit(X, y)
    assert list(clf.parameters_) == ["W1", "b1"] and clf.score(X, y) > 0.9


def test_numpy_scalars_are_accepted_like_python_numbers():
    X, y = data()
    plain = quick(alpha=0.1, learning_rate_init=0.05, batch_size=8, solver="adam").fit(X, y)
    numpy = quick(alpha=np.float64(0.1), learning_rate_init=np.float64(0.05),
                  batch_size=np.int32(8), max_iter=np.int64(30), solver="adam").fit(X, y)
    for key, value in plain.parameters_.items():
        np.testing.assert_array_equal(numpy.parameters_[key], value)


def test_divergence_names_learning_rate_init():
    X, y = data()
    with pytest.raises(DivergenceError) as error:
        quick(learning_rate_init=1e300, max_iter=50).fit(X, y)
    assert isinstance(error.value, ValueError)
    assert "learning_rate_init" in str(error.value)
    assert not re.search(r"learning_rate\b(?!_init)", str(error.value))
    assert error.value.result.num_iterations >= 0


def test_huge_inputs_diverge_with_a_named_error():
    X, y = data()
    with pytest.raises(DivergenceError, match="scale X"):
        quick().fit(X * 1e300, y)


# --- X and y at fit ----------------------------------------------------------------------

X0, Y0 = data()
BAD_DATA = [
    ("1-D X", X0[:, 0], Y0, ValueError, "2D array"),
    ("3-D X", X0[:, :, None], Y0, ValueError, "dim 3"),
    ("NaN in X", np.where(X0 > 1, np.nan, X0), Y0, ValueError, "NaN"),
    ("inf in X", np.where(X0 > 1, np.inf, X0), Y0, ValueError, "infinity"),
    ("complex X", X0 + 1j, Y0, ValueError, "Complex"),
    ("strings in X", np.full((40, 3), "a", dtype=object), Y0, ValueError, "string"),
    ("sparse X", scipy.sparse.csr_matrix(X0), Y0, TypeError, "dense"),
    ("no samples", X0[:0], Y0[:0], ValueError, "0 sample"),
    ("no features", X0[:, :0], Y0, ValueError, "0 feature"),
    ("one class", X0, np.zeros(40), ValueError, "2 classes"),
    ("continuous y", X0, X0[:, 0], ValueError, "continuous"),
    ("NaN in y", X0, np.where(Y0, np.nan, 0.0), ValueError, "NaN"),
    ("2-D y", X0, np.c_[Y0, 1 - Y0], ValueError, "1d array"),
    ("short y", X0, Y0[:-1], ValueError, "inconsistent"),
    ("no y", X0, None, ValueError, "requires y"),
    ("mixed labels", X0, np.array([1, "a"] * 20, dtype=object), ValueError, "label"),
    ("bytes labels", X0, np.array([b"a", b"b"] * 20, dtype=object), TypeError, "bytes"),
    ("labels beyond int64", X0, np.arange(40, dtype=object) * 10**30, ValueError, "y"),
]


@pytest.mark.parametrize("X, y, kind, match", [case[1:] for case in BAD_DATA],
                         ids=[case[0] for case in BAD_DATA])
def test_bad_data_at_fit_is_refused_with_scikit_learns_error(X, y, kind, match):
    clf = quick()
    with pytest.raises(kind, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")


@pytest.mark.parametrize("labels", [(0, 1), (-1, 1), (False, True), (2.0, 7.0), ("no", "yes"),
                                    ("0", "1"), (np.int8(-3), np.int8(100)), (3, 10**15)])
def test_any_two_labels_train_the_same_network(labels):
    X, y = data()
    reference = quick().fit(X, y)
    mapped = np.array(labels)[y]
    clf = quick().fit(X, mapped)
    assert list(clf.classes_) == list(labels)
    for key, value in reference.parameters_.items():
        np.testing.assert_array_equal(clf.parameters_[key], value)
    assert list(clf.predict(X)) == [labels[i] for i in reference.predict(X)]


def test_labels_as_lists_and_a_column_vector():
    X, y = data()
    reference = quick().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        column = quick().fit(X, y[:, None])
    listed = quick().fit(X.tolist(), y.tolist())
    for key, value in reference.parameters_.items():
        np.testing.assert_array_equal(column.parameters_[key], value)
        np.testing.assert_array_equal(listed.parameters_[key], value)


def test_layouts_and_read_only_inputs_train_the_same():
    X, y = data()
    reference = quick().fit(X, y)
    frozen = X.copy()
    frozen.flags.writeable = False
    for variant in (np.asfortranarray(X), frozen, X.astype(object), np.repeat(X, 2, 1)[:, ::2]):
        clf = quick().fit(variant, y)
        for key, value in reference.parameters_.items():
            np.testing.assert_array_equal(clf.parameters_[key], value)
    assert not frozen.flags.writeable


def test_float32_data_trains_in_float32():
    X, y = data()
    clf = quick().fit(X.astype(np.float32), y)
    assert all(value.dtype == np.float32 for value in clf.parameters_.values())
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_many_classes():
    X, y = data(60)
    clf = quick().fit(X, np.arange(60) % 7)
    assert clf.parameters_["W3"].shape == (7, 5)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)


# --- predict, predict_proba, decision_function, score ---------------------------------------

@pytest.fixture(scope="module")
def fitted():
    X, y = data()
    return quick(max_iter=200).fit(X, np.where(y, "yes", "no")), X


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_predicting_before_fit_is_not_fitted_error(method):
    with pytest.raises(NotFittedError):
        getattr(FastInitClassifier(), method)(X0)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score"])
@pytest.mark.parametrize("X, kind, match", [
    (X0[:, :2], ValueError, "2 features, but FastInitClassifier is expecting 3"),
    (np.c_[X0, X0], ValueError, "6 features"),
    (X0[:, 0], ValueError, "2D array"),
    (np.where(X0 > 1, np.nan, X0), ValueError, "NaN"),
    (X0 + 1j, ValueError, "Complex"),
    (scipy.sparse.csr_matrix(X0), TypeError, "dense"),
    (X0[:0], ValueError, "0 sample"),
], ids=["fewer features", "more features", "1-D", "NaN", "complex", "sparse", "empty"])
def test_bad_data_at_predict_time(fitted, method, X, kind, match):
    clf, _ = fitted
    args = (X, np.array(["no"] * X.shape[0])) if method == "score" else (X,)
    with pytest.raises(kind, match=match):
        getattr(clf, method)(*args)


def test_predict_agrees_with_predict_proba_and_decision_function(fitted):
    clf, X = fitted
    proba = clf.predict_proba(X)
    scores = clf.decision_function(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores)), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(scores > 0).astype(int)])
    assert clf.score(X, clf.predict(X)) == 1.0


def test_overflowing_inputs_give_nan_probabilities_and_no_class(fitted):
    clf = copy.deepcopy(fitted[0])
    clf.parameters_ = {"W1": np.array([[10.0, 0, 0], [10.0, 0, 0]]), "b1": np.zeros((2, 1)),
                       "W2": np.array([[1.0, -1.0]]), "b2": np.zeros((1, 1))}
    huge = np.full((3, 3), 1e308)  # finite, but inf - inf in the second layer
    assert np.isnan(clf.predict_proba(huge)).all()  # NaN propagates, never 0.5
    assert np.isnan(clf.decision_function(huge)).all()
    with pytest.raises(ValueError, match="NaN probabilities for 3 of 3 samples"):
        clf.predict(huge)


def test_set_params_after_fit_does_not_change_the_fitted_network(fitted):
    clf = copy.deepcopy(fitted[0])
    X = fitted[1]
    before = clf.predict_proba(X)
    clf.set_params(activation="tanh", hidden_layer_sizes=(3,))
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_a_bad_n_threads_set_after_fit_is_named_at_predict(fitted):
    clf = copy.deepcopy(fitted[0])
    clf.set_params(n_threads=0)
    with pytest.raises(ValueError, match="n_threads"):
        clf.predict(fitted[1])


# --- get_params / set_params / clone / pickle --------------------------------------------

def test_get_params_set_params_round_trip():
    clf = FastInitClassifier(hidden_layer_sizes=[7], alpha=0.5, random_state=4)
    params = clf.get_params()
    clone_params = FastInitClassifier().set_params(**params).get_params()
    assert clone_params == params
    assert clf.hidden_layer_sizes == [7]  # stored as given, not converted


def test_clone_of_a_fitted_estimator_refits_bit_for_bit():
    X, y = data()
    clf = quick(solver="adam", batch_size=8, alpha=0.01).fit(X, y)
    twin = clone(clf)
    assert not hasattr(twin, "parameters_")
    twin.fit(X, y)
    for key, value in clf.parameters_.items():
        np.testing.assert_array_equal(twin.parameters_[key], value)


def test_refitting_the_same_estimator_gives_the_same_network():
    X, y = data()
    clf = quick(batch_size=8)
    first = {key: value.copy() for key, value in clf.fit(X, y).parameters_.items()}
    for key, value in clf.fit(X, y).parameters_.items():
        np.testing.assert_array_equal(value, first[key])


def test_random_state_instance_reproduces_with_an_equal_instance():
    X, y = data()
    a = quick(random_state=np.random.RandomState(5), batch_size=8).fit(X, y)
    b = quick(random_state=np.random.RandomState(5), batch_size=8).fit(X, y)
    for key, value in a.parameters_.items():
        np.testing.assert_array_equal(b.parameters_[key], value)


@pytest.mark.parametrize("protocol", [0, pickle.HIGHEST_PROTOCOL])
def test_pickle_of_fitted_and_unfitted(fitted, protocol):
    clf, X = fitted
    restored = pickle.loads(pickle.dumps(clf, protocol=protocol))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.classes_, clf.classes_)
    fresh = pickle.loads(pickle.dumps(FastInitClassifier(alpha=0.3), protocol=protocol))
    assert fresh.alpha == 0.3 and not hasattr(fresh, "classes_")


def test_deepcopy_is_independent(fitted):
    clf, X = fitted
    twin = copy.deepcopy(clf)
    twin.parameters_["W1"][...] = 0
    assert np.any(clf.parameters_["W1"] != 0)


# --- threads -----------------------------------------------------------------------------

def test_concurrent_fits_on_clones_agree_with_a_serial_fit():
    X, y = data(80)
    template = quick(max_iter=300, batch_size=16, solver="momentum")
    serial = clone(template).fit(X, y)
    results, errors = [None] * 4, []

    def work(index):
        try:
            clf = clone(template).fit(X, y)
            results[index] = (clf.parameters_, clf.predict_proba(X))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and all(result is not None for result in results)
    for parameters, proba in results:
        for key, value in serial.parameters_.items():
            np.testing.assert_array_equal(parameters[key], value)
        np.testing.assert_array_equal(proba, serial.predict_proba(X))


def test_concurrent_predicts_on_one_fitted_estimator(fitted):
    clf, X = fitted
    expected = clf.predict_proba(X)
    outputs, errors = [], []

    def work():
        try:
            for _ in range(20):
                outputs.append(clf.predict_proba(X))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(outputs) == 120
    for output in outputs:
        np.testing.assert_array_equal(output, expected)
