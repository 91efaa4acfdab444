"""Sweeps (issue 13): every run equals its direct fi.train call, whichever
executor ran it (a thread pool, a real Dask LocalCluster with worker processes);
nothing is lost to a killed worker, a SIGKILL or Ctrl-C; bad grids exit 2."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import fastinit as fi
from fastinit.sweep import RUN_COLUMNS, run_cells, SweepSettings
from grid_runs import read_csv, without_seconds

GRID = dict(initializers=["he", "xavier"], depths=[1, 3], widths=[4], activations=["relu", "tanh"],
            seeds=[0, 1, 2])
SETTINGS = dict(iterations=300, learning_rate=0.05)
MEASURED = ("final_cost", "train_accuracy", "test_accuracy", "diverged")


@pytest.fixture(scope="module")
def threaded(tmp_path_factory):
    out = tmp_path_factory.mktemp("threaded")
    return fi.sweep(**GRID, **SETTINGS, out=out, workers=2), out


def test_every_run_is_its_direct_training_call(threaded):
    result, _ = threaded
    train_X, train_Y, test_X, test_Y = fi.datasets.load_dataset()
    assert len(result.runs) == 2 * 2 * 2 * 3
    assert [(r["initializer"], r["activation"], r["depth"], r["seed"]) for r in result.runs] == [
        (i, a, d, s) for i in ("he", "xavier") for a in ("relu", "tanh") for d in (1, 3)
        for s in (0, 1, 2)]
    for run in result.runs[::5]:
        dims = [2, *[4] * run["depth"], 1]
        expected = fi.train(train_X, train_Y, fi.initialize(dims, run["initializer"],
                                                             seed=run["seed"]),
                            num_iterations=300, learning_rate=0.05, n_threads=1,
                            activation=run["activation"])
        assert run["final_cost"] == expected.final_cost
        assert run["train_accuracy"] == fi.accuracy(train_X, train_Y, expected.parameters,
                                                    activation=run["activation"])
        assert run["test_accuracy"] == fi.accuracy(test_X, test_Y, expected.parameters,
                                                   activation=run["activation"])
        assert run["diverged"] is False and run["seconds"] > 0


def test_the_files_hold_the_runs_the_summary_and_the_settings(threaded):
    result, out = threaded
    rows = read_csv(out / "runs.csv")
    assert list(rows[0]) == list(RUN_COLUMNS)
    by_cell = {(r["initializer"], r["activation"], r["depth"], r["seed"]): r for r in rows}
    assert len(rows) == len(by_cell) == len(result.runs)
    for run in result.runs:
        row = by_cell[(run["initializer"], run["activation"], str(run["depth"]),
                       str(run["seed"]))]
        assert float(row["final_cost"]) == run["final_cost"]  # written with repr: exact
    summary = read_csv(out / "summary.csv")
    assert len(summary) == len(result.summary()) == 8
    first = result.summary()[0]
    runs = [r for r in result.runs if (r["initializer"], r["activation"], r["depth"]) ==
            (first["initializer"], first["activation"], first["depth"])]
    values = [r["train_accuracy"] for r in runs]
    assert first["count"] == 3 and first["train_accuracy_mean"] == pytest.approx(np.mean(values))
    assert first["train_accuracy_std"] == pytest.approx(np.std(values))
    assert first["train_accuracy_min"] == min(values) and first["train_accuracy_max"] == max(values)
    assert float(summary[0]["train_accuracy_mean"]) == first["train_accuracy_mean"]
    description = json.loads((out / "sweep.json").read_text())
    assert description["grid"]["seeds"] == [0, 1, 2]
    assert description["settings"]["iterations"] == 300
    assert (out / "summary.png").stat().st_size > 10_000


def test_to_pandas(threaded):
    pandas = pytest.importorskip("pandas")
    frame = threaded[0].to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(RUN_COLUMNS) and len(frame) == 24


def test_any_executor_gives_the_same_rows(threaded):
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        other = fi.sweep(**GRID, **SETTINGS, executor=pool)
    assert without_seconds(other.runs) == without_seconds(threaded[0].runs)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        with distributed.Client(local) as client:
            yield client


def test_a_local_cluster_of_processes_gives_the_same_rows(threaded, cluster):
    pids = set(cluster.run(os.getpid).values())
    assert os.getpid() not in pids and len(pids) == 2  # real worker processes
    result = fi.sweep(**GRID, **SETTINGS, executor=cluster)
    assert without_seconds(result.runs) == without_seconds(threaded[0].runs)


def test_a_worker_killed_mid_sweep_still_leaves_every_run_once(tmp_path, cluster, threaded):
    killed = []

    def kill_one_worker(rows, done, total):
        if not killed:
            address, pid = next(iter(cluster.run(os.getpid).items()))
            os.kill(pid, signal.SIGKILL)
            killed.append(address)

    grid = dict(GRID, seeds=[0, 1, 2, 3, 4, 5])
    result = fi.sweep(**grid, iterations=3000, learning_rate=0.05, out=tmp_path,
                      executor=cluster, on_runs=kill_one_worker)
    assert killed
    rows = read_csv(tmp_path / "runs.csv")
    cells = [(r["initializer"], r["activation"], r["depth"], r["seed"]) for r in rows]
    assert len(cells) == len(set(cells)) == 2 * 2 * 2 * 6
    direct = run_cells([{"initializer": "xavier", "activation": "tanh", "depth": 3, "width": 4,
                         "seed": 5}], SweepSettings(iterations=3000, learning_rate=0.05))[0]
    assert result.runs[-1]["final_cost"] == direct["final_cost"]
    cluster.wait_for_workers(2, timeout=60)


def sweep_command(out, *extra):
    return [sys.executable, "-m", "fastinit", "sweep", "--inits", "he,xavier", "--depths", "1,3",
            "--width", "4", "--activations", "relu,tanh", "--seeds", "0-5", "--iterations",
            "15000", "--learning-rate", "0.05", "--workers", "2", "--out", str(out), *extra]


def wait_for_rows(path, at_least, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count("\n") > at_least:
            return
        if process.poll() is not None:
            pytest.fail(f"the sweep ended early: {process.communicate()}")
        time.sleep(0.02)
    pytest.fail("no rows appeared")


def test_a_sweep_killed_and_resumed_gives_the_grid_once_with_the_same_numbers(tmp_path):
    out = tmp_path / "sweep"
    process = subprocess.Popen(sweep_command(out, "--quiet"), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    wait_for_rows(out / "runs.csv", 4, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    before = read_csv(out / "runs.csv")
    assert 4 <= len(before) < 48
    resumed = subprocess.run(sweep_command(out, "--resume", "--quiet"), capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    rows = read_csv(out / "runs.csv")
    cells = [(r["initializer"], r["activation"], r["depth"], r["seed"]) for r in rows]
    assert len(cells) == len(set(cells)) == 48
    whole = fi.sweep(["he", "xavier"], depths=[1, 3], widths=[4], activations=["relu", "tanh"],
                     seeds=range(6), iterations=15000, learning_rate=0.05)
    by_cell = {(r["initializer"], r["activation"], r["depth"], r["seed"]): r for r in rows}
    for run in whole.runs:
        row = by_cell[(run["initializer"], run["activation"], str(run["depth"]),
                       str(run["seed"]))]
        for column in MEASURED[:-1]:
            assert float(row[column]) == run[column]


def test_ctrl_c_stops_with_130_and_keeps_every_finished_run(tmp_path):
    out = tmp_path / "sweep"
    process = subprocess.Popen(sweep_command(out), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    wait_for_rows(out / "runs.csv", 2, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    rows = read_csv(out / "runs.csv")
    cells = [(r["initializer"], r["activation"], r["depth"], r["seed"]) for r in rows]
    assert len(rows) >= 2 and len(cells) == len(set(cells))
    assert all(r["final_cost"] for r in rows)


@pytest.mark.parametrize("args, match", [
    (["--inits", "he,nope"], "nope"),
    (["--depths", "0"], "depths"),
    (["--seeds", "5-2"], "seeds"),
    (["--activations", "swish"], "activations"),
    (["--width", "4", "--widths", "4,8"], "not allowed with"),
    (["--dask", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
])
def test_bad_grids_exit_2_with_one_line(tmp_path, args, match):
    process = subprocess.run([sys.executable, "-m", "fastinit", "sweep", "--out",
                              str(tmp_path / "out"), "--iterations", "10", *args],
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 2, process.stderr
    assert match in process.stderr and len(process.stderr.strip().splitlines()) == 1


def test_resume_refuses_another_grid_and_a_new_sweep_refuses_old_runs(tmp_path):
    fi.sweep(["he"], seeds=[0], iterations=10, out=tmp_path)
    with pytest.raises(ValueError, match="another grid"):
        fi.sweep(["he"], seeds=[0, 1], iterations=10, out=tmp_path, resume=True)
    with pytest.raises(ValueError, match="exists; pass resume=True"):
        fi.sweep(["he"], seeds=[0], iterations=10, out=tmp_path)
    again = fi.sweep(["he"], seeds=[0], iterations=10, out=tmp_path, resume=True)
    assert len(read_csv(tmp_path / "runs.csv")) == 1 and len(again.runs) == 1


def test_a_diverged_run_is_a_row(tmp_path):
    result = fi.sweep(["random"], activations=["linear"], depths=[3], widths=[5], seeds=[0],
                      iterations=50, learning_rate=1e3, out=tmp_path)
    assert result.runs[0]["diverged"] is True and np.isnan(result.runs[0]["final_cost"])
    assert read_csv(tmp_path / "runs.csv")[0]["diverged"] == "True"
    assert result.summary()[0]["diverged"] == 1


@pytest.mark.parametrize("kwargs, error, match", [
    ({"initializers": []}, ValueError, "initializer"),
    ({"depths": [0]}, ValueError, "depths"),
    ({"seeds": [-1]}, ValueError, "seeds"),
    ({"activations": ["swish"]}, ValueError, "activation"),
    ({"dataset": "iris"}, ValueError, "dataset"),
    ({"optimizer": "sgd"}, ValueError, "optimizer"),
    ({"keep_prob": 0}, ValueError, "keep_prob"),
    ({"workers": 0}, ValueError, "workers"),
    ({"on_runs": 1}, TypeError, "on_runs"),
    ({"resume": True, "out": None}, ValueError, "holds no sweep.json"),
])
def test_bad_arguments_are_named(tmp_path, kwargs, error, match):
    arguments = {"seeds": [0], "iterations": 5} | kwargs
    if kwargs.get("resume"):
        arguments["out"] = tmp_path / "empty"
    with pytest.raises(error, match=match):
        fi.sweep(**arguments)


def test_lsuv_rescales_on_the_training_inputs_in_a_sweep():
    result = fi.sweep(["lsuv"], activations=["tanh"], depths=[2], widths=[6], seeds=[4],
                      iterations=100)
    train_X, train_Y, _, _ = fi.datasets.load_dataset()
    start = fi.initialize([2, 6, 6, 1], "lsuv", seed=4, X=train_X, activation="tanh")
    expected = fi.train(train_X, train_Y, start, num_iterations=100, n_threads=1,
                        activation="tanh")
    assert result.runs[0]["final_cost"] == expected.final_cost


def test_the_summary_figure_says_what_was_trained(tmp_path, monkeypatch):
    from fastinit import plotting

    titles = []
    draw = plotting.plot_sweep
    monkeypatch.setattr(plotting, "plot_sweep",
                        lambda summary, title=None: titles.append(title) or draw(summary, title))
    fi.sweep(initializers=["he"], depths=[1, 2], widths=[4], seeds=range(2), iterations=30,
             dataset="moons", learning_rate=0.05, out=tmp_path, workers=1)
    assert titles == ["Train accuracy against depth: moons, width 4, 2 seeds, 30 iterations, "
                      "learning rate 0.05"]
