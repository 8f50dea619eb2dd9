"""Optional: sample the server under load with py-spy (`--profile DIR`).

py-spy is not a project dependency; install it in the virtualenv to use this
(`pip install py-spy`). Profiled runs are for finding where time goes, not for
figures: the sampler takes CPU from the same two cores.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SAMPLES_PER_SECOND = 100


def available() -> str | None:
    """The py-spy executable, if installed next to this Python or on PATH."""
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


class Profile:
    """py-spy sampling one process's CPU for a fixed time, as collapsed stacks.

    The output is flamegraph.pl / speedscope input, one line per distinct stack.
    """

    def __init__(self, pid: int, output: Path, seconds: float) -> None:
        executable = available()
        if executable is None:
            raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
        output.parent.mkdir(parents=True, exist_ok=True)
        self.output = output
        self._process = subprocess.Popen(
            [
                executable, "record",
                "--pid", str(pid),
                "--duration", str(max(1, round(seconds))),
                "--rate", str(SAMPLES_PER_SECOND),
                "--threads",  # the event loop apart from the sync worker threads
                "--function",  # one entry per function, not per line
                "--nonblocking",
                "--format", "raw",
                "--output", str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait(self, seconds: float = 30.0) -> None:
        """Let py-spy finish writing; kill it if it hangs."""
        try:
            self._process.wait(seconds)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)


def summary(path: Path, limit: int = 15) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Share of CPU samples per thread kind, and the functions with the most self time."""
    threads: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")
        count = int(count_text)
        total += count
        kind = "event loop" if "MainThread" in frames[0] else "worker threads"
        threads[kind] = threads.get(kind, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count
    if not total:
        return {}, []
    ranked = sorted(own.items(), key=lambda item: -item[1])[:limit]
    shares = {kind: 100 * count / total for kind, count in threads.items()}
    return shares, [(frame, 100 * count / total) for frame, count in ranked]


def described(path: Path) -> str:
    """The summary as lines to print under a run."""
    threads, functions = summary(path)
    shares = ", ".join(f"{kind} {share:.0f}%" for kind, share in threads.items())
    lines = [f"   profile: {path} (CPU samples: {shares}); most self time:"]
    lines += [f"     {share:5.1f}%  {frame}" for frame, share in functions]
    return "\n".join(lines)
