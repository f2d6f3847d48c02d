# SPDX-License-Identifier: GPL-2.0-or-later
"""The sandbox of both programs (docs/security.md), seen from outside.

With the default sandbox the process a manager starts forks once it has
unshared its namespaces: the child, pid 1 of a new PID namespace, serves;
the parent forwards SIGTERM and exits as the child did. These tests find
the child (/proc/PID/task/PID/children) and read its /proc status while a
front-end is connected and I/O is done: every thread under the seccomp
filter (Seccomp: 2) with NoNewPrivs, no capabilities, an empty root, a
network namespace of its own where the netdev allows it. The allowlists
are read from the binaries (--print-seccomp) and compared with each other
and with docs/security.md. A build with -Dsandbox_selftest=true lets the
real binary make a forbidden syscall (QD_SANDBOX_SELFTEST=NAME), so that
kill, log and trap are seen to do what they say.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from qdtest.prereq import missing
from qdtest.process import children

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
CAPS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
# A syscall no list allows, harmless when it runs (log, none)
FORBIDDEN = "getpgid"
BLK_ONLY = {"io_uring_setup", "io_uring_enter", "io_uring_register", "fallocate",
            "fdatasync", "ftruncate", "preadv", "pwritev"}
NET_ONLY = {"timerfd_create", "timerfd_settime", "socket", "connect", "writev"}
NEVER = {"execve", "execveat", "fork", "vfork", "ptrace", "mount", "umount2", "pivot_root",
         "unshare", "setns", "chroot", "setuid", "setresuid", "capset",
         "init_module", "finit_module", "kexec_load", "reboot", "bpf", "perf_event_open",
         "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "userfaultfd"}


# ---------------------------------------------------------------- helpers

def status(pid: int, tid: int = None) -> dict:
    path = f"/proc/{pid}/task/{tid}/status" if tid else f"/proc/{pid}/status"
    out = {}
    for line in Path(path).read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def threads(pid: int) -> dict:
    """Status of every thread, by thread id."""
    return {int(t): status(pid, int(t)) for t in os.listdir(f"/proc/{pid}/task")}


def check_confined(st: dict, what: str):
    """Filter, no new privileges, no capabilities; SIGSYS not blocked (a
    thread that blocks it turns --seccomp=trap into a kill)."""
    assert st["Seccomp"] == "2", f"{what}: {st}"
    assert st["NoNewPrivs"] == "1", f"{what}: {st}"
    for cap in CAPS:
        assert int(st[cap], 16) == 0, f"{what}: {cap} {st[cap]}"
    assert not int(st["SigBlk"], 16) & (1 << (signal.SIGSYS - 1)), f"{what}: SigBlk {st['SigBlk']}"


def check_empty_root(pid: int, build_dir, sockets: int):
    """Nothing in the root but the directories of its socket files (bound
    there to remove them at exit) and, for the sanitizers, /proc."""
    expect = [f"socket-dir-{i}" for i in range(sockets)]
    if sanitizer_build(build_dir):
        expect.append("proc")
    root = sorted(os.listdir(f"/proc/{pid}/root"))
    assert root == sorted(expect), root


def stop(backend, timeout=10.0):
    """SIGTERM to the process the manager started: exit 0, promptly, clean."""
    rc, took = backend.terminate(signal.SIGTERM, timeout=timeout)
    log = backend.log()
    assert rc == 0, f"exit status {rc}:\n{log}"
    for report in SANITIZER_REPORTS:
        assert report not in log, log
    return took


def sanitizer_build(build_dir) -> bool:
    return build_option(build_dir, "b_sanitize") not in ("none", None)


def build_option(build_dir, name):
    info = build_dir / "meson-info" / "intro-buildoptions.json"
    for opt in json.loads(info.read_text()):
        if opt["name"] == name:
            return opt["value"]
    return None


def allowlist(binary) -> list:
    """(name, condition, lists) of every rule the binary has."""
    p = subprocess.run([str(binary), "--print-seccomp"], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 0, p.stderr
    return [tuple(line.split("\t")) for line in p.stdout.splitlines()]


def allowed(binary, with_sanitizer=True) -> set:
    """Names of the syscalls the binary allows (in some form)."""
    return {name for name, cond, who in allowlist(binary)
            if not cond.startswith("errno=")
            and (with_sanitizer or who != "sandbox/sanitizer")}


def image(tmp: Path) -> Path:
    img = tmp / "disk.img"
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    os.chmod(img, 0o666)    # the unprivileged cases open it as nobody
    return img


@pytest.fixture
def blk(backend_factory, blk_binary, short_tmp):
    def start(*extra, env=None, wrapper=(), sock_dir=None):
        sock = (sock_dir or short_tmp) / "blk.sock"
        b = backend_factory([*wrapper, blk_binary, f"--socket-path={sock}",
                             f"--blk-file={image(sock_dir or short_tmp)}", *extra],
                            socket=sock, name="blk", env=env)
        b.wait_socket()
        assert b.wait_log(": ready: "), b.log()     # logged once locked down
        return b, sock
    return start


@pytest.fixture
def net(backend_factory, net_binary, short_tmp):
    def start(netdev="loopback,id=n0", *extra, env=None):
        sock = short_tmp / "net.sock"
        b = backend_factory([net_binary, f"--socket-path={sock}", f"--netdev={netdev}",
                             *extra], socket=sock, name="net", env=env)
        b.wait_socket()
        assert b.wait_log(": ready: "), b.log()
        return b, sock
    return start


def start_load(frontend_tool, sock, kind):
    """A front-end that stays connected for about two seconds of I/O."""
    if kind == "blk":
        argv = [frontend_tool, "bench", "--socket", sock, "--runtime", "2", "--queues", "1"]
    else:
        argv = [frontend_tool, "net-xfer", "--socket", sock, "--count", "2000",
                "--rate", "1000"]
    return subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_connected(backend, load):
    assert backend.wait_log("front-end connected"), backend.log()
    time.sleep(0.5)     # queues started, requests or frames went through
    assert load.poll() is None, load.stdout.read()


# ---------------------------------------------------------------- confinement

@pytest.mark.parametrize("kind", ["blk", "net"])
def test_serving_process_is_confined(kind, blk, net, frontend_tool, short_tmp, build_dir):
    """Every thread of the serving process, queue workers included, with a
    front-end connected and doing I/O: filter, NoNewPrivs, no capabilities;
    its own PID and network namespaces, an empty root."""
    b, sock = blk() if kind == "blk" else net()
    pid = b.serving_pid()
    assert pid != b.proc.pid, "no PID namespace"
    load = start_load(frontend_tool, sock, kind)
    try:
        wait_connected(b, load)
        tasks = threads(pid)
        assert len(tasks) >= 2, "no queue worker runs"
        for tid, st in tasks.items():
            check_confined(st, f"thread {tid} ({st['Name']})")
        nspid = status(pid)["NSpid"].split()
        assert nspid == [str(pid), "1"], nspid
        assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
        check_empty_root(pid, build_dir, sockets=1)
        out, _ = load.communicate(timeout=60)
        assert load.returncode == 0, out
    finally:
        if load.poll() is None:
            load.kill()
            load.wait()
    took = stop(b)
    assert took < 1.0, f"took {took:.2f}s to exit after SIGTERM"
    assert not sock.exists()
    assert not Path(f"/proc/{pid}").exists()


def test_monitor_thread_and_socket(blk, short_tmp, build_dir):
    """The QMP monitor's thread starts after the lock-down: no capabilities
    either; both socket files are removed from inside the empty root."""
    qmp = short_tmp / "qmp.sock"
    b, sock = blk(f"--qmp=unix:{qmp},server=on,wait=off")
    pid = b.serving_pid()
    check_empty_root(pid, build_dir, sockets=2)
    tasks = threads(pid)
    assert len(tasks) == 2, tasks
    for tid, st in tasks.items():
        check_confined(st, f"thread {tid}")
    stop(b)
    assert not sock.exists() and not qmp.exists()


def test_user_netdev_keeps_the_host(net, frontend_tool):
    """libslirp opens the guest's connections and re-reads resolv.conf: the
    host's network and files stay, and the log says so. Its thread starts at
    the first attach, after the lock-down, so no thread has capabilities."""
    b, sock = net("user,id=n0")
    pid = b.serving_pid()
    log = b.log()
    assert "keeping the host's network: netdev n0:" in log, log
    assert "keeping the host's file system: netdev n0:" in log, log
    assert "keep the capabilities" not in log, log
    assert os.readlink(f"/proc/{pid}/ns/net") == os.readlink("/proc/self/ns/net")
    assert os.listdir(f"/proc/{pid}/root")
    # A front-end that starts a pair and waits for a frame that never comes
    recv = subprocess.Popen([str(frontend_tool), "net-recv", "--socket", str(sock),
                             "--count", "1", "--timeout", "4000"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 5
        names = []
        while "qd-slirp" not in names and time.monotonic() < deadline:
            time.sleep(0.05)
            names = [st["Name"] for st in threads(pid).values()]
        assert "qd-slirp" in names, f"{names}\n{b.log()}"
        for tid, st in threads(pid).items():
            check_confined(st, f"thread {tid} ({st['Name']})")
    finally:
        recv.kill()
        recv.wait()
    stop(b)


def test_stream_reconnecting_keeps_the_files(net, short_tmp):
    """A stream client that reconnects to a UNIX path keeps the host's files
    (not its network): the root is not emptied."""
    peer = short_tmp / "peer.sock"
    b, sock = net(f"stream,id=n0,server=off,addr.type=unix,addr.path={peer},reconnect=1")
    pid = b.serving_pid()
    assert "keeping the host's file system: netdev n0: reconnects" in b.log()
    assert os.listdir(f"/proc/{pid}/root")
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
    stop(b)


def test_tap_offloads_without_capabilities(backend_factory, net_binary, frontend_tool,
                                           short_tmp):
    """A tap is opened during set-up; with no capability left the program
    still sets its header size and the offloads the front-end acked (seen
    by ethtool while frames flow), in a network namespace of its own."""
    from qdtest import netns
    why = netns.unavailable() or ("" if shutil.which("ethtool") else "no ethtool")
    if why:
        missing(why)
    ns = netns.Netns()
    try:
        sock = short_tmp / "net.sock"
        b = backend_factory(ns.argv([net_binary, f"--socket-path={sock}",
                                     "--netdev=tap,id=n0,ifname=qdsbx0"]),
                            socket=sock, name="net")
        b.wait_socket()
        assert b.wait_log(": ready: "), b.log()
        pid = b.serving_pid()
        check_confined(status(pid), "tap")
        assert os.readlink(f"/proc/{pid}/ns/net") != ns_of(ns)
        # CSUM, GUEST_CSUM, GUEST_TSO4: TUNSETOFFLOAD with checksum and TSO
        send = subprocess.Popen([str(frontend_tool), "net-send", "--socket", str(sock),
                                 "--count", "300", "--rate", "100",
                                 "--extra-features", "0x83"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            assert b.wait_log("front-end connected"), b.log()
            time.sleep(1.0)
            k = ns.run("ethtool", "-k", "qdsbx0").stdout
            assert re.search(r"^tx-checksumming: on", k, re.M), k
            assert re.search(r"^tcp-segmentation-offload: on", k, re.M), k
            out, _ = send.communicate(timeout=60)
            assert send.returncode == 0, out
        finally:
            if send.poll() is None:
                send.kill()
                send.wait()
        stop(b)
    finally:
        ns.kill_processes()
        ns.delete()


def ns_of(ns) -> str:
    """The network namespace of @ns, as /proc shows it."""
    p = ns.run("readlink", "/proc/self/ns/net")
    return p.stdout.strip()


def test_chroot(blk, build_dir):
    """--sandbox=chroot: no namespaces, no fork; an empty root all the same
    (not in a sanitizer build: LeakSanitizer needs /proc at exit)."""
    b, sock = blk("--sandbox=chroot")
    assert not b.children()
    check_confined(status(b.proc.pid), "chroot")
    root = os.listdir(f"/proc/{b.proc.pid}/root")
    if sanitizer_build(build_dir):
        assert root and "no chroot in a sanitizer build" in b.log()
    else:
        assert root == []
    assert os.readlink(f"/proc/{b.proc.pid}/ns/pid") == os.readlink("/proc/self/ns/pid")
    stop(b)
    assert not sock.exists()


def test_sandbox_none_keeps_the_filter(blk):
    """--sandbox=none leaves the namespaces out, not the rest."""
    b, _ = blk("--sandbox=none")
    assert not b.children()
    check_confined(status(b.proc.pid), "none")
    stop(b)


def test_seccomp_none(blk):
    b, _ = blk("--seccomp=none")
    st = status(b.serving_pid())
    assert st["Seccomp"] == "0" and st["NoNewPrivs"] == "1", st
    assert "no seccomp filter" in b.log()
    stop(b)


# ---------------------------------------------------------------- without privileges

def nobody_can_run(short_tmp) -> str:
    """Why this machine cannot run a back-end as nobody, or ""."""
    if os.geteuid() != 0:
        return "the tests do not run as root: cannot switch to nobody"
    if not shutil.which("setpriv"):
        return "no setpriv (Debian: util-linux)"
    return ""


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_unprivileged_user_namespace(blk, short_tmp):
    """As nobody, where the kernel allows user namespaces, the namespaces and
    the empty root come from a user namespace of its own."""
    why = nobody_can_run(short_tmp)
    if why:
        missing(why)
    probe = subprocess.run([*NOBODY, "unshare", "--user", "--map-current-user", "true"],
                           capture_output=True, timeout=10)
    if probe.returncode:
        pytest.skip(f"no unprivileged user namespaces here: {probe.stderr.decode()}")
    os.chmod(short_tmp, 0o777)
    b, sock = blk(wrapper=NOBODY)
    pid = b.serving_pid()
    st = status(pid)
    check_confined(st, "nobody")
    assert st["Uid"].split()[0] == "65534"
    assert status(pid)["NSpid"].split()[-1] == "1"
    assert os.readlink(f"/proc/{pid}/ns/user") != os.readlink("/proc/self/ns/user")
    stop(b)
    assert not sock.exists()


def no_userns_wrapper(short_tmp) -> list:
    """A wrapper running its arguments without capabilities where no user
    namespace can be made: a user namespace whose limit of nested ones is 0.
    Empty if this machine cannot make one."""
    if not shutil.which("unshare") or not shutil.which("setpriv"):
        return []
    script = ('echo 0 > /proc/sys/user/max_user_namespaces && '
              'exec setpriv --inh-caps=-all --bounding-set=-all -- "$@"')
    wrapper = ["unshare", "--user", "--map-root-user", "sh", "-c", script, "sh"]
    probe = subprocess.run([*wrapper, "unshare", "--user", "true"], capture_output=True,
                           timeout=10)
    if probe.returncode == 0 or b"No space left" not in probe.stderr:
        return []
    return wrapper


def eperm_wrapper() -> list:
    """A wrapper under which unshare() fails with EPERM (strace's fault
    injection; LeakSanitizer cannot run under ptrace)."""
    if not shutil.which("strace"):
        return []
    return ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=unshare",
            "-e", "inject=unshare:error=EPERM"]


@pytest.mark.parametrize("why", ["EPERM", "no-user-namespaces"])
def test_fallback_without_namespaces(blk, short_tmp, why):
    """Where namespaces cannot be had, the default goes on without them and
    says why; the filter and the rest still apply."""
    env = None
    if why == "EPERM":
        wrapper = eperm_wrapper()
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        expect = "Operation not permitted"
    else:
        wrapper = no_userns_wrapper(short_tmp)
        expect = "No space left on device"
    if not wrapper:
        pytest.skip(f"cannot make unshare() fail here ({why})")
    b, sock = blk(wrapper=wrapper, env=env)
    log = b.log()
    assert f"warning: sandbox: no namespaces (unshare: {expect})" in log, log
    if why == "EPERM":
        # strace does not pass SIGTERM on: the program is its child
        pid = b.children()[0]
        try:
            assert not children(pid)
            check_confined(status(pid), "fallback")
            os.kill(pid, signal.SIGTERM)
            assert b.proc.wait(timeout=10) == 0, b.log()
        finally:
            # strace killed by the fixture would leave its tracee running
            if b.proc.poll() is None:
                os.kill(pid, signal.SIGKILL)
    else:
        pid = b.serving_pid()
        assert pid == b.proc.pid and not children(pid)
        check_confined(status(pid), "fallback")
        stop(b)
    assert not sock.exists()


def test_explicit_namespace_fails_without_them(blk_binary, short_tmp):
    """--sandbox=namespace asked for and not possible: an error, exit 1."""
    wrapper = no_userns_wrapper(short_tmp)
    if not wrapper:
        pytest.skip("cannot make a user namespace that forbids nested ones here")
    p = subprocess.run([*wrapper, str(blk_binary), f"--socket-path={short_tmp}/s.sock",
                        f"--blk-file={image(short_tmp)}", "--sandbox=namespace"],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 1, p.stderr
    assert "--sandbox=namespace: unshare:" in p.stderr, p.stderr
    assert not (short_tmp / "s.sock").exists()


# ---------------------------------------------------------------- the allowlists

def test_allowlists_follow_the_config(blk_binary, net_binary, build_dir):
    """Each program allows what its own modules declared, and not the other's."""
    with_san = sanitizer_build(build_dir)
    blk_set, net_set = allowed(blk_binary), allowed(net_binary)
    assert BLK_ONLY <= blk_set and not BLK_ONLY & net_set, BLK_ONLY & net_set
    assert NET_ONLY <= net_set and not NET_ONLY & blk_set, NET_ONLY & blk_set
    for s in (blk_set, net_set):
        assert not s & (NEVER - ({"ptrace"} if with_san else set())), s & NEVER
    blk_rules = allowlist(blk_binary)
    ioctls = {cond for name, cond, _ in blk_rules if name == "ioctl"}
    assert ioctls == {"arg1=BLKGETSIZE64", "arg1=BLKDISCARD", "arg1=BLKZEROOUT"}, ioctls
    assert ("clone3", "errno=ENOSYS") in {(n, c) for n, c, _ in blk_rules}
    if not with_san:
        assert ("clone", "arg0&CLONE_THREAD") in {(n, c) for n, c, _ in blk_rules}


