"""Ctrl-C (issue 15): a real SIGINT sent to a subprocess stops every training
path within a second: KeyboardInterrupt in Python with the caller's arrays
untouched, exit code 130 from the command."""

import signal
import subprocess
import sys
import time

import pytest

TRAIN = r'''
import sys
import numpy as np
import fastinit as fi

rng = np.random.default_rng(0)
X = rng.standard_normal(({n0}, {m}))
Y = (X[:1] > 0).astype(float)
parameters = fi.initialize([{n0}, 10, 5, 1], "he", seed=3)
before = {{k: v.copy() for k, v in parameters.items()}}
print("training", flush=True)
try:
    fi.train(X, Y, parameters, record_every=10**9, {options})
except KeyboardInterrupt:
    untouched = all(np.array_equal(parameters[k], before[k]) for k in before)
    print("KeyboardInterrupt", "untouched" if untouched else "modified", flush=True)
    sys.exit(7)
print("finished", flush=True)
'''

PATHS = {
    "full batch": dict(n0=2, m=300, options="num_iterations=10**9"),
    "full batch, threads": dict(n0=2, m=100_000, options="num_iterations=10**9, n_threads=2"),
    "row space": dict(n0=3000, m=100, options="num_iterations=10**9"),
    "epochs": dict(n0=2, m=300, options='optimizer="adam", mini_batch_size=64, '
                                        'num_epochs=10**9'),
    "dropout": dict(n0=2, m=300, options="num_iterations=10**9, keep_prob=0.8, "
                                         'activation="tanh"'),
}


def interrupt(command, ready, seconds_running=1.0):
    """Start ``command``, wait for ``ready`` on its stdout and ``seconds_running``
    more, send SIGINT; return (exit code, stdout, stderr, seconds to exit)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline()
        assert ready in line, (line, process.stderr.read() if process.poll() is not None else "")
        time.sleep(seconds_running)
        assert process.poll() is None, "finished before the interrupt"
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:  # a failed check must not leave a training of 10**9 iterations behind
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, line + stdout, stderr, time.monotonic() - sent


@pytest.mark.parametrize("path", PATHS)
def test_ctrl_c_stops_training_within_a_second(path):
    code, stdout, stderr, seconds = interrupt([sys.executable, "-c", TRAIN.format(**PATHS[path])],
                                              "training")
    assert code == 7, stderr
    assert "KeyboardInterrupt untouched" in stdout
    assert seconds < 1.0, seconds


def test_ctrl_c_stops_the_train_command_with_130(tmp_path):
    import numpy as np

    rng = np.random.default_rng(1)
    X = rng.standard_normal((50_000, 2))
    np.savez(tmp_path / "data.npz", X=X, Y=(X[:, 0] > 0).astype(int))
    code, _, stderr, seconds = interrupt(
        [sys.executable, "-u", "-c", "import sys; print('ready', flush=True); "
         "from fastinit.cli import main; sys.exit(main(sys.argv[1:]))", "train", "--data",
         str(tmp_path / "data.npz"), "--iterations", "1000000", "--quiet"], "ready", 2.0)
    assert code == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert seconds < 1.0, seconds


def test_ctrl_c_stops_a_sweep_and_its_threads_within_a_second(tmp_path):
    code, _, stderr, seconds = interrupt(
        [sys.executable, "-u", "-c", "import sys; print('ready', flush=True); "
         "from fastinit.cli import main; sys.exit(main(sys.argv[1:]))", "sweep", "--inits", "he",
         "--depths", "2", "--seeds", "0-3", "--iterations", "10000000", "--workers", "2",
         "--out", str(tmp_path / "out"), "--quiet"], "ready", 2.0)
    assert code == 130, stderr
    assert seconds < 1.0, seconds
