"""Issue 24: a hostile review of the plotting functions (and of the command
line's figure writer, ``cli._save``, which goes through ``storage.atomic_write``).

Every bad argument must raise a TypeError/ValueError naming the argument as the
caller spelt it, before any figure is made; values that cannot be drawn (a
diverged run) are left out and named in a note on the panel.
"""

import os
import stat
import threading

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import fastinit as fi  # noqa: E402
from fastinit import cli  # noqa: E402

P = fi.plotting
RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 12))
Y = (X[0] > 0).astype(float).reshape(1, -1)
NET = fi.initialize([2, 3, 1], "he", seed=1)
NAN = float("nan")
INF = float("inf")


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture(scope="module")
def history():
    result = fi.train(X, Y, fi.initialize([2, 3, 1], "he", seed=1), num_iterations=2000,
                      track_layers=True)
    return result.layer_history, result.iterations


@pytest.fixture(scope="module")
def signal():
    return fi.diagnostics.signal_propagation([5, 4, 4, 1], "he", RNG.standard_normal((5, 20)),
                                             seeds=[1, 2])


def _text(figure):
    return " ".join(text.get_text() for ax in figure.axes for text in ax.texts)


def _refused(call, error, *names):
    """``call`` raises ``error`` naming each of ``names``, and leaves no figure open."""
    before = plt.get_fignums()
    with pytest.raises(error) as info:
        call()
    for name in names:
        assert name in str(info.value), (name, str(info.value))
    assert plt.get_fignums() == before, "a refused call left a figure open"
    return str(info.value)


def _depth_row(initializer="he", depth=2, train=0.9, test=0.8):
    return {"initializer": initializer, "activation": "relu", "depth": depth,
            "train_accuracy_mean": train, "train_accuracy_std": 0.01,
            "test_accuracy_mean": test, "test_accuracy_std": 0.02}


def _sweep_row(initializer="he", depth=2, train=0.9, width=5, activation="relu"):
    return {**_depth_row(initializer, depth, train), "width": width, "activation": activation}


# --------------------------------------------------------------------------- __all__

def test_every_public_plot_function_is_in_all():
    public = {name for name in dir(P) if name.startswith(("plot_", "draw_"))
              and callable(getattr(P, name))}
    assert public <= set(P.__all__), public - set(P.__all__)


# --------------------------------------------------------------------------- plot_costs

@pytest.mark.parametrize("call, error, names", [
    (lambda: P.plot_costs(None), TypeError, ["costs"]),
    (lambda: P.plot_costs("abc"), TypeError, ["costs"]),
    (lambda: P.plot_costs(5), ValueError, ["costs", "1-D"]),
    (lambda: P.plot_costs([]), ValueError, ["costs", "empty"]),
    (lambda: P.plot_costs({}), ValueError, ["costs", "at least one curve"]),
    (lambda: P.plot_costs({"he": []}), ValueError, ["costs['he']"]),
    (lambda: P.plot_costs({"he": [[0.5, 0.4]]}), ValueError, ["costs['he']", "1-D"]),
    (lambda: P.plot_costs({"he": None}), TypeError, ["costs['he']"]),
    (lambda: P.plot_costs({"he": {"a": 1}}), TypeError, ["costs['he']"]),
    (lambda: P.plot_costs([1 + 1j, 0.5]), TypeError, ["costs", "complex"]),
    (lambda: P.plot_costs([True, False]), TypeError, ["costs", "booleans"]),
    (lambda: P.plot_costs(["0.5", "0.4"]), TypeError, ["costs"]),
    (lambda: P.plot_costs(x for x in (0.5, 0.4)), TypeError, ["costs"]),
    (lambda: P.plot_costs([0.5, 0.4], iterations="ab"), TypeError, ["iterations"]),
    (lambda: P.plot_costs([0.5, 0.4], iterations=[[0, 1]]), ValueError, ["iterations"]),
    (lambda: P.plot_costs([0.5, 0.4], iterations=[0, NAN]), ValueError,
     ["iterations", "finite"]),
    (lambda: P.plot_costs({"he": [0.5, 0.4]}, iterations=[0]), ValueError,
     ["iterations", "costs['he']"]),
    (lambda: P.plot_costs([0.5, 0.4], ax="ax"), TypeError, ["ax"]),
    (lambda: P.plot_costs([0.5, 0.4], ax=plt.figure()), TypeError, ["ax", "gca"]),
    (lambda: P.plot_costs([0.5, 0.4], title=3), TypeError, ["title"]),
    (lambda: P.plot_costs([0.5, 0.4], xlabel=["x"]), TypeError, ["xlabel"]),
    (lambda: P.plot_costs({"a": [0.5]}, legend_title=1), TypeError, ["legend_title"]),
    (lambda: P.plot_costs([0.5, 0.4], log="no"), TypeError, ["log"]),
])
def test_plot_costs_refuses_bad_arguments_by_name(call, error, names):
    before = plt.get_fignums()
    with pytest.raises(error) as info:
        call()
    for name in names:
        assert name in str(info.value), (name, str(info.value))
    plt.close("all")
    assert not set(plt.get_fignums()) - set(before)


