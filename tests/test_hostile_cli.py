"""A hostile review of the command line and of the files it reads and writes
(issue 24): special files (FIFOs, devices, directories, symbolic links, loops),
zip bombs, damaged CSVs, RLIMIT_FSIZE, a full device, real SIGINT and SIGPIPE.

Every case runs the real command in a subprocess and asserts what a user sees:
the exit code (2 for an error, 130 for Ctrl-C, 0 for a closed pipe), exactly
one line on stderr naming the file or option, no traceback, and input files
left as they were.
"""

import contextlib
import io
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile

import numpy as np
import pytest

import fastinit as fi
from fastinit.storage import atomic_write, encode_labels, load_data, open_input, read_npz

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and signals")

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def fastinit(*args, timeout=120, **kwargs):
    """Run ``python -m fastinit args``; the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "fastinit", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def assert_one_line_error(process, *names):
    """Exit code 2, exactly one line on stderr, naming each of ``names``."""
    lines = process.stderr.splitlines()
    assert process.returncode == 2, (process.returncode, process.stderr)
    assert len(lines) == 1, process.stderr
    assert "Traceback" not in process.stderr
    assert lines[0].startswith("fastinit: error: "), lines
    for name in names:
        assert str(name) in lines[0], (name, lines[0])
    return lines[0]


def snapshot(path):
    """What must not change about a file: its bytes, mode, inode and mtime."""
    status = os.lstat(path)
    data = path.read_bytes() if stat.S_ISREG(status.st_mode) else None
    return data, status.st_mode, status.st_ino, status.st_mtime_ns


@pytest.fixture
def data(tmp_path):
    """A small labelled data set as data.csv and data.npz."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    Y = (X[:, 0] > 0).astype(int)
    np.savetxt(tmp_path / "data.csv", np.column_stack([X, Y]), delimiter=",")
    np.savez(tmp_path / "data.npz", X=X, Y=Y)
    return tmp_path


