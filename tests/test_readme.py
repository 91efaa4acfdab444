"""Every code block of the README runs as written, in order, from a folder
without src/: the Python blocks in one interpreter, the shell blocks' commands
in bash. What installs (``pip install``) is not run here, and neither is the
README's test command (.ci/run runs it from a clean clone); every install line
must name this distribution and extras it has."""

import csv
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import fastinit as fi

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PYPROJECT = ROOT / "pyproject.toml"
#: Where this interpreter's environment keeps its commands (fastinit, dask), first.
SCRIPTS = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])

def blocks(language):
    """The README's fenced blocks in ``language``, in order, dedented (a block
    inside a list item is indented)."""
    found = re.findall(r"^( *)```" + language + r"\n(.*?)^ *```", README.read_text(),
                       flags=re.S | re.M)
    return [textwrap.dedent(indent + body) for indent, body in found]

def test_the_readme_has_the_blocks_this_file_runs():
    assert len(blocks("python")) >= 3
    assert len(blocks("bash")) >= 3

def test_every_python_block_runs_in_order(tmp_path):
    program = "\n".join(f"exec(compile({block!r}, 'README block {i}', 'exec'))"
                        for i, block in enumerate(blocks("python"), 1))
    run = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True,
                         text=True, timeout=900, env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr[-3000:]
    printed = run.stdout.splitlines()
    assert printed[1] == "0.96"  # the first block's accuracy, as its comment says

def _install_lines():
    for block in blocks("bash"):
        for line in block.splitlines():
            if line.startswith("pip install"):
                yield line

def test_every_install_line_names_this_distribution_and_its_extras():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    extras = set(project["optional-dependencies"])
    lines = list(_install_lines())
    assert len(lines) >= 5
    for line in lines:
        for requirement in shlex.split(line.split("#")[0].split("&&")[0])[2:]:
            name, _, extra = requirement.partition("[")
            assert name in (".", project["name"]), line
            assert extra.rstrip("]") in extras | {""}, line
    assert project["name"] == fi.DISTRIBUTION

def _run_shell(block, folder):
    """Run ``block`` in bash in ``folder`` (of a line ``pip install ... && command``,
    the command only), in a session of its own; then stop what it left in the
    background."""
    script = "\n".join(line.partition("&&")[2] if line.startswith("pip ") else line
                       for line in block.splitlines())
    # Files, not pipes: what the block leaves running would hold a pipe open.
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        process = subprocess.Popen(
            ["bash", "-euc", script], cwd=folder, stdout=stdout, stderr=stderr,
            start_new_session=True, env={**os.environ, "MPLBACKEND": "Agg", "PATH": SCRIPTS})
        try:
            process.wait(timeout=900)
        finally:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    out, err = out.read_text(), err.read_text()
    assert process.returncode == 0, err[-3000:]
    return out

def test_the_first_block_runs_compare_and_ci_runs_its_test_command(tmp_path):
    install_and_compare, install_and_test = blocks("bash")[0].splitlines()
    assert install_and_test in (ROOT / ".ci" / "run").read_text().splitlines()
    out = _run_shell(install_and_compare, tmp_path)
    assert out.splitlines()[0].split()[:3] == ["initializer", "train", "acc"]
    assert json.loads((tmp_path / "fastinit-out" / "results.json").read_text())

def _sweep_block():
    (block,) = [block for block in blocks("bash")
                if block.startswith("fastinit sweep") and "--dask" not in block]
    return block

def test_the_sweep_block_computes_the_numbers_the_readme_quotes(tmp_path):
    _run_shell(_sweep_block(), tmp_path)
    with open(tmp_path / "sweep" / "summary.csv", newline="") as file:
        rows = {(row["initializer"], int(row["depth"])): row for row in csv.DictReader(file)}
    text = " ".join(README.read_text().split())
    for depth in (10, 30):
        row = rows["he", depth]
        quoted = f"{float(row['train_accuracy_mean']):.3f} ± " \
                 f"{float(row['train_accuracy_std']):.3f} at depth {depth}"
        assert quoted in text, quoted

def test_the_cluster_block_runs_on_a_real_scheduler(tmp_path):
    (block,) = [block for block in blocks("bash") if "--dask tcp://" in block]
    _run_shell(block, tmp_path)
    assert (tmp_path / "cluster" / "runs.csv").read_text().count("\n") > 1