def test_plot_costs_of_a_train_result_points_to_its_costs():
    result = fi.train(X, Y, fi.initialize([2, 3, 1], "he", seed=1), num_iterations=1000)
    message = _refused(lambda: P.plot_costs(result), TypeError, "costs")
    assert ".costs" in message


def test_diverged_costs_are_drawn_where_finite_and_named():
    figure = P.plot_costs({"he": [0.7, 0.5, 0.3], "random": [INF, 0.6, NAN]})
    ax = figure.axes[0]
    he, random = ax.lines
    np.testing.assert_array_equal(he.get_ydata(), [0.7, 0.5, 0.3])
    np.testing.assert_array_equal(random.get_xdata(), [0, 1000, 2000])
    y = np.asarray(random.get_ydata(), dtype=float)
    assert np.isnan(y[0]) and y[1] == 0.6 and np.isnan(y[2])
    assert "random (2 of 3)" in _text(figure) and "he" not in _text(figure).split(":")[-1]
    assert ax.get_yscale() == "linear"
    lo, hi = ax.get_ylim()
    assert np.isfinite([lo, hi]).all() and lo < 0.3 and hi > 0.7


def test_a_curve_with_no_finite_cost_keeps_its_legend_entry_and_is_named():
    figure = P.plot_costs({"nan": [NAN, NAN], "ok": [0.5, 0.4]})
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["nan", "ok"]
    assert "nan (2 of 2)" in _text(figure)


def test_every_cost_nan_still_gives_a_figure_that_says_so():
    figure = P.plot_costs([NAN, NAN, NAN])
    assert "cost (3 of 3)" in _text(figure)
    figure.canvas.draw()  # renders without error


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")  # matplotlib's
def test_huge_costs_keep_finite_axis_limits():
    figure = P.plot_costs({"big": [1e300, 1e10, 0.5]})
    ax = figure.axes[0]
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1e300, 1e10, 0.5])
    assert np.isfinite(ax.get_ylim()).all()


def test_non_positive_costs_on_a_log_axis_are_named_not_dropped_silently():
    figure = P.plot_costs([1.0, 0.0, -1.0, 0.1], log=True)
    y = np.asarray(figure.axes[0].lines[0].get_ydata(), dtype=float)
    np.testing.assert_array_equal(np.isnan(y), [False, True, True, False])
    assert "<= 0" in _text(figure) and "(2 of 4)" in _text(figure)


def test_an_underscore_name_still_gets_a_legend_entry():
    figure = P.plot_costs({"_hidden": [0.5, 0.4], "he": [0.6, 0.3]})
    labels = [text.get_text().strip() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["_hidden", "he"]


def test_an_axes_of_a_closed_figure_is_drawn_into_and_its_figure_returned():
    figure, ax = plt.subplots()
    plt.close(figure)
    returned = P.plot_costs([0.5, 0.4], ax=ax)
    assert returned is figure
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.5, 0.4])


