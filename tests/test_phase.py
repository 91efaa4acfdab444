"""The trainability phase diagram (issue 27): every cell is its direct
fi.initialize + fi.train call bit for bit, on a thread pool or a real Dask
LocalCluster; the theory drawn over it is the theory module's; the command
line runs a small grid end to end, resumes a stopped one, keeps finished runs
on Ctrl-C and refuses bad grids in one line with exit 2."""

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import fastinit as fi
from fastinit import theory
from fastinit.phase import PHASE_COLUMNS, PhaseSettings
from fastinit.phase_figures import plot_trainability
from grid_runs import read_csv, without_seconds

pytest.importorskip("sklearn")  # the digits

GRID = dict(sigma_w2_values=[1.0, 1.8, 3.5], depths=[1, 4], seeds=[0, 1])
SETTINGS = dict(width=6, epochs=2, mini_batch_size=128)
MEASURED = ("final_cost", "train_accuracy", "test_accuracy", "diverged")


@pytest.fixture(scope="module")
def diagram(tmp_path_factory):
    out = tmp_path_factory.mktemp("phase")
    return fi.phase_diagram(**GRID, **SETTINGS, out=out, workers=2), out


# ---------------------------------------------------------------------------
# The digits
# ---------------------------------------------------------------------------

def test_digits_are_even_against_odd_standardized_on_the_training_split():
    from sklearn.datasets import load_digits

    train_X, train_Y, test_X, test_Y = fi.datasets.load_dataset("digits")
    assert train_X.shape == (64, 1437) and test_X.shape == (64, 360)
    assert train_Y.shape == (1, 1437) and test_Y.shape == (1, 360)
    assert train_X.dtype == np.float64 and train_X.flags.c_contiguous is not None
    digits = load_digits()
    assert sorted(np.concatenate([train_Y, test_Y], axis=1).ravel().tolist()) == \
        sorted((digits.target % 2).tolist())
    np.testing.assert_allclose(train_X.mean(axis=1), 0, atol=1e-12)
    spread = train_X.std(axis=1)
    constant = digits.data.std(axis=0) == 0  # pixels that are blank in every image
    assert np.allclose(spread[~(spread < 1e-12)], 1)
    assert (spread < 1e-12).sum() >= constant.sum()
    assert 0.45 < train_Y.mean() < 0.55  # balanced: chance is about 0.5


def test_digits_are_the_same_bits_every_time_and_the_images_are_the_split_of_sklearns():
    from sklearn.datasets import load_digits

    first, second = fi.datasets.load_dataset("digits"), fi.datasets.load_dataset("digits")
    for a, b in zip(first, second):
        assert a.tobytes() == b.tobytes()
    data = load_digits().data
    order = np.random.RandomState(0).permutation(len(data))
    raw_train = data[order[360:]].T
    mean = raw_train.mean(axis=1, keepdims=True)
    std = raw_train.std(axis=1, keepdims=True)
    std[std == 0] = 1
    np.testing.assert_allclose(first[0], (raw_train - mean) / std, rtol=1e-12, atol=1e-12)


def test_digits_without_scikit_learn_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"scikit-learn.*fastinit-nn\[sklearn\]"):
        fi.datasets.load_dataset("digits")


# ---------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------

def direct_run(sigma_w2, depth, seed, settings=PhaseSettings(**SETTINGS)):
    train_X, train_Y, test_X, test_Y = fi.datasets.load_dataset(settings.dataset)
    params = fi.initialize([64] + [settings.width] * depth + [1], "variance_scaling", seed=seed,
                           scale=sigma_w2, mode="fan_in", distribution="normal",
                           bias_std=math.sqrt(settings.sigma_b2))
    result = fi.train(train_X, train_Y, params, optimizer="gd",
                      mini_batch_size=settings.mini_batch_size, num_epochs=settings.epochs,
                      learning_rate=settings.learning_rate, activation=settings.activation,
                      n_threads=1)
    hidden = {"activation": settings.activation}
    return {"final_cost": result.final_cost,
            "train_accuracy": fi.accuracy(train_X, train_Y, result.parameters, **hidden),
            "test_accuracy": fi.accuracy(test_X, test_Y, result.parameters, **hidden),
            "diverged": False}


