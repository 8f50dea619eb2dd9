"""A test's child process (a server, a worker) that is stopped, killed, or left to exit."""

from __future__ import annotations

import signal
import subprocess


class ChildProcess:
    """Stop (SIGTERM, SIGKILL if it hangs), kill (SIGKILL) or await the exit of `process`."""

    process: subprocess.Popen[bytes] | None = None

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop it as a deployment would (SIGTERM), killing it if it hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        self.process = None

    def kill(self) -> None:
        """Kill it at once (SIGKILL): no cleanup, as a crash or an out-of-memory kill."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Wait for a process that is to exit by itself (a fault); returns its status."""
        assert self.process is not None
        status = self.process.wait(timeout=timeout)
        self.process = None
        return status
