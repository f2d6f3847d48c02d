# SPDX-License-Identifier: GPL-2.0-or-later
"""The QMP protocol of our monitors (qemu-dev-vhost-user-blk and -net).

Greeting, capabilities negotiation, every malformed-request answer with
QEMU's texts (the same table test_qmp_qsd.py checks against
qemu-storage-daemon), id echo, stream framing, parse error recovery, and the
bounds of docs/qmp.md: request size, nesting, clients per monitor, output
waiting for a client that does not read. Events: shape, every negotiated
client gets them, none before negotiation.
"""
import json
import re
import select
import socket
import time

import pytest

from qdtest.qmp import QMPClient, QMPError
from qdtest.qmprun import program, program_version  # noqa: F401 (fixture)
from qdtest.qmpshape import (ALREADY_NEGOTIATED, BAD_STRINGS, NEGOTIATION_EXPECTED,
                             REQUEST_ERRORS, check_bad_string, check_error, check_event,
                             check_greeting, check_return, check_version_info,
                             expected_error)
from test_conventions import MiniFrontend

KINDS = ["blk", "net"]
PARSE_ERROR = re.compile(r"^JSON parse error, ")
MAX_REQUEST = 65536
MAX_CLIENTS = 16
MAX_OUTPUT = 4 << 20


def read_until_response(c, id, timeout=5.0):
    """Messages up to and including the response with @id."""
    msgs = []
    deadline = time.monotonic() + timeout
    while True:
        m = c.recv(max(0.0, deadline - time.monotonic()))
        msgs.append(m)
        if "event" not in m and m.get("id") == id:
            return msgs


# ---------------------------------------------------------------- greeting

@pytest.mark.parametrize("kind", KINDS)
def test_greeting(program, request, kind):
    """Sent on connect: QEMU's shape, qemu-dev's version, the program's name,
    no capability offered."""
    p = program(kind)
    c = p.client(negotiate=False)
    check_greeting(c.greeting)
    v = c.greeting["QMP"]["version"]
    assert v["package"] == p.name
    major, minor, micro = program_version(request.getfixturevalue(f"{kind}_binary"))
    assert v["qemu"] == {"major": major, "minor": minor, "micro": micro}
    assert c.greeting["QMP"]["capabilities"] == []
    assert c.last_text.endswith("\r\n")


def test_monitor_socket_before_vhost_user_socket(program):
    """docs/qmp.md: a manager that waits for the vhost-user socket finds the
    monitor's socket too."""
    p = program("blk")
    assert p.qmp_sock.exists()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(str(p.qmp_sock))     # no retry: it listens already
    with QMPClient.from_socket(s) as c:
        check_greeting(c.greeting)
        check_version_info(c.cmd("query-version"))


# ------------------------------------------------------------ negotiation

@pytest.mark.parametrize("kind", KINDS)
def test_negotiation(program, kind):
    p = program(kind)
    c = p.client(negotiate=False)
    check_error(c.request({"execute": "query-version", "id": 1}), "CommandNotFound",
                NEGOTIATION_EXPECTED, id=1)
    check_error(c.request({"execute": "query-status"}), "CommandNotFound",
                NEGOTIATION_EXPECTED)
    check_error(c.request({"execute": "no-such-command", "id": "x"}), "CommandNotFound",
                NEGOTIATION_EXPECTED, id="x")
    # oob is never offered (SPEC-DIGEST 7.3): still in negotiation mode after
    check_error(c.request({"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]},
                           "id": 2}), "GenericError", "Capability oob not available", id=2)
    check_error(c.request({"execute": "query-version"}), "CommandNotFound",
                NEGOTIATION_EXPECTED)
    assert check_return(c.request({"execute": "qmp_capabilities", "arguments": {"enable": []},
                                   "id": 3}), id=3) == {}
    check_version_info(c.cmd("query-version"))
    check_error(c.request({"execute": "qmp_capabilities", "id": 4}), "CommandNotFound",
                ALREADY_NEGOTIATED, id=4)
    check_version_info(c.cmd("query-version"))