def test_every_cell_is_its_direct_initialize_and_train_call_bit_for_bit(diagram):
    result, _ = diagram
    assert len(result.runs) == 3 * 2 * 2
    for run in result.runs:
        expected = direct_run(run["sigma_w2"], run["depth"], run["seed"])
        assert {k: run[k] for k in MEASURED} == expected, run


def test_the_accuracy_grid_is_the_mean_over_the_seeds(diagram):
    result, _ = diagram
    accuracy = result.accuracy()
    assert accuracy.shape == (2, 3)
    for i, depth in enumerate(GRID["depths"]):
        for j, sigma_w2 in enumerate(GRID["sigma_w2_values"]):
            values = [r["train_accuracy"] for r in result.runs
                      if r["depth"] == depth and r["sigma_w2"] == sigma_w2]
            assert accuracy[i, j] == np.mean(values)
            assert result.accuracy("test_accuracy", "std")[i, j] == np.std(
                [r["test_accuracy"] for r in result.runs
                 if r["depth"] == depth and r["sigma_w2"] == sigma_w2])
    assert (result.trained() == (accuracy >= 0.75)).all()  # none diverged


def test_a_cell_where_most_runs_diverged_did_not_train(diagram):
    result, _ = diagram
    runs = [dict(run) for run in result.runs]
    first = (runs[0]["sigma_w2"], runs[0]["depth"])
    for run in runs:
        if (run["sigma_w2"], run["depth"]) == first and run["seed"] == 0:
            run.update(diverged=True, train_accuracy=math.nan, test_accuracy=math.nan)
    half = fi.PhaseDiagram(runs, result.grid, result.settings, threshold=0.0)
    assert half.diverged()[0, 0] == 1 and not half.trained()[0, 0]  # 1 of 2 is not most
    assert half.accuracy()[0, 0] == [r["train_accuracy"] for r in runs
                                     if (r["sigma_w2"], r["depth"]) == first][1]
    assert half.trained()[1:, :].all() and half.trained()[0, 1:].all()


def test_xi_c_is_the_theory_modules(diagram):
    result, out = diagram
    expected = [theory.depth_scales(s, 0.05, activation="tanh")[1]
                for s in GRID["sigma_w2_values"]]
    assert result.theory()["xi_c"] == expected
    assert result.theory()["critical_sigma_w2"] == theory.critical_sigma_w2(0.05)
    written = json.loads((out / "phase.json").read_text())
    assert written["theory"]["xi_c"] == expected
    assert [float(row["xi_c"]) for row in read_csv(out / "phase.csv")] == expected * 2


