"""Regenerate the README's figures and table under docs/.

Run ``python docs/make_figures.py`` from the repository root: it runs
``fastinit compare`` with its defaults into docs/, then ``fastinit compare --experiment
optimizers`` (optimizer_costs.png, optimizer_boundaries.png), then the depth
experiment for ReLU and tanh (depth.png, depth_tanh.png), the signal
propagation figures (signal_relu.png, signal_tanh.png) and the saturation
figure (saturation.png), the sweep (sweep.png) and the trainability phase
diagrams for tanh and ReLU (phase_tanh.png, phase_relu.png, with the step budget's
effect on the tanh diagram's edge), and prints the tables and numbers to paste in
README.md. The phase diagrams take about 10 minutes on 2 cores.
"""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot  # noqa: E402
import fastinit as fi  # noqa: E402

DOCS = Path(__file__).resolve().parent


def compare(*options, prefix=""):
    """Run ``fastinit compare`` with ``options``; copy its two figures into docs/
    with ``prefix``; return the printed table."""
    out = DOCS / "compare"
    table = subprocess.run([sys.executable, "-m", "fastinit", "compare", "--quiet", "--out",
                            str(out), *options], capture_output=True, text=True, check=True).stdout
    for name in ("costs.png", "boundaries.png"):
        shutil.copy(out / name, DOCS / (prefix + name))
    shutil.rmtree(out)
    return table


def depth(*options, name="depth.png"):
    """Run ``fastinit compare --experiment depth`` with ``options``; copy depth.png
    into docs/ as ``name``; return the printed table."""
    out = DOCS / "compare"
    table = subprocess.run([sys.executable, "-m", "fastinit", "compare", "--experiment", "depth",
                            "--quiet", "--out", str(out), *options], capture_output=True,
                           text=True, check=True).stdout
    shutil.copy(out / "depth.png", DOCS / name)
    shutil.rmtree(out)
    return table


def signal_figures():
    """The README's "why He works": the signal at initialization through 10 hidden
    layers of 100 units, 10 seeds, with the mean-field theory, for ReLU and tanh."""
    X = fi.diagnostics.standard_normal_inputs(100)
    layers = fi.diagnostics.DEEP_LAYERS
    for activation, methods, name in (("relu", ["he", "xavier", "random", "random_small"],
                                       "signal_relu.png"),
                                      ("tanh", ["xavier", "he", "random"], "signal_tanh.png")):
        stats = {method: fi.diagnostics.signal_propagation(layers, method, X,
                                                           activation=activation)
                 for method in methods}
        fi.plotting.plot_signal_propagation(stats).savefig(DOCS / name, dpi=120)
        for method, one in stats.items():
            median = np.median(one.pre_activation_second_moment, axis=0)
            grads = np.median(one.weight_grad_norm, axis=0)
            print(f"{activation} {method}: E[Z^2] layer 1 {median[0]:.3g}, layer 10 "
                  f"{median[9]:.3g} (theory {one.theory_second_moment[9]:.3g}); ||dW|| layer 1 "
                  f"{grads[0]:.3g}, layer 10 {grads[9]:.3g}")


def saturation_figure():
    """Glorot & Bengio (2010) in small: saturation of the hidden layers during
    training, 4 hidden layers of 50 on circles."""
    X, Y, _, _ = fi.datasets.load_dataset()
    runs = {"sigmoid, random (N(0, 1))": ("sigmoid", "random", {"scale": 1.0}, 0.1),
            "tanh, glorot_uniform": ("tanh", "glorot_uniform", {}, 0.05)}
    histories = {}
    for name, (activation, method, options, rate) in runs.items():
        result = fi.train(X, Y, fi.initialize([2] + [50] * 4 + [1], method, seed=1, **options),
                          learning_rate=rate, num_iterations=10000, record_every=500,
                          activation=activation, track_layers=True)
        histories[name] = result.layer_history
        saturated = result.layer_history["saturated_fraction"][:, :-1]
        print(f"{name}: accuracy {fi.accuracy(X, Y, result.parameters, activation=activation):.3f}"
              f", saturated at start {np.round(saturated[0], 3)}, at the end "
              f"{np.round(saturated[-1], 3)}")
    title = ("Saturation during training: 2 inputs, 4 hidden layers of 50, 1 output; circles, "
             "seed 1, 10000 iterations\n(learning rate 0.1 for sigmoid, 0.05 for tanh)")
    fi.plotting.plot_layer_history(histories, result.iterations, title=title).savefig(
        DOCS / "saturation.png", dpi=100)


