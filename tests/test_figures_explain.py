"""Issue 25: figures that explain themselves.

One colour per initializer in every figure; accuracy bands inside [0, 1]; a
note in the figure wherever a curve is hidden under another or left out;
titles that say what was trained; notes and legends off the data.
"""

import dataclasses
import os
import zlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import fastinit as fi  # noqa: E402
from fastinit import cli  # noqa: E402

P = fi.plotting
RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 12))
Y = (X[0] > 0).astype(float).reshape(1, -1)
NAMES = ["zeros", "random", "he", "xavier"]


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture(scope="module")
def signal():
    X_in = RNG.standard_normal((5, 20))
    return {name: fi.diagnostics.signal_propagation([5, 4, 4, 1], name, X_in, seeds=[1, 2])
            for name in NAMES}


@pytest.fixture(scope="module")
def histories():
    return {name: fi.train(X, Y, fi.initialize([2, 3, 3, 1], name, seed=1),
                           num_iterations=2000, track_layers=True)
            for name in NAMES}


def _row(initializer, depth, mean=0.8, std=0.05, runs=3):
    return {"initializer": initializer, "activation": "relu", "depth": depth, "width": 5,
            "runs": runs, "count": runs, "train_accuracy_mean": mean, "train_accuracy_std": std,
            "test_accuracy_mean": mean, "test_accuracy_std": std}


def _rows(names=NAMES, depths=(1, 2, 3)):
    return [_row(name, depth, mean=0.5 + 0.1 * k + 0.01 * depth)
            for k, name in enumerate(names) for depth in depths]


def _notes(figure):
    return " ".join(text.get_text().replace("\n", " ") for ax in figure.axes
                    for text in ax.texts)


def _flat(text):
    return " ".join(text.split())


def _line_colours(ax):
    return {line.get_label().strip(): to_hex(line.get_color()) for line in ax.lines
            if not line.get_label().startswith("_")}


# ---------------------------------------------------------------- one colour each

def test_every_initializer_has_its_own_fixed_colour():
    assert set(fi.INITIALIZERS) <= set(P.INITIALIZER_COLOURS)
    colours = list(P.INITIALIZER_COLOURS.values())
    assert len(set(colours)) == len(colours)
    assert not set(P.OTHER_COLOURS) & set(colours)
    for name in fi.INITIALIZERS:
        assert P.colour_of(name) == P.INITIALIZER_COLOURS[name]


def test_an_unknown_name_gets_a_stable_colour_that_is_no_initializers():
    for name in ("gd", "momentum", "adam", "cost", "my run", ""):
        colour = P.colour_of(name)
        assert colour in P.OTHER_COLOURS and colour not in P.INITIALIZER_COLOURS.values()
        assert colour == P.OTHER_COLOURS[zlib.crc32(name.encode()) % len(P.OTHER_COLOURS)]


def test_a_label_that_names_an_initializer_takes_its_colour():
    assert P.colour_of("he, width 20") == P.INITIALIZER_COLOURS["he"]
    assert P.colour_of("sigmoid, random (N(0, 1))") == P.INITIALIZER_COLOURS["random"]
    assert P.colour_of("random_small, width 5") == P.INITIALIZER_COLOURS["random_small"]


def test_two_unknown_names_that_hash_alike_are_still_told_apart():
    names = [f"run {k}" for k in range(200)]
    first = names[0]
    twin = next(name for name in names[1:] if P.colour_of(name) == P.colour_of(first))
    figure = P.plot_costs({first: [0.5, 0.4], twin: [0.6, 0.2]})
    colours = list(_line_colours(figure.axes[0]).values())
    assert len(set(colours)) == 2 and colours[0] == P.colour_of(first)


