"""Measurement helpers shared by the benchmarks: interleaved pairs, medians with spread, import floors, memory.

- ``pairs(a, b, n)`` runs two commands alternately (A B A B …) so both see the same machine load;
  ratios are taken pair by pair, then summarised by their median and min–max.
- ``import_floor(cmd)`` is the command that only imports the modules ``cmd`` imports (same code
  path, no work): its time is the fixed cost subtracted before growth is judged.
- ``summed_peak_mb(cmd)`` runs a command once and adds up the peak resident memory of every
  process of it (a build forks a PDF helper), sampled from /proc where available.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Stat:
    """A median with the smallest and largest value it summarises."""

    median: float
    lo: float
    hi: float

    @classmethod
    def of(cls, values: list[float]) -> "Stat":
        """The median and range of ``values``."""
        return cls(statistics.median(values), min(values), max(values))

    def fmt(self, spec: str = ".3f", unit: str = "") -> str:
        """``median (min–max)``."""
        return f"{self.median:{spec}}{unit} ({self.lo:{spec}}–{self.hi:{spec}})"


def run_once(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Run a command to completion: wall seconds and the peak RSS (MB) wait4 reports for it."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{tail}")
    return elapsed, usage.ru_maxrss / 1024


def pairs(a: list[str], b: list[str], n: int, warm: bool = True) -> tuple[list[float], list[float]]:
    """Times of ``n`` interleaved runs of ``a`` and ``b`` (A B A B …), after one warm-up run of each."""
    if warm:
        run_once(a)
        run_once(b)
    ta, tb = [], []
    for i in range(n):
        # alternate which goes first, so neither always follows the other
        first, second = (a, b) if i % 2 == 0 else (b, a)
        t1, _ = run_once(first)
        t2, _ = run_once(second)
        ta.append(t1 if first is a else t2)
        tb.append(t2 if first is a else t1)
    return ta, tb


def pair_ratios(ta: list[float], tb: list[float]) -> Stat:
    """The ratio a/b taken pair by pair, summarised."""
    return Stat.of([x / y for x, y in zip(ta, tb)])


def pair_excess(ta: list[float], tb: list[float]) -> Stat:
    """a − b taken pair by pair (the time above a floor), summarised."""
    return Stat.of([x - y for x, y in zip(ta, tb)])


_RECORD = (
    "import atexit, runpy, sys\n"
    "def _dump(path=sys.argv[1]):\n"
    "    with open(path, 'w') as fh:\n"
    "        fh.write('\\n'.join(m for m in list(sys.modules) if m != '__main__'))\n"
    "atexit.register(_dump)\n"
    "sys.argv = sys.argv[2:]\n"
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
)

_FLOOR = (
    "import importlib, sys\n"
    "for name in open(sys.argv[1]).read().split():\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception:\n"
    "        pass\n"
)


def import_floor(cmd: list[str], folder: Path) -> list[str]:
    """A command importing exactly the modules that ``cmd`` (``python -m MODULE args…``) imports, doing nothing else.

    The modules are recorded by running ``cmd`` once; they are imported in the order they were
    first imported.
    """
    if cmd[1:2] != ["-m"]:
        raise ValueError("import_floor needs a command of the form python -m MODULE ...")
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / f"modules-{abs(hash(tuple(cmd)))}.txt"
    subprocess.run([cmd[0], "-c", _RECORD, str(listing), *cmd[2:]], check=True, capture_output=True)
    return [cmd[0], "-c", _FLOOR, str(listing)]


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def summed_peak_mb(cmd: list[str], interval: float = 0.004) -> float:
    """Run ``cmd`` once; the sum over its processes (it and every descendant) of each one's peak RSS, in MB.

    Peaks are the kernel's per-process high-water marks (VmHWM), read every ``interval`` seconds
    while the processes live; without /proc, the command's own peak (wait4) is returned.
    """
    if not os.path.isdir("/proc/self"):
        return run_once(cmd)[1]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    known = {proc.pid}
    while True:
        done = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if done is not None:
            break
        for pid in list(known):
            hwm = _hwm_kb(pid)
            if hwm is not None:
                peaks[pid] = max(peaks.get(pid, 0), hwm)
            for kid in _children(pid):
                known.add(kid)
        time.sleep(interval)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}")
    # a process may grow after its last sample; wait4 reports the largest true peak among them
    total = sum(peaks.values()) + max(0, usage.ru_maxrss - max(peaks.values(), default=0))
    return total / 1024


def python() -> str:
    """The interpreter running the benchmark (the project's virtualenv)."""
    return sys.executable
