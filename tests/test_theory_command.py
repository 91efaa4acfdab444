"""``fastinit theory`` (issue 26, part 4): the edge of chaos, end to end.

The command runs on a small network in a temporary folder; every number it
writes to theory.json is checked against :mod:`fastinit.theory` (called again
here) and against the measurements (:mod:`fastinit.correlations`,
:mod:`fastinit.jacobian`); every figure's data against the report; every hostile
option ends in exit code 2 and one line naming it.
"""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import fastinit as fi
from fastinit import chaos_figures, edge_of_chaos, theory
from fastinit.cli import main
from fastinit.correlations import correlated_inputs, correlation_propagation, fit_depth_scale
from fastinit.jacobian import jacobian_spectrum

pytestmark = pytest.mark.usefixtures("close_figures")

SIGMA_B2 = 0.05
WIDTH, DEPTH, SEEDS = 16, 6, [0, 1, 2]
SMALL = ["--width", str(WIDTH), "--depth", str(DEPTH), "--seeds", "0-2"]
TANH = {"activation": "tanh", "negative_slope": 0.01}


def fastinit(*args, timeout=600):
    """Run ``python -m fastinit args``; the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "fastinit", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def command(tmp_path_factory):
    """The command, as a user runs it, on a small network: (process, folder, theory.json)."""
    out = tmp_path_factory.mktemp("theory") / "out"
    process = fastinit("theory", *SMALL, "--out", out)
    assert process.returncode == 0, process.stderr
    return process, out, json.loads((out / "theory.json").read_text())


@pytest.fixture
def small_grid(monkeypatch):
    """A coarse phase diagram and depth-scale curve, for the runs made in this process."""
    monkeypatch.setattr(edge_of_chaos, "PHASE_POINTS_W", 7)
    monkeypatch.setattr(edge_of_chaos, "PHASE_POINTS_B", 4)
    monkeypatch.setattr(edge_of_chaos, "LINE_POINTS", 5)
    monkeypatch.setattr(edge_of_chaos, "SCALE_POINTS", 9)


# ---------------------------------------------------------------------------
# The command end to end
# ---------------------------------------------------------------------------

def test_the_command_writes_its_files_and_prints_its_table(command):
    process, out, document = command
    for name in ("edge_phase.png", "edge_depth.png", "edge_depth_scales.png",
                 "edge_jacobian.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*chaos_figures.FIGURES, "theory.json"])
    critical = theory.critical_sigma_w2(SIGMA_B2, activation="tanh")
    lines = process.stdout.splitlines()
    assert lines[0] == "edge of chaos: tanh, sigma_b2 = 0.05"
    assert f"critical sigma_w2 (chi_1 = 1)   {critical:.4f}" in lines
    q_star = theory.length_fixed_point(critical, SIGMA_B2)
    assert f"q* there                        {q_star:.4f}" in lines
    for sigma_w2 in (1, 2, 4):
        xi_q, xi_c = theory.depth_scales(sigma_w2, SIGMA_B2)
        assert any(line.split()[:1] == [str(sigma_w2)] and f"{xi_q:.3f}" in line
                   and f"{xi_c:.3f}" in line for line in lines), sigma_w2
    assert "Traceback" not in process.stderr
    assert process.stderr.splitlines()[-1].startswith(
        f"wrote edge_phase.png, edge_depth.png, edge_depth_scales.png, edge_jacobian.png, "
        f"theory.json to {out}")
    assert document["fastinit_version"] == fi.__version__
    assert document["command"] == "theory"
    assert document["settings"] == {"activation": "tanh", "negative_slope": 0.01,
                                    "sigma_b2": SIGMA_B2, "width": WIDTH, "depth": DEPTH,
                                    "seeds": SEEDS, "c0": 0.6}


def test_theory_json_holds_fastinit_theorys_numbers(command):
    _, _, document = command
    critical = theory.critical_sigma_w2(SIGMA_B2, **TANH)
    assert document["critical"] == {
        "sigma_w2": critical, "q_star": theory.length_fixed_point(critical, SIGMA_B2, **TANH),
        "chi_1": theory.chi_1(critical, SIGMA_B2, **TANH)}
    assert abs(document["critical"]["chi_1"] - 1) < 1e-12

    phase = document["phase"]
    for i, b in enumerate(phase["sigma_b2"]):
        for j, w in enumerate(phase["sigma_w2"]):
            if (i + j) % 7 == 0:  # a sample of the grid: each cell costs a solve
                assert phase["c_star"][i][j] == theory.correlation_fixed_point(w, b, **TANH)
                assert phase["q_star_finite"][i][j] == math.isfinite(
                    theory.length_fixed_point(w, b, **TANH))
    line = phase["critical_line"]
    assert line["sigma_w2"] == theory.critical_line(line["sigma_b2"], **TANH).tolist()
    assert phase["sigma_b2"][0] == 0 and phase["sigma_w2"][0] <= 1 <= phase["sigma_w2"][-1]

    assert [p["phase"] for p in document["points"]] == ["ordered", "critical", "chaotic"]
    assert [p["sigma_w2"] for p in document["points"]] == [1.0, critical, 4.0]
    for point in document["points"]:
        w = point["sigma_w2"]
        q, c = theory.correlation_trajectory(point["input_second_moment"],
                                             point["input_correlation"], DEPTH, w, SIGMA_B2,
                                             **TANH)
        assert point["theory"] == {"q": q.tolist(), "c": c.tolist()}
        assert point["q_star"] == theory.length_fixed_point(w, SIGMA_B2, **TANH)
        assert point["c_star"] == theory.correlation_fixed_point(w, SIGMA_B2, **TANH)
        assert point["chi_1"] == theory.chi_1(w, SIGMA_B2, **TANH)
        # the inputs put the first hidden layer at q* with c = 0.6
        assert q[0] == pytest.approx(point["q_star"], rel=1e-12)
        assert c[0] == pytest.approx(0.6, rel=1e-12)

    scales = document["depth_scales"]
    for w, xi_q, xi_c in list(zip(scales["sigma_w2"], scales["xi_q"], scales["xi_c"]))[::10]:
        assert [xi_q, xi_c] == list(theory.depth_scales(w, SIGMA_B2, **TANH))
    for row in scales["measured"]:
        assert [row["xi_q"], row["xi_c"]] == list(theory.depth_scales(row["sigma_w2"],
                                                                      SIGMA_B2, **TANH))
    assert {1.0, 2.0, 4.0} <= {row["sigma_w2"] for row in scales["measured"]}

    jacobian = document["jacobian"]
    assert jacobian["sigma_w2"] == critical
    for weights in ("gaussian", "orthogonal"):
        assert [jacobian[weights]["theory_mean"], jacobian[weights]["theory_variance"]] == \
            list(theory.jacobian_moments(critical, SIGMA_B2, DEPTH, weights=weights, **TANH))
        assert len(jacobian[weights]["squared_singular_values"]) == WIDTH * len(SEEDS)


def test_the_summary_is_the_reports_numbers(command):
    """What the table and --format json print comes from the report's sections."""
    _, _, document = command
    summary = document["summary"]
    assert summary["critical_sigma_w2"] == document["critical"]["sigma_w2"]
    assert summary["q_star"] == document["critical"]["q_star"]
    by_sigma = {row["sigma_w2"]: row for row in document["depth_scales"]["measured"]}
    assert [row["sigma_w2"] for row in summary["depth_scales"]] == [1.0, 2.0, 4.0]
    for row in summary["depth_scales"]:
        assert row == {key: by_sigma[row["sigma_w2"]][key] for key in row}
    for row, point in zip(summary["points"], document["points"]):
        assert row["q_theory"] == point["theory"]["q"][-1]
        assert row["c_measured"] == point["measured"]["c_mean"][-1]
    for weights in ("gaussian", "orthogonal"):
        assert summary["jacobian"][weights] == {
            key: document["jacobian"][weights][key] for key in summary["jacobian"][weights]}


