"""Regenerate the README's figures and table under docs/.

Run ``python docs/make_figures.py`` from the repository root: it runs
``fastinit compare`` with its defaults into docs/ and draws the activation
figure with the library's default initializers (the ×10 and ×0.01 random ones
beside He and the course's Xavier), then ``fastinit compare --experiment
optimizers`` (optimizer_costs.png, optimizer_boundaries.png), then the depth
experiment for ReLU and tanh (depth.png, depth_tanh.png), and prints the
tables to paste in README.md.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

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


def main():
    table = compare()
    figure = fi.plotting.plot_activation_stats(["zeros", "random", "random_small", "he",
                                                "xavier"])
    figure.savefig(DOCS / "activations.png", dpi=120)
    print(table)
    print(compare("--experiment", "optimizers", prefix="optimizer_"))
    print(depth())
    print(depth("--activation", "tanh", name="depth_tanh.png"))


if __name__ == "__main__":
    main()
