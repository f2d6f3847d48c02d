# SPDX-License-Identifier: GPL-2.0-or-later
"""A small QMP client for the test suites: one UNIX socket, no asyncio.

It speaks the protocol of QEMU's docs/interop/qmp-spec.rst: read the greeting,
negotiate with qmp_capabilities, send requests and read responses and events.
The stream is parsed incrementally, so a test sees exactly what the server
wrote: every message must be a JSON object followed by CRLF, and anything else
raises QMPProtocolError. Every wait is bounded: a method that waits takes a
timeout (default: the client's) and raises TimeoutError when it passes.
"""
import codecs
import itertools
import json
import os
import selectors
import socket
import time

MAX_BUFFERED = 64 << 20  # a server sending more without a message is broken

# Opt-in: QD_QMP_RECORD=DIR writes the bytes each connection sends to a file
# of its own in DIR, the seeds of the QMP fuzz target (docs/fuzzing.md)
RECORD_DIR = os.environ.get("QD_QMP_RECORD")
_recordings = itertools.count()


class QMPError(Exception):
    """An error response: @cls and @desc of its "error" member."""

    def __init__(self, response):
        err = response.get("error") if isinstance(response, dict) else None
        err = err if isinstance(err, dict) else {}
        self.cls = err.get("class")
        self.desc = err.get("desc")
        self.response = response
        super().__init__(f"{self.cls}: {self.desc}")


class QMPProtocolError(Exception):
    """The server broke the protocol: bad framing, not an object, no greeting."""


