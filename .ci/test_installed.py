"""Run the test suite against the installed fastinit, from a folder without src/.

    python .ci/test_installed.py [PROJECT] [-- PYTEST ARGUMENTS]

PROJECT is the checkout the tests come from (default: the one holding this
script). Besides the installed package, the tests need, from the checkout:
tests/; benchmarks/ (the plain-NumPy reference they compare against, on
pytest's pythonpath); README.md and docs/ (the README's commands, table,
example and figures are tested); pyproject.toml (pytest's settings); .ci/run
(the README's test command is the one it runs). Those are
copied to a new temporary folder and pytest runs there, so ``import fastinit``
finds only the installed package (checked before the tests start). cibuildwheel's
test-command runs this script, and so does .ci/run.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NEEDED = ("tests", "benchmarks", "docs", "README.md", "pyproject.toml", ".ci/run")


def main(argv):
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    positional = argv[:argv.index("--")] if "--" in argv else argv
    project = Path(positional[0] if positional else Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory(prefix="fastinit-installed-") as folder:
        for name in NEEDED:
            source = project / name
            if source.is_dir():
                shutil.copytree(source, Path(folder) / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                (Path(folder) / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, Path(folder) / name)
        where = subprocess.run([sys.executable, "-c", "import fastinit; print(fastinit.__file__)"],
                               cwd=folder, capture_output=True, text=True, check=True).stdout
        installed = Path(where.strip()).resolve()
        if (project / "src").resolve() in installed.parents:
            sys.exit(f"fastinit is imported from the checkout's src/ ({installed}), "
                     f"not installed")
        print(f"testing the installed fastinit at {installed.parent}", flush=True)
        environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                               *extra], cwd=folder, env=environment).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
