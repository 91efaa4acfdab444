"""Progress of the runs of ``fastinit compare`` and ``fastinit train`` on stderr."""

import sys
import time


class _Progress:
    """Progress on stderr: a bar on a terminal, one plain line per run otherwise.
    ``--verbose`` adds the cost every 1000 iterations (or epochs)."""

    def __init__(self, total_runs, num_iterations, quiet, verbose, record_every=1000,
                 unit="iteration", stream=None):
        self.stream = stream or sys.stderr
        self.total_runs = total_runs
        self.num_iterations = num_iterations
        self.quiet = quiet
        self.verbose = verbose
        self.record_every = record_every
        self.unit = unit
        self.tty = self.stream.isatty()
        self.run = 0

    def start(self, name):
        self.run += 1
        self.name = name
        self.started = time.perf_counter()

    def record(self, iteration, cost):
        if self.verbose and iteration % 1000 == 0:
            self._clear()
            print(f"{self.name}: Cost after {self.unit} {iteration}: {cost}", file=self.stream)
        if self.tty and not self.quiet:
            done = min(iteration + self.record_every, self.num_iterations) / self.num_iterations
            bar = "#" * int(30 * done)
            self.stream.write(f"\r[{self.run}/{self.total_runs}] {self.name:<24} "
                              f"[{bar:<30}] {100 * done:3.0f}%")
            self.stream.flush()

    def finish(self):
        if self.quiet:
            return
        self._clear()
        seconds = time.perf_counter() - self.started
        print(f"[{self.run}/{self.total_runs}] {self.name}: {self.num_iterations} {self.unit}s "
              f"in {seconds:.2f} s", file=self.stream)

    def step(self, label, finished):
        """A run of many finished (runs that go side by side have no bar of their own)."""
        if not hasattr(self, "started"):
            self.started = time.perf_counter()
        if self.tty and not self.quiet:
            self.stream.write(f"\r[{finished}/{self.total_runs}] {label:<48}")
            self.stream.flush()

    def done(self):
        """After the last :meth:`step`: one line with the number of runs and the time."""
        if self.quiet:
            return
        self._clear()
        seconds = time.perf_counter() - getattr(self, "started", time.perf_counter())
        print(f"{self.total_runs} runs of {self.num_iterations} {self.unit}s in {seconds:.1f} s",
              file=self.stream)

    def _clear(self):
        if self.tty and not self.quiet:
            self.stream.write("\r" + " " * 72 + "\r")
