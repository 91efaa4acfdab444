"""The fastinit command, run as a user runs it."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import fastinit as fi
from fastinit import cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd=None, check_exit=None):
    """``python -m fastinit ARGS`` in a subprocess."""
    process = subprocess.run([sys.executable, "-m", "fastinit", *args], capture_output=True,
                             text=True, cwd=cwd, timeout=300)
    if check_exit is not None:
        assert process.returncode == check_exit, process.stderr
    return process


@pytest.fixture(scope="module")
def default_compare(tmp_path_factory):
    """``fastinit compare`` with no options, as the README runs it."""
    folder = tmp_path_factory.mktemp("compare")
    process = subprocess.run(["fastinit", "compare"], capture_output=True, text=True, cwd=folder,
                             timeout=300)
    assert process.returncode == 0, process.stderr
    return process, folder / "fastinit-out"


def test_default_compare_prints_the_notebooks_table(default_compare):
    process, _ = default_compare
    lines = process.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["initializer", "train", "acc"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert list(rows) == ["zeros", "random", "he"]
    assert rows["zeros"][1:3] == ["0.500", "0.500"]
    assert rows["random"][1:3] == ["0.830", "0.860"]
    assert rows["he"][1:3] == ["0.993", "0.960"]
    # Comments come from the results: zeros' units stayed identical; the others trained.
    assert " ".join(rows["zeros"][5:]) == "failed to break symmetry"
    assert rows["random"][5:] == [] and rows["he"][5:] == []
    # Not a terminal: plain progress lines, one per initializer.
    assert process.stderr.count("15000 iterations in") == 3


def test_default_compare_writes_valid_files(default_compare):
    _, out = default_compare
    for name in ("costs.png", "boundaries.png", "activations.png", "signal.png",
                 "layer_history.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        import matplotlib.image
        image = matplotlib.image.imread(out / name)
        assert image.shape[0] >= 400 and image.shape[1] >= 600, name
    document = json.loads((out / "results.json").read_text())
    assert document["fastinit_version"] == fi.__version__
    assert document["settings"]["layers_dims"] == [2, 10, 5, 1]
    assert document["settings"]["num_iterations"] == 15000
    assert [r["initializer"] for r in document["results"]] == ["zeros", "random", "he"]
    he = document["results"][2]
    assert he["train_accuracy"] == pytest.approx(298 / 300)
    assert len(he["costs"]) == 15 and he["iterations"][-1] == 14000
    assert set(document["activation_stats"]) >= {"zeros", "random", "he"}


def test_json_output_equals_the_library(tmp_path):
    process = run("compare", "--inits", "he,glorot_uniform", "--layers", "6,3", "--iterations",
                  "1500", "--learning-rate", "0.05", "--dataset", "moons", "--seed", "7",
                  "--format", "json", "--no-plots", "--quiet", "--out", str(tmp_path),
                  check_exit=0)
    assert process.stderr == ""
    printed = json.loads(process.stdout)
    runs, _ = fi.compare_initializers(["he", "glorot_uniform"], dataset="moons",
                                      hidden_layers=(6, 3), num_iterations=1500,
                                      learning_rate=0.05, seed=7)
    for row, expected in zip(printed, runs):
        assert row["initializer"] == expected.name
        assert row["train_accuracy"] == expected.train_accuracy
        assert row["test_accuracy"] == expected.test_accuracy
        assert row["final_cost"] == expected.final_cost
    assert sorted(os.listdir(tmp_path)) == ["results.json"]
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["results"][0]["costs"] == runs[0].costs


def test_csv_output_and_float32(tmp_path):
    process = run("compare", "--inits", "he", "--iterations", "1000", "--dtype", "float32",
                  "--format", "csv", "--no-plots", "--quiet", "--out", str(tmp_path),
                  check_exit=0)
    header, row = process.stdout.strip().splitlines()
    assert header == ",".join(cli.TABLE_COLUMNS)
    runs, _ = fi.compare_initializers(["he"], num_iterations=1000, dtype="float32")
    fields = row.split(",")
    assert fields[0] == "he"
    assert float(fields[1]) == runs[0].train_accuracy
    assert float(fields[3]) == runs[0].final_cost


def test_verbose_prints_the_cost_every_1000_iterations(tmp_path):
    process = run("compare", "--inits", "he", "--iterations", "3000", "--verbose", "--no-plots",
                  "--out", str(tmp_path), check_exit=0)
    runs, _ = fi.compare_initializers(["he"], num_iterations=3000)
    expected = [f"he: Cost after iteration {i}: {c}" for i, c in zip(runs[0].iterations,
                                                                     runs[0].costs)]
    assert [l for l in process.stderr.splitlines() if "Cost after" in l] == expected


def test_quiet_prints_only_the_table(tmp_path):
    process = run("compare", "--inits", "zeros", "--iterations", "10", "--quiet", "--no-plots",
                  "--out", str(tmp_path), check_exit=0)
    assert process.stderr == ""
    assert process.stdout.splitlines()[2].startswith("zeros")


def test_figures_have_one_panel_per_initializer_and_one_line_per_curve(tmp_path, monkeypatch):
    saved = {}
    monkeypatch.setattr(cli.compare, "_save", lambda figure, path: saved.setdefault(
        os.path.basename(path), figure))
    inits = ["zeros", "random", "random_small", "he"]
    code = cli.main(["compare", "--inits", ",".join(inits), "--iterations", "2000", "--quiet",
                     "--out", str(tmp_path)])
    assert code == 0
    costs = saved["costs.png"]
    assert len(costs.axes) == 1
    assert [line.get_label() for line in costs.axes[0].lines] == inits
    assert costs.axes[0].get_xlabel() == "iteration" and costs.axes[0].get_title()
    boundaries = saved["boundaries.png"]
    assert len(boundaries.axes) == len(inits)
    for ax, name in zip(boundaries.axes, inits):
        assert ax.get_title().startswith(name) and "train" in ax.get_title()
    activations = saved["activations.png"]
    std_axes, dead_axes = activations.axes
    assert std_axes.get_yscale() == "log"
    # zeros has no spread to draw on a log axis; it still shows as all-dead.
    assert [line.get_label() for line in std_axes.lines] == ["random", "random_small", "he"]
    assert [line.get_label() for line in dead_axes.lines] == inits
    stds = {line.get_label(): line.get_ydata() for line in std_axes.lines}
    assert stds["random"][-1] > 1e10 and stds["random_small"][-1] < 1e-8
    assert 0.1 < stds["he"][-1] < 10


def test_train_save_and_predict_round_trip(tmp_path):
    X, Y, X_test, Y_test = fi.datasets.load_dataset("moons")
    np.savez(tmp_path / "train.npz", X=X.T, Y=Y.ravel())
    rows = np.column_stack([X_test.T, Y_test.ravel()])
    np.savetxt(tmp_path / "test.csv", rows, delimiter=",", header="x1,x2,label", comments="")
    process = run("train", "--data", str(tmp_path / "train.npz"), "--layers", "8,4",
                  "--init", "glorot", "--iterations", "2000", "--learning-rate", "0.1",
                  "--save", str(tmp_path / "params.npz"), "--quiet", check_exit=0)
    parameters = fi.initialize([2, 8, 4, 1], "glorot", seed=3)
    expected = fi.train(X, Y, parameters, learning_rate=0.1, num_iterations=2000)
    assert f"{fi.accuracy(X, Y, expected.parameters):.4f}" in process.stdout
    loaded = fi.load_parameters(tmp_path / "params.npz")
    for key in expected.parameters:
        np.testing.assert_array_equal(loaded[key], expected.parameters[key])

    predicted = run("predict", "--params", str(tmp_path / "params.npz"), "--data",
                    str(tmp_path / "test.csv"), check_exit=0)
    assert [int(v) for v in predicted.stdout.split()] == fi.predict(X_test, loaded)[0].tolist()
    assert f"accuracy {fi.accuracy(X_test, Y_test, loaded):.4f}" in predicted.stderr

    np.savetxt(tmp_path / "unlabelled.csv", X_test.T, delimiter=",")
    proba = run("predict", "--params", str(tmp_path / "params.npz"), "--data",
                str(tmp_path / "unlabelled.csv"), "--proba", check_exit=0)
    np.testing.assert_array_equal([float(v) for v in proba.stdout.split()],
                                  fi.predict_proba(X_test, loaded)[0])
    assert proba.stderr == ""


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("arguments, message", [
    (["compare", "--iterations", "-5"], "--iterations: expected a positive integer, got '-5'"),
    (["compare", "--iterations", "many"], "--iterations: expected a positive integer"),
    (["compare", "--learning-rate", "abc"], "--learning-rate: expected a positive number"),
    (["compare", "--learning-rate", "0"], "--learning-rate: expected a finite positive number"),
    (["compare", "--learning-rate", "nan"], "--learning-rate: expected a finite positive number"),
    (["compare", "--learning-rate", "-0.1"], "--learning-rate: expected a finite positive number"),
    (["compare", "--inits", "he,kaiming"], "unknown initializer 'kaiming'; choose from: "),
    (["compare", "--layers", "10,x"], "--layers: expected comma-separated layer sizes"),
    (["compare", "--layers", "10,0"], "--layers: layer sizes must be >= 1"),
    (["compare", "--dataset", "spirals"], "--dataset: invalid choice: 'spirals'"),
    (["compare", "--seed", "-1"], "--seed: expected a seed between 0"),
    (["compare", "--format", "xml"], "--format: invalid choice"),
    (["compare", "--quiet", "--verbose"], "not allowed with argument"),
    (["train"], "the following arguments are required: --data"),
    (["train", "--data", "missing.npz"], "data file missing.npz does not exist"),
    (["train", "--data", "{bad_csv}"], "is not a numeric CSV file"),
    (["train", "--data", "{labels_csv}"],
     "labels.csv must hold exactly two distinct labels (the two classes), found 3: 0, 1, 2"),
    (["train", "--data", "{one_label_csv}"], "one.csv must hold exactly two distinct labels"),
    (["train", "--data", "{mismatch_npz}"], "must have one label per row of X (5)"),
    (["train", "--data", "{no_x_npz}"], "has no array named 'X'"),
    (["train", "--data", "{text_file}"], "must end in .npz or .csv"),
    (["train", "--data", "{nan_csv}"], "X contains NaN or infinite values"),
    (["predict", "--params", "{labels_csv}", "--data", "{labels_csv}"], "cannot read parameters"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["compare", "--optimizer", "sgd"], "--optimizer: invalid choice: 'sgd'"),
    (["compare", "--mini-batch", "0"], "--mini-batch: expected a positive integer"),
    (["compare", "--lambd", "-1"], "--lambd: expected a finite number >= 0"),
    (["compare", "--lambd", "x"], "--lambd: expected a number >= 0"),
    (["compare", "--keep-prob", "0"], "--keep-prob: expected a number in (0, 1]"),
    (["compare", "--keep-prob", "1.2"], "--keep-prob: expected a number in (0, 1]"),
    (["compare", "--experiment", "losses"], "--experiment: invalid choice: 'losses'"),
    (["compare", "--experiment", "optimizers", "--optimizer", "adam"], "leave out --optimizer"),
    (["compare", "--experiment", "optimizers", "--inits", "he"], "--inits compares initializers"),
    (["train", "--data", "{nan_csv}", "--optimizer", "adam"], "X contains NaN"),
])
def test_bad_options_exit_2_with_one_line(tmp_path, arguments, message):
    files = {
        "bad_csv": _write(tmp_path / "bad.csv", "1,2,0\n3,four,1\n"),
        "labels_csv": _write(tmp_path / "labels.csv", "1,2,0\n3,4,2\n5,6,1\n"),
        "one_label_csv": _write(tmp_path / "one.csv", "1,2,1\n3,4,1\n"),
        "nan_csv": _write(tmp_path / "nan.csv", "1,nan,0\n3,4,1\n"),
        "text_file": _write(tmp_path / "data.txt", "1,2,0\n"),
    }
    np.savez(tmp_path / "mismatch.npz", X=np.zeros((5, 2)), Y=np.zeros(4))
    np.savez(tmp_path / "no_x.npz", A=np.zeros((5, 2)))
    files["mismatch_npz"] = str(tmp_path / "mismatch.npz")
    files["no_x_npz"] = str(tmp_path / "no_x.npz")
    process = run(*[a.format(**files) for a in arguments], cwd=tmp_path)
    assert process.returncode == 2
    assert process.stdout == ""
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert lines[0].startswith("fastinit: error: ")
    assert message in lines[0]
    assert "Traceback" not in process.stderr


def test_ctrl_c_stops_cleanly(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "fastinit", "compare", "--iterations", "100000000", "--verbose",
         "--no-plots", "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stderr.readline()  # training has started
    assert "Cost after iteration 0" in first
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "fastinit: interrupted" in stderr
    assert "Traceback" not in stderr


def test_python_m_and_console_script_agree():
    assert run("--version", check_exit=0).stdout.strip() == f"fastinit {fi.__version__}"
    process = subprocess.run(["fastinit", "--version"], capture_output=True, text=True)
    assert process.stdout.strip() == f"fastinit {fi.__version__}"


def test_a_terminal_gets_a_progress_bar(tmp_path):
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "fastinit", "compare", "--inits", "he", "--iterations", "3000",
         "--no-plots", "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    stdout, _ = process.communicate(timeout=120)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    terminal = b"".join(chunks).decode()
    assert process.returncode == 0
    assert "\r[1/1] he" in terminal and "[##########" in terminal and "100%" in terminal
    assert "[1/1] he: 3000 iterations in" in terminal
    assert stdout.splitlines()[2].startswith("he")


def test_training_options_reach_fi_train(tmp_path):
    process = run("compare", "--inits", "he", "--iterations", "30", "--optimizer", "adam",
                  "--mini-batch", "32", "--lambd", "0.7", "--keep-prob", "0.86",
                  "--learning-rate", "0.001", "--format", "json", "--no-plots", "--quiet",
                  "--out", str(tmp_path), check_exit=0)
    printed = json.loads(process.stdout)
    X, Y, _, _ = fi.datasets.load_dataset()
    result = fi.train(X, Y, fi.initialize([2, 10, 5, 1], "he", seed=3), optimizer="adam",
                      mini_batch_size=32, num_epochs=30, learning_rate=0.001, lambd=0.7,
                      keep_prob=0.86)
    assert printed[0]["final_cost"] == result.final_cost
    settings = json.loads((tmp_path / "results.json").read_text())["settings"]
    assert settings["optimizer"] == "adam" and settings["mini_batch_size"] == 32
    assert settings["lambd"] == 0.7 and settings["keep_prob"] == 0.86


def test_experiment_optimizers_is_the_courses(tmp_path):
    process = run("compare", "--experiment", "optimizers", "--verbose", "--out", str(tmp_path),
                  check_exit=0)
    header, _, *lines = process.stdout.strip().splitlines()
    assert header.split()[0] == "optimizer"
    assert [(line.split()[0], line.split()[1]) for line in lines] == [
        ("gd", "0.797"), ("momentum", "0.797"), ("adam", "0.940")]
    # The course printed Adam's cost every 1000 epochs to six decimals.
    assert "adam: Cost after epoch 1000: 0.16784" in process.stderr
    assert sorted(os.listdir(tmp_path)) == ["boundaries.png", "costs.png", "results.json"]
    for name in ("boundaries.png", "costs.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC
    document = json.loads((tmp_path / "results.json").read_text())
    assert document["settings"]["layers_dims"] == [2, 5, 2, 1]
    assert document["settings"]["mini_batch_size"] == 64
    assert [r["optimizer"] for r in document["results"]] == ["gd", "momentum", "adam"]
    adam = document["results"][2]
    assert len(adam["costs"]) == 100 and adam["iterations"][-1] == 9900
    runs, _ = fi.compare_optimizers(["adam"])
    assert adam["costs"] == runs[0].costs


@pytest.mark.parametrize("call, match", [
    (lambda: fi.compare_initializers([]), "methods must name at least one initializer"),
    (lambda: fi.compare_initializers(["kaiming"]), "unknown initializer 'kaiming'"),
    (lambda: fi.compare_optimizers([]), "optimizers must name at least one optimizer"),
    (lambda: fi.compare_optimizers(["sgd"]), "unknown optimizer 'sgd'; choose from: adam, gd"),
    (lambda: fi.compare_optimizers(["adam"], initialization="kaiming"),
     "unknown initializer 'kaiming'"),
])
def test_the_experiments_name_what_they_refuse(call, match):
    with pytest.raises(ValueError, match=match):
        call()