class QMPClient:
    """One connection to a QMP monitor."""

    def __init__(self, path, timeout=5.0, negotiate=True):
        """Connect to the UNIX socket @path, retrying until @timeout (the
        server may still be starting), read the greeting and, if @negotiate,
        leave capabilities negotiation mode."""
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(0.05, deadline - time.monotonic()))
                sock.connect(os.fspath(path))
                break
            except (FileNotFoundError, ConnectionRefusedError) as e:
                sock.close()
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"cannot connect to {path} within {timeout}s: {e}")
                time.sleep(0.02)
            except BaseException:
                sock.close()
                raise
        self._setup(sock, timeout, negotiate)

    @classmethod
    def from_socket(cls, sock, timeout=5.0, negotiate=True):
        """A client on an already connected socket (socketpair, inherited fd)."""
        self = cls.__new__(cls)
        self._setup(sock, timeout, negotiate)
        return self

    def _setup(self, sock, timeout, negotiate):
        self.sock = sock
        self.sock.setblocking(False)
        self._record = None
        if RECORD_DIR:
            name = f"qmp-{os.getpid()}-{next(_recordings)}"
            self._record = open(os.path.join(RECORD_DIR, name), "wb")
        self.timeout = timeout
        self.events = []       # events received while waiting for something else
        self.stray = []        # responses received while waiting for an event
        self.last_text = None  # the text of the last message read, terminator included
        self.eof = False
        self._text = ""
        self._decoder = json.JSONDecoder()
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self.sock, selectors.EVENT_READ)
        try:
            self.greeting = self.recv(timeout)
            if not isinstance(self.greeting.get("QMP"), dict):
                raise QMPProtocolError(f"not a greeting: {self.greeting}")
            if negotiate:
                self.cmd("qmp_capabilities")
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ output

    def send_raw(self, data: bytes, timeout=None):
        """Write @data as it is (bounded: the server may not be reading)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        if self._record:
            self._record.write(data)
            self._record.flush()
        view = memoryview(data)
        while view:
            try:
                n = self.sock.send(view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"server did not take {len(view)} more bytes")
            with selectors.DefaultSelector() as sel:
                sel.register(self.sock, selectors.EVENT_WRITE)
                sel.select(left)

    def send(self, obj):
        """Write one request (any JSON value), newline-terminated."""
        self.send_raw(json.dumps(obj).encode() + b"\n")

    # ------------------------------------------------------------- input

    def _parse_one(self):
        """The next complete message in the buffer, or None."""
        text = self._text.lstrip(" \t\r\n")
        if not text:
            self._text = ""
            return None
        try:
            obj, end = self._decoder.raw_decode(text)
        except json.JSONDecodeError as e:
            # JSON strings hold no raw newline: a line end after the error
            # means the server ended a message that does not parse.
            if "\n" in text[e.pos:]:
                raise QMPProtocolError(f"malformed message ({e}): {text[:500]!r}")
            self._text = text
            return None
        tail = text[end:end + 2]
        if tail != "\r\n":
            if self.eof or not "\r\n".startswith(tail):
                raise QMPProtocolError(f"message not terminated by CRLF: {text[:end + 2]!r}")
            self._text = text  # the terminator is still on its way
            return None
        self.last_text = text[:end + 2]
        self._text = text[end + 2:]
        if not isinstance(obj, dict):
            raise QMPProtocolError(f"message is not a JSON object: {self.last_text!r}")
        return obj

    def _fill(self, deadline) -> bool:
        """Read what is available until @deadline; False on timeout."""
        left = deadline - time.monotonic()
        if left <= 0 or not self._sel.select(left):
            return False
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return True
        except ConnectionResetError:
            data = b""
        try:
            self._text += self._utf8.decode(data, final=not data)
        except UnicodeDecodeError as e:
            raise QMPProtocolError(f"the server wrote invalid UTF-8: {e}: {data[:500]!r}")
        if not data:
            self.eof = True
            return True
        if len(self._text) > MAX_BUFFERED:
            raise QMPProtocolError(f"{len(self._text)} bytes without a complete message")
        return True

    def recv(self, timeout=None):
        """The next message (event or response) the server writes.
        TimeoutError if none within @timeout, EOFError at end of stream."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            msg = self._parse_one()
            if msg is not None:
                return msg
            if self.eof:
                rest = self._text.strip()
                if rest:
                    raise QMPProtocolError(f"connection closed inside a message: {rest[:500]!r}")
                raise EOFError("QMP connection closed by the server")
            if not self._fill(deadline):
                raise TimeoutError(f"no QMP message within {timeout or self.timeout}s"
                                   f" (buffered: {self._text[:200]!r})")

    def recv_until_closed(self, timeout=None):
        """Every message until the server closes the connection; TimeoutError
        if it is still open after @timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        msgs = []
        while True:
            try:
                msgs.append(self.recv(max(0.0, deadline - time.monotonic())))
            except EOFError:
                return msgs
            except TimeoutError:
                raise TimeoutError(f"connection still open after {timeout}s; read {msgs}")

    def closed_by_peer(self, timeout=None) -> bool:
        """True if the server closes the connection within @timeout (messages
        written before are kept in self.events / self.stray)."""
        try:
            for msg in self.recv_until_closed(timeout):
                (self.events if "event" in msg else self.stray).append(msg)
            return True
        except TimeoutError:
            return False

    # ---------------------------------------------------------- requests

    def request(self, obj, timeout=None):
        """Send @obj and return the raw response; events read meanwhile are
        appended to self.events."""
        self.send(obj)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            msg = self.recv(max(0.0, deadline - time.monotonic()))
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd(self, name, args=None, id=None, timeout=None):
        """Run command @name; its "return" value, or QMPError."""
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        if id is not None:
            req["id"] = id
        resp = self.request(req, timeout)
        if "error" in resp:
            raise QMPError(resp)
        if "return" not in resp:
            raise QMPProtocolError(f"neither return nor error in {resp}")
        if id is not None and resp.get("id") != id:
            raise QMPProtocolError(f"response id {resp.get('id')!r}, request id {id!r}")
        return resp["return"]

    def wait_event(self, name, timeout=5.0, pred=None):
        """The first event @name (for which @pred(event) holds), taken from
        self.events first, then from the stream until @timeout. Other events
        read meanwhile are kept in self.events, responses in self.stray."""
        for i, ev in enumerate(self.events):
            if ev.get("event") == name and (pred is None or pred(ev)):
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                msg = self.recv(max(0.0, left))
            except TimeoutError:
                raise TimeoutError(f"no event {name} within {timeout}s; other events: "
                                   f"{[e.get('event') for e in self.events]}")
            if "event" not in msg:
                self.stray.append(msg)
            elif msg["event"] == name and (pred is None or pred(msg)):
                return msg
            else:
                self.events.append(msg)

    def drain(self, timeout=0.2):
        """Read what arrives within @timeout into self.events / self.stray."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.recv(max(0.0, deadline - time.monotonic()))
            except (TimeoutError, EOFError):
                return
            (self.events if "event" in msg else self.stray).append(msg)

    # ----------------------------------------------------------- closing

    def close(self):
        if self._record:
            self._record.close()
            self._record = None
        if self.sock is not None:
            try:
                self._sel.close()
            finally:
                self.sock.close()
                self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
