# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a back-end process under test: start, wait for its socket, stop, read its log."""
import os
import signal
import subprocess
import time
from pathlib import Path


def children(pid: int) -> list:
    """Pids of the children of process @pid (none once it ended)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Backend:
    """A back-end process (ours or qemu-storage-daemon) with its stderr kept in a file."""

    def __init__(self, argv, workdir: Path, socket: Path = None, pass_fds=(),
                 name="backend", env=None):
        self.argv = [str(a) for a in argv]
        self.socket = Path(socket) if socket else None
        self.log_path = Path(workdir) / f"{name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     pass_fds=pass_fds, env=env)

    def wait_socket(self, timeout=10.0):
        """Wait until the socket file exists (and the process still runs)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.proc.returncode}:\n{self.log()}")
            if self.socket and self.socket.exists():
                return
            time.sleep(0.02)
        raise TimeoutError(f"{self.socket} did not appear within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_log(self, needle: str, timeout=10.0) -> bool:
        """Wait until @needle appears in the log; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log():
                return True
            time.sleep(0.05)
        return False

    SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")

    def sanitizer_report(self) -> str:
        """Lines of the log in which ASan/LSan/UBSan reported a problem."""
        return "\n".join(line for line in self.log().splitlines()
                         if any(m in line for m in self.SANITIZER_MARKS))

    def children(self) -> list:
        """Pids of the process's children (none once it ended)."""
        return children(self.proc.pid)

    def serving_pid(self, timeout=5.0) -> int:
        """The process that serves. With namespaces (our default sandbox) that is
        the child the program forked into its new PID namespace; without them
        (--sandbox=none or chroot, or unshare refused) the process itself."""
        no_ns = any(a in ("--sandbox=none", "--sandbox=chroot") for a in self.argv)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kids = self.children()
            if kids:
                return kids[0]
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.proc.returncode}:\n{self.log()}")
            if no_ns or "sandbox: no namespaces" in self.log():
                return self.proc.pid
            time.sleep(0.02)
        raise TimeoutError(f"no serving child of {self.proc.pid} within {timeout}s:\n{self.log()}")

    def running(self) -> bool:
        return self.proc.poll() is None

    def terminate(self, sig=signal.SIGTERM, timeout=10.0):
        """Send @sig and wait; returns (exit status, seconds it took)."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise TimeoutError(f"{self.argv[0]} ignored signal {sig} for {timeout}s:\n{self.log()}")
        finally:
            self._log.close()
        return rc, time.monotonic() - t0

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self._log.closed:
            self._log.close()