def test_the_measurements_are_the_librarys(command):
    """theory.json's measured numbers are correlation_propagation's and
    jacobian_spectrum's on the inputs it describes, and the fitted depth scale
    fit_depth_scale's."""
    _, _, document = command
    point = document["points"][0]
    X = correlated_inputs(WIDTH, point["input_correlation"], point["input_second_moment"],
                          seed=0)
    stats = correlation_propagation([WIDTH] * (DEPTH + 1) + [1], "variance_scaling", X,
                                    seeds=SEEDS, scale=point["sigma_w2"], mode="fan_in",
                                    distribution="normal", bias_std=math.sqrt(SIGMA_B2))
    assert point["measured"]["q_mean"] == stats.second_moment.mean(axis=0).tolist()
    assert point["measured"]["c_mean"] == stats.correlation.mean(axis=0).tolist()
    assert point["measured"]["c_std"] == stats.correlation.std(axis=0).tolist()
    np.testing.assert_allclose(point["theory"]["c"], stats.theory_correlation, rtol=1e-12)
    np.testing.assert_allclose(point["theory"]["q"], stats.theory_second_moment, rtol=1e-12)

    for row in document["depth_scales"]["measured"]:
        if row["layers_fitted"] >= 3:
            break
    pairs = [correlation_propagation(
        [WIDTH] * (DEPTH + 1) + [1], "variance_scaling",
        correlated_inputs(WIDTH, *_input_of(row), seed=k), seeds=SEEDS, scale=row["sigma_w2"],
        mode="fan_in", distribution="normal", bias_std=math.sqrt(SIGMA_B2)).correlation
        for k in range(row["input_pairs"])]
    mean = np.concatenate(pairs).mean(axis=0)
    assert row["xi_c_measured"] == fit_depth_scale(mean[:row["layers_fitted"]], row["c_star"])

    jacobian = document["jacobian"]
    X = correlated_inputs(WIDTH, 0.6, jacobian["input_second_moment"], seed=0)
    spectrum = jacobian_spectrum([WIDTH] * (DEPTH + 1) + [1], "orthogonal", X[:, 0],
                                 seeds=SEEDS, gain=math.sqrt(jacobian["sigma_w2"]),
                                 bias_std=math.sqrt(SIGMA_B2))
    one = jacobian["orthogonal"]
    assert one["squared_singular_values"] == spectrum.squared_singular_values.ravel().tolist()
    assert one["mean_measured"] == spectrum.mean.mean()
    assert one["variance_measured"] == spectrum.variance.mean()


