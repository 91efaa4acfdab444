"""Hostile review of sweeps, pools, Dask, experiments, resume and stop tokens
(issue 24): a stop belongs to one job, pools stop within a second of Ctrl-C
(a real SIGINT to a real subprocess), grids are sized before they are built,
resumed rows are checked against sweep.json, and bad arguments are named."""

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import fastinit as fi
from fastinit import depth, experiments, stopping, threads
from fastinit.sweep import RUN_COLUMNS, local_dask_client
from grid_runs import without_seconds

TINY = dict(initializers=["he"], depths=[1], widths=[3], seeds=[0, 1], iterations=50,
            learning_rate=0.05)
#: Generous for a loaded two-core machine, far under the 45 s of draining a queue.
PROMPT_SECONDS = 3.0


def lone_training(iterations):
    X, Y, _, _ = fi.datasets.load_dataset()
    return fi.train(X, Y, fi.initialize([2, 20, 20, 1], "he", seed=1), n_threads=1,
                    num_iterations=iterations, learning_rate=0.01)


# ---------------------------------------------------------------------------
# Stop tokens
# ---------------------------------------------------------------------------

def test_a_token_starts_clear_and_stays_set():
    token = stopping.StopToken()
    assert not token.is_set()
    token.set()
    token.set()
    assert token.is_set() and token.flag.dtype == np.intc


def test_stopping_with_refuses_anything_but_a_token():
    with pytest.raises(TypeError, match="token"):
        with stopping.stopping_with(np.zeros(1, dtype=np.intc)):
            pass


def test_tokens_nest_and_belong_to_their_thread():
    outer, inner = stopping.StopToken(), stopping.StopToken()
    seen = []
    with stopping.stopping_with(outer):
        with stopping.stopping_with(inner):
            assert stopping.current_stop_flag() is inner.flag
            thread = threading.Thread(target=lambda: seen.append(stopping.current_stop_flag()))
            thread.start()
            thread.join()
        assert stopping.current_stop_flag() is outer.flag
    assert stopping.current_stop_flag() is None and seen == [None]


def test_a_set_token_stops_its_training_and_not_another_threads():
    X, Y, _, _ = fi.datasets.load_dataset()
    token = stopping.StopToken()
    token.set()
    parameters = fi.initialize([2, 5, 1], "he", seed=0)
    before = {k: v.copy() for k, v in parameters.items()}
    with stopping.stopping_with(token), pytest.raises(KeyboardInterrupt):
        fi.train(X, Y, parameters, num_iterations=10**9, n_threads=1)
    assert all(np.array_equal(parameters[k], before[k]) for k in before)
    fi.train(X, Y, parameters, num_iterations=10, n_threads=1)  # no token here: runs


def test_stopping_tasks_cancel_the_queue_when_the_block_fails():
    import concurrent.futures

    started = []
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with pytest.raises(RuntimeError, match="callback"):
            with stopping.StoppingTasks(pool) as tasks:
                for i in range(50):
                    tasks.submit(lambda i: (started.append(i), time.sleep(0.01)), i)
                raise RuntimeError("callback")
    assert tasks.token.is_set() and len(started) < 5


# ---------------------------------------------------------------------------
# Cross-talk: one sweep's stop never stops another thread's training
# ---------------------------------------------------------------------------

def test_a_sweep_stopped_by_its_callback_leaves_another_threads_training_alone():
    expected = lone_training(3000)
    results = []
    trainer = threading.Thread(target=lambda: results.append(lone_training(3000)))

    def on_runs(rows, done, total):
        trainer.start()
        time.sleep(0.05)
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        fi.sweep(["he"], depths=[2], widths=[20], seeds=range(40), iterations=3000,
                 workers=2, on_runs=on_runs)
    trainer.join()
    assert results[0].final_cost == expected.final_cost
    assert all(np.array_equal(results[0].parameters[k], expected.parameters[k])
               for k in expected.parameters)


