"""The machine the benchmark runs on: its description, process figures from /proc, limits."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import shutil
import subprocess
import time
from importlib import metadata
from typing import Any

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PACKAGES = ("django", "channels", "channels-redis", "daphne", "uvicorn", "uvloop", "websockets")


def raise_open_files_limit(wanted: int = 65_536) -> int:
    """Lift the soft open-files limit as far as the hard limit allows; returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def _status_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _with_children(pid: int) -> list[int]:
    """The process and its child processes (a server started with --workers forks them)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [pid, *(int(child) for child in children.read().split())]
    except OSError:
        return [pid]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children now (VmRSS), in KiB; 0 if gone."""
    total = 0
    for each in _with_children(pid):
        with contextlib.suppress(OSError):  # a child that just exited
            total += _status_kib(each, "VmRSS")
    return total


def peak_rss_kib(pid: int) -> int:
    """The highest resident memory the process ever had (VmHWM), in KiB; 0 if it is gone."""
    try:
        return _status_kib(pid, "VmHWM")
    except OSError:
        return 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user plus system, all threads) of a process and its live children, seconds."""
    total = 0.0
    for each in _with_children(pid):
        try:
            with open(f"/proc/{each}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces
        total += (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
    return total


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy since boot, in seconds (/proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / _CLOCK_TICKS  # user..steal; guest time is inside user


def wait_until_quiet(*, busy_below: float, within: float, window: float = 2.0) -> float:
    """Wait (at most `within` s) until the machine uses under `busy_below`% of a core.

    Returns the last busy figure seen; other people's jobs on a shared machine
    would otherwise land in one target's run and not the other's.
    """
    deadline = time.monotonic() + within
    while True:
        before = machine_busy_seconds()
        time.sleep(window)
        busy = 100 * (machine_busy_seconds() - before) / window
        if busy < busy_below or time.monotonic() >= deadline:
            return busy


def load_average() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


def own_cpu_seconds() -> float:
    """CPU time of the calling process, in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mib() -> int:
    try:
        return _status_meminfo("MemTotal") // 1024
    except OSError:
        return 0


def _status_meminfo(field: str) -> int:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _redis_version() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        return "not installed"
    result = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    return result.stdout.strip()


def describe() -> dict[str, Any]:
    """What the figures were measured on."""
    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_mib": _memory_mib(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "redis": _redis_version(),
        "packages": versions,
    }


def headline(machine: dict[str, Any]) -> str:
    """The machine in one line, as a report opens."""
    return (
        f"Machine: {machine['cpu_model']}, {machine['cores']} cores, "
        f"{machine['memory_mib']} MiB, Python {machine['python']}, {machine['redis']}"
    )