def documented_lists() -> dict:
    """docs/security.md: {program: (stated size, names listed)}."""
    text = DOCS.read_text()
    out = {}
    for m in re.finditer(r"^### (qemu-dev-vhost-user-\w+): (\d+) syscalls\n\n((?:    .*\n)+)",
                         text, re.M):
        out[m.group(1)] = (int(m.group(2)), set(m.group(3).split()))
    return out


def test_docs_state_the_allowlists(blk_binary, net_binary):
    """docs/security.md lists each program's allowlist (sanitizers aside) as
    the build makes it, with its size."""
    docs = documented_lists()
    assert set(docs) == {"qemu-dev-vhost-user-blk", "qemu-dev-vhost-user-net"}, docs.keys()
    for binary in (blk_binary, net_binary):
        size, names = docs[binary.name]
        actual = allowed(binary, with_sanitizer=False)
        assert names == actual, (f"{binary.name}: docs list extra "
                                 f"{sorted(names - actual)}, miss {sorted(actual - names)}")
        assert size == len(actual), f"{binary.name}: docs say {size}, build has {len(actual)}"


# ---------------------------------------------------------------- selftest

@pytest.fixture
def selftest(build_dir):
    if not build_option(build_dir, "sandbox_selftest"):
        pytest.skip("built without -Dsandbox_selftest=true")
    return dict(os.environ, QD_SANDBOX_SELFTEST=FORBIDDEN)