CROSS_TALK = r'''
import sys, threading
import numpy as np
import fastinit as fi
X, Y, _, _ = fi.datasets.load_dataset()
def lone():
    return fi.train(X, Y, fi.initialize([2, 20, 20, 1], "he", seed=1), n_threads=1,
                    num_iterations=20000, learning_rate=0.01)
results = []
trainer = threading.Thread(target=lambda: results.append(lone()))
trainer.start()
print("ready", flush=True)
try:
    fi.sweep(["he"], depths=[2], widths=[20], seeds=range(40), iterations=10**7, workers=2)
except KeyboardInterrupt:
    print("sweep interrupted", flush=True)
trainer.join()
same = results[0].final_cost == lone().final_cost
print("same bits" if same else "different", flush=True)
'''


def test_ctrl_c_in_a_sweep_leaves_another_threads_training_alone():
    process = subprocess.Popen([sys.executable, "-c", CROSS_TALK], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "sweep interrupted" in stdout and "same bits" in stdout


# ---------------------------------------------------------------------------
# Pools stop within a second of Ctrl-C; callbacks' errors surface at once
# ---------------------------------------------------------------------------

def interrupt_group(command, wait=2.0):
    """Start ``command`` in its own session, wait for its "ready" line and
    ``wait`` more, then send SIGINT to its whole group as a terminal's Ctrl-C
    does; return (exit code, stderr, seconds to exit)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    line = process.stdout.readline()
    assert "ready" in line, process.stderr.read() if process.poll() is not None else line
    time.sleep(wait)
    assert process.poll() is None, "finished before the interrupt"
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr, time.monotonic() - sent


CLI = [sys.executable, "-u", "-c", "import sys; print('ready', flush=True); "
       "from fastinit.cli import main; sys.exit(main(sys.argv[1:]))"]


def test_ctrl_c_stops_the_depth_experiment_at_once_with_130(tmp_path):
    code, stderr, seconds = interrupt_group(
        CLI + ["compare", "--experiment", "depth", "--out", str(tmp_path)])
    assert code == 130, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert seconds < PROMPT_SECONDS, seconds


def test_ctrl_c_stops_compare_depths_in_python_at_once():
    script = ("import fastinit as fi, sys\nfrom fastinit.depth import compare_depths\n"
              "print('ready', flush=True)\n"
              "try:\n    compare_depths(['he'], depths=[10], seeds=range(200), width=20, "
              "num_iterations=10**6, n_workers=2)\n"
              "except KeyboardInterrupt:\n    sys.exit(7)\n")
    code, stderr, seconds = interrupt_group([sys.executable, "-c", script])
    assert code == 7, stderr
    assert seconds < PROMPT_SECONDS, seconds


def test_an_on_run_error_surfaces_before_the_queue_drains():
    start = time.monotonic()
    with pytest.raises(ZeroDivisionError):
        depth.compare_depths(["he"], depths=[3], width=10, seeds=range(200), num_iterations=3000,
                             n_workers=2, on_run=lambda run: 1 / 0)
    assert time.monotonic() - start < PROMPT_SECONDS


def test_an_on_runs_error_surfaces_before_the_queue_drains(tmp_path):
    start = time.monotonic()
    with pytest.raises(ZeroDivisionError):
        fi.sweep(["he"], depths=[3], widths=[10], seeds=range(300), iterations=3000, workers=2,
                 out=tmp_path, on_runs=lambda rows, done, total: 1 / 0)
    assert time.monotonic() - start < PROMPT_SECONDS
    with open(tmp_path / "runs.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == RUN_COLUMNS and all(len(r) == len(RUN_COLUMNS) for r in rows)


def test_a_slow_on_runs_sees_every_run_once():
    seen = []
    result = fi.sweep(**TINY, on_runs=lambda rows, done, total: (time.sleep(0.05),
                                                                   seen.extend(rows)))
    assert sorted(r["seed"] for r in seen) == [0, 1] and len(result.runs) == 2


def test_a_failing_executor_surfaces_its_error():
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(1)
    pool.shutdown()
    with pytest.raises(ValueError, match="executor cannot take the runs: .*shutdown"):
        fi.sweep(**TINY, executor=pool)


class ExplodingPool(__import__("concurrent.futures").futures.ThreadPoolExecutor):
    """A pool whose third submission fails."""

    def __init__(self):
        super().__init__(1)
        self.count = 0

    def submit(self, *args, **kwargs):
        self.count += 1
        if self.count == 3:
            raise OSError("no more workers")
        return super().submit(*args, **kwargs)


def test_an_executor_failing_mid_submission_cancels_what_it_took():
    pool = ExplodingPool()
    with pytest.raises(OSError, match="no more workers"):
        fi.sweep(["he"], depths=[3], widths=[30], seeds=range(100), iterations=20000,
                 executor=pool)
    start = time.monotonic()
    pool.shutdown(wait=True)
    assert time.monotonic() - start < PROMPT_SECONDS


def test_ctrl_c_stops_the_sweep_command_with_130(tmp_path):
    code, stderr, seconds = interrupt_group(
        CLI + ["sweep", "--inits", "he", "--depths", "2", "--seeds", "0-40", "--iterations",
               "10000000", "--workers", "2", "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert seconds < PROMPT_SECONDS, seconds


# ---------------------------------------------------------------------------
# Executors and Dask
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("executor", ["threads", 4, object(), lambda f: f])
def test_an_executor_that_is_not_one_is_named(executor):
    with pytest.raises(TypeError, match="executor"):
        fi.sweep(**TINY, executor=executor)


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    client = local_dask_client(2)
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


def test_a_local_dask_cluster_gives_the_direct_rows(dask_client):
    grid = dict(TINY, activations=["relu", "tanh"], depths=[1, 2])
    assert without_seconds(fi.sweep(**grid, executor=dask_client).runs) == \
        without_seconds(fi.sweep(**grid, workers=1).runs)


def test_an_interrupted_dask_sweep_frees_the_workers_at_once(dask_client):
    import _thread

    timer = threading.Timer(2.0, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        fi.sweep(["he"], depths=[2], widths=[20], seeds=range(20), iterations=10**7,
                 executor=dask_client)
    assert time.monotonic() - start < 2.0 + PROMPT_SECONDS
    start = time.monotonic()  # the endless runs were stopped: a small sweep runs now
    assert len(fi.sweep(**TINY, executor=dask_client).runs) == 2
    assert time.monotonic() - start < 10


DASK_SCRIPT = r'''
import fastinit as fi
from fastinit.sweep import local_dask_client
if __name__ == "__main__":
    client = local_dask_client(2)
    cluster = client.cluster
    fi.sweep(["he"], depths=[1], widths=[3], seeds=[0], iterations=10, executor=client)
    print("ready", flush=True)
    try:
        fi.sweep(["he"], depths=[2], seeds=range(8), iterations=10**7, executor=client)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    client.close()
    cluster.close()
'''


def test_ctrl_c_to_the_group_stops_a_dask_sweep_without_worker_tracebacks(tmp_path):
    pytest.importorskip("distributed")
    script = tmp_path / "dask_sweep.py"
    script.write_text(DASK_SCRIPT)
    code, stderr, seconds = interrupt_group([sys.executable, "-u", str(script)], wait=3.0)
    assert code == 0, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "killing" not in stderr, stderr  # no busy worker had to be killed
    assert seconds < 10, seconds  # includes closing the cluster


# ---------------------------------------------------------------------------
# Grids: sizes before allocation, duplicates, types
# ---------------------------------------------------------------------------

def test_a_grid_of_a_billion_cells_is_refused_before_it_is_built():
    start = time.monotonic()
    with pytest.raises(ValueError, match=r"seeds \(1000000000\)"):
        fi.sweep(["he"], seeds=range(10**9))
    with pytest.raises(ValueError, match="initializers .* depths .* widths .* seeds"):
        fi.sweep(["he", "xavier"], depths=range(1, 1001), widths=range(1, 1001), seeds=[0])
    with pytest.raises(ValueError, match="seeds"):
        depth.compare_depths(["he"], seeds=range(10**9))
    assert time.monotonic() - start < 2


def test_an_endless_iterator_of_seeds_is_refused_not_read_forever():
    import itertools

    with pytest.raises(ValueError, match="seeds"):
        fi.sweep(["he"], seeds=itertools.count())


@pytest.mark.parametrize("argument, value", [
    ("seeds", [0, 1, 0]), ("depths", [2, 2]), ("widths", [4, 4]),
    ("initializers", ["he", "he"]), ("activations", ["relu", "relu"])])
def test_a_value_given_twice_is_refused_by_name(argument, value):
    with pytest.raises(ValueError, match=f"{argument} holds .* twice"):
        fi.sweep(**dict(TINY, **{argument: value}))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"seeds": [1.9]}, TypeError, "seeds"),
    ({"seeds": [True]}, TypeError, "seeds"),
    ({"seeds": 3}, TypeError, "seeds"),
    ({"depths": [True]}, TypeError, "depths"),
    ({"depths": [2.0]}, TypeError, "depths"),
    ({"depths": 2}, TypeError, "depths"),
    ({"widths": [0]}, ValueError, "widths"),
    ({"widths": [-3]}, ValueError, "widths"),
    ({"widths": []}, ValueError, "widths"),
    ({"initializers": {"he", "xavier"}}, TypeError, "initializers"),
    ({"initializers": [["he"]]}, TypeError, "initializers"),
    ({"initializers": [None]}, TypeError, "initializers"),
    ({"activations": ["nope"]}, ValueError, "activation"),
    ({"iterations": True}, TypeError, "iterations"),
    ({"iterations": 2.5}, TypeError, "iterations"),
    ({"iterations": 0}, ValueError, "iterations"),
    ({"iterations": float("nan")}, TypeError, "iterations"),
    ({"learning_rate": float("nan")}, ValueError, "learning_rate"),
    ({"learning_rate": float("inf")}, ValueError, "learning_rate"),
    ({"learning_rate": -0.1}, ValueError, "learning_rate"),
    ({"learning_rate": "0.1"}, TypeError, "learning_rate"),
    ({"lambd": "0.5"}, TypeError, "lambd"),
    ({"lambd": True}, TypeError, "lambd"),
    ({"lambd": float("inf")}, ValueError, "lambd"),
    ({"keep_prob": "1"}, TypeError, "keep_prob"),
    ({"keep_prob": float("nan")}, ValueError, "keep_prob"),
    ({"dataset": ["circles"]}, ValueError, "dataset"),
    ({"optimizer": {}}, ValueError, "optimizer"),
    ({"workers": 0}, ValueError, "workers"),
    ({"workers": 10**6}, ValueError, "workers"),
    ({"workers": True}, TypeError, "workers"),
    ({"on_runs": "print"}, TypeError, "on_runs"),
    ({"resume": True}, ValueError, "out"),
    ({"widths": [10**6], "depths": [3]}, ValueError, "widths"),
])
def test_bad_sweep_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        fi.sweep(**dict(TINY, **kwargs))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"depths": [2, 2]}, ValueError, "depths"),
    ({"seeds": [1, 1]}, ValueError, "seeds"),
    ({"methods": ["he", "he"]}, ValueError, "methods"),
    ({"methods": [3]}, TypeError, "methods"),
    ({"methods": {"he"}}, TypeError, "methods"),
    ({"seeds": [0.5]}, TypeError, "seeds"),
    ({"n_workers": True}, TypeError, "n_workers"),
])
def test_bad_depth_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        depth.compare_depths(**dict(dict(methods=["he"], depths=[1], width=3, seeds=[0],
                                         num_iterations=10), **kwargs))


@pytest.mark.parametrize("call", [
    lambda: experiments.compare_initializers(["he", "he"], num_iterations=10),
    lambda: experiments.compare_optimizers(["gd", "gd"], num_epochs=1),
    lambda: experiments.compare_initializers([None], num_iterations=10),
    lambda: experiments.compare_initializers(42, num_iterations=10),
    lambda: experiments.compare_initializers(["he"], num_iterations=-1),
    lambda: experiments.compare_initializers(["he"], learning_rate=float("nan")),
])
def test_bad_experiment_arguments_are_refused(call):
    with pytest.raises((TypeError, ValueError)):
        call()


def test_an_on_record_error_surfaces_from_the_experiments():
    def on_record(name, iteration, cost):
        raise LookupError(name)

    with pytest.raises(LookupError, match="he"):
        experiments.compare_initializers(["he"], num_iterations=2000, on_record=on_record)


def test_depth_runs_come_back_in_grid_order_whatever_finishes_first():
    result = depth.compare_depths(["he", "xavier"], depths=[4, 1], width=4, seeds=[1, 0],
                                  num_iterations=30, n_workers=3)
    assert [(r.initializer, r.depth, r.seed) for r in result.runs] == [
        (m, d, s) for m in ("he", "xavier") for d in (4, 1) for s in (1, 0)]


def test_a_range_grid_equals_the_same_list():
    assert without_seconds(fi.sweep(**dict(TINY, seeds=range(2))).runs) == \
        without_seconds(fi.sweep(**TINY).runs)


# ---------------------------------------------------------------------------
# Files: resume, tampering, concurrency
# ---------------------------------------------------------------------------

@pytest.fixture()
def finished(tmp_path):
    out = tmp_path / "out"
    result = fi.sweep(**TINY, out=out)
    return out, result


def rewrite_row(path, line, **changes):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    for column, value in changes.items():
        rows[line - 1][RUN_COLUMNS.index(column)] = value
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.parametrize("column, value, match", [
    ("dataset", "moons", "dataset"), ("learning_rate", "0.5", "learning_rate"),
    ("iterations", "7", "iterations"), ("seed", "99", "seed"), ("width", "8", "width"),
    ("initializer", "xavier", "initializer"), ("final_cost", "oops", "final_cost"),
    ("train_accuracy", "1.5", "out of range"), ("diverged", "maybe", "diverged"),
    ("seconds", "-1", "seconds"), ("depth", "1.0", "depth"), ("seed", "0", "run of line 2 again"),
])
def test_a_tampered_row_is_refused_naming_the_file_and_line(finished, column, value, match):
    out, _ = finished
    rewrite_row(out / "runs.csv", 3, **{column: value})
    with pytest.raises(ValueError, match=match) as error:
        fi.sweep(**TINY, out=out, resume=True)
    assert "runs.csv, line 3" in str(error.value)


def test_a_renamed_column_or_garbled_header_is_refused(finished):
    out, _ = finished
    text = (out / "runs.csv").read_text().replace("final_cost", "cost", 1)
    (out / "runs.csv").write_text(text)
    with pytest.raises(ValueError, match="runs.csv, line 1"):
        fi.sweep(**TINY, out=out, resume=True)


def test_a_row_with_missing_fields_or_a_huge_field_is_refused(finished):
    out, _ = finished
    path = out / "runs.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0] + lines[1] + "he,relu,1\r\n" + lines[2])
    with pytest.raises(ValueError, match="line 3: 3 fields"):
        fi.sweep(**TINY, out=out, resume=True)
    path.write_text(lines[0] + "\"" + "x" * 200_000 + "\"\r\n")
    with pytest.raises(ValueError, match="runs.csv"):
        fi.sweep(**TINY, out=out, resume=True)


def test_a_truncated_last_line_is_rerun_and_the_rest_kept(finished):
    out, result = finished
    path = out / "runs.csv"
    text = path.read_text()
    path.write_text(text[:-20])
    resumed = fi.sweep(**TINY, out=out, resume=True)
    assert without_seconds(resumed.runs) == without_seconds(result.runs)
    with open(path, newline="") as handle:
        assert len(list(csv.reader(handle))) == 3


def test_garbled_binary_runs_and_json_are_refused_by_name(finished):
    out, _ = finished
    (out / "runs.csv").write_bytes(b"\xff\xfe\x00garbage\n")
    with pytest.raises(ValueError, match="runs.csv"):
        fi.sweep(**TINY, out=out, resume=True)
    (out / "sweep.json").write_text("{not json")
    with pytest.raises(ValueError, match="sweep.json"):
        fi.sweep(**TINY, out=out, resume=True)


def test_a_changed_setting_in_the_call_is_refused_on_resume(finished):
    out, _ = finished
    for change in ({"lambd": 0.1}, {"keep_prob": 0.9}, {"learning_rate": 0.06},
                   {"seeds": [0, 1, 2]}):
        with pytest.raises(ValueError, match="sweep.json"):
            fi.sweep(**dict(TINY, **change), out=out, resume=True)


def test_a_fifo_as_runs_csv_is_refused_not_waited_on(finished):
    out, _ = finished
    os.unlink(out / "runs.csv")
    os.mkfifo(out / "runs.csv")
    with pytest.raises(ValueError, match="not a regular file"):
        fi.sweep(**TINY, out=out, resume=True)


def test_resume_of_a_complete_sweep_runs_nothing_and_gives_the_same_rows(finished):
    out, result = finished
    calls = []
    resumed = fi.sweep(**TINY, out=out, resume=True, on_runs=lambda *a: calls.append(a))
    assert calls == [] and resumed.runs == result.runs
    assert json.loads((out / "sweep.json").read_text())["grid"]["seeds"] == [0, 1]


def test_two_sweeps_into_one_folder_at_once_one_is_refused(tmp_path):
    out = tmp_path / "shared"
    errors, results = [], []
    barrier = threading.Barrier(2)

    def one():
        barrier.wait()
        try:
            results.append(fi.sweep(["he"], depths=[2], widths=[10], seeds=range(6),
                                    iterations=2000, out=out, workers=1))
        except ValueError as error:
            errors.append(str(error))

    workers = [threading.Thread(target=one) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(results) + len(errors) == 2 and len(results) >= 1
    assert all("another sweep" in e or "exists" in e for e in errors)
    with open(out / "runs.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == RUN_COLUMNS and len(rows) == 7
    assert sorted(int(r[4]) for r in rows[1:]) == list(range(6))


def test_a_sweep_from_another_process_holding_the_folder_is_refused(tmp_path):
    out = tmp_path / "held"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, fastinit as fi; print('ready', flush=True); "
         f"fi.sweep(['he'], depths=[2], seeds=range(40), iterations=10**7, workers=1, "
         f"out={str(out)!r})"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 20
        while not (out / "sweep.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(ValueError, match="another sweep"):
            fi.sweep(**TINY, out=out, resume=True)
    finally:
        holder.kill()
        holder.wait()


# ---------------------------------------------------------------------------
# Results and outputs
# ---------------------------------------------------------------------------

def test_the_summary_counts_each_seed_once_and_divergence_is_a_row():
    result = fi.sweep(["random"], depths=[3], widths=[5], seeds=[0, 1], iterations=50,
                      learning_rate=1e6)
    (row,) = result.summary()
    assert row["count"] == 2 and row["diverged"] == sum(r["diverged"] for r in result.runs)


def test_outputs_are_written_and_parse_back(finished):
    out, result = finished
    with open(out / "summary.csv", newline="") as handle:
        summary = list(csv.DictReader(handle))
    assert len(summary) == 1 and int(summary[0]["count"]) == 2
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "sweep.json").read_text())["settings"]["iterations"] == 50


# ---------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, error", [(True, TypeError), (0, ValueError), (-1, ValueError),
                                          (2.0, TypeError), ("2", TypeError),
                                          (threads.MAX_THREADS + 1, ValueError)])
def test_resolve_threads_refuses_bad_counts(value, error):
    with pytest.raises(error, match="n_threads"):
        threads.resolve_threads(value, [2, 10, 1], 100)


def test_resolve_threads_defaults_to_one_for_tiny_work_and_keeps_a_valid_count():
    assert threads.resolve_threads(None, [2, 3, 1], 10) == 1
    assert threads.resolve_threads(np.int64(2), [2, 3, 1], 10) == 2
    assert 1 <= threads.resolve_threads(None, [4000, 4000, 1], 10**6) <= \
        threads.available_cores()
    assert threads.available_cores() >= 1


def test_a_fifo_as_runs_csv_of_a_new_sweep_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "runs.csv")
    with pytest.raises(ValueError, match="runs.csv"):
        fi.sweep(**TINY, out=tmp_path)


@pytest.mark.parametrize("axis", ["depths", "widths"])
def test_a_zero_dimensional_array_for_an_axis_is_named(axis):
    with pytest.raises(TypeError, match=f"{axis} must be a collection of ints"):
        fi.sweep(["he"], seeds=[0], iterations=2, **{axis: np.array(3)})