def test_capabilities_argument_errors(program):
    """Argument errors come first, in either mode, and change nothing."""
    p = program("blk")
    c = p.client(negotiate=False)

    def bad_arguments():
        check_error(c.request({"execute": "qmp_capabilities",
                               "arguments": {"enable": "oob"}, "id": 1}),
                    "GenericError", "Invalid parameter type for 'enable', expected: array", id=1)
        check_error(c.request({"execute": "qmp_capabilities", "arguments": {"enable": {}}}),
                    "GenericError", "Invalid parameter type for 'enable', expected: array")
        check_error(c.request({"execute": "qmp_capabilities", "arguments": {"bogus": 1}}),
                    "GenericError", "Parameter 'bogus' is unexpected")
        # QEMU says 'null' for the element of a list; any name will do here
        check_error(c.request({"execute": "qmp_capabilities",
                               "arguments": {"enable": ["foo"]}}),
                    "GenericError", re.compile(r"^Parameter '[^']+' does not accept value 'foo'$"))

    bad_arguments()
    check_error(c.request({"execute": "query-version"}), "CommandNotFound",
                NEGOTIATION_EXPECTED)
    c.cmd("qmp_capabilities")
    bad_arguments()
    check_version_info(c.cmd("query-version"))


@pytest.mark.parametrize("negotiated", [False, True], ids=["negotiation", "command"])
@pytest.mark.parametrize("case", REQUEST_ERRORS, ids=[e[0] for e in REQUEST_ERRORS])
@pytest.mark.parametrize("kind", KINDS)
def test_request_errors(program, kind, case, negotiated):
    """QEMU's answer to each malformed request, in both modes; the connection
    stays usable."""
    p = program(kind)
    c = p.client(negotiate=negotiated)
    c.send_raw(case[1])
    cls, desc = expected_error(case, negotiated)
    check_error(c.recv(), cls, desc, id=case[4])
    if not negotiated:
        c.cmd("qmp_capabilities")
    check_version_info(c.cmd("query-version"))


def test_events_only_after_negotiation(program):
    """A client in negotiation mode gets no event, and none of the past ones
    once it negotiated; negotiated clients each get every event."""
    p = program("blk")
    a, b = p.client(), p.client()
    waiting = p.client(negotiate=False)
    fe = MiniFrontend.connect(p.vu_sock)
    try:
        fe.get_features()
        for c in (a, b):
            check_event(c.wait_event("VHOST_USER_CONNECTED"), "VHOST_USER_CONNECTED")
        with pytest.raises(TimeoutError):
            waiting.recv(0.5)
        waiting.cmd("qmp_capabilities")
        waiting.drain(0.5)
        assert not waiting.events, f"events from before negotiation: {waiting.events}"
    finally:
        fe.close()
    for c in (a, b, waiting):
        ev = c.wait_event("VHOST_USER_DISCONNECTED")
        assert check_event(ev) == {"reason": "front-end closed the connection"}


# ------------------------------------------------------------------- ids

IDS = [1, -7, 2 ** 53, 1.5, "abc", "", "\u00e9\U0001F600", {"a": [1, {"b": None}]}, [1, "x"],
       True, None]


@pytest.mark.parametrize("id", IDS, ids=["int", "negative", "big", "float", "str", "empty",
                                         "unicode", "object", "list", "bool", "null"])
def test_id_echo(program, id):
    """Any JSON value is echoed as it came, in success and error responses."""
    p = program("blk")
    c = p.client(negotiate=False)
    check_error(c.request({"execute": "query-version", "id": id}), "CommandNotFound", id=id)
    check_return(c.request({"execute": "qmp_capabilities", "id": id}), id=id)
    check_version_info(check_return(c.request({"execute": "query-version", "id": id}), id=id))
    check_error(c.request({"execute": "no-such-command", "id": id}), "CommandNotFound", id=id)
    check_error(c.request({"execute": "query-version", "arguments": {"x": 1}, "id": id}),
                "GenericError", id=id)


# --------------------------------------------------------------- framing

def test_two_requests_in_one_write(program):
    p = program("blk")
    c = p.client()
    c.send_raw(b'{"execute":"query-version","id":1}{"execute":"query-status","id":2}')
    check_version_info(check_return(c.recv(), id=1))
    assert set(check_return(c.recv(), id=2)) == {"running", "status"}
    c.send_raw(b'{"execute":"query-version","id":3}\r\n\t {"execute":"no-such","id":4}\n')
    check_return(c.recv(), id=3)
    check_error(c.recv(), "CommandNotFound", id=4)


def test_request_in_one_byte_writes(program):
    """The parser takes a request in pieces."""
    p = program("blk")
    c = p.client()
    for b in b'{"execute": "query-version", "id": "bytewise"}':
        c.send_raw(bytes([b]))
        time.sleep(0.001)
    check_version_info(check_return(c.recv(), id="bytewise"))


