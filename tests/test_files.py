"""Files (issue 15, items 4 and 5): writes are atomic, also under a real
RLIMIT_FSIZE; corrupt and hostile files end in a ValueError naming them."""

import io
import os
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import fastinit as fi
from fastinit.storage import atomic_write, load_data

FULL_DISK = r'''
import os, resource, signal, sys
import numpy as np
import fastinit as fi
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # the write then fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
big = fi.initialize([200, 200, 1], seed=0)     # about 320 KB
try:
    fi.save_parameters(sys.argv[1], big)
except OSError as error:
    print("OSError", error.errno)
'''


def test_a_write_that_fails_under_rlimit_fsize_leaves_the_good_file(tmp_path):
    path = tmp_path / "params.npz"
    small = fi.initialize([2, 3, 1], seed=1)
    fi.save_parameters(path, small)
    before = path.read_bytes()
    process = subprocess.run([sys.executable, "-c", FULL_DISK, str(path)], capture_output=True,
                             text=True, timeout=120)
    assert "OSError 27" in process.stdout, process.stdout + process.stderr  # EFBIG
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["params.npz"]  # no temporary file left
    loaded = fi.load_parameters(path)
    np.testing.assert_array_equal(loaded["W1"], small["W1"])


def test_a_failed_write_of_a_new_file_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_write(tmp_path / "new.json", "w") as handle:
            handle.write("{")
            raise RuntimeError("killed halfway")
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="empty"):
        fi.save_parameters("", fi.initialize([2, 1]))


def test_written_files_get_the_usual_permissions(tmp_path):
    fi.save_parameters(tmp_path / "p.npz", fi.initialize([2, 1]))
    mask = os.umask(0o022)
    os.umask(mask)
    assert (tmp_path / "p.npz").stat().st_mode & 0o777 == 0o666 & ~mask


def test_train_refuses_to_save_over_its_own_data(tmp_path):
    X, Y, _, _ = fi.datasets.load_dataset()
    np.savez(tmp_path / "data.npz", X=X.T, Y=Y.ravel())
    before = (tmp_path / "data.npz").read_bytes()
    process = subprocess.run([sys.executable, "-m", "fastinit", "train", "--data",
                              str(tmp_path / "data.npz"), "--iterations", "10", "--save",
                              str(tmp_path / "data.npz")], capture_output=True, text=True,
                             timeout=120)
    assert process.returncode == 2 and "--save must name a new file" in process.stderr
    assert (tmp_path / "data.npz").read_bytes() == before


def parameter_file(tmp_path):
    path = tmp_path / "p.npz"
    fi.save_parameters(path, fi.initialize([2, 3, 1], seed=0))
    return path


def corrupt_last_byte_of(path, member):
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:
                                                          info.header_offset + 30])
    raw[info.header_offset + 30 + name_length + extra_length + info.compress_size - 1] ^= 1
    path.write_bytes(bytes(raw))


def huge_header_npz(path):
    header = np.lib.format.header_data_from_array_1_0(np.zeros(4))
    header["shape"] = (10**12, 3)
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    member.write(np.zeros(4).tobytes())
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", member.getvalue())


@pytest.mark.parametrize("damage, match", [
    ("empty", "not a valid .npz"),
    ("truncated", "not a valid .npz"),
    ("crc", "Bad CRC"),
    ("npy", "not a valid .npz"),
])
def test_corrupt_parameter_files_are_named(tmp_path, damage, match):
    path = parameter_file(tmp_path)
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    elif damage == "crc":
        corrupt_last_byte_of(path, "W1.npy")
    else:
        buffer = io.BytesIO()
        np.save(buffer, np.zeros(3))
        path.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match=f"{path.name}.*{match}"):
        fi.load_parameters(path)


def test_a_header_claiming_a_huge_shape_is_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.npz"
    huge_header_npz(path)
    with pytest.raises(ValueError, match="claims shape"):
        load_data(path)


@pytest.mark.parametrize("array", [np.ones((3, 2), complex), np.ones((3, 2), bool)])
def test_complex_and_boolean_data_files_are_refused(tmp_path, array):
    path = tmp_path / "data.npz"
    np.savez(path, X=array, Y=np.ones(3))
    with pytest.raises(ValueError, match="must hold real numbers"):
        load_data(path)


@pytest.mark.parametrize("damage", ["crc", "huge"])
def test_the_commands_end_corrupt_files_with_one_line(tmp_path, damage):
    params = parameter_file(tmp_path)
    data = tmp_path / "data.npz"
    if damage == "crc":
        np.savez(data, X=np.ones((5, 2)))
        corrupt_last_byte_of(params, "W1.npy")
    else:
        huge_header_npz(data)
    process = subprocess.run([sys.executable, "-m", "fastinit", "predict", "--params",
                              str(params), "--data", str(data)], capture_output=True, text=True,
                             timeout=120)
    assert process.returncode == 2
    assert process.stdout == "" and len(process.stderr.strip().splitlines()) == 1
    assert "Traceback" not in process.stderr
