# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile catalogue (qd-frontend hostile) against both back-ends.

One back-end process per program takes the whole catalogue, which is the
point: it must survive all of it. Every case is a session of its own that
breaks the protocol or the rings in one precise way; qd-frontend reports the
outcome it observed (session closed, REPLY_ACK failure, queue broken,
request failed, frame dropped...) and this suite checks, per case:

- the outcome is the one the catalogue expects;
- the back-end logged what was wrong: the case's substring appears in the
  part of the log written during that case (the back-end runs with
  --verbose, as the refusals a guest causes are logged at debug level);
- nothing else went wrong meanwhile: no sanitizer report, no broken queue
  or ended session the case did not ask for;
- the back-end still runs, and a well-behaved front-end works right after
  (blk: verify --ops 20, net: net-xfer of 20 frames through loopback), after
  every case.

A first pass of the whole catalogue warms the back-end up (thread arenas,
io_uring, the C library's caches). Then its fd count must be back to what it
was before the catalogue, after the second pass too, and (plain builds) its
RSS must not have grown by more than RSS_BOUND_KIB over the warmed-up
baseline.
"""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from test_frontend_qsd import SANITIZER_REPORTS, make_image

TOOL_TIMEOUT = 120
# Growth of the serving process's RSS over the catalogue, after a warm-up
# pass (plain builds; measured: about 1 MiB for blk, under 0.1 MiB for net).
# Under ASan the number says nothing: its allocator keeps what is freed in a
# quarantine of up to 256 MiB (measured: +98 MiB blk, +14 MiB net), so it
# is printed but not bounded; LeakSanitizer checks for leaks at exit instead.
RSS_BOUND_KIB = 8 * 1024
# A line only a case that expects it may produce
BROKEN_MARK = "virtqueue broken"
ENDED_MARK = "front-end session ended"


def run(tool, *args, timeout=TOOL_TIMEOUT):
    """Run qd-frontend (bounded); its stderr must be free of sanitizer reports."""
    p = subprocess.run([str(tool), *[str(a) for a in args]], capture_output=True,
                       text=True, timeout=timeout)
    for report in SANITIZER_REPORTS:
        assert report not in p.stderr, f"qd-frontend {args[0]}: sanitizer report:\n{p.stderr}"
    return p


def fd_count(pid: int) -> int:
    """Open fds of a process."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def settled_fd_count(pid: int, want: int, timeout=5.0) -> int:
    """The fd count once it is @want, or after @timeout: a front-end that
    just quit does not wait for the back-end to finish closing its session."""
    deadline = time.monotonic() + timeout
    while True:
        n = fd_count(pid)
        if n == want or time.monotonic() > deadline:
            return n
        time.sleep(0.05)


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def sanitized(build_dir: Path) -> bool:
    """Whether the build under test uses a sanitizer (meson's b_sanitize)."""
    try:
        opts = json.loads((build_dir / "meson-info" / "intro-buildoptions.json").read_text())
    except (OSError, ValueError):
        return False
    return any(o["name"] == "b_sanitize" and o["value"] not in ("none", "", [])
               for o in opts)


class Program:
    """One back-end under the catalogue, and the well-behaved front-end for it."""

    def __init__(self, device, backend, sock, tool):
        self.device, self.backend, self.sock, self.tool = device, backend, sock, tool

    def log_size(self) -> int:
        return len(self.backend.log())

    def well_behaved(self):
        """A normal session must work: None, or what went wrong."""
        if self.device == "blk":
            p = run(self.tool, "verify", "--socket", self.sock, "--ops", 20, "--mem", 4)
        else:
            p = run(self.tool, "net-xfer", "--socket", self.sock, "--count", 20, "--mem", 4,
                    "--size", "60-1514")
        if p.returncode != 0:
            return f"well-behaved {self.device} front-end failed ({p.returncode}):\n" \
                   f"{p.stdout}\n{p.stderr}"
        return None

    def run_cases(self, *selection):
        """Run cases; returns their JSON lines."""
        p = run(self.tool, "hostile", "--socket", self.sock, "--device", self.device,
                *selection, timeout=600)
        lines = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
        assert lines, f"qd-frontend hostile printed nothing ({p.returncode}):\n{p.stderr}"
        return lines


def check_case(prog: Program, case: dict):
    """Run one case and everything that must hold after it: a list of problems."""
    problems = []
    start = prog.log_size()
    (res,) = prog.run_cases("--case", case["case"])
    log = prog.backend.log()[start:]
    name = case["case"]
    if res["result"] != "pass":
        problems.append(f"{name}: expected {res['expect']}, observed {res['observed']} "
                        f"({res['detail']})")
    if case["log"] and case["log"] not in log:
        problems.append(f"{name}: '{case['log']}' not in the back-end's log:\n{log[-3000:]}")
    if case["expect"] != "broken" and BROKEN_MARK in log:
        problems.append(f"{name}: a queue broke:\n{log[-3000:]}")
    if case["expect"] not in ("closed", "unexpected") and ENDED_MARK in log:
        problems.append(f"{name}: the session ended:\n{log[-3000:]}")
    for report in SANITIZER_REPORTS:
        if report in log:
            problems.append(f"{name}: sanitizer report:\n{log}")
    if not prog.backend.running():
        problems.append(f"{name}: the back-end exited with {prog.backend.proc.returncode}:\n"
                        f"{prog.backend.log()[-5000:]}")
        return problems
    failed = prog.well_behaved()
    if failed:
        problems.append(f"after {name}: {failed}\nback-end log:\n"
                        f"{prog.backend.log()[start:][-3000:]}")
    return problems


@pytest.fixture
def program(request, backend_factory, blk_binary, net_binary, frontend_tool, short_tmp):
    """A back-end with --verbose; at teardown it must stop cleanly on SIGTERM."""
    device = request.param
    if device == "blk":
        sock = short_tmp / "blk.sock"
        argv = [blk_binary, f"--socket-path={sock}",
                f"--blk-file={make_image(short_tmp / 'disk.img')}", "--verbose"]
    else:
        sock = short_tmp / "net.sock"
        argv = [net_binary, f"--socket-path={sock}", "--netdev=loopback,id=n0", "--mtu=1500",
                "--verbose"]
    b = backend_factory(argv, socket=sock, name=device)
    b.wait_socket()
    yield Program(device, b, sock, frontend_tool)
    if not b.running():
        pytest.fail(f"back-end exited with {b.proc.returncode}:\n{b.log()[-5000:]}")
    rc, _ = b.terminate(signal.SIGTERM)
    log = b.log()
    assert rc == 0, f"back-end exit status {rc} after SIGTERM:\n{log[-5000:]}"
    for report in SANITIZER_REPORTS:
        assert report not in log, log


@pytest.mark.parametrize("program", ["blk", "net"], indirect=True)
def test_catalogue(program, build_dir):
    """The whole catalogue against one back-end process, case by case."""
    listed = run(program.tool, "hostile", "--list", "--device", program.device)
    assert listed.returncode == 0, listed.stderr
    cases = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(cases) >= 100, f"only {len(cases)} cases for {program.device}"
    assert len({c["case"] for c in cases}) == len(cases), "duplicate case names"

    pid = program.backend.serving_pid()
    fds_before = fd_count(pid)

    # Warm-up: the whole catalogue in one go
    warm = program.run_cases("--all")
    failed = [r for r in warm if r["result"] != "pass"]
    assert not failed, "warm-up pass:\n" + "\n".join(json.dumps(r) for r in failed)
    assert len(warm) == len(cases)
    assert program.backend.running(), program.backend.log()[-5000:]
    fds_warm, rss_warm = settled_fd_count(pid, fds_before), rss_kib(pid)
    assert fds_warm == fds_before, \
        f"{fds_warm - fds_before} fds more after the catalogue: {os.listdir(f'/proc/{pid}/fd')}"

    # Case by case, each followed by a well-behaved front-end
    problems = []
    for case in cases:
        problems += check_case(program, case)
        if not program.backend.running():
            break
    assert not problems, "\n\n".join(problems)

    fds_after, rss_after = settled_fd_count(pid, fds_before), rss_kib(pid)
    asan = sanitized(build_dir)
    print(f"{program.device}: {len(cases)} cases; fds {fds_before} -> {fds_warm} -> "
          f"{fds_after}; RSS {rss_warm} KiB after warm-up, {rss_after} KiB after "
          f"({'not bounded under sanitizers' if asan else f'bound +{RSS_BOUND_KIB} KiB'})")
    assert fds_after == fds_before, \
        f"{fds_after - fds_before} fds more after the catalogue: {os.listdir(f'/proc/{pid}/fd')}"
    if not asan:
        assert rss_after - rss_warm < RSS_BOUND_KIB, \
            f"RSS grew from {rss_warm} to {rss_after} KiB over the catalogue"


def test_list_is_consistent(frontend_tool):
    """Every case names an area, an outcome and what it does; blk and net each
    have at least 100."""
    p = run(frontend_tool, "hostile", "--list")
    assert p.returncode == 0, p.stderr
    cases = [json.loads(line) for line in p.stdout.splitlines()]
    outcomes = {"closed", "nack", "broken", "io-error", "unsupported", "dropped",
                "ctrl-err", "empty-reply", "accepted"}
    for c in cases:
        assert c["expect"] in outcomes, c
        assert c["area"] and c["what"] and c["devices"], c
        assert c["log"] or c["expect"] == "accepted", f"{c['case']}: no log line expected"
    for device in ("blk", "net"):
        assert sum(device in c["devices"] for c in cases) >= 100, device
    p = run(frontend_tool, "hostile", "--socket", "/nonexistent", "--device", "blk",
            "--case", "no-such-case")
    assert p.returncode == 2 and "no case 'no-such-case'" in p.stderr