def test_an_initializer_has_the_same_colour_in_every_figure(signal, histories):
    costs = P.plot_costs({name: [0.7, 0.5 + 0.01 * k] for k, name in enumerate(NAMES)})
    depth = P.plot_depth(_rows())
    sweep = P.plot_sweep(_rows())
    propagation = P.plot_signal_propagation(signal)
    stats = P.plot_activation_stats(NAMES, layers_dims=[5, 4, 4, 1])
    layers = P.plot_layer_history({name: r.layer_history for name, r in histories.items()},
                                  histories["he"].iterations)
    drawn = [_line_colours(costs.axes[0]), _line_colours(depth.axes[0]),
             _line_colours(depth.axes[1]), _line_colours(sweep.axes[0]),
             _line_colours(propagation.axes[0]), _line_colours(propagation.axes[1]),
             _line_colours(stats.axes[1])]
    titles = {ax.get_title().split(":")[0]: to_hex(ax.title.get_color())
              for ax in layers.axes}
    for name in NAMES:
        expected = P.INITIALIZER_COLOURS[name]
        assert all(colours[name] == expected for colours in drawn), name
        assert titles[name] == expected, name
    # and the order in which they are passed does not matter
    reordered = P.plot_costs({name: [0.7, 0.5] for name in reversed(NAMES)})
    assert _line_colours(reordered.axes[0]) == {n: P.INITIALIZER_COLOURS[n] for n in NAMES}


def test_sweep_widths_share_their_initializers_colour_and_differ_in_line_style():
    rows = [{**row, "width": width} for width in (5, 10) for row in _rows(["he", "random"])]
    ax = P.plot_sweep(rows).axes[0]
    styles = {}
    for line in ax.lines:
        initializer, width = line.get_label().split(", width ")
        assert to_hex(line.get_color()) == P.INITIALIZER_COLOURS[initializer]
        styles.setdefault(width, set()).add(line.get_linestyle())
    assert len(styles) == 2 and not styles["5"] & styles["10"]


# ---------------------------------------------------------------- bands in [0, 1]

@pytest.mark.parametrize("plot", [P.plot_depth, P.plot_sweep])
def test_accuracy_bands_never_leave_zero_to_one(plot):
    rows = [_row("he", 1, mean=0.98, std=0.2), _row("he", 2, mean=1.0, std=0.3),
            _row("random", 1, mean=0.03, std=0.2), _row("random", 2, mean=0.1, std=0.5)]
    figure = plot(rows)
    bands = [collection for ax in figure.axes for collection in ax.collections]
    assert bands
    for band in bands:
        for path in band.get_paths():
            y = path.vertices[:, 1]
            assert y.min() >= 0.0 and y.max() <= 1.0, (y.min(), y.max())
    low, high = figure.axes[0].get_ylim()
    assert low < 0.0 + 0.03 and high <= 1.02  # the clipped band still fits


# ---------------------------------------------------------------- hidden curves

def test_a_curve_identical_to_a_later_one_is_named_and_drawn_wide():
    figure = P.plot_costs({"gd": [0.7, 0.6, 0.5], "momentum": [0.7, 0.6, 0.5],
                           "adam": [0.7, 0.3, 0.1]})
    gd, momentum, adam = figure.axes[0].lines
    assert "gd, drawn as a wide line, is hidden under momentum: identical costs" in \
        _notes(figure)
    assert gd.get_linewidth() > momentum.get_linewidth() == adam.get_linewidth()


def test_curves_that_differ_by_less_than_a_line_width_are_named_with_the_difference():
    figure = P.plot_costs({"gd": [0.7, 0.6, 0.5], "momentum": [0.7, 0.6004, 0.5],
                           "adam": [0.7, 0.3, 0.1]})
    assert "gd, drawn as a wide line, is hidden under momentum: costs differ by at most " \
           "0.0004" in _notes(figure)


def test_curves_that_can_be_told_apart_get_no_note():
    figure = P.plot_costs({"gd": [0.7, 0.6, 0.5], "momentum": [0.7, 0.55, 0.45],
                           "adam": [0.7, 0.3, 0.1]})
    assert "hidden" not in _notes(figure)
    assert len({line.get_linewidth() for line in figure.axes[0].lines}) == 1


def test_a_curve_drawn_where_the_other_is_not_is_not_hidden():
    figure = P.plot_costs({"a": [0.7, 0.6, 0.5], "b": [0.7, 0.6, float("nan")]})
    assert "hidden" not in _notes(figure)
    figure = P.plot_costs({"b": [0.7, 0.6, float("nan")], "a": [0.7, 0.6, 0.5]})
    assert "b, drawn as a wide line, is hidden under a" in _notes(figure)