def sweep_figure():
    """The README's sweep: he, xavier, glorot and random_small at depths 2-30 of
    width 20, 10 seeds, 2000 iterations (the command the README shows)."""
    out = DOCS / "sweep-run"
    table = subprocess.run([sys.executable, "-m", "fastinit", "sweep", "--inits",
                            "he,xavier,glorot,random_small", "--depths", "2,5,10,20,30",
                            "--width", "20", "--seeds", "0-9", "--iterations", "2000", "--quiet",
                            "--out", str(out)], capture_output=True, text=True,
                           check=True).stdout
    plot_summary(out, DOCS / "sweep.png")
    shutil.rmtree(out)
    return table


def plot_summary(out, path):
    """sweep.png: the sweep's summary.png redrawn with a title that names the data
    set and the training (a sweep's summary rows do not hold them)."""
    settings = json.loads((out / "sweep.json").read_text())["settings"]
    with open(out / "summary.csv", newline="") as handle:
        rows = [{key: value if key in ("initializer", "activation") else
                 int(value) if key in ("depth", "width", "count", "diverged") else float(value)
                 for key, value in row.items()} for row in csv.DictReader(handle)]
    title = (f"Train accuracy against depth: {settings['dataset']}, width {rows[0]['width']}, "
             f"{rows[0]['count']} seeds, {settings['iterations']} iterations, learning rate "
             f"{settings['learning_rate']:g}")
    figure = fi.plotting.plot_sweep(rows, title=title)
    figure.savefig(path, dpi=110)
    matplotlib.pyplot.close(figure)


#: The README's phase diagrams: a larger grid than ``fastinit phase``'s default.
PHASE_GRID = ["--depths", "2,5,10,15,20,25,30,40,50,60,70,85,100", "--seeds", "0-3"]
#: The weight variances and step budgets of the README's step-budget table.
BUDGET_SIGMA_W2 = "1,1.6,2.4,3.2,4"
BUDGET_EPOCHS = (5, 20, 60)


def phase(*options, name):
    """``fastinit phase`` on the README's grid; its phase.png becomes ``name``;
    the printed table (each sigma_w2's deepest trained depth) is returned."""
    out = DOCS / "phase-run"
    table = subprocess.run([sys.executable, "-m", "fastinit", "phase", *PHASE_GRID, *options,
                            "--quiet", "--out", str(out)], capture_output=True, text=True,
                           check=True).stdout
    shutil.copy(out / "phase.png", DOCS / name)
    shutil.rmtree(out)
    return table


def step_budgets():
    """The deepest trained depth at a few sigma_w2 for each step budget."""
    tables = []
    for epochs in BUDGET_EPOCHS:
        out = DOCS / "phase-budget"
        tables.append(f"--epochs {epochs}\n" + subprocess.run(
            [sys.executable, "-m", "fastinit", "phase", "--sigma-w2", BUDGET_SIGMA_W2,
             *PHASE_GRID, "--epochs", str(epochs), "--quiet", "--out", str(out)],
            capture_output=True, text=True, check=True).stdout)
        shutil.rmtree(out)
    return "\n".join(tables)


def main():
    table = compare()
    signal_figures()
    saturation_figure()
    print(table)
    print(compare("--experiment", "optimizers", prefix="optimizer_"))
    print(depth())
    print(depth("--activation", "tanh", name="depth_tanh.png"))
    print(sweep_figure())
    print(phase(name="phase_tanh.png"))
    print(phase("--activation", "relu", name="phase_relu.png"))
    print(step_budgets())


if __name__ == "__main__":
    main()