def test_two_threads_plot_their_own_curves():
    results, errors = {}, []

    def work(index):
        try:
            for k in range(4):
                values = [index + 1.0, index + 0.5, index + 0.25 + k]
                figure = P.plot_costs({f"t{index}": values})
                results[(index, k)] = (values, figure.axes[0].lines[0].get_ydata(),
                                       figure.axes[0].lines[0].get_label())
                plt.close(figure)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(results) == 8
    for (index, _), (values, drawn, label) in results.items():
        np.testing.assert_array_equal(drawn, values)
        assert label == f"t{index}"
    assert plt.get_fignums() == []


# ----------------------------------------------------------- plot_decision_boundary

@pytest.mark.parametrize("call, error, names", [
    (lambda: P.plot_decision_boundary(None, X, Y), TypeError, ["parameters"]),
    (lambda: P.plot_decision_boundary([1], X, Y), TypeError, ["parameters"]),
    (lambda: P.plot_decision_boundary({"W1": np.ones((1, 2))}, X, Y), ValueError,
     ["parameters"]),
    (lambda: P.plot_decision_boundary(fi.initialize([3, 2, 1], "he", seed=1), X, Y),
     ValueError, ["parameters", "2 inputs"]),
    (lambda: P.plot_decision_boundary(fi.initialize([2, 2, 3], "he", seed=1), X, Y),
     ValueError, ["parameters", "1 output"]),
    (lambda: P.plot_decision_boundary({k: v * NAN for k, v in NET.items()}, X, Y),
     ValueError, ["parameters['W1']"]),
    (lambda: P.plot_decision_boundary({"W1": np.ones((1, 2)), "b1": np.array(0.0)}, X, Y),
     ValueError, ["b1"]),
    (lambda: P.plot_decision_boundary(NET, X[:1], Y), ValueError, ["X"]),
    (lambda: P.plot_decision_boundary(NET, X.ravel(), Y), ValueError, ["X", "2-D"]),
    (lambda: P.plot_decision_boundary(NET, np.zeros((2, 0)), np.zeros((1, 0))), ValueError,
     ["X", "no examples"]),
    (lambda: P.plot_decision_boundary(NET, np.full((2, 3), NAN), np.zeros((1, 3))),
     ValueError, ["X", "NaN"]),
    (lambda: P.plot_decision_boundary(NET, np.array([[-1.7e308, 1.7e308], [0, 1]]),
                                      np.zeros((1, 2))), ValueError, ["X", "range"]),
    (lambda: P.plot_decision_boundary(NET, X.astype(str), Y), TypeError, ["X"]),
    (lambda: P.plot_decision_boundary(NET, X, Y.ravel()), ValueError, ["Y", "shape"]),
    (lambda: P.plot_decision_boundary(NET, X, Y * 2), ValueError, ["Y", "0 and 1"]),
    (lambda: P.plot_decision_boundary(NET, X, Y.astype(bool)), TypeError, ["Y"]),
    (lambda: P.plot_decision_boundary(NET, X, Y, activation="nope"), ValueError,
     ["activation"]),
    (lambda: P.plot_decision_boundary(NET, X, Y, activation="leaky_relu", negative_slope=NAN),
     ValueError, ["negative_slope"]),
    (lambda: P.plot_decision_boundary(NET, X, Y, ax=3), TypeError, ["ax"]),
    (lambda: P.plot_decision_boundary(NET, X, Y, title=["t"]), TypeError, ["title"]),
])
def test_plot_decision_boundary_refuses_bad_arguments_by_name(call, error, names):
    _refused(call, error, *names)


def _regions(ax):
    """The decision-region contour and the scatter of one panel."""
    from matplotlib.collections import PathCollection

    scatter = [c for c in ax.collections if isinstance(c, PathCollection)][-1]
    return scatter