def test_several_curves_under_one_are_named_together():
    figure = P.plot_costs({"a": [1.0, 0.5], "b": [1.0, 0.5], "c": [1.0, 0.5]})
    assert "a and b, drawn as wide lines, are hidden under c: identical costs" in \
        _notes(figure)
    a, b, c = figure.axes[0].lines
    assert a.get_linewidth() > b.get_linewidth() > c.get_linewidth()


def test_identical_accuracies_and_dead_fractions_are_named():
    rows = [_row("xavier", d, mean=0.7) for d in (1, 2)] + \
        [_row("glorot", d, mean=0.7) for d in (1, 2)] + [_row("he", d, mean=0.9) for d in (1, 2)]
    figure = P.plot_depth(rows)
    assert "xavier, drawn as a wide line, is hidden under glorot: identical accuracies" in \
        _notes(figure)
    # ReLU's dead units do not depend on the weights' scale: random's are he's
    stats = P.plot_activation_stats(["random", "he"], layers_dims=[5, 4, 4, 1])
    assert "random, drawn as a wide line, is hidden under he" in _notes(stats)


# ---------------------------------------------------------------- left out, said so

def test_a_network_with_nothing_to_draw_says_so_in_the_legend_and_a_note(signal):
    figure = P.plot_signal_propagation(signal)
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert labels[0] == "zeros (not drawn: see note)" and labels[1:4] == NAMES[1:]
    assert "zeros (0 in every layer and seed)" in _notes(figure)
    assert "mean-field theory" in labels


def test_an_all_zero_history_is_one_sentence_not_four_empty_panels(histories):
    figure = P.plot_layer_history({name: histories[name].layer_history
                                   for name in ("zeros", "he")}, histories["he"].iterations)
    zeros = [ax for ax in figure.axes if ax.get_title() == "zeros"]
    assert len(zeros) == 1 and not zeros[0].axison and not zeros[0].lines
    assert "All zero" in _notes(figure) and "symmetric" in _notes(figure)
    assert len(figure.axes) == 1 + 4  # he: norms, gradients, spread, dead units
    assert not any(ax.get_title().startswith("zeros:") for ax in figure.axes)


def test_a_layer_left_out_is_named_with_when(histories):
    history = {key: value.copy() for key, value in histories["he"].layer_history.items()}
    history["grad_norm"][0, 2] = 0.0
    figure = P.plot_layer_history(history, histories["he"].iterations)
    assert "layer 3 (output): 0 at iteration 0" in _notes(figure)


# ---------------------------------------------------------------- readable axes

def test_log_ticks_read_as_plain_numbers_within_a_few_decades():
    figure = P.plot_costs({"a": [30.0, 6.0, 2.0]}, log=True)
    figure.canvas.draw()
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True)
              if t.get_text()]
    assert labels and not any("times" in label or "^" in label for label in labels), labels
    assert "10" in labels
    wide = P.plot_costs({"a": [1e30, 1.0, 1e-5]})
    wide.canvas.draw()
    assert any("10^" in t.get_text() for t in wide.axes[0].get_yticklabels())


def test_layer_lines_stay_inside_their_axes(histories):
    figure = P.plot_layer_history({name: histories[name].layer_history
                                   for name in ("random", "he")}, histories["he"].iterations)
    figure.canvas.draw()
    for ax in figure.axes:
        low, high = sorted(ax.get_ylim())
        for line in ax.lines:
            y = np.asarray(line.get_ydata(), dtype=float)
            y = y[np.isfinite(y)]
            assert y.size == 0 or (low <= y.min() and y.max() <= high), ax.get_title()


def _overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_notes_and_legends_sit_off_the_panels(signal, histories):
    figures = [
        P.plot_signal_propagation(signal),
        P.plot_activation_stats(NAMES, layers_dims=[5, 4, 4, 1]),
        P.plot_depth(_rows() + [_row("lecun", 1, mean=float("nan"))]),
        P.plot_sweep(_rows()),
        P.plot_layer_history({name: r.layer_history for name, r in histories.items()},
                             histories["he"].iterations),
        P.plot_costs({"gd": [0.7, 0.5], "momentum": [0.7, 0.5]}),
    ]
    for figure in figures:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        panels = [ax.get_window_extent(renderer) for ax in figure.axes if ax.axison]
        notes = [text for ax in figure.axes for text in ax.texts if ax.axison]
        assert notes or figure.legends
        for artist in notes + list(figure.legends):
            box = artist.get_window_extent(renderer)
            assert not any(_overlaps(box, panel) for panel in panels), artist
            assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= figure.bbox.x1 + 1


