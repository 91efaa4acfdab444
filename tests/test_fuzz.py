"""Runs tests/fuzz_entry_points.py in a subprocess: a crash of the compiled core
(segfault, abort) fails this test instead of killing pytest."""

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "fuzz_entry_points.py"
EXAMPLES = int(os.environ.get("FASTINIT_FUZZ_EXAMPLES", "300"))
#: fuzz_entry_points.py's entry points, initialize and the datasets.
HARNESSES = 13


def test_fuzzing_every_entry_point_gives_answers_or_clear_errors():
    process = subprocess.run([sys.executable, str(SCRIPT), "--examples", str(EXAMPLES)],
                             capture_output=True, text=True, timeout=1800)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-4000:]
    total = int(re.search(r"fuzz examples: (\d+), crashes: 0", process.stdout).group(1))
    assert total == HARNESSES * EXAMPLES
    checked = sum(int(n) for n in re.findall(r"answer checked: (\d+)", process.stdout))
    errors = sum(int(n) for n in re.findall(r"clear error: (\d+)", process.stdout))
    assert checked + errors == total and checked > total // 5 and errors > total // 5
    print(process.stdout)