def test_decision_boundary_of_one_point_and_of_widely_spread_points_draws_a_grid():
    for points in (np.zeros((2, 1)), np.array([[-1e300, 1e300], [0.0, 1.0]])):
        labels = np.array([[0.0] * points.shape[1]])
        figure = P.plot_decision_boundary(NET, points, labels)
        ax = figure.axes[0]
        np.testing.assert_array_equal(_regions(ax).get_offsets(), points.T)
        assert len(ax.collections) >= 2  # the filled regions, then the points
        lo, hi = ax.get_xlim()
        assert lo <= points[0].min() and hi >= points[0].max()
        plt.close(figure)


def test_decision_boundary_draws_the_points_and_the_predicted_regions():
    figure = P.plot_decision_boundary(NET, X, Y, title="he")
    ax = figure.axes[0]
    np.testing.assert_array_equal(_regions(ax).get_offsets(), X.T)
    np.testing.assert_array_equal(_regions(ax).get_array(), Y.ravel())
    assert ax.get_title() == "he"


# --------------------------------------------------------- plot_decision_boundaries

@pytest.mark.parametrize("call, error, names", [
    (lambda: P.plot_decision_boundaries(None, X, Y), TypeError, ["parameters_by_name"]),
    (lambda: P.plot_decision_boundaries([NET], X, Y), TypeError, ["parameters_by_name"]),
    (lambda: P.plot_decision_boundaries({}, X, Y), ValueError,
     ["parameters_by_name", "at least one network"]),
    (lambda: P.plot_decision_boundaries({"he": NET, "bad": None}, X, Y), TypeError,
     ["parameters_by_name['bad']"]),
    (lambda: P.plot_decision_boundaries({"wide": fi.initialize([3, 2, 1], "he", seed=1)},
                                        X, Y), ValueError, ["parameters_by_name['wide']"]),
    (lambda: P.plot_decision_boundaries({str(i): NET for i in range(P.MAX_PANELS + 1)}, X, Y),
     ValueError, ["parameters_by_name", str(P.MAX_PANELS)]),
    (lambda: P.plot_decision_boundaries({"he": NET}, X, Y, titles=["x"]), TypeError,
     ["titles"]),
    (lambda: P.plot_decision_boundaries({"he": NET}, X, Y, titles={"he": 3}), TypeError,
     ["titles['he']"]),
    (lambda: P.plot_decision_boundaries({"he": NET}, X[:, :0], Y[:, :0]), ValueError, ["X"]),
    (lambda: P.plot_decision_boundaries({"he": NET}, X, Y[:, :3]), ValueError, ["Y"]),
    (lambda: P.plot_decision_boundaries({"he": NET}, X, Y, activation=3), TypeError,
     ["activation"]),
])
def test_plot_decision_boundaries_refuses_bad_arguments_by_name(call, error, names):
    _refused(call, error, *names)


def test_many_networks_wrap_into_rows_of_readable_panels():
    figure = P.plot_decision_boundaries({str(i): NET for i in range(10)}, X, Y)
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 10
    assert [ax.get_title() for ax in visible] == [str(i) for i in range(10)]
    width, height = figure.get_size_inches()
    assert width == pytest.approx(4.2 * P.PANELS_PER_ROW) and height == pytest.approx(8.4)
    for ax in visible:
        np.testing.assert_array_equal(_regions(ax).get_offsets(), X.T)


# ---------------------------------------------------------------- draw_decision_regions

def _zeros(points):
    return np.zeros(len(points))


