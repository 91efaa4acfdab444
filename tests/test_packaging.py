"""What an installed fastinit carries, and the README's first command."""

import importlib.resources
import re
import subprocess
import sys
from pathlib import Path

import fastinit as fi
from fastinit import _kernels

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_kernels_are_compiled_and_ship_their_sources_and_stubs():
    assert Path(_kernels.__file__).suffix in (".so", ".pyd")
    package = importlib.resources.files("fastinit")
    for name in ("_kernels.pyx", "_kernels.pyi", "py.typed"):
        assert package.joinpath(name).is_file(), name


def test_every_name_in_all_exists():
    for name in fi.__all__:
        assert hasattr(fi, name), name


def test_readme_starts_with_the_two_commands_and_its_main_job_prints_the_table():
    text = README.read_text()
    block = text.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[1] == 'pip install ".[test]" && pytest'
    install, run = block[0].split(" && ", 1)
    assert install == "pip install ."
    code = re.fullmatch(r'python -c "(.*)"', run).group(1)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    shown = text.split("prints:\n\n```\n", 1)[1].split("```", 1)[0]
    assert out == shown