def syscall_number(log: str) -> int:
    m = re.search(rf"sandbox selftest: calling {FORBIDDEN} \((\d+)\)", log)
    assert m, log
    return int(m.group(1))


def test_selftest_kill(backend_factory, blk_binary, short_tmp, selftest):
    """kill (the default): the serving process dies of SIGSYS at the call;
    the parent says so and dies of the same signal."""
    sock = short_tmp / "blk.sock"
    b = backend_factory([blk_binary, f"--socket-path={sock}", f"--blk-file={image(short_tmp)}"],
                        socket=sock, name="blk", env=selftest)
    rc = b.proc.wait(timeout=20)
    log = b.log()
    assert rc == -signal.SIGSYS, f"{rc}:\n{log}"
    syscall_number(log)
    assert f"{FORBIDDEN} returned" not in log, log
    assert "killed by SIGSYS: a syscall outside the seccomp allowlist" in log, log


def test_selftest_trap(blk, frontend_tool, selftest):
    """trap: the call fails with ENOSYS, our handler logged its number and
    name, and the program goes on serving."""
    b, sock = blk("--seccomp=trap", env=selftest)
    assert b.wait_log(f"{FORBIDDEN} returned"), b.log()
    log = b.log()
    nr = syscall_number(log)
    assert f"error: seccomp: blocked syscall {nr} ({FORBIDDEN}), failed with ENOSYS" in log
    assert f"{FORBIDDEN} returned -1 (Function not implemented)" in log, log
    res = subprocess.run([str(frontend_tool), "verify", "--socket", str(sock), "--ops", "200"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    stop(b)


def test_selftest_log(blk, selftest):
    """log: the call goes through while the filter is on (what the program
    can see of it); the kernel is asked to log such calls."""
    b, sock = blk("--seccomp=log", env=selftest)
    assert b.wait_log(f"{FORBIDDEN} returned"), b.log()
    assert re.search(rf"{FORBIDDEN} returned \d+ \(success\)", b.log()), b.log()
    assert status(b.serving_pid())["Seccomp"] == "2"
    logged = Path("/proc/sys/kernel/seccomp/actions_logged").read_text().split()
    assert "log" in logged, logged
    stop(b)


def test_selftest_log_audit_record(blk, selftest):
    """log: the kernel's record of the call, where its log can be read here
    (dmesg, with no audit daemon taking the records)."""
    b, sock = blk("--seccomp=log", env=selftest)
    assert b.wait_log(f"{FORBIDDEN} returned"), b.log()
    pid, nr = b.serving_pid(), syscall_number(b.log())
    stop(b)
    if not shutil.which("dmesg"):
        pytest.skip("no dmesg here: the test saw only the call succeed")
    # kauditd prints the record after the call returned: poll the log a while
    records, text = [], ""
    deadline = time.monotonic() + 5
    while not records and time.monotonic() < deadline:
        p = subprocess.run(["dmesg"], capture_output=True, text=True, timeout=20)
        if p.returncode:
            pytest.skip("the kernel log cannot be read here: the test saw only the call succeed")
        text = p.stdout
        records = [line for line in text.splitlines()
                   if "type=1326" in line and f" pid={pid} " in line]
        time.sleep(0.2)
    if not records and os.path.exists("/var/log/audit/audit.log"):
        pytest.skip("an audit daemon takes the records: not in the kernel log")
    if not records and ("rate limit exceeded" in text or "audit_lost" in text):
        pytest.skip("the kernel dropped audit records (rate limit) on this busy machine")
    assert any(f" syscall={nr} " in r and " sig=0 " in r for r in records), records


def test_selftest_none(blk, selftest):
    """--seccomp=none: no filter, the call simply runs."""
    b, _ = blk("--seccomp=none", env=selftest)
    assert b.wait_log(f"{FORBIDDEN} returned"), b.log()
    assert "(success)" in b.log()
    stop(b)