@pytest.mark.parametrize("call, error, names", [
    (lambda ax: P.draw_decision_regions(None, _zeros, X, Y), TypeError, ["ax"]),
    (lambda ax: P.draw_decision_regions(ax.figure, _zeros, X, Y), TypeError, ["ax"]),
    (lambda ax: P.draw_decision_regions(ax, None, X, Y), TypeError, ["predict_fn"]),
    (lambda ax: P.draw_decision_regions(ax, lambda p: np.zeros(3), X, Y), ValueError,
     ["predict_fn", "one label per point"]),
    (lambda ax: P.draw_decision_regions(ax, lambda p: np.full(len(p), NAN), X, Y),
     ValueError, ["predict_fn", "NaN"]),
    (lambda ax: P.draw_decision_regions(ax, lambda p: np.array(["a"] * len(p)), X, Y),
     ValueError, ["predict_fn"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, np.zeros((3, 4)), np.zeros(4)),
     ValueError, ["X", "3 features"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, np.full((2, 4), NAN), np.zeros(4)),
     ValueError, ["X"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, np.zeros(3)), ValueError,
     ["y", "one label per point"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, "y"), TypeError, ["y"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y * 3), ValueError, ["y", "0 and 1"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y, step=0), ValueError, ["step"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y, step=-1), ValueError, ["step"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y, step=NAN), ValueError, ["step"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y, step="0.1"), TypeError, ["step"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y, margin=NAN), ValueError,
     ["margin"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y, margin=-5), ValueError,
     ["margin"]),
    (lambda ax: P.draw_decision_regions(ax, _zeros, X, Y, margin=1e308), ValueError,
     ["margin"]),
])
def test_draw_decision_regions_refuses_bad_arguments_by_name(call, error, names):
    figure, ax = plt.subplots()
    with pytest.raises(error) as info:
        call(ax)
    for name in names:
        assert name in str(info.value), (name, str(info.value))
    assert len(ax.collections) == 0 and plt.get_fignums() == [figure.number]


def test_a_step_wider_than_the_data_still_draws_regions():
    figure, ax = plt.subplots()
    calls = []

    def predict_fn(points):
        calls.append(points.shape)
        return (points[:, 0] > 0).astype(int)

    P.draw_decision_regions(ax, predict_fn, X, Y.ravel(), step=100.0, margin=0.0)
    (k, two), = calls
    assert two == 2 and k >= 4  # at least a 2 x 2 grid
    np.testing.assert_array_equal(_regions(ax).get_offsets(), X.T)


# -------------------------------------------------------------- plot_activation_stats

@pytest.mark.parametrize("call, error, names", [
    (lambda: P.plot_activation_stats("he", layers_dims=[5, 4, 1]), TypeError,
     ["methods", "['he']"]),
    (lambda: P.plot_activation_stats(None, layers_dims=[5, 4, 1]), TypeError, ["methods"]),
    (lambda: P.plot_activation_stats([], layers_dims=[5, 4, 1]), ValueError, ["methods"]),
    (lambda: P.plot_activation_stats(["he", 3], layers_dims=[5, 4, 1]), TypeError,
     ["methods[1]"]),
    (lambda: P.plot_activation_stats(["he", "he"], layers_dims=[5, 4, 1]), ValueError,
     ["methods", "twice"]),
    (lambda: P.plot_activation_stats(["nope"], layers_dims=[5, 4, 1]), ValueError,
     ["nope"]),
    (lambda: P.plot_activation_stats(["he"], layers_dims=[5]), ValueError, ["layers_dims"]),
    (lambda: P.plot_activation_stats(["he"], layers_dims=[5, 4, 1], X=np.full((5, 3), NAN)),
     ValueError, ["X"]),
    (lambda: P.plot_activation_stats(["he"], layers_dims=[5, 4, 1], X=np.ones((4, 3))),
     ValueError, ["X"]),
    (lambda: P.plot_activation_stats(["he"], layers_dims=[5, 4, 1], seed="x"), TypeError,
     ["seed"]),
])
def test_plot_activation_stats_refuses_bad_arguments_by_name(call, error, names):
    _refused(call, error, *names)


def test_activation_stats_name_what_cannot_be_drawn_on_the_log_axis():
    figure = P.plot_activation_stats(["zeros", "he"], layers_dims=[5, 4, 4, 1])
    ax_std, ax_dead = figure.axes
    assert [line.get_label() for line in ax_std.lines] == ["he"]
    assert [line.get_label() for line in ax_dead.lines] == ["zeros", "he"]
    assert "zeros" in _text(figure)
    assert np.all(np.asarray(ax_std.lines[0].get_ydata()) > 0)