@pytest.fixture
def params(tmp_path):
    path = tmp_path / "p.npz"
    fi.save_parameters(path, fi.initialize([2, 3, 1], seed=0))
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """A 0.3 MB .npz whose one float64 array inflates to 256 MiB; returns a
    function giving a copy with the member named as asked."""
    folder = tmp_path_factory.mktemp("bomb")
    n_bytes = 256 * 2**20
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (n_bytes // 8, 1)})
    chunk = bytes(2**24)

    def make(member):
        path = folder / f"{member}.npz"
        if not path.exists():
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                with archive.open(f"{member}.npy", "w", force_zip64=True) as handle:
                    handle.write(header.getvalue())
                    for _ in range(n_bytes // len(chunk)):
                        handle.write(chunk)
        return path
    return make


#: Runs ``python -m fastinit`` with the arguments after ``-c``, then writes the
#: process's own peak resident memory (VmHWM, KiB) to $PEAK_FILE. Measured in
#: the process itself: a child's ru_maxrss also counts the memory of the process
#: that forked it (Linux keeps the high-water mark across exec), which in a long
#: pytest session is hundreds of MiB.
MEASURED = """
import os, runpy, sys
try:
    sys.argv = ["fastinit", *sys.argv[1:]]
    runpy.run_module("fastinit", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:")).split()[1]
    with open(os.environ["PEAK_FILE"], "w") as out:
        out.write(peak)
"""


def run_measured(args, tmp_path, timeout=60):
    """Run ``python -m fastinit *args``; (exit code, stderr, peak memory in MiB)."""
    peak_file = tmp_path / "peak"
    process = subprocess.run([sys.executable, "-c", MEASURED, *map(str, args)],
                             env={**os.environ, "PEAK_FILE": str(peak_file)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             timeout=timeout)
    return process.returncode, process.stderr, int(peak_file.read_text()) / 1024


# ---------------------------------------------------------------------------
# train --save: never over the data, never replacing what is not a regular file
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("link", ["symlink", "hardlink", "dotted path"])
def test_save_over_the_data_under_another_name_is_refused(data, link):
    alias = data / "alias.csv"
    if link == "symlink":
        alias.symlink_to(data / "data.csv")
    elif link == "hardlink":
        os.link(data / "data.csv", alias)
    else:
        alias = data / "." / "data.csv"
    before = snapshot(data / "data.csv")
    process = fastinit("train", "--data", alias, "--iterations", "5", "--quiet",
                       "--save", data / "data.csv")
    assert_one_line_error(process, "--save", "data.csv")
    assert snapshot(data / "data.csv") == before
    assert process.stdout == ""  # refused before training


def test_save_to_dev_null_writes_in_place_and_keeps_the_device(data):
    before = os.stat("/dev/null")
    process = fastinit("train", "--data", data / "data.npz", "--iterations", "5", "--quiet",
                       "--save", "/dev/null")
    assert process.returncode == 0, process.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_save_to_dev_full_fails_in_one_line_and_keeps_the_device(data):
    # As root, the old atomic rename replaced /dev/full with a regular file.
    before = os.stat("/dev/full")
    process = fastinit("train", "--data", data / "data.npz", "--iterations", "5", "--quiet",
                       "--save", "/dev/full")
    line = assert_one_line_error(process, "/dev/full", "No space left")
    assert "in place" in line
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert not [name for name in os.listdir("/dev") if name.startswith(".full.")]


def test_save_to_a_fifo_nothing_reads_is_refused_and_the_fifo_kept(data):
    fifo = data / "out.fifo"
    os.mkfifo(fifo)
    process = fastinit("train", "--data", data / "data.npz", "--iterations", "5", "--quiet",
                       "--save", fifo, timeout=60)
    assert_one_line_error(process, "out.fifo", "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_save_to_a_fifo_being_read_writes_into_it(data):
    fifo = data / "out.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()))
    reader.start()
    time.sleep(0.2)
    process = fastinit("train", "--data", data / "data.npz", "--iterations", "5", "--quiet",
                       "--save", fifo, timeout=60)
    reader.join(30)
    assert process.returncode == 0, process.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with zipfile.ZipFile(io.BytesIO(received[0])) as archive:
        assert "W1.npy" in archive.namelist()


@pytest.mark.parametrize("target", ["directory", "loop", "missing folder", "empty"])
def test_unwritable_save_targets_are_refused_before_training(data, target):
    path = {"directory": data, "loop": data / "loop.npz",
            "missing folder": data / "nowhere" / "p.npz", "empty": ""}[target]
    if target == "loop":
        os.symlink(data / "loop.npz", data / "loop.npz")
    process = fastinit("train", "--data", data / "data.npz", "--iterations", "5", "--quiet",
                       "--save", path)
    assert_one_line_error(process, "--save" if target == "empty" else path)
    assert process.stdout == ""  # nothing trained before the refusal


def test_save_through_a_symlink_replaces_the_target_and_keeps_the_link(data, params):
    link = data / "link.npz"
    link.symlink_to(params)
    process = fastinit("train", "--data", data / "data.npz", "--iterations", "5", "--quiet",
                       "--save", link)
    assert process.returncode == 0, process.stderr
    assert link.is_symlink() and os.path.samefile(link, params)
    assert fi.load_parameters(params)["W1"].shape == (10, 2)  # the newly trained ones


def test_save_over_rlimit_fsize_fails_in_one_line_and_keeps_the_old_file(data, params):
    before = snapshot(params)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    process = fastinit("train", "--data", data / "data.npz", "--iterations", "5", "--quiet",
                       "--layers", "50,50", "--save", params, preexec_fn=limit)
    assert_one_line_error(process, params.name, "File too large")
    assert snapshot(params) == before
    assert not [name for name in os.listdir(params.parent) if name.endswith(".tmp")]


@pytest.mark.skipif(IS_ROOT, reason="root writes into a read-only folder")
def test_save_into_a_read_only_folder_fails_in_one_line(data):
    folder = data / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        process = fastinit("train", "--data", data / "data.npz", "--iterations", "5",
                           "--quiet", "--save", folder / "p.npz")
    finally:
        folder.chmod(0o755)
    assert_one_line_error(process, "p.npz", "Permission denied")


# ---------------------------------------------------------------------------
# Hostile input files, for --data and --params
# ---------------------------------------------------------------------------

def special_file(folder, kind, suffix):
    """A hostile file of ``kind`` named ``x<suffix>`` in ``folder``."""
    path = folder / f"x{suffix}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero link":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "dangling link":
        path.symlink_to(folder / "gone")
    elif kind == "missing":
        pass
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary junk":
        path.write_bytes(bytes(range(256)) * 64)
    return path


SPECIAL = ["fifo", "dev-zero link", "directory", "loop", "dangling link", "missing", "empty",
           "binary junk"]


@pytest.mark.parametrize("kind", SPECIAL)
def test_hostile_parameter_files_end_in_one_line_at_once(data, kind):
    path = special_file(data, kind, ".npz")
    started = time.monotonic()
    process = fastinit("predict", "--params", path, "--data", data / "data.npz", timeout=60)
    assert time.monotonic() - started < 30  # a FIFO does not block, /dev/zero is not read
    assert_one_line_error(process, path.name)
    assert process.stdout == ""


@pytest.mark.parametrize("suffix", [".csv", ".npz"])
@pytest.mark.parametrize("kind", SPECIAL)
def test_hostile_data_files_end_in_one_line_at_once(data, params, kind, suffix):
    path = special_file(data, kind, suffix)
    process = fastinit("predict", "--params", params, "--data", path, timeout=60)
    assert_one_line_error(process, path.name)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory from /proc")
def test_a_zip_bomb_is_refused_before_it_is_inflated(params, zip_bomb, data, tmp_path):
    for member, option in (("W1", "--params"), ("X", "--data")):
        bomb = zip_bomb(member)
        args = ["predict", "--params", params, "--data", data / "data.npz"]
        args[args.index(option) + 1] = bomb
        code, stderr, peak = run_measured(args, tmp_path)
        assert code == 2 and len(stderr.splitlines()) == 1, stderr
        assert bomb.name in stderr and "zip bomb" in stderr
        assert peak < 200, f"{peak:.0f} MiB: the 256 MiB member was inflated"


def test_the_library_refuses_a_zip_bomb_with_a_value_error(zip_bomb):
    with pytest.raises(ValueError, match="X.npz.*zip bomb"):
        load_data(zip_bomb("X"))
    with pytest.raises(ValueError, match="W1.npz.*zip bomb"):
        fi.load_parameters(zip_bomb("W1"))


def test_a_parameters_file_in_json_is_named(data):
    path = data / "p.json"
    path.write_text('{"W1": [[1, 2]], "b1": [[0]]}')
    assert_one_line_error(fastinit("predict", "--params", path, "--data", data / "data.npz"),
                          "p.json", "not a valid .npz")


# ---------------------------------------------------------------------------
# CSV as people damage it: errors name the file and the line counted from 1
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("a,b,label\n1,2,1\n3,x,0\n", ["line 3, column 2", "'x'"]),
    ("1,2,1\n3,4\n", ["line 2 has 2 columns, line 1 has 3"]),
    ("1,2,1\n\n# comment\n3,4,0,5\n", ["line 4 has 4 columns"]),
    ("a," + "b" * 200_000 + ",label\n1,2,1\n", ["line 1", "field larger than field limit"]),
    ('"' + "1" * 200_000 + '",2,1\n', ["line 1", "field larger than field limit"]),
    ("1,2,1\n3,nan,0\n", ["NaN or infinite", "example 2"]),
    ("1,2,1\n3,1e999,0\n", ["NaN or infinite", "example 2"]),
    ("1,2,1\n\xff\xfe,4,0\n", ["line 2"]),
    ("a,b,label\n", ["no data rows"]),
])
def test_damaged_csv_files_are_one_line_naming_the_file_and_line(data, params, text, words):
    path = data / "bad.csv"
    path.write_bytes(text.encode("latin-1") if "\xff" in text else text.encode())
    for command in (["train", "--data", path, "--iterations", "5", "--quiet"],
                    ["predict", "--params", params, "--data", path]):
        line = assert_one_line_error(fastinit(*command), "bad.csv", *words)
        assert "usecols" not in line and "row " not in line  # not NumPy's wording


def test_csv_errors_count_lines_from_one_in_the_library(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y,label\n1,2,1\n1,oops,0\n1,2,1\n")
    with pytest.raises(ValueError, match=r"d.csv.*line 3, column 2: cannot read 'oops'"):
        load_data(path)


def test_a_text_label_among_numbers_is_a_third_label_named_with_the_file(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y,label\n1,2,1\n1,2,0\n1,2,oops\n")
    _, labels = load_data(path)  # labels may be text; the two-class check names them
    with pytest.raises(ValueError, match=r"d.csv must hold exactly two distinct labels .*"
                                         r"found 3: 0, 1, oops"):
        encode_labels(labels, path)


def test_nan_in_npz_data_is_named(data, params):
    X = np.ones((4, 2))
    X[2, 1] = np.nan
    np.savez(data / "nan.npz", X=X, Y=np.ones(4))
    assert_one_line_error(fastinit("predict", "--params", params, "--data", data / "nan.npz"),
                          "nan.npz", "example 3")


def test_data_with_the_wrong_number_of_features_is_named(data, params):
    np.savez(data / "wide.npz", X=np.ones((4, 5)), Y=np.ones(4))
    assert_one_line_error(fastinit("predict", "--params", params, "--data", data / "wide.npz"))


# ---------------------------------------------------------------------------
# Options: every user error is one line and exit 2
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, name", [
    (["train", "--iterations", "5", "--activation", "leaky_relu", "--negative-slope", "1e308"],
     None),
    (["train", "--iterations", "5", "--negative-slope", "inf"], "--negative-slope"),
    (["train", "--iterations", "5", "--layers", "100000000000"], "memory"),
    (["train", "--iterations", "2", "--layers", "3000000,3000000", "--optimizer", "adam",
      "--mini-batch", "8"], "memory"),
    (["train", "--iterations", "0"], "--iterations"),
    (["train", "--learning-rate", "nan"], "--learning-rate"),
    (["train", "--seed", "-1"], "--seed"),
    (["train", "--layers", "5,x"], "--layers"),
    (["train", "--label-column", "nope"], "nope"),
    (["train", "--label-column", "99"], "99"),
])
def test_bad_training_options_are_one_line(data, args, name):
    process = fastinit(*args, "--data", data / "data.csv", "--quiet")
    assert_one_line_error(process, *([name] if name else []))


@pytest.mark.parametrize("args, name", [
    ([], "COMMAND"),
    (["fly"], "fly"),
    (["sweep", "--dask", ""], "--dask"),
    (["sweep", "--dask", "   "], "--dask"),
    (["sweep", "--seeds", "0-99999999999"], "--seeds"),
    (["sweep", "--seeds", "5-1"], "--seeds"),
    (["sweep", "--width", "0"], "--width"),
    (["compare", "--inits", "nope"], "nope"),
    (["compare", "--depths", "3"], "--depths"),
    (["predict", "--params", "p.npz"], "--data"),
])
def test_bad_commands_and_options_are_one_line(tmp_path, args, name):
    process = fastinit(*args, cwd=tmp_path)
    assert_one_line_error(process, name)
    assert os.listdir(tmp_path) == []  # nothing written


@pytest.mark.parametrize("command", [["compare", "--no-plots", "--iterations", "5"],
                                     ["sweep", "--seeds", "0", "--iterations", "5",
                                      "--inits", "he"]])
@pytest.mark.parametrize("out", ["file", "/dev/null"])
def test_an_out_folder_that_is_not_a_folder_is_one_line(tmp_path, command, out):
    path = tmp_path / "taken" if out == "file" else out
    if out == "file":
        path.write_text("mine")
    process = fastinit(*command, "--out", path, "--quiet")
    assert_one_line_error(process, path)
    if out == "file":
        assert path.read_text() == "mine"
    else:
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# ---------------------------------------------------------------------------
# sweep --resume: the files it reads back
# ---------------------------------------------------------------------------

SWEEP = ["sweep", "--inits", "he", "--seeds", "0-1", "--iterations", "5", "--quiet"]


@pytest.fixture
def finished_sweep(tmp_path):
    out = tmp_path / "out"
    process = fastinit(*SWEEP, "--out", out)
    assert process.returncode == 0, process.stderr
    return out


@pytest.mark.parametrize("damage, file, words", [
    ("rename column", "runs.csv", ["columns"]),
    ("huge field", "runs.csv", ["field larger"]),
    ("fifo", "runs.csv", ["regular file"]),
    ("directory", "runs.csv", ["regular file"]),
    ("junk", "sweep.json", []),
    ("fifo", "sweep.json", ["regular file"]),
    ("missing", "sweep.json", ["sweep.json"]),
])
def test_resume_errors_name_the_file(finished_sweep, damage, file, words):
    path = finished_sweep / file
    if damage == "rename column":
        text = path.read_text()
        path.write_text(text.replace("seed", "sead", 1))
    elif damage == "huge field":
        with open(path, "a") as handle:
            handle.write("he," + "9" * 200_000 + "\n")
    elif damage in ("fifo", "directory", "missing"):
        path.unlink()
        if damage == "fifo":
            os.mkfifo(path)
        elif damage == "directory":
            path.mkdir()
    else:
        path.write_bytes(bytes(range(256)))
    before = {name: snapshot(finished_sweep / name) for name in os.listdir(finished_sweep)}
    process = fastinit(*SWEEP, "--out", finished_sweep, "--resume", timeout=30)
    assert_one_line_error(process, *([file] if damage != "missing" else ["--resume"]), *words)
    assert {name: snapshot(finished_sweep / name)
            for name in os.listdir(finished_sweep)} == before


# ---------------------------------------------------------------------------
# Signals: a closed pipe ends quietly, Ctrl-C in one line with 130
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("option", [[], ["--proba"]])
def test_predict_into_a_closed_pipe_ends_quietly_with_0(tmp_path, params, option):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "big.npz", X=rng.standard_normal((200_000, 2)))  # > a pipe's buffer
    process = subprocess.Popen([sys.executable, "-m", "fastinit", "predict", "--params",
                                str(params), "--data", str(tmp_path / "big.npz"), *option],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()  # as `| head -1` does
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(60) == 0, stderr
    assert stderr == ""


def test_a_closed_stdout_and_stderr_pipe_still_ends_with_0(tmp_path, params):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "big.npz", X=rng.standard_normal((200_000, 2)), Y=np.ones(200_000))
    process = subprocess.Popen([sys.executable, "-m", "fastinit", "predict", "--params",
                                str(params), "--data", str(tmp_path / "big.npz")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    process.stdout.readline()
    process.stdout.close()  # `2>&1 | head -1`: the accuracy line has nowhere to go either
    assert process.wait(60) == 0


def interrupt_group(command, ready_seconds, ready=None):
    """Start ``command`` in its own process group, send SIGINT to the whole
    group (as Ctrl-C on a terminal does) ``ready_seconds`` after it started, or
    after ``ready()`` first holds (polled for up to a minute: a loaded machine
    starts a Dask cluster slowly); (exit code, stderr, seconds from the signal
    to the exit)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while ready is not None and not ready() and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.1)
        time.sleep(ready_seconds)
        assert process.poll() is None, process.communicate()
        sent = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:  # a failed check must not leave the command and its workers behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return process.returncode, stderr, time.monotonic() - sent


def test_ctrl_c_on_the_train_command_is_one_line_and_130(data):
    code, stderr, seconds = interrupt_group(
        [sys.executable, "-m", "fastinit", "train", "--data", str(data / "data.npz"),
         "--iterations", "100000000", "--quiet"], 4.0)
    assert code == 130, stderr
    assert stderr.splitlines() == ["fastinit: interrupted"]
    assert seconds < 2.0


def test_ctrl_c_on_a_local_dask_sweep_is_one_line_and_130(tmp_path):
    pytest.importorskip("distributed")
    code, stderr, seconds = interrupt_group(
        [sys.executable, "-m", "fastinit", "sweep", "--inits", "he", "--seeds", "0-3",
         "--iterations", "100000000", "--workers", "2", "--dask", "local",
         "--out", str(tmp_path / "out"), "--quiet"], 2.0,
        ready=(tmp_path / "out" / "runs.csv").exists)  # the cluster is up, the runs started
    assert code == 130, stderr
    assert stderr.splitlines() == ["fastinit: interrupted"]  # no worker tracebacks or logs
    assert seconds < 2.0, seconds


# ---------------------------------------------------------------------------
# The library's file layer, directly
# ---------------------------------------------------------------------------

def test_open_input_refuses_a_fifo_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "f")
    with pytest.raises(ValueError, match="f is a FIFO"):
        open_input(tmp_path / "f", "data file")


def test_atomic_write_never_replaces_a_fifo(tmp_path):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="nothing reads"):
        with atomic_write(fifo) as handle:
            handle.write(b"x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["f"]


def test_atomic_write_refuses_a_directory_and_keeps_it(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(ValueError, match="directory"):
        with atomic_write(tmp_path / "d") as handle:
            handle.write(b"x")
    assert (tmp_path / "d").is_dir()


def test_an_npz_member_past_its_declared_size_is_not_read(tmp_path):
    """A member whose central directory entry declares fewer bytes than its
    header's array: refused before the data is read."""
    path = tmp_path / "short.npz"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(1000))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", buffer.getvalue()[:200])
    with pytest.raises(ValueError, match="short.npz.*claims shape"):
        read_npz(path)
