"""What an installed fastinit carries, and the README's first command."""

import importlib.resources
import re
from pathlib import Path

import fastinit as fi
from fastinit import _kernels

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_kernels_are_compiled_and_ship_their_sources_and_stubs():
    from fastinit import _kernels_generic

    assert Path(_kernels_generic.__file__).suffix in (".so", ".pyd")
    assert Path(_kernels._impl.__file__).suffix in (".so", ".pyd")
    package = importlib.resources.files("fastinit")
    for name in ("_kernels_core.pyx", "_kernels_build.c", "_kernels_api.h",
                 "_simd.h", "_cpu.h", "_kernels.pyi", "py.typed"):
        assert package.joinpath(name).is_file(), name


def test_every_name_in_all_exists():
    for name in fi.__all__:
        assert hasattr(fi, name), name


def test_readme_starts_with_the_two_commands():
    text = README.read_text()
    block = text.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block == ["pip install . && fastinit compare", 'pip install ".[test]" && pytest']


def test_readme_table_is_what_compare_computes():
    text = README.read_text()
    shown = text.split("It prints\n\n```\n", 1)[1].split("```", 1)[0].strip().splitlines()
    runs, _ = fi.compare_initializers()
    for line, run in zip(shown[2:], runs, strict=True):
        fields = line.split()
        assert fields[0] == run.name
        assert fields[1:4] == [f"{run.train_accuracy:.3f}", f"{run.test_accuracy:.3f}",
                               f"{run.final_cost:.4g}"]
        assert " ".join(fields[5:]) == run.comment


def test_readme_figures_exist():
    text = README.read_text()
    for path in re.findall(r"\]\((docs/[^)]+\.png)\)", text):
        assert (README.parent / path).read_bytes().startswith(b"\x89PNG"), path


def test_readme_python_example_runs(capsys):
    text = README.read_text()
    example = text.split("\n## Example\n", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(example, "README example", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[1] == "0.96"
