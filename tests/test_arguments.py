"""Arguments that used to reach NumPy or Python errors (issue 15, item 8) now get
named ValueError/TypeError, or the meaning a user intends."""

import numpy as np
import pytest

import fastinit as fi


@pytest.fixture(scope="module")
def data():
    X, Y, _, _ = fi.datasets.load_dataset()
    return X, Y, fi.initialize([2, 3, 1], seed=0)


@pytest.mark.parametrize("call, error, match", [
    (lambda X, Y, p: fi.gradient_check(p, X[:, :20], Y[:, :20], keep_prob=0.8, seed="a"),
     TypeError, "seed"),
    (lambda X, Y, p: fi.train(X, Y, p, optimizer=["adam"]), ValueError, "optimizer"),
    (lambda X, Y, p: fi.train(X, Y, p, decay=["inverse"]), ValueError, "decay"),
    (lambda X, Y, p: fi.train(X, Y, p, dropout_masks={}), ValueError, "dropout_masks"),
    (lambda X, Y, p: fi.initialize([2, 3, 1], "random", scale=1e308), ValueError, "scale"),
    (lambda X, Y, p: fi.initialize({2, 3, 1}), TypeError, "layers_dims"),
    (lambda X, Y, p: fi.train(np.ma.masked_array(X), Y, p), TypeError, "X must be a plain"),
    (lambda X, Y, p: fi.train(X, np.ma.masked_array(Y), p), TypeError, "Y must be a plain"),
    (lambda X, Y, p: fi.predict(X, {**p, "W1": np.ma.masked_array(p["W1"])}), TypeError,
     r"parameters\['W1'\] must be a plain"),
    (lambda X, Y, p: fi.compare_initializers(["he"], hidden_layers={5}), TypeError,
     "hidden_layers"),
])
def test_named_errors(data, call, error, match):
    with pytest.raises(error, match=match):
        call(*data)


def test_one_name_and_one_size_mean_what_they_say():
    runs, _ = fi.compare_initializers("he", hidden_layers=4, num_iterations=50)
    expected, _ = fi.compare_initializers(["he"], hidden_layers=[4], num_iterations=50)
    assert [run.name for run in runs] == ["he"]
    assert runs[0].final_cost == expected[0].final_cost
    assert runs[0].parameters["W1"].shape == (4, 2)


def test_limits_are_checked_before_anything_is_allocated(data):
    X, Y, p = data
    with pytest.raises(ValueError, match="layers_dims .* would need .* GiB"):
        fi.initialize([10**6, 10**6, 1])
    with pytest.raises(ValueError, match="n_threads must be at most"):
        fi.train(X, Y, p, num_iterations=2, n_threads=5000)
    with pytest.raises(ValueError, match="n_threads must be at most"):
        fi.predict_proba(X, p, n_threads=2**31)


def test_a_mini_batch_beyond_m_is_one_batch_of_m(data):
    X, Y, p = data
    huge = fi.train(X, Y, p, optimizer="adam", mini_batch_size=10**12, num_epochs=20,
                    record_every=5)
    whole = fi.train(X, Y, p, optimizer="adam", mini_batch_size=X.shape[1], num_epochs=20,
                     record_every=5)
    assert huge == whole


def test_a_decision_plot_of_widely_spread_points_stays_small():
    import matplotlib.pyplot as plt

    X = np.array([[0.0, 1e6, 3.0], [0.0, 2.0, 1e6]])
    calls = []

    def predict(points):
        calls.append(len(points))
        return np.zeros(len(points))

    figure, ax = plt.subplots()
    fi.plotting.draw_decision_regions(ax, predict, X, np.array([0, 1, 0]))
    plt.close(figure)
    assert calls[0] <= (fi.plotting.MAX_GRID_STEPS + 2) ** 2
