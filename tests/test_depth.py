"""The depth experiment (issue 11): compare_depths and compare --experiment depth."""

import json
import subprocess
import sys

import numpy as np
import pytest

import fastinit as fi
from fastinit.depth import compare_depths


@pytest.fixture(scope="module")
def small():
    return compare_depths(["he", "xavier"], depths=[2, 4], width=6, seeds=[0, 1],
                          num_iterations=300, n_workers=2)


def test_every_cell_is_one_direct_training(small):
    assert [(r.initializer, r.depth, r.seed) for r in small.runs] == [
        (m, d, s) for m in ("he", "xavier") for d in (2, 4) for s in (0, 1)]
    train_X, train_Y, test_X, test_Y = fi.datasets.load_dataset("circles")
    for run in small.runs:
        dims = [2, *[6] * run.depth, 1]
        expected = fi.train(train_X, train_Y, fi.initialize(dims, run.initializer, seed=run.seed),
                            num_iterations=300, n_threads=2)
        assert run.final_cost == expected.final_cost
        assert run.train_accuracy == fi.accuracy(train_X, train_Y, expected.parameters)
        assert run.test_accuracy == fi.accuracy(test_X, test_Y, expected.parameters)
        assert not run.diverged and run.activation == "relu"


def test_the_summary_is_mean_and_std_over_seeds(small):
    summary = small.summary()
    assert [(row["initializer"], row["depth"]) for row in summary] == [
        ("he", 2), ("he", 4), ("xavier", 2), ("xavier", 4)]
    for row in summary:
        runs = [r for r in small.runs if (r.initializer, r.depth) == (row["initializer"],
                                                                      row["depth"])]
        assert row["runs"] == 2 and row["diverged"] == 0
        for name in ("train_accuracy", "test_accuracy", "final_cost"):
            values = [getattr(r, name) for r in runs]
            assert row[f"{name}_mean"] == pytest.approx(np.mean(values), rel=1e-15)
            assert row[f"{name}_std"] == pytest.approx(np.std(values), rel=1e-12, abs=1e-15)
    json.dumps(small.to_dict())


def test_a_diverged_run_is_a_row_not_a_crash():
    result = compare_depths(["random"], depths=[3], width=5, seeds=[0], num_iterations=50,
                            learning_rate=1e3, activation="linear")
    (run,) = result.runs
    assert run.diverged and np.isnan(run.train_accuracy)
    assert result.summary()[0]["diverged"] == 1


@pytest.mark.parametrize("kwargs, error, match", [
    ({"methods": ["nope"]}, ValueError, "initializer"),
    ({"depths": []}, ValueError, "depths"),
    ({"depths": [0]}, ValueError, "depths"),
    ({"seeds": [-1]}, ValueError, "seeds"),
    ({"seeds": ["a"]}, TypeError, "seeds"),
    ({"width": 0}, ValueError, "width"),
    ({"activation": "swish"}, ValueError, "activation"),
    ({"n_workers": 0}, ValueError, "n_workers"),
    ({"on_run": 3}, TypeError, "on_run"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        compare_depths(**({"depths": [2], "seeds": [0], "num_iterations": 10} | kwargs))


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "fastinit", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_the_command_prints_the_table_and_writes_the_figure(tmp_path):
    process = run("compare", "--experiment", "depth", "--inits", "he,xavier", "--depths", "2,3",
                  "--width", "5", "--seeds", "0-2", "--iterations", "200", "--activation",
                  "tanh", "--out", "out", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert lines[0].split()[:3] == ["initializer", "depth", "train"]
    assert len(lines) == 2 + 4
    document = json.loads((tmp_path / "out" / "results.json").read_text())
    assert document["settings"]["activation"] == "tanh"
    assert document["settings"]["seeds"] == [0, 1, 2]
    assert len(document["runs"]) == 12
    expected = compare_depths(["he", "xavier"], depths=[2, 3], width=5, seeds=[0, 1, 2],
                              num_iterations=200, activation="tanh").summary()
    assert document["summary"] == json.loads(json.dumps(expected))
    for row, line in zip(expected, lines[2:]):
        assert f"{row['train_accuracy_mean']:.3f} +- {row['train_accuracy_std']:.3f}" in line
    assert (tmp_path / "out" / "depth.png").stat().st_size > 10_000


@pytest.mark.parametrize("args, match", [
    (["--depths", "2,0"], "depths"),
    (["--depths", "a"], "depths"),
    (["--seeds", "5-2"], "seeds"),
    (["--layers", "5,5"], "--depths and --width"),
])
def test_the_command_refuses_bad_depth_options(tmp_path, args, match):
    process = run("compare", "--experiment", "depth", *args, cwd=tmp_path)
    assert process.returncode == 2
    assert match in process.stderr and len(process.stderr.strip().splitlines()) == 1


def test_depth_options_belong_to_the_depth_experiment(tmp_path):
    process = run("compare", "--width", "5", cwd=tmp_path)
    assert process.returncode == 2
    assert "--width is an option of --experiment depth" in process.stderr