def _input_of(row):
    """``(input correlation, input second moment)`` of a depth-scale point, as
    the report builds them (the first layer at q* with c = c*  - 0.4)."""
    w = row["sigma_w2"]
    q_star = theory.length_fixed_point(w, SIGMA_B2)
    second = (q_star - SIGMA_B2) / w
    return (row["c1"] * q_star - SIGMA_B2) / (q_star - SIGMA_B2), second


def test_no_plots_and_json_output(tmp_path, capsys, small_grid):
    code = main(["theory", *SMALL, "--out", str(tmp_path), "--no-plots", "--format", "json",
                 "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""
    assert [p.name for p in tmp_path.iterdir()] == ["theory.json"]
    document = json.loads((tmp_path / "theory.json").read_text())
    assert json.loads(captured.out) == document["summary"]


# ---------------------------------------------------------------------------
# The figures draw the report's numbers
# ---------------------------------------------------------------------------

def _by_gid(fig, gid):
    found = [artist for artist in fig.findobj() if getattr(artist, "get_gid", None)
             and artist.get_gid() == gid]
    assert found, gid
    return found


def test_the_phase_diagram_draws_critical_line_and_c_star(command):
    _, _, document = command
    fig = chaos_figures.plot_phase_diagram(document)
    phase = document["phase"]
    line, = _by_gid(fig, "critical_line")
    expected = theory.critical_line(phase["critical_line"]["sigma_b2"], **TANH)
    np.testing.assert_array_equal(line.get_xdata(), expected)
    np.testing.assert_array_equal(line.get_ydata(), phase["critical_line"]["sigma_b2"])
    mesh, = _by_gid(fig, "c_star")
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(
        len(phase["sigma_b2"]), len(phase["sigma_w2"])), phase["c_star"])
    for point in document["points"]:
        marker, = _by_gid(fig, f"point_{point['phase']}")
        assert list(marker.get_xdata()) == [point["sigma_w2"]]
        assert list(marker.get_ydata()) == [SIGMA_B2]
    texts = " ".join(text.get_text() for text in fig.axes[0].texts)
    assert "ordered" in texts and "chaotic" in texts


def test_the_depth_figure_draws_measured_and_theory(command):
    _, _, document = command
    fig = chaos_figures.plot_depth(document)
    for point in document["points"]:
        for quantity in ("q", "c"):
            measured, = _by_gid(fig, f"{quantity}_measured_{point['phase']}")
            np.testing.assert_array_equal(measured.get_ydata(),
                                          point["measured"][f"{quantity}_mean"])
            np.testing.assert_array_equal(measured.get_xdata(), np.arange(1, DEPTH + 1))
            predicted, = _by_gid(fig, f"{quantity}_theory_{point['phase']}")
            np.testing.assert_array_equal(predicted.get_ydata(), point["theory"][quantity])


def test_the_depth_scale_figure_draws_depth_scales(command):
    _, _, document = command
    fig = chaos_figures.plot_depth_scales(document)
    scales = document["depth_scales"]
    xi_c, = _by_gid(fig, "xi_c")
    expected = np.array([theory.depth_scales(w, SIGMA_B2, **TANH)[1]
                         for w in scales["sigma_w2"]])
    np.testing.assert_array_equal(xi_c.get_ydata(), np.where(np.isfinite(expected), expected,
                                                             np.nan))
    for row in scales["measured"]:
        if math.isfinite(row["xi_c_measured"]) and row["xi_c_measured"] > 0:
            marker, = _by_gid(fig, f"xi_c_measured_{row['sigma_w2']:g}")
            assert list(marker.get_ydata()) == [row["xi_c_measured"]]


def test_the_jacobian_figure_marks_the_theorys_moments(command):
    _, _, document = command
    fig = chaos_figures.plot_jacobian(document)
    jacobian = document["jacobian"]
    for weights in ("gaussian", "orthogonal"):
        mean, variance = theory.jacobian_moments(jacobian["sigma_w2"], SIGMA_B2, DEPTH,
                                                 weights=weights, **TANH)
        line, = _by_gid(fig, f"theory_mean_{weights}")
        assert list(line.get_xdata()) == [mean, mean]
        line, = _by_gid(fig, f"theory_mean_plus_std_{weights}")
        assert list(line.get_xdata()) == [mean + math.sqrt(variance)] * 2
        text, = _by_gid(fig, f"moments_{weights}")
        assert f"theory {mean:.3g}" in text.get_text()
        assert f"theory {variance:.3g}" in text.get_text()
        values = np.array(jacobian[weights]["squared_singular_values"])
        floor = (WIDTH * np.finfo(float).eps) ** 2 * values.max()
        bars = _by_gid(fig, f"histogram_{weights}")
        total = sum(bar.get_height() for bar in bars)
        assert total == pytest.approx(np.sum(values > floor) / values.size)


def test_relu_says_in_the_figure_that_it_has_no_chaotic_phase(small_grid):
    data = edge_of_chaos.report("relu", 0.05, width=8, depth=3, seeds=[0])
    assert data["critical"]["sigma_w2"] == 2.0
    fig = chaos_figures.plot_phase_diagram(data)
    notes = " ".join(" ".join(text.get_text().split()) for text in fig.axes[0].texts)
    assert r"The critical line is $\sigma_w^2$ = 2 at every $\sigma_b^2$" in notes
    assert "no chaotic phase" in notes
    assert "infinite" in " ".join(text.get_text() for text in fig.legends[0].get_texts())
    for plot in chaos_figures.FIGURES.values():
        plot(data)  # every figure draws a ReLU report (infinite q*, no finite xi)


def test_the_figures_refuse_what_is_not_a_report():
    with pytest.raises(TypeError, match="report must be the dict"):
        chaos_figures.plot_depth([1, 2])
    with pytest.raises(ValueError, match="report has no 'settings'"):
        chaos_figures.plot_jacobian({})


# ---------------------------------------------------------------------------
# Hostile arguments
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("arguments, option", [
    (["--bias-variance", "-0.1"], "--bias-variance"),
    (["--bias-variance", "nan"], "--bias-variance"),
    (["--bias-variance", "inf"], "--bias-variance"),
    (["--bias-variance", "1e7"], "--bias-variance"),
    (["--bias-variance", "lots"], "--bias-variance"),
    (["--width", "0"], "--width"),
    (["--width", "1"], "--width"),
    (["--width", "-5"], "--width"),
    (["--width", "2.5"], "--width"),
    (["--width", "1000000", "--depth", "1000"], "--width"),
    (["--depth", "0"], "--depth"),
    (["--depth", "many"], "--depth"),
    (["--activation", "softmax"], "--activation"),
    (["--activation", ""], "--activation"),
    (["--negative-slope", "-1"], "--negative-slope"),
    (["--negative-slope", "nan"], "--negative-slope"),
    (["--seeds", "5-2"], "--seeds"),
    (["--seeds", "-1"], "--seeds"),
    (["--format", "csv"], "--format"),
    (["--out", ""], "--out"),
    (["--bogus"], "--bogus"),
])
def test_hostile_arguments_exit_2_with_one_line(tmp_path, capsys, arguments, option):
    code = main(["theory", "--out", str(tmp_path / "out"), *arguments])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("fastinit: error: ")
    assert option in lines[0], lines[0]
    assert captured.out == ""
    assert not (tmp_path / "out").exists() or option == "--out"


def test_out_naming_a_file_is_refused_before_any_work(tmp_path):
    existing = tmp_path / "results.txt"
    existing.write_text("keep me")
    process = fastinit("theory", "--out", existing, timeout=60)
    assert process.returncode == 2
    assert process.stderr.splitlines() == [
        f"fastinit: error: --out {str(existing)!r} exists and is not a folder"]
    assert "Traceback" not in process.stderr
    assert existing.read_text() == "keep me"
    # inside a file, too
    process = fastinit("theory", "--out", existing / "sub", timeout=60)
    assert process.returncode == 2 and len(process.stderr.splitlines()) == 1
    assert "--out" in process.stderr


# ---------------------------------------------------------------------------
# The library function
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("keywords, error, match", [
    ({"sigma_b2": float("nan")}, ValueError, "sigma_b2"),
    ({"sigma_b2": -1.0}, ValueError, "sigma_b2"),
    ({"sigma_b2": "0.05"}, TypeError, "sigma_b2"),
    ({"width": 1}, ValueError, "width"),
    ({"width": 2.0}, TypeError, "width"),
    ({"depth": 0}, ValueError, "depth"),
    ({"seeds": []}, ValueError, "seeds"),
    ({"seeds": 3}, TypeError, "seeds"),
    ({"activation": "softmax"}, ValueError, "activation"),
    ({"c0": 1.0}, ValueError, "c0"),
    ({"n_workers": 0}, ValueError, "n_workers"),
    ({"on_step": "print"}, TypeError, "on_step"),
])
def test_report_checks_its_arguments(keywords, error, match):
    with pytest.raises(error, match=match):
        edge_of_chaos.report(**{"width": 8, "depth": 3, "seeds": [0], **keywords})


def test_report_is_plain_data_and_reports_its_steps(small_grid):
    steps = []
    data = edge_of_chaos.report("tanh", 0.0, width=8, depth=4, seeds=[0, 1],
                                on_step=steps.append)
    assert len(steps) == 4
    _assert_plain(data)
    # tanh without biases: critical at sigma_w2 = 1 with q* = 0 (the networks start small)
    assert data["critical"] == {"sigma_w2": 1.0, "q_star": 0.0, "chi_1": 1.0}
    assert data["points"][1]["q1"] == edge_of_chaos.SMALL_LENGTH


def _assert_plain(value, where="report"):
    """Only dicts of str, lists, str, int, float and bool: JSON as it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), where
            _assert_plain(item, f"{where}[{key!r}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _assert_plain(item, f"{where}[{i}]")
    else:
        assert type(value) in (str, int, float, bool), (where, type(value))


def test_the_readme_quotes_the_theorys_numbers():
    """The README's table of ``fastinit theory`` (tanh, sigma_b2 = 0.05, depth 30): the
    columns that come from the theory alone."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = text[text.index("## The edge of chaos"):]
    section = section[:section.index("\n## ", 1)]
    critical = theory.critical_sigma_w2(SIGMA_B2, **TANH)
    assert f"critical sigma_w2 (chi_1 = 1)   {critical:.4f}" in section
    assert f"q* there                        " \
           f"{theory.length_fixed_point(critical, SIGMA_B2, **TANH):.4f}" in section
    for sigma_w2, phase in ((1, "ordered"), (2, "chaotic"), (4, "chaotic")):
        xi_q, xi_c = theory.depth_scales(sigma_w2, SIGMA_B2, **TANH)
        c_star = theory.correlation_fixed_point(sigma_w2, SIGMA_B2, **TANH)
        assert f"{sigma_w2:>8}  {phase:<8} {c_star:>7.4f} {xi_q:>7.3f} {xi_c:>8.3f}" in section
    for weights in ("gaussian", "orthogonal"):
        mean, variance = theory.jacobian_moments(critical, SIGMA_B2, 30, weights=weights,
                                                 **TANH)
        line = next(line for line in section.splitlines() if line.startswith(weights))
        assert line.split()[4] == f"{mean:.4g}" and line.split()[-1] == f"{variance:.4g}"
    for name in chaos_figures.FIGURES:
        assert f"(docs/{name})" in section
        assert (Path(__file__).resolve().parent.parent / "docs" / name).is_file()
