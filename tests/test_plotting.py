import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import fastinit as fi


@pytest.fixture
def trained(circles):
    X, Y, _, _ = circles
    return {m: fi.train(X, Y, fi.initialize([2, 10, 5, 1], m, seed=3), num_iterations=3000)
            for m in ("zeros", "he")}


def test_plot_functions_return_figures_and_never_show(trained, circles, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    X, Y, _, _ = circles
    figures = [
        fi.plotting.plot_costs({m: r.costs for m, r in trained.items()}),
        fi.plotting.plot_costs(trained["he"].costs),
        fi.plotting.plot_decision_boundary(trained["he"].parameters, X, Y, title="he"),
        fi.plotting.plot_decision_boundaries({m: r.parameters for m, r in trained.items()}, X, Y),
        fi.plotting.plot_activation_stats(["he", "xavier"], layers_dims=[10, 20, 20, 1]),
    ]
    for figure in figures:
        assert isinstance(figure, Figure)
        plt.close(figure)


def test_cost_axis_turns_logarithmic_only_when_costs_span_decades():
    linear = fi.plotting.plot_costs({"a": [0.7, 0.5, 0.3]})
    log = fi.plotting.plot_costs({"a": [1773.0, 0.6, 0.4]})
    assert linear.axes[0].get_yscale() == "linear"
    assert log.axes[0].get_yscale() == "log"
    plt.close("all")


def test_decision_boundary_regions_follow_the_predictions(trained, circles):
    X, Y, _, _ = circles
    figure = fi.plotting.plot_decision_boundary(trained["he"].parameters, X, Y)
    scatter = figure.axes[0].collections[-1]
    np.testing.assert_array_equal(scatter.get_offsets(), X.T)
    np.testing.assert_array_equal(scatter.get_array(), Y.ravel())
    plt.close(figure)


def test_plot_decision_boundaries_needs_a_network():
    with pytest.raises(ValueError, match="at least one network"):
        fi.plotting.plot_decision_boundaries({}, np.zeros((2, 3)), np.zeros((1, 3)))


@pytest.mark.parametrize("call, error, message", [
    (lambda p, X, Y: fi.plotting.plot_costs({}), ValueError, "at least one curve"),
    (lambda p, X, Y: fi.plotting.plot_costs({"he": "abc"}), TypeError, "sequence of numbers"),
    (lambda p, X, Y: fi.plotting.plot_costs({"he": [[1, 2]]}), ValueError, "1-D"),
    (lambda p, X, Y: fi.plotting.plot_costs([0.5, 0.4], iterations=[0]), ValueError,
     "one entry per recorded cost"),
    (lambda p, X, Y: fi.plotting.plot_decision_boundary(p, X[:1], Y), ValueError,
     "X has 1 features"),
    (lambda p, X, Y: fi.plotting.plot_decision_boundary(p, X, Y[:, :3]), ValueError,
     r"Y must have shape \(1, 300\)"),
    (lambda p, X, Y: fi.plotting.plot_decision_boundaries({"he": p}, X, Y * 2), ValueError,
     "only 0 and 1"),
    (lambda p, X, Y: fi.plotting.plot_activation_stats(["nope"]), ValueError,
     "unknown initializer"),
])
def test_plotting_rejects_bad_input(trained, circles, call, error, message):
    X, Y, _, _ = circles
    with pytest.raises(error, match=message):
        call(trained["he"].parameters, X, Y)
    plt.close("all")