def test_utf8_character_split_across_writes(program):
    """A character whose UTF-8 bytes arrive in two reads is one character
    (QEMU takes it: test_qmp_qsd.py::test_stream_framing)."""
    p = program("blk")
    c = p.client()
    raw = '{"execute": "query-version", "id": "\u00e9t\u00e9"}\n'.encode()
    cut = raw.index(b"\xc3") + 1
    c.send_raw(raw[:cut])
    time.sleep(0.05)
    c.send_raw(raw[cut:])
    check_version_info(check_return(c.recv(), id="\u00e9t\u00e9"))


def test_single_quoted_strings(program):
    """QEMU's parser takes 'single-quoted' strings (qmp-spec.rst)."""
    p = program("blk")
    c = p.client()
    c.send_raw(b"{'execute': 'query-version', 'id': 'sq'}\n")
    check_version_info(check_return(c.recv(), id="sq"))


def test_parse_error_recovery(program):
    """A parse error: one GenericError without id, the rest of the line
    dropped, the next line served (docs/qmp.md)."""
    p = program("blk")
    c = p.client()
    c.send_raw(b'{"execute": ]} {"execute":"query-version","id":"same-line"}\n'
               b'{"execute":"query-version","id":"next"}\n')
    msgs = read_until_response(c, "next")
    assert len(msgs) == 2, f"expected one parse error, then the answer: {msgs}"
    check_error(msgs[0], "GenericError", PARSE_ERROR)
    # a control character ends the error too: what follows is parsed
    c.send_raw(b'{"execute": "query-version", "id": \x01{"execute":"query-version","id":"ctl"}\n')
    msgs = read_until_response(c, "ctl")
    assert len(msgs) >= 2, msgs
    for m in msgs[:-1]:
        check_error(m, "GenericError", PARSE_ERROR)
    check_version_info(c.cmd("query-version"))


@pytest.mark.parametrize("string", [b[1] for b in BAD_STRINGS], ids=[b[0] for b in BAD_STRINGS])
def test_bad_strings(program, string):
    """Strings QEMU's parser refuses are parse errors here too, and the next
    line is served: nothing invalid is taken, nor echoed as invalid UTF-8."""
    p = program("blk")
    c = p.client()
    check_bad_string(c, string)
    check_version_info(c.cmd("query-version"))


def test_nul_escape(program):
    """\\u0000 is a valid JSON string character: QEMU takes and echoes it."""
    p = program("blk")
    c = p.client()
    check_return(c.request({"execute": "query-version", "id": "a\u0000b"}), id="a\u0000b")


def test_nesting_limit(program):
    """Nesting deeper than 32 levels is a parse error; 30 levels are fine."""
    p = program("blk")
    c = p.client()

    def nested(levels):    # the request object and "arguments" are 2 levels
        inner = "[" * (levels - 2) + "]" * (levels - 2)
        return ('{"execute":"query-version","id":"n","arguments":{"a":%s}}\n' % inner).encode()

    c.send_raw(nested(30))
    check_error(c.recv(), "GenericError", "Parameter 'a' is unexpected", id="n")
    c.send_raw(nested(40))
    resp = c.recv()
    check_error(resp, "GenericError", re.compile(r"JSON parse error|nesting"))
    assert "id" not in resp
    check_version_info(c.cmd("query-version", id="after"))


# ----------------------------------------------------------------- bounds

def test_request_size_limit(program):
    """A request of more than 64 KiB: an error, then the connection is closed;
    other clients and the program carry on. A request just under is served."""
    p = program("blk")
    other = p.client()
    c = p.client()
    pad = "A" * (MAX_REQUEST - 200)
    check_error(c.request({"execute": "query-version", "id": "big", "arguments": {"pad": pad}}),
                "GenericError", "Parameter 'pad' is unexpected", id="big")
    c.send(({"execute": "query-version", "id": "huge", "arguments": {"pad": pad * 2}}))
    msgs = c.recv_until_closed(5)
    assert len(msgs) == 1, msgs
    check_error(msgs[0], "GenericError", f"QMP input exceeds {MAX_REQUEST} bytes")
    # an unterminated string never completes a request: the same bound
    c2 = p.client()
    c2.send_raw(b'{"execute": "' + b"a" * (MAX_REQUEST + 10))
    msgs = c2.recv_until_closed(5)
    assert len(msgs) == 1, msgs
    check_error(msgs[0], "GenericError", f"QMP input exceeds {MAX_REQUEST} bytes")
    check_version_info(other.cmd("query-version"))
    check_version_info(p.client().cmd("query-version"))


