#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Record what a vhost-user front-end sends, as fuzz inputs of fuzz-vhost-user-*.

A proxy sits between the front-end (QEMU) and a back-end: it listens on a
UNIX socket, connects to the back-end's for every front-end, and forwards
messages both ways, fds included (SCM_RIGHTS): the back-end gets the
front-end's own fds, so the session is the real one. Every front-end ->
back-end message is also written in the input format of
tests/fuzz/protocol/fuzz-vhost-user.c, each fd as a recipe that makes an fd
of the same kind (a memfd of the same size, an eventfd, a socket...), or
that names an earlier fd when the front-end sent the same open file again.
One connection is one recording.

  record-vhost-user.py proxy LISTEN BACKEND OUTDIR
      forward LISTEN -> BACKEND until SIGINT or SIGTERM; then write
      OUTDIR/conn-N, one per session
  record-vhost-user.py decode FILE...
      print the messages of fuzz inputs, one line each
  record-vhost-user.py boot BUILDDIR CORPUS
      boot a Linux guest (the e2e harness, tests/e2e/qdguest) three times
      with a vhost-user-blk disk and a vhost-user NIC served by our programs
      of BUILDDIR through two proxies; write CORPUS/vhost-user-blk/qemu-*
      and CORPUS/vhost-user-net/qemu-*