# ------------------------------------------------------------- plot_signal_propagation

def test_plot_signal_propagation_refuses_bad_arguments_by_name(signal):
    result = fi.train(X, Y, fi.initialize([2, 3, 1], "he", seed=1), num_iterations=1000)
    _refused(lambda: P.plot_signal_propagation(None), TypeError, "stats_by_name")
    _refused(lambda: P.plot_signal_propagation([signal]), TypeError, "stats_by_name")
    _refused(lambda: P.plot_signal_propagation({}), ValueError, "stats_by_name")
    _refused(lambda: P.plot_signal_propagation({"he": result}), TypeError,
             "stats_by_name['he']", "SignalStats")
    _refused(lambda: P.plot_signal_propagation({"he": {}}), TypeError, "stats_by_name['he']")
    _refused(lambda: P.plot_signal_propagation({"he": signal}, title=5), TypeError, "title")
    import dataclasses

    flat = dataclasses.replace(signal, weight_grad_norm=np.ones(3))
    _refused(lambda: P.plot_signal_propagation({"he": flat}), ValueError,
             "stats_by_name['he'].weight_grad_norm")


def test_an_overflowed_signal_is_drawn_where_finite_and_named(signal):
    import dataclasses

    forward = signal.pre_activation_second_moment.copy()
    forward[0, -1] = INF
    forward[1, -1] = NAN
    broken = dataclasses.replace(signal, pre_activation_second_moment=forward)
    figure = P.plot_signal_propagation({"he": signal, "broken": broken})
    ax_forward = figure.axes[0]
    medians = {line.get_label(): np.asarray(line.get_ydata(), dtype=float)
               for line in ax_forward.lines if not line.get_label().startswith("_")}
    np.testing.assert_allclose(medians["he"], np.median(signal.pre_activation_second_moment,
                                                        axis=0))
    assert np.isnan(medians["broken"][-1]) and np.isfinite(medians["broken"][:-1]).all()
    assert "broken (2 of" in _text(figure) and "he (" not in _text(figure)


# ------------------------------------------------------------------ plot_layer_history

def test_plot_layer_history_refuses_bad_arguments_by_name(history):
    H, iterations = history
    result = fi.train(X, Y, fi.initialize([2, 3, 1], "he", seed=1), num_iterations=1000)
    _refused(lambda: P.plot_layer_history(None, iterations), TypeError, "history")
    _refused(lambda: P.plot_layer_history([H], iterations), TypeError, "history")
    _refused(lambda: P.plot_layer_history({}, iterations), ValueError, "history")
    message = _refused(lambda: P.plot_layer_history(result, iterations), TypeError, "history")
    assert ".layer_history" in message
    _refused(lambda: P.plot_layer_history({"he": None}, iterations), TypeError,
             "history['he']", "track_layers")
    _refused(lambda: P.plot_layer_history({"weight_norm": H["weight_norm"]}, iterations),
             ValueError, "history", "'grad_norm'")
    _refused(lambda: P.plot_layer_history({**H, "grad_norm": "x"}, iterations), TypeError,
             "history['grad_norm']")
    _refused(lambda: P.plot_layer_history({"he": {**H, "grad_norm": H["grad_norm"][:, :1]}},
                                          iterations), ValueError, "history['he']['grad_norm']")
    _refused(lambda: P.plot_layer_history(H, None), TypeError, "iterations")
    _refused(lambda: P.plot_layer_history(H, iterations[:1]), ValueError, "iterations")
    _refused(lambda: P.plot_layer_history(H, [NAN] * len(iterations)), ValueError,
             "iterations")
    _refused(lambda: P.plot_layer_history(H, iterations, unit=None), TypeError, "unit")