def test_client_limit(program):
    """16 clients per monitor; the 17th is closed without a greeting. Once one
    leaves, a new client is served."""
    p = program("blk")
    clients = [p.client() for _ in range(MAX_CLIENTS)]
    extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        extra.settimeout(5)
        extra.connect(str(p.qmp_sock))
        data = b""
        try:
            while True:
                chunk = extra.recv(4096)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        except socket.timeout:
            pytest.fail(f"client {MAX_CLIENTS + 1} was not closed within 5 s (got {data!r})")
        assert b'"QMP"' not in data, f"client {MAX_CLIENTS + 1} was greeted: {data!r}"
    finally:
        extra.close()
    for c in clients:
        check_version_info(c.cmd("query-version"))
    clients[0].close()
    deadline = time.monotonic() + 5
    while True:     # the monitor notices the departure asynchronously
        try:
            check_version_info(QMPClient(p.qmp_sock, timeout=2).cmd("query-version"))
            break
        except (EOFError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise


def test_client_that_does_not_read(program):
    """A client that sends requests and never reads is disconnected once 4 MiB
    of output wait for it; meanwhile another client is served promptly."""
    p = program("blk")
    other = p.client()
    reply_size = len(json.dumps({"return": other.cmd("query-qmp-schema")}))
    n = (2 * MAX_OUTPUT) // reply_size + 64    # twice the bound, socket buffers aside
    slow = p.client()
    req = b'{"execute":"query-qmp-schema"}\n'
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    poller = select.poll()
    poller.register(slow.sock, select.POLLHUP)
    sent = 0
    deadline = time.monotonic() + 20
    closed = False
    while time.monotonic() < deadline and not closed:
        if sent < n:
            try:
                slow.send_raw(req * 16, timeout=0.2)
                sent += 16
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            except TimeoutError:
                pass    # the monitor stopped reading it: fine, output still piles up
        t0 = time.monotonic()
        check_version_info(other.cmd("query-version", timeout=2))
        assert time.monotonic() - t0 < 1.0, "the other client waited"
        closed = any(ev & select.POLLHUP for _, ev in poller.poll(50))
    assert closed, f"client not disconnected after {sent} requests of ~{reply_size} bytes"
    # what it can still read is bounded: far less than every answer
    got = 0
    slow.sock.setblocking(True)
    slow.sock.settimeout(5)
    try:
        while True:
            chunk = slow.sock.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
    except ConnectionResetError:
        pass
    assert got < sent * reply_size, "every answer arrived: the client was not cut off"
    assert got <= MAX_OUTPUT + (4 << 20), f"{got} bytes were queued for the client"
    check_version_info(other.cmd("query-version"))
    assert p.backend.running()


def test_client_leaving_with_output_pending(program):
    """Clients that leave mid-request or with answers unread harm nothing (no
    SIGPIPE, no stuck client slot)."""
    p = program("blk")
    for _ in range(MAX_CLIENTS + 4):
        c = QMPClient(p.qmp_sock)
        c.send_raw(b'{"execute":"query-qmp-schema"}{"execute":"query-qmp-schema"}{"exec')
        c.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(p.qmp_sock))
    s.close()       # gone before the greeting could be written
    deadline = time.monotonic() + 5
    while True:
        try:
            check_version_info(QMPClient(p.qmp_sock, timeout=2).cmd("query-version"))
            break
        except (EOFError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
    assert p.backend.running()


# ------------------------------------------------------------------ pretty

def test_pretty_output(program, short_tmp):
    """pretty=on: indented output that still parses, each message CRLF-ended."""
    p = program("blk", "--chardev", f"socket,id=m1,path={short_tmp}/pretty.sock",
                "--monitor", "chardev=m1,pretty=on")
    c = p.client(short_tmp / "pretty.sock", negotiate=False)
    check_greeting(c.greeting)
    assert "\n" in c.last_text[:-2], f"greeting not pretty: {c.last_text!r}"
    c.cmd("qmp_capabilities")
    v = c.cmd("query-version", id=1)
    check_version_info(v)
    assert "\n" in c.last_text[:-2] and c.last_text.endswith("}\r\n"), c.last_text
    assert json.loads(c.last_text) == {"return": v, "id": 1}
    plain = p.client()
    assert "\n" not in plain.last_text[:-2], "pretty=on leaked to the other monitor"
    with pytest.raises(QMPError) as e:
        c.cmd("no-such")
    assert e.value.cls == "CommandNotFound"