# ---------------------------------------------------------------- titles

TITLE = "What was trained: layers 2-10-5-1, relu, circles, seed 3, learning rate 0.01"


def _all_titles(figure):
    texts = [figure.get_suptitle()] + [ax.get_title() for ax in figure.axes]
    return [_flat(text) for text in texts]


def test_every_figure_keeps_the_callers_title(signal, histories):
    net = fi.initialize([2, 3, 1], "he", seed=1)
    figures = [
        P.plot_costs({"he": [0.5, 0.4]}, title=TITLE),
        P.plot_depth(_rows(), title=TITLE),
        P.plot_sweep(_rows(), title=TITLE),
        P.plot_signal_propagation(signal, title=TITLE),
        P.plot_activation_stats(["he"], layers_dims=[5, 4, 1], title=TITLE),
        P.plot_layer_history(histories["he"].layer_history, histories["he"].iterations,
                             title=TITLE),
        P.plot_decision_boundaries({"he": net}, X, Y, title=TITLE),
    ]
    for figure in figures:
        assert _flat(TITLE) in _all_titles(figure)


def test_a_long_title_is_wrapped_not_cut_off():
    figure = P.plot_costs({"he": [0.5, 0.4]}, title=TITLE + ", learning rate 0.01, " * 3)
    figure.canvas.draw()
    box = figure.axes[0].title.get_window_extent(figure.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= figure.bbox.x1


def test_default_titles_say_the_network_and_the_seeds(signal):
    propagation = _flat(P.plot_signal_propagation(signal).get_suptitle())
    assert "layers 5-4-4-1" in propagation and "2 seeds" in propagation
    stats = _flat(P.plot_activation_stats(["he"], layers_dims=[5, 4, 4, 4, 4, 1],
                                          seed=7).get_suptitle())
    assert "5 inputs, 4 hidden layers of 4, 1 output" in stats and "seed 7" in stats
    depth = P.plot_depth(_rows())
    assert "3 seeds" in depth.get_suptitle() and "3 seeds" in depth.axes[0].get_ylabel()
    sweep = P.plot_sweep(_rows())
    assert "width 5" in sweep.get_suptitle() and "3 seeds" in sweep.get_suptitle()


@pytest.mark.parametrize("call", [
    lambda: P.plot_decision_boundaries({"he": fi.initialize([2, 3, 1], "he")}, X, Y, title=3),
    lambda: P.plot_activation_stats(["he"], layers_dims=[5, 4, 1], title=["t"]),
])
def test_the_new_title_arguments_are_checked(call):
    with pytest.raises(TypeError, match="title"):
        call()
    assert not plt.get_fignums()


def test_compare_titles_say_what_was_trained(tmp_path, monkeypatch):
    saved = {}
    monkeypatch.setattr(cli.compare, "_save", lambda figure, path: saved.setdefault(
        os.path.basename(path), figure))
    assert cli.main(["compare", "--inits", "zeros,he", "--iterations", "1000", "--quiet",
                     "--out", str(tmp_path)]) == 0
    for name in ("costs.png", "boundaries.png", "layer_history.png"):
        title = " ".join(_all_titles(saved[name]))
        for part in ("layers 2-10-5-1", "relu", "circles", "seed 3"):
            assert part in title, (name, part, title)
    signal_title = " ".join(_all_titles(saved["signal.png"]))
    assert "10 hidden layers of 100" in signal_title and "10 seeds" in signal_title


def test_a_network_whose_gradients_are_all_zero_is_named_on_that_side(signal):
    broken = dataclasses.replace(signal["he"], weight_grad_norm=signal["he"].weight_grad_norm * 0)
    figure = P.plot_signal_propagation({"he": signal["he"], "broken": broken})
    assert "broken (0 in every layer and seed)" in _notes(figure)


def test_compare_of_zeros_alone_writes_its_figures_with_notes(tmp_path):
    """Only zeros: nothing positive on the signal figure's log axes (it used to end
    the command with "Data cannot be log-scaled")."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "fastinit", "compare", "--inits", "zeros",
                          "--learning-rate", "1e300", "--iterations", "200", "--out",
                          str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "signal.png").read_bytes().startswith(b"\x89PNG")

