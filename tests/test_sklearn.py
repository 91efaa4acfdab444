"""FastInitClassifier (issue 14): scikit-learn's own check_estimator, every
check; the notebook through the estimator; pipelines, grid search, clone,
pickle, string labels and several classes."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import fastinit as fi  # noqa: E402
from fastinit.sklearn import FastInitClassifier  # noqa: E402


@parametrize_with_checks([FastInitClassifier(), FastInitClassifier(solver="adam", batch_size=32,
                                                                   max_iter=300),
                          FastInitClassifier(activation="logistic", solver="sgd",
                                             batch_size="auto", learning_rate_init=0.1,
                                             max_iter=300)])
def test_scikit_learns_own_checks(estimator, check):
    check(estimator)


def test_the_notebook_through_the_estimator(circles):
    train_X, train_Y, test_X, test_Y = circles
    clf = FastInitClassifier(hidden_layer_sizes=(10, 5), init="he", random_state=3,
                             learning_rate_init=0.01, max_iter=15000)
    clf.fit(train_X.T, train_Y.ravel())
    expected = fi.model(train_X, train_Y, initialization="he", print_cost=False)
    assert clf.parameters_.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_array_equal(clf.parameters_[key], value)
    assert clf.score(test_X.T, test_Y.ravel()) == pytest.approx(0.96)
    assert clf.n_iter_ == 15000 and len(clf.loss_curve_) == 15
    assert clf.loss_curve_[0] == pytest.approx(0.8830537463419761, rel=1e-12)


def blobs(n_classes, seed=0, labels=None):
    X, y = sklearn.datasets.make_blobs(n_samples=240, centers=n_classes, n_features=3,
                                       random_state=seed)
    if labels is not None:
        y = np.asarray(labels, dtype=object)[y]
    return X, y


@pytest.mark.parametrize("n_classes", [3, 4])
def test_several_classes_and_string_labels(n_classes):
    names = ["cat", "dog", "emu", "gnu"][:n_classes]
    X, y = blobs(n_classes, labels=names)
    clf = FastInitClassifier(random_state=0, max_iter=3000, learning_rate_init=0.05).fit(X, y)
    assert list(clf.classes_) == sorted(names)
    assert clf.parameters_[f"W{3}"].shape == (n_classes, 5)  # one sigmoid output per class
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert clf.decision_function(X).shape == (len(y), n_classes)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) > 0.9


def test_two_string_classes_use_one_output():
    X, y = blobs(2, labels=["no", "yes"])
    clf = FastInitClassifier(random_state=1, max_iter=2000).fit(X, y)
    assert clf.parameters_["W3"].shape == (1, 5)
    scores = clf.decision_function(X)
    np.testing.assert_array_equal(clf.predict(X), np.where(scores > 0, "yes", "no"))


def test_grid_search_over_initializers_in_a_pipeline():
    X, y = blobs(3, seed=2)
    pipeline = make_pipeline(StandardScaler(), FastInitClassifier(random_state=0, max_iter=500))
    search = GridSearchCV(pipeline, {"fastinitclassifier__init": ["he", "glorot",
                                                                   "random_small"]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["fastinitclassifier__init"] in ("he", "glorot")
    scores = dict(zip([p["fastinitclassifier__init"] for p in search.cv_results_["params"]],
                      search.cv_results_["mean_test_score"]))
    assert scores["random_small"] < scores["he"]


def test_clone_and_pickle_round_trip():
    X, y = blobs(3)
    clf = FastInitClassifier(init="glorot_uniform", random_state=5, max_iter=400).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and not hasattr(copy, "parameters_")
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    refit = clone(clf).fit(X, y)
    for key, value in clf.parameters_.items():
        np.testing.assert_array_equal(refit.parameters_[key], value)


def test_dataframes_keep_their_feature_names():
    pandas = pytest.importorskip("pandas")
    X, y = blobs(2)
    frame = pandas.DataFrame(X, columns=["a", "b", "c"])
    clf = FastInitClassifier(random_state=0, max_iter=200).fit(frame, y)
    assert list(clf.feature_names_in_) == ["a", "b", "c"] and clf.n_features_in_ == 3


@pytest.mark.parametrize("params, match", [
    ({"init": "nope"}, "init"),
    ({"init": "lsuv"}, "init"),
    ({"solver": "lbfgs"}, "solver"),
    ({"activation": "swish"}, "activation"),
    ({"hidden_layer_sizes": (5, 0)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": "big"}, "hidden_layer_sizes"),
])
def test_bad_parameters_are_named_at_fit(params, match):
    X, y = blobs(2)
    with pytest.raises(ValueError, match=match):
        FastInitClassifier(**params).fit(X, y)


def test_importing_fastinit_does_not_import_scikit_learn():
    code = "import sys, fastinit; print('sklearn' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "False"
