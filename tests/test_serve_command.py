"""``fastinit serve`` (issue 28): a real server in a subprocess answers on the
address it prints, Ctrl-C (a real SIGINT) stops it with one line and 130, and
what it cannot do (no extra, a port in use, a bad data file) is one line and 2."""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

COMMAND = [sys.executable, "-m", "fastinit", "serve"]


def start(*options):
    """The server process and the address it printed."""
    process = subprocess.Popen([*COMMAND, *options], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("fastinit explorer at "):
        process.kill()
        pytest.fail(f"no address printed: {line!r} {process.communicate()}")
    return process, line.split()[3]


def stop(process):
    """SIGINT, as Ctrl-C; (exit code, stderr)."""
    try:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stderr


def test_it_serves_on_the_address_it_prints_and_ctrl_c_stops_it():
    process, url = start("--port", "0")
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/options", timeout=30) as response:
            options = json.load(response)
        assert "he" in options["initializers"] and options["limits"]["depth"] == 100
    finally:
        code, stderr = stop(process)
    assert code == 130, stderr
    assert stderr.splitlines() == ["fastinit: interrupted"]


def test_another_host_warns_in_one_line():
    process, url = start("--host", "0.0.0.0", "--port", "0")
    try:
        with urllib.request.urlopen(url.replace("0.0.0.0", "127.0.0.1") + "api/options",
                                    timeout=30) as response:
            assert response.status == 200
    finally:
        code, stderr = stop(process)
    lines = stderr.splitlines()
    assert code == 130 and lines[-1] == "fastinit: interrupted"
    assert len(lines) == 2 and "warning: listening on 0.0.0.0" in lines[0]


def test_a_port_in_use_is_one_line_and_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        run = subprocess.run([*COMMAND, "--port", str(port)], capture_output=True, text=True,
                             timeout=60)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"fastinit: error: cannot listen on 127.0.0.1:{port}: Address already in use"]


@pytest.mark.parametrize("options, message", [
    (["--port", "70000"], "--port"),
    (["--port", "http"], "--port"),
    (["--host", "no.such.host.invalid", "--port", "0"], "--host"),
    (["--data", "missing.csv", "--port", "0"], "missing.csv"),
])
def test_bad_options_are_one_line_and_2(tmp_path, options, message):
    run = subprocess.run([*COMMAND, *options], capture_output=True, text=True, timeout=60,
                         cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert len(run.stderr.splitlines()) == 1 and message in run.stderr, run.stderr


def test_a_data_file_without_labels_is_refused_before_listening(tmp_path):
    np.savez(tmp_path / "x.npz", X=np.ones((10, 2)))
    run = subprocess.run([*COMMAND, "--data", str(tmp_path / "x.npz"), "--port", "0"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1 and "no labels" in run.stderr


def test_a_data_file_is_offered_as_a_data_set(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    np.savez(tmp_path / "d.npz", X=X, Y=(X[:, 0] > 0).astype(int))
    process, url = start("--data", str(tmp_path / "d.npz"), "--port", "0")
    try:
        with urllib.request.urlopen(url + "api/options", timeout=30) as response:
            assert "file" in json.load(response)["datasets"]
    finally:
        stop(process)


def test_without_the_extra_it_names_the_extra():
    program = ("import sys; sys.modules['uvicorn'] = None; "
               "from fastinit.cli import main; sys.exit(main(['serve', '--port', '0']))")
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         timeout=60, env={**os.environ})
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "fastinit: error: fastinit serve needs the serve extra: "
        "pip install 'fastinit-nn[serve]'"]