def test_the_figures_curves_are_the_theorys_and_it_names_what_it_trained(diagram):
    import matplotlib.pyplot as plt

    result, _ = diagram
    figure = plot_trainability(result)
    try:
        axes = figure.axes[:2]
        for ax in axes:
            lines = {line.get_gid(): line for line in ax.get_lines()}
            for multiple in (1, 3, 6):
                x, y = lines[f"xi_c_{multiple}"].get_data()
                for point in (0, len(x) // 2, len(x) - 1):
                    xi = theory.depth_scales(float(x[point]), 0.05)[1]
                    assert y[point] == pytest.approx(multiple * xi, rel=1e-12)
            critical, _ = lines["critical_sigma_w2"].get_data()
            assert critical[0] == pytest.approx(theory.critical_sigma_w2(0.05))
        title = figure._suptitle.get_text()
        assert "tanh" in title and "width 6" in title and "2 seeds" in title
        assert "2 epochs" in title and "digits" in title
    finally:
        plt.close(figure)


def test_a_relu_diagram_says_where_xi_c_is_not_drawn():
    import matplotlib.pyplot as plt

    result = fi.phase_diagram([1.0, 2.0, 3.0], [1, 2], [0], activation="relu", width=4,
                              epochs=1)
    assert result.theory()["xi_c"][1] == math.inf and math.isnan(result.theory()["xi_c"][2])
    figure = plot_trainability(result)
    try:
        notes = " ".join(text.get_text() for text in figure.axes[0].texts)
        assert "not drawn" in notes and "infinite" in notes and "undefined" in notes
    finally:
        plt.close(figure)


def test_a_local_dask_cluster_gives_the_same_runs(diagram):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            pids = set(client.run(os.getpid).values())
            assert os.getpid() not in pids and len(pids) == 2
            result = fi.phase_diagram(**GRID, **SETTINGS, executor=client)
    assert without_seconds(result.runs) == without_seconds(diagram[0].runs)


def test_deepest_trained_and_the_trained_flags_follow_the_threshold(diagram):
    result, _ = diagram
    everything = fi.PhaseDiagram(result.runs, result.grid, result.settings, threshold=0.0)
    nothing = fi.PhaseDiagram(result.runs, result.grid, result.settings, threshold=1.0)
    assert everything.deepest_trained() == [4, 4, 4]
    assert nothing.deepest_trained() == [None] * 3 or all(
        result.accuracy()[:, j].max() == 1.0 for j in range(3))


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------

def phase_command(out, *extra):
    return [sys.executable, "-m", "fastinit", "phase", "--sigma-w2", "1,1.8,3.5", "--depths",
            "1,4", "--seeds", "0-1", "--width", "6", "--epochs", "2", "--mini-batch", "128",
            "--workers", "2", "--out", str(out), *extra]


def test_the_command_writes_the_diagram_of_the_library_call(tmp_path, diagram):
    process = subprocess.run(phase_command(tmp_path / "out", "--quiet"), capture_output=True,
                             text=True, timeout=300)
    assert process.returncode == 0, process.stderr
    assert process.stderr == ""
    out = tmp_path / "out"
    assert sorted(os.listdir(out)) == ["phase.csv", "phase.json", "phase.png", "runs.csv"]
    assert read_csv(out / "phase.csv") == read_csv(diagram[1] / "phase.csv")
    rows = read_csv(out / "runs.csv")
    assert len(rows) == 12 and tuple(rows[0]) == PhaseSettings.columns()
    lines = process.stdout.splitlines()
    assert "deepest trained" in lines[0] and len(lines) == 2 + 3
    for line, deepest in zip(lines[2:], diagram[0].deepest_trained()):
        assert line.split()[1] == ("none" if deepest is None else str(deepest))
    written = json.loads((out / "phase.json").read_text())
    assert written["version"] == fi.__version__
    assert written["grid"] == {"sigma_w2_values": [1.0, 1.8, 3.5], "depths": [1, 4],
                               "seeds": [0, 1]}


def test_a_stopped_diagram_resumes_to_the_same_runs(tmp_path, diagram):
    out = tmp_path / "out"
    fi.phase_diagram(**GRID, **SETTINGS, out=out)
    lines = (out / "runs.csv").read_text().splitlines(keepends=True)
    (out / "runs.csv").write_text("".join(lines[:5]) + lines[5][:20])  # cut mid-line by a kill
    process = subprocess.run(phase_command(out, "--resume", "--quiet"), capture_output=True,
                             text=True, timeout=300)
    assert process.returncode == 0, process.stderr
    rows = read_csv(out / "runs.csv")
    cells = [(r["sigma_w2"], r["depth"], r["seed"]) for r in rows]
    assert len(cells) == len(set(cells)) == 12
    assert read_csv(out / "phase.csv") == read_csv(diagram[1] / "phase.csv")


def test_ctrl_c_stops_with_130_and_keeps_every_finished_run(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "fastinit", "phase", "--sigma-w2", "1,2,3,4", "--depths",
               "1,30", "--seeds", "0-3", "--width", "8", "--epochs", "400", "--workers", "2",
               "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 120
        while not ((out / "runs.csv").exists() and
                   (out / "runs.csv").read_text().count("\n") > 1):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no run finished"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "fastinit: interrupted"
    rows = read_csv(out / "runs.csv")
    assert 1 <= len(rows) < 32 and all(row["final_cost"] for row in rows)


@pytest.mark.parametrize("args, match", [
    (["--sigma-w2", "0,1"], "--sigma-w2"),
    (["--sigma-w2", "1:4"], "--sigma-w2"),
    (["--sigma-w2", "4:1:3"], "start <= stop"),
    (["--sigma-w2", "1,nan"], "--sigma-w2"),
    (["--sigma-w2", "1,1"], "twice"),
    (["--depths", "0"], "--depths"),
    (["--depths", "20000"], "at most 10000"),
    (["--depths", "5,5"], "twice"),
    (["--seeds", "3-1"], "--seeds"),
    (["--sigma-b2", "-1"], "--sigma-b2"),
    (["--width", "0"], "--width"),
    (["--threshold", "1.5"], "--threshold"),
    (["--activation", "swish"], "--activation"),
    (["--dataset", "mnist"], "--dataset"),
    (["--epochs", "0"], "--epochs"),
    (["--learning-rate", "inf"], "--learning-rate"),
    (["--depths", "10000", "--width", "100000"], "memory"),
    (["--dask", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
])
def test_bad_grids_exit_2_with_one_line(tmp_path, args, match):
    process = subprocess.run([sys.executable, "-m", "fastinit", "phase", "--out",
                              str(tmp_path / "out"), "--epochs", "1", "--seeds", "0", *args],
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 2, process.stderr
    assert match in process.stderr and len(process.stderr.strip().splitlines()) == 1, \
        process.stderr
    assert not (tmp_path / "out" / "runs.csv").exists()


# ---------------------------------------------------------------------------
# The library's arguments
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, match", [
    (dict(sigma_w2_values=[0.0]), ValueError, "sigma_w2_values"),
    (dict(sigma_w2_values=[-1.0]), ValueError, "sigma_w2_values"),
    (dict(sigma_w2_values=[math.nan]), ValueError, "sigma_w2_values"),
    (dict(sigma_w2_values=[math.inf]), ValueError, "sigma_w2_values"),
    (dict(sigma_w2_values=["2"]), TypeError, "sigma_w2_values"),
    (dict(sigma_w2_values=2.0), TypeError, "sigma_w2_values"),
    (dict(sigma_w2_values={1.0, 2.0}), TypeError, "sigma_w2_values"),
    (dict(sigma_w2_values=[]), ValueError, "sigma_w2_values"),
    (dict(sigma_w2_values=[1.0, 1.0]), ValueError, "twice"),
    (dict(depths=[0]), ValueError, "depths"),
    (dict(depths=[2.5]), TypeError, "depths"),
    (dict(depths=5), TypeError, "depths"),
    (dict(depths=[]), ValueError, "depths"),
    (dict(depths=[10_001]), ValueError, "at most 10000"),
    (dict(seeds=[-1]), ValueError, "seed"),
    (dict(sigma_b2=-0.1), ValueError, "sigma_b2"),
    (dict(sigma_b2=math.nan), ValueError, "sigma_b2"),
    (dict(sigma_b2="0.05"), TypeError, "sigma_b2"),
    (dict(width=0), ValueError, "width"),
    (dict(width=2.0), TypeError, "width"),
    (dict(activation="swish"), ValueError, "activation"),
    (dict(activation="leaky_relu", negative_slope=-1.0), ValueError, "negative_slope"),
    (dict(dataset="mnist"), ValueError, "dataset"),
    (dict(optimizer="sgd"), ValueError, "optimizer"),
    (dict(mini_batch_size=0), ValueError, "mini_batch_size"),
    (dict(mini_batch_size=None), TypeError, "mini_batch_size"),
    (dict(epochs=0), ValueError, "epochs"),
    (dict(learning_rate=0.0), ValueError, "learning_rate"),
    (dict(learning_rate=math.inf), ValueError, "learning_rate"),
    (dict(threshold=1.5), ValueError, "threshold"),
    (dict(threshold=math.nan), ValueError, "threshold"),
    (dict(resume=True), ValueError, "resume"),
    (dict(workers=0), ValueError, "workers"),
    (dict(workers=10**6), ValueError, "workers"),
    (dict(executor="pool"), TypeError, "executor"),
    (dict(on_runs=3), TypeError, "on_runs"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    arguments = dict(sigma_w2_values=[1.0], depths=[1], seeds=[0], epochs=1, width=2)
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        fi.phase_diagram(**arguments)


def test_resume_refuses_another_grid_and_a_sweeps_runs(tmp_path):
    small = dict(sigma_w2_values=[1.0], depths=[1], seeds=[0], epochs=1, width=2)
    fi.phase_diagram(**small, out=tmp_path / "a")
    with pytest.raises(ValueError, match="another grid"):
        fi.phase_diagram(**dict(small, depths=[2]), out=tmp_path / "a", resume=True)
    with pytest.raises(ValueError, match="exists; pass resume=True"):
        fi.phase_diagram(**small, out=tmp_path / "a")
    fi.sweep(["he"], seeds=[0], iterations=2, out=tmp_path / "b")
    with pytest.raises(ValueError, match="holds no phase.json"):
        fi.phase_diagram(**small, out=tmp_path / "b", resume=True)
    (tmp_path / "b" / "phase.json").write_text((tmp_path / "a" / "phase.json").read_text())
    with pytest.raises(ValueError, match="line 1: the columns are not runs.csv's"):
        fi.phase_diagram(**small, out=tmp_path / "b", resume=True)


def test_a_tampered_runs_row_is_refused_naming_its_line(tmp_path):
    small = dict(sigma_w2_values=[1.0, 2.0], depths=[1], seeds=[0], epochs=1, width=2)
    fi.phase_diagram(**small, out=tmp_path)
    text = (tmp_path / "runs.csv").read_text().replace("\n2.0,", "\n7.0,")
    (tmp_path / "runs.csv").write_text(text)
    with pytest.raises(ValueError, match=r"line 3: sigma_w2 7\.0 is not in the grid's "
                                         r"sigma_w2_values"):
        fi.phase_diagram(**small, out=tmp_path, resume=True)


def test_phase_csv_has_a_row_per_cell(diagram):
    rows = read_csv(diagram[1] / "phase.csv")
    assert tuple(rows[0]) == PHASE_COLUMNS and len(rows) == 6
    assert {(r["sigma_w2"], r["depth"]) for r in rows} == {
        (repr(s), str(d)) for s in GRID["sigma_w2_values"] for d in GRID["depths"]}
    assert all(r["runs"] == "2" for r in rows)


def test_to_pandas_has_the_runs_columns(diagram):
    pytest.importorskip("pandas")
    frame = diagram[0].to_pandas()
    assert list(frame.columns) == list(PhaseSettings.columns()) and len(frame) == 12


# ---------------------------------------------------------------------------
# The README
# ---------------------------------------------------------------------------

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
EDGE = r"σ_w² = ([\d.]+) (?:trained )?at (\d+)(?: layers)?, not at (\d+) \(6ξ_c = ([\d.]+)\)"


def test_the_readme_quotes_the_edges_it_measures():
    import re

    with open(README, encoding="utf-8") as handle:
        text = " ".join(handle.read().split())
    edges = re.findall(EDGE, text)
    assert len(edges) >= 4, edges
    for sigma_w2, trained, untrained, six_xi in edges:
        result = fi.phase_diagram([float(sigma_w2)], [int(trained), int(untrained)], range(4),
                                  workers=2)
        assert result.trained()[:, 0].tolist() == [True, False], (sigma_w2, result.accuracy())
        assert f"{6 * result.theory()['xi_c'][0]:.3g}" == six_xi


RELU_EDGE = r"with ReLU, σ_w² = ([\d.]+): (\d+) layers trained, (\d+) did not \(6ξ_c = ([\d.]+)\)"


def test_the_readme_quotes_the_relu_edges_it_measures():
    import re

    with open(README, encoding="utf-8") as handle:
        text = " ".join(handle.read().split())
    edges = re.findall(RELU_EDGE, text)
    assert len(edges) >= 2, edges
    for sigma_w2, trained, untrained, six_xi in edges:
        result = fi.phase_diagram([float(sigma_w2)], [int(trained), int(untrained)], range(4),
                                  activation="relu", workers=2)
        assert result.trained()[:, 0].tolist() == [True, False], (sigma_w2, result.accuracy())
        assert f"{6 * result.theory()['xi_c'][0]:.3g}" == six_xi


def test_the_readme_budget_table_holds_for_sigma_w2_4():
    import re

    with open(README, encoding="utf-8") as handle:
        text = handle.read()
    rows = dict(re.findall(r"^\| (\d+) \| \d+ \| \d+ \| \d+ \| \d+ \| (\d+) \|$", text, re.M))
    assert set(rows) == {"5", "20", "60"}, rows
    (grid,) = re.findall(r"^fastinit phase --depths ([\d,]+)", text, re.M)  # the README's grid
    depths = [int(depth) for depth in grid.split(",")]
    for epochs, deepest in rows.items():
        deeper = depths[depths.index(int(deepest)) + 1]
        result = fi.phase_diagram([4.0], [int(deepest), deeper], range(4), epochs=int(epochs),
                                  workers=2)
        assert result.trained()[:, 0].tolist() == [True, False], (epochs, result.accuracy())
