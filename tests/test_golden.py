"""The same call gives the same bits on every CPU: the digests of
``golden_cases.py``, recomputed under every build this CPU runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import runnable_builds
from golden_cases import GOLDEN, cases

HERE = Path(__file__).resolve().parent


def test_the_golden_file_lists_every_case():
    golden = json.loads(GOLDEN.read_text())["cases"]
    assert sorted(golden) == sorted(cases())
    assert len(golden) >= 150


@pytest.mark.parametrize("isa", [name for name, _ in runnable_builds()])
def test_every_build_gives_the_golden_bits(isa):
    run = subprocess.run([sys.executable, str(HERE / "golden_cases.py")], capture_output=True,
                         text=True, timeout=600, env={**os.environ, "FASTINIT_ISA": isa})
    assert run.returncode == 0, run.stderr[-3000:]
    computed = json.loads(run.stdout)
    golden = json.loads(GOLDEN.read_text())["cases"]
    differ = sorted(name for name in golden if computed.get(name) != golden[name])
    assert not differ, f"{len(differ)} of {len(golden)} cases differ under {isa}: {differ}"