Run with /usr/bin/python3 (Debian's, for the e2e harness's needs).
"""
import argparse
import ctypes
import fcntl
import os
import selectors
import shutil
import signal
import socket
import stat
import struct
import sys
import tempfile
import threading
from pathlib import Path

HEADER = struct.Struct("<III")
MAX_FDS = 15            # REC_NFDS
FDS_MADE_MAX = 64       # FUZZ_FDS_MAX: more fds than this are not replayed
PAGE = 4096
MEMFD_MAX_PAGES = 1 << 18

# Recipe kinds (tests/fuzz/protocol/fuzz-vu-fds.h)
MEMFD, EVENTFD, SOCKET, PIPE_READ, PIPE_WRITE, DEV_NULL, EARLIER, PATH = range(8)

_libc = ctypes.CDLL(None, use_errno=True)
SYS_KCMP = 312          # x86_64
KCMP_FILE = 0


def same_file(fd1: int, fd2: int) -> bool:
    """Whether two fds of this process share one open file (kcmp)."""
    pid = os.getpid()
    return _libc.syscall(SYS_KCMP, pid, pid, KCMP_FILE, fd1, fd2) == 0


class Recording:
    """One session's front-end messages in the fuzz input format."""

    def __init__(self):
        self.data = bytearray()
        self.made = []          # our dups of the fds recipes made, in order
        self.messages = 0

    def recipe(self, fd: int) -> bytes:
        """The recipe of @fd: an earlier one if the same file, else its kind."""
        for i, old in enumerate(self.made[:min(256, FDS_MADE_MAX)]):
            if same_file(old, fd):
                return bytes([EARLIER, i])
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISSOCK(mode):
            out = bytes([SOCKET])
        elif stat.S_ISFIFO(mode):
            write = (fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE) != os.O_RDONLY
            out = bytes([PIPE_WRITE if write else PIPE_READ])
        elif stat.S_ISREG(mode):
            pages = min((st.st_size + PAGE - 1) // PAGE, MEMFD_MAX_PAGES)
            out = bytes([MEMFD]) + struct.pack("<I", pages)
        elif stat.S_ISDIR(mode):
            out = bytes([PATH])
        elif os.readlink(f"/proc/self/fd/{fd}").startswith("anon_inode:"):
            out = bytes([EVENTFD])
        else:
            out = bytes([DEV_NULL])
        self.made.append(os.dup(fd))
        if len(self.made) == FDS_MADE_MAX + 1:
            print(f"warning: more than {FDS_MADE_MAX} fds in a session: the "
                  "fuzz target will not send the others", file=sys.stderr)
        return out

    def add(self, header: bytes, payload: bytes, fds):
        """Append one message as it was sent."""
        fds = fds[:MAX_FDS]
        self.data += bytes([len(fds)]) + header
        for fd in fds:
            self.data += self.recipe(fd)
        self.data += payload
        self.messages += 1

    def close(self):
        for fd in self.made:
            os.close(fd)
        self.made = []


class Session:
    """One front-end connection and its back-end connection."""

    def __init__(self, fe: socket.socket, be: socket.socket):
        self.fe, self.be = fe, be
        self.msg = bytearray()  # the message being read
        self.fds = []           # its fds
        self.rec = Recording()

    def from_frontend(self) -> bool:
        """Read the front-end's message on, forward it once whole; False at
        EOF. Reads never cross a message's end, so the fds that come with a
        read are the message's (the kernel hands them out with the bytes
        of the sendmsg() they came with)."""
        want = HEADER.size
        if len(self.msg) >= HEADER.size:
            want += HEADER.unpack_from(self.msg)[2]
        data, fds, _, _ = socket.recv_fds(self.fe, want - len(self.msg), 64)
        self.fds += fds
        if not data:
            for fd in self.fds:
                os.close(fd)
            return False
        self.msg += data
        if len(self.msg) < HEADER.size or \
                len(self.msg) < HEADER.size + HEADER.unpack_from(self.msg)[2]:
            return True
        msg, fds = bytes(self.msg), self.fds
        self.msg, self.fds = bytearray(), []
        self.rec.add(msg[:HEADER.size], msg[HEADER.size:], fds)
        if fds:
            socket.send_fds(self.be, [msg], fds)
        else:
            self.be.sendall(msg)
        for fd in fds:
            os.close(fd)
        return True

    def from_backend(self) -> bool:
        """Forward what the back-end wrote, fds included; False at EOF."""
        data, fds, _, _ = socket.recv_fds(self.be, 1 << 16, 64)
        if not data:
            return False
        if fds:
            socket.send_fds(self.fe, [data], fds)
            for fd in fds:
                os.close(fd)
        else:
            self.fe.sendall(data)
        return True

    def close(self):
        self.fe.close()
        self.be.close()
        self.rec.close()


class Proxy(threading.Thread):
    """Listen on @listen, forward each front-end to @backend, keep recordings."""

    def __init__(self, listen: Path, backend: Path):
        super().__init__(daemon=True)
        self.backend = str(backend)
        self.listen = Path(listen)
        if self.listen.is_socket():
            self.listen.unlink()    # a stale one, from a proxy killed before
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(str(listen))
        self.lsock.listen(4)
        self.recordings = []    # bytes of each ended session
        self.stop_r, self.stop_w = os.pipe()
        self.error = None

    def run(self):
        sel = selectors.DefaultSelector()
        sel.register(self.lsock, selectors.EVENT_READ, "accept")
        sel.register(self.stop_r, selectors.EVENT_READ, "stop")
        sessions = {}
        try:
            while True:
                for key, _ in sel.select():
                    if key.data == "stop":
                        return
                    if key.data == "accept":
                        fe, _ = self.lsock.accept()
                        be = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                        be.connect(self.backend)
                        s = Session(fe, be)
                        sel.register(fe, selectors.EVENT_READ, ("fe", s))
                        sel.register(be, selectors.EVENT_READ, ("be", s))
                        sessions[id(s)] = s
                        continue
                    side, s = key.data
                    try:
                        alive = s.from_frontend() if side == "fe" \
                            else s.from_backend()
                    except (ConnectionError, BrokenPipeError):
                        alive = False   # a peer went away: the session ends
                    if not alive:
                        self.end(sel, s)
                        sessions.pop(id(s), None)
        except Exception as e:      # reported by stop()
            self.error = e
        finally:
            for s in sessions.values():
                self.end(sel, s)
            sel.close()
            self.lsock.close()
            self.listen.unlink(missing_ok=True)

    def end(self, sel, s: Session):
        for sock in (s.fe, s.be):
            try:
                sel.unregister(sock)
            except (KeyError, ValueError):
                pass
        if s.rec.messages:
            self.recordings.append(bytes(s.rec.data))
        s.close()

    def stop(self):
        os.write(self.stop_w, b"x")
        self.join(10)
        os.close(self.stop_r)
        os.close(self.stop_w)
        if self.error:
            raise self.error


def cmd_proxy(args):
    proxy = Proxy(Path(args.listen), Path(args.backend))
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    proxy.start()
    while proxy.is_alive() and not stop.wait(0.5):
        pass
    proxy.stop()
    for i, data in enumerate(proxy.recordings):
        (out / f"conn-{i}").write_bytes(data)
    print(f"{len(proxy.recordings)} sessions recorded in {out}")


REQUESTS = (
    "NONE GET_FEATURES SET_FEATURES SET_OWNER RESET_OWNER SET_MEM_TABLE "
    "SET_LOG_BASE SET_LOG_FD SET_VRING_NUM SET_VRING_ADDR SET_VRING_BASE "
    "GET_VRING_BASE SET_VRING_KICK SET_VRING_CALL SET_VRING_ERR "
    "GET_PROTOCOL_FEATURES SET_PROTOCOL_FEATURES GET_QUEUE_NUM "
    "SET_VRING_ENABLE SEND_RARP NET_SET_MTU SET_BACKEND_REQ_FD IOTLB_MSG "
    "SET_VRING_ENDIAN GET_CONFIG SET_CONFIG CREATE_CRYPTO_SESSION "
    "CLOSE_CRYPTO_SESSION POSTCOPY_ADVISE POSTCOPY_LISTEN POSTCOPY_END "
    "GET_INFLIGHT_FD SET_INFLIGHT_FD GPU_SET_SOCKET RESET_DEVICE VRING_KICK "
    "GET_MAX_MEM_SLOTS ADD_MEM_REG REM_MEM_REG SET_STATUS GET_STATUS").split()
KIND_NAMES = ["memfd", "eventfd", "socket", "pipe-r", "pipe-w", "null",
              "earlier", "path"]


def decode(data: bytes):
    """Yield one line per record of a fuzz input, as the target reads it."""
    pos = 0

    def take(n):
        nonlocal pos
        chunk = data[pos:pos + n].ljust(n, b"\0")
        pos += n
        return chunk

    while len(data) - pos >= 1 + HEADER.size:
        ctl = take(1)[0]
        req, flags, size = HEADER.unpack(take(HEADER.size))
        cut = struct.unpack("<H", take(2))[0] if ctl & 0x40 else None
        fds = []
        for _ in range(ctl & 0x0f):
            kind = take(1)[0] % 8
            if kind == MEMFD:
                fds.append(f"memfd:{struct.unpack('<I', take(4))[0]}p")
            elif kind == EARLIER:
                fds.append(f"earlier:{take(1)[0]}")
            else:
                fds.append(KIND_NAMES[kind])
        payload = take(size) if size <= 4096 else b""
        name = REQUESTS[req] if req < len(REQUESTS) else f"request-{req}"
        extra = f" cut={cut}" if cut is not None else ""
        extra += " fds-on-payload" if ctl & 0x10 else ""
        extra += " split-header" if ctl & 0x20 else ""
        yield (f"{name} flags=0x{flags:x} size={size} fds=[{','.join(fds)}]"
               f"{extra} {payload[:48].hex()}")


def cmd_decode(args):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # piped into head: fine
    for path in args.files:
        print(f"== {path}")
        for line in decode(Path(path).read_bytes()):
            print(line)


# The guest's work in each boot: writes and reads, a rebind of the disk's
# driver and of its PCI function, a reboot (tests/e2e/qdguest/init)
IMAGE_SIZE = 64 << 20
RANGES = [(0, 4096), (8192, 8192)]
MARKER = 32 << 20
BOOTS = {
    "boot": dict(mode="write"),
    "rebind": dict(mode="plan", plan=["w0", "rebind-virtio", "r0", "rebind-pci", "w1"],
                   num_queues=2, cpus=2),
    "reboot": dict(mode="plan", plan=["w0", "reboot", "r0", "w1"], marker=MARKER),
}
MAC = "52:54:00:12:34:56"


def cmd_boot(args):
    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parent / "e2e"), str(here.parent)]
    from qdguest import backends, initramfs, vm
    from qdtest.process import Backend

    build = Path(args.builddir).resolve()
    corpus = Path(args.corpus)
    kernel, busybox = initramfs.find_kernel(), initramfs.find_busybox()
    if not vm.find_qemu() or not kernel or not busybox:
        sys.exit("needs qemu-system-x86_64, a kernel in /boot and a static busybox")
    tmp = Path(tempfile.mkdtemp(prefix="qd-rec-"))
    try:
        base = tmp / "initramfs.cpio"
        initramfs.build(base, kernel, busybox)
        guest = vm.Guest(kernel, base, tmp)
        for name, how in BOOTS.items():
            if args.only and name not in args.only:
                continue
            got = record_boot(guest, backends, Backend, build, tmp, name, how)
            for dev, data in got.items():
                d = corpus / f"vhost-user-{dev}"
                d.mkdir(parents=True, exist_ok=True)
                for i, rec in enumerate(data):
                    path = d / f"qemu-{name}" if i == 0 else d / f"qemu-{name}-{i}"
                    path.write_bytes(rec)
                    print(f"{path}: {len(rec)} bytes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def record_boot(guest, backends, Backend, build, tmp, name, how):
    """One guest boot through a proxy per device: {device: [recordings]}."""
    image = backends.make_image(tmp / f"{name}.img", IMAGE_SIZE)
    socks = {dev: (tmp / f"{name}-{dev}.sock", tmp / f"{name}-{dev}-proxy.sock")
             for dev in ("blk", "net")}
    argv = {
        "blk": backends.blk_argv(build / "qemu-dev-vhost-user-blk", socks["blk"][0],
                                 image, f"--num-queues={how.get('num_queues', 1)}"),
        "net": backends.net_argv(build / "qemu-dev-vhost-user-net", socks["net"][0],
                                 "null,id=n0", MAC),
    }
    procs, proxies = [], {}
    try:
        for dev in ("blk", "net"):
            b = Backend(argv[dev], workdir=tmp, socket=socks[dev][0], name=dev)
            procs.append(b)
            b.wait_socket()
            proxies[dev] = Proxy(socks[dev][1], socks[dev][0])
            proxies[dev].start()
        disk = ["-chardev", f"socket,id=vu,path={socks['blk'][1]}",
                "-device", f"vhost-user-blk-pci,chardev=vu,"
                f"num-queues={how.get('num_queues', 1)}"]
        nic = backends.vhost_user_nic(socks["net"][1], MAC)
        report = guest.start_disk(None, how["mode"], RANGES, 1, cpus=how.get("cpus", 1),
                                  plan=how.get("plan", ()), marker=how.get("marker"),
                                  disk=disk + nic).wait()
        if report.status != 0 or report.failures:
            logs = "\n".join(f"[{b.argv[0]}]\n{b.log()[-3000:]}" for b in procs)
            print(f"warning: boot {name}: {report.describe(20)}\n{logs}",
                  file=sys.stderr)
    finally:
        for b in procs:
            b.terminate()
        for p in proxies.values():
            p.stop()
    return {dev: p.recordings for dev, p in proxies.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("proxy", help="record sessions between a front-end and a back-end")
    p.add_argument("listen")
    p.add_argument("backend")
    p.add_argument("outdir")
    p.set_defaults(func=cmd_proxy)
    p = sub.add_parser("decode", help="print the messages of fuzz inputs")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_decode)
    p = sub.add_parser("boot", help="record QEMU guest boots against our programs")
    p.add_argument("builddir")
    p.add_argument("corpus")
    p.add_argument("--only", action="append", choices=list(BOOTS),
                   help="record only this boot (repeatable)")
    p.set_defaults(func=cmd_boot)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