def test_a_diverged_layer_history_is_drawn_where_finite_and_says_so(history):
    H, iterations = history
    broken = {key: value.copy() for key, value in H.items()}
    broken["grad_norm"][1:, :] = NAN
    figure = P.plot_layer_history({"he": H, "broken": broken}, iterations)
    grad_panel = [ax for ax in figure.axes if ax.get_title() == "broken: ‖dW‖"][0]
    for line, l in zip(grad_panel.lines, range(H["grad_norm"].shape[1])):
        y = np.asarray(line.get_ydata(), dtype=float)
        assert y[0] == H["grad_norm"][0, l] and np.isnan(y[1:]).all()
    assert "not drawn" in " ".join(t.get_text() for t in grad_panel.texts)
    all_nan = {key: value * NAN for key, value in H.items()}
    figure = P.plot_layer_history(all_nan, iterations)
    assert all(not ax.lines for ax in figure.axes)
    assert all(ax.texts for ax in figure.axes)


# ---------------------------------------------------------------- plot_depth, plot_sweep

@pytest.mark.parametrize("call, error, names", [
    (lambda: P.plot_depth(None), TypeError, ["summary"]),
    (lambda: P.plot_depth("abc"), TypeError, ["summary"]),
    (lambda: P.plot_depth({"a": 1}), TypeError, ["summary"]),
    (lambda: P.plot_depth([]), ValueError, ["summary", "at least one row"]),
    (lambda: P.plot_depth([_depth_row(), 3]), TypeError, ["summary[1]"]),
    (lambda: P.plot_depth([{"x": 1}]), ValueError, ["summary[0]", "'initializer'"]),
    (lambda: P.plot_depth([{**_depth_row(), "depth": "2"}]), TypeError,
     ["summary[0]['depth']"]),
    (lambda: P.plot_depth([{**_depth_row(), "test_accuracy_mean": "0.9"}]), TypeError,
     ["summary[0]['test_accuracy_mean']"]),
    (lambda: P.plot_depth([{**_depth_row(), "initializer": ["he"]}]), TypeError,
     ["summary[0]['initializer']"]),
    (lambda: P.plot_depth([_depth_row()], title=1), TypeError, ["title"]),
    (lambda: P.plot_sweep(None), TypeError, ["summary"]),
    (lambda: P.plot_sweep([]), ValueError, ["summary"]),
    (lambda: P.plot_sweep([_depth_row()]), ValueError, ["summary[0]", "'width'",
                                                        "plot_depth"]),
    (lambda: P.plot_sweep([{**_sweep_row(), "width": [5]}]), TypeError,
     ["summary[0]['width']"]),
    (lambda: P.plot_sweep([{**_sweep_row(), "activation": None}]), TypeError,
     ["summary[0]['activation']"]),
    (lambda: P.plot_sweep([_sweep_row()], title=b"t"), TypeError, ["title"]),
])
def test_depth_and_sweep_plots_refuse_bad_arguments_by_name(call, error, names):
    _refused(call, error, *names)


def test_plot_depth_of_a_result_object_points_to_its_summary():
    class DepthResult:
        def summary(self):
            return [_depth_row()]

    assert ".summary()" in _refused(lambda: P.plot_depth(DepthResult()), TypeError, "summary")


def test_a_depth_where_every_run_diverged_is_left_out_and_named():
    rows = [_depth_row(depth=1, train=0.9), _depth_row(depth=2, train=NAN, test=NAN),
            _depth_row(depth=3, train=0.8), _depth_row("zeros", depth=1, train=0.5),
            _depth_row("zeros", depth=2, train=0.5), _depth_row("zeros", depth=3, train=0.5)]
    rows[1]["train_accuracy_std"] = rows[1]["test_accuracy_std"] = NAN
    figure = P.plot_depth(rows)
    train = figure.axes[0]
    he = train.lines[0]
    np.testing.assert_array_equal(he.get_xdata(), [1, 2, 3])
    y = np.asarray(he.get_ydata(), dtype=float)
    assert y[0] == 0.9 and np.isnan(y[1]) and y[2] == 0.8
    assert "he (depth 2)" in " ".join(t.get_text() for t in train.texts)
    assert "zeros" not in " ".join(t.get_text() for t in train.texts)


def test_plot_sweep_draws_one_panel_per_activation_and_names_diverged_cells():
    rows = [_sweep_row(depth=1, train=0.9), _sweep_row(depth=2, train=0.95),
            _sweep_row(depth=1, train=NAN, activation="tanh"),
            _sweep_row(depth=2, train=0.7, activation="tanh")]
    figure = P.plot_sweep(rows)
    relu, tanh = figure.axes
    assert (relu.get_title(), tanh.get_title()) == ("relu", "tanh")
    np.testing.assert_array_equal(relu.lines[0].get_ydata(), [0.9, 0.95])
    assert "he (depth 1)" in " ".join(t.get_text() for t in tanh.texts)
    assert not relu.texts


# ---------------------------------------------- writing figures: cli._save / atomic_write

def _figure():
    return P.plot_costs([0.5, 0.4])


def test_save_writes_a_png_that_replaces_a_regular_file(tmp_path):
    target = tmp_path / "costs.png"
    target.write_bytes(b"old")
    cli._save(_figure(), str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["costs.png"]  # no temporary left


@pytest.mark.parametrize("make, error, words", [
    (lambda d: str(d), ValueError, ["directory"]),
    (lambda d: str(d / "missing" / "costs.png"), OSError, ["missing"]),
    (lambda d: (d / "file").write_text("x") and str(d / "file" / "costs.png"), ValueError,
     ["file/costs.png"]),
])
def test_save_to_a_path_that_cannot_be_written_fails_naming_it(tmp_path, make, error, words):
    path = make(tmp_path)
    with pytest.raises(error) as info:
        cli._save(_figure(), path)
    for word in words:
        assert word in str(info.value)
    assert not list(tmp_path.glob("**/.*.tmp"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes any folder")
def test_save_into_an_unwritable_folder_fails_naming_it(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OSError) as info:
            cli._save(_figure(), str(tmp_path / "costs.png"))
        assert str(tmp_path / "costs.png") in str(info.value)
    finally:
        tmp_path.chmod(0o700)


def test_save_to_dev_null_writes_in_place_and_keeps_the_device():
    cli._save(_figure(), os.devnull)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_save_to_a_fifo_nothing_reads_is_refused_at_once_and_the_fifo_kept(tmp_path):
    fifo = tmp_path / "costs.png"
    os.mkfifo(fifo)
    done = threading.Event()
    errors = []

    def save():
        try:
            cli._save(_figure(), str(fifo))
        except ValueError as error:
            errors.append(error)
        done.set()

    threading.Thread(target=save, daemon=True).start()
    assert done.wait(20), "writing a FIFO nothing reads blocked"
    assert errors and "FIFO" in str(errors[0]) and str(fifo) in str(errors[0])
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_save_to_a_fifo_being_read_writes_the_png_into_it(tmp_path):
    fifo = tmp_path / "costs.png"
    os.mkfifo(fifo)
    received = []
    reader_open = threading.Event()

    def read():
        with open(fifo, "rb") as handle:
            reader_open.set()
            received.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    # opening for reading blocks until a writer comes, so give it a moment to start
    for _ in range(200):
        if thread.is_alive():
            break
    import time

    time.sleep(0.2)
    cli._save(_figure(), str(fifo))
    thread.join(20)
    assert received and received[0][:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_save_with_an_unknown_extension_leaves_nothing_behind(tmp_path):
    target = tmp_path / "costs.xyz"
    with pytest.raises(ValueError) as info:
        cli._save(_figure(), str(target))
    assert "xyz" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_figures_look_right_as_png(tmp_path):
    figure = P.plot_costs({"he": [0.88, 0.69, 0.41, 0.19, 0.07], "random": [INF, 0.62, 0.55,
                                                                             NAN, 0.38]})
    assert isinstance(figure, Figure)
    path = tmp_path / "costs.png"
    cli._save(figure, str(path))
    image = plt.imread(path)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0.05  # not a blank canvas
