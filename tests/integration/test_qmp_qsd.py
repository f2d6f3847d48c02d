# SPDX-License-Identifier: GPL-2.0-or-later
"""The QMP client and shape checks of our suites, against qemu-storage-daemon.

qemu-storage-daemon's monitor is QEMU's own: when the client
(qdtest/qmp.py), the shape checks and the schema validator (qdtest/qmpshape.py)
accept what it says, they test the protocol rather than the habits of our
monitor, and the error texts our monitors must give are QEMU's.
"""
import re
import shutil

import pytest

from qdtest.prereq import missing
from qdtest.qmp import QMPClient
from qdtest.qmpshape import (ALREADY_NEGOTIATED, BAD_STRINGS, NEGOTIATION_EXPECTED,
                             REQUEST_ERRORS, check_bad_string,
                             check_command_return, check_commands, check_error, check_event,
                             check_event_data, check_greeting, check_return,
                             check_version_info, expected_error, schema_names, validate_schema)

PARSE_ERROR = re.compile(r"^JSON parse error, ")


@pytest.fixture
def qsd(backend_factory, short_tmp):
    """qemu-storage-daemon with two monitors (a QEMU chardev serves one client
    at a time); returns client(monitor=0, **kw) that connects to one."""
    binary = shutil.which("qemu-storage-daemon")
    if not binary:
        missing("qemu-storage-daemon is not installed (Debian: qemu-system-common)")
    paths = [short_tmp / f"qsd-qmp{i}.sock" for i in (0, 1)]
    argv = [binary]
    for i, path in enumerate(paths):
        argv += ["--chardev", f"socket,id=m{i},path={path},server=on,wait=off",
                 "--monitor", f"chardev=m{i}"]
    b = backend_factory(argv, socket=paths[1], name="qsd")
    b.wait_socket()
    clients = []

    def client(monitor=0, **kw):
        c = QMPClient(paths[monitor], **kw)
        clients.append(c)
        return c

    client.backend = b
    client.short_tmp = short_tmp
    yield client
    for c in clients:
        c.close()


def test_greeting_and_version(qsd):
    c = qsd()
    check_greeting(c.greeting)
    v = c.cmd("query-version", id="v")
    check_version_info(v)
    assert v == c.greeting["QMP"]["version"]


def test_negotiation(qsd):
    c = qsd(negotiate=False)
    check_error(c.request({"execute": "query-version", "id": 1}), "CommandNotFound",
                NEGOTIATION_EXPECTED, id=1)
    check_error(c.request({"execute": "no-such-command"}), "CommandNotFound",
                NEGOTIATION_EXPECTED)
    check_error(c.request({"execute": "qmp_capabilities", "arguments": {"enable": "oob"}}),
                "GenericError", "Invalid parameter type for 'enable', expected: array")
    # QEMU names a list element 'null' here (qapi/qapi-visit-core.c)
    check_error(c.request({"execute": "qmp_capabilities", "arguments": {"enable": ["foo"]}}),
                "GenericError", "Parameter 'null' does not accept value 'foo'")
    check_error(c.request({"execute": "qmp_capabilities", "arguments": {"bogus": 1}}),
                "GenericError", "Parameter 'bogus' is unexpected")
    assert check_return(c.request({"execute": "qmp_capabilities", "id": [2]}), id=[2]) == {}
    check_error(c.request({"execute": "qmp_capabilities", "id": "again"}), "CommandNotFound",
                ALREADY_NEGOTIATED, id="again")
    check_version_info(c.cmd("query-version"))


@pytest.mark.parametrize("negotiated", [False, True], ids=["negotiation", "command"])
@pytest.mark.parametrize("case", REQUEST_ERRORS, ids=[e[0] for e in REQUEST_ERRORS])
def test_request_errors(qsd, case, negotiated):
    c = qsd(negotiate=negotiated)
    c.send_raw(case[1])
    cls, desc = expected_error(case, negotiated)
    check_error(c.recv(), cls, desc, id=case[4])
    check_version_info(c.cmd("query-version")) if negotiated else None


def test_argument_errors(qsd):
    """The argument texts our generated code copies (qapi/qobject-input-visitor.c)."""
    c = qsd()
    for args, desc in [
        ({"id": "e"}, "Parameter 'type' is missing"),
        ({"type": "nbd", "id": 1}, "Invalid parameter type for 'id', expected: string"),
        ({"type": "nbd", "id": "e", "node-name": "n", "writable": "yes"},
         "Invalid parameter type for 'writable', expected: boolean"),
        ({"type": "bogus", "id": "e"}, "Parameter 'type' does not accept value 'bogus'"),
        ({"type": "nbd", "id": "e", "node-name": "n", "bogus": 1},
         "Parameter 'bogus' is unexpected"),
    ]:
        check_error(c.request({"execute": "block-export-add", "arguments": args, "id": "a"}),
                    "GenericError", desc, id="a")
    check_error(c.request({"execute": "nbd-server-start", "arguments": {"addr": 1}}),
                "GenericError", "Invalid parameter type for 'addr', expected: object")
    check_error(c.request({"execute": "blockdev-add",
                           "arguments": {"driver": "null-co", "node-name": "n", "size": "1"}}),
                "GenericError", "Invalid parameter type for 'size', expected: integer")


def test_uint64_argument_errors(qsd):
    """QEMU's text for a uint64 argument of the wrong type differs from the
    int one ("expects uint64"); a negative number is taken as 2^64 - N."""
    c = qsd()
    for v in ("y", 1.5):
        check_error(c.request({"execute": "block-set-write-threshold",
                               "arguments": {"node-name": "x", "write-threshold": v}}),
                    "GenericError", "Parameter 'write-threshold' expects uint64")
    check_error(c.request({"execute": "block-set-write-threshold",
                           "arguments": {"node-name": "x", "write-threshold": -1}}),
                "GenericError", "Device 'x' not found")


@pytest.mark.parametrize("id", [1, -7, 1.5, "abc", "\u00e9\U0001F600", {"a": [1, {"b": None}]},
                                [1, "x"], True, None],
                         ids=["int", "negative", "float", "str", "unicode", "object", "list",
                              "bool", "null"])
def test_id_echo(qsd, id):
    c = qsd()
    check_version_info(check_return(c.request({"execute": "query-version", "id": id}), id=id))
    check_error(c.request({"execute": "no-such-command", "id": id}), "CommandNotFound", id=id)


def test_stream_framing(qsd):
    """Two requests in one write, no delimiter; one request in 1-byte writes."""
    c = qsd()
    c.send_raw(b'{"execute":"query-version","id":1}{"execute":"query-commands","id":2}')
    check_return(c.recv(), id=1)
    check_return(c.recv(), id=2)
    for b in '{"execute": "query-version", "id": "\u00e9"}'.encode():
        c.send_raw(bytes([b]))
    check_return(c.recv(), id="\u00e9")


def test_parse_error(qsd):
    """A parse error is answered without id; the connection stays usable (QEMU
    may answer one bad line with more than one error)."""
    c = qsd()
    c.send_raw(b'{"execute": ]}\n{"execute":"query-version","id":"next"}\n')
    msgs = []
    while not msgs or "return" not in msgs[-1]:
        msgs.append(c.recv())
    assert msgs[-1]["id"] == "next"
    assert len(msgs) >= 2
    for m in msgs[:-1]:
        check_error(m, "GenericError", PARSE_ERROR)


@pytest.mark.parametrize("string", [b[1] for b in BAD_STRINGS], ids=[b[0] for b in BAD_STRINGS])
def test_bad_strings(qsd, string):
    c = qsd()
    check_bad_string(c, string)
    check_version_info(c.cmd("query-version"))


def test_nul_escape(qsd):
    c = qsd()
    check_return(c.request({"execute": "query-version", "id": "a\u0000b"}), id="a\u0000b")


def test_commands_and_schema(qsd):
    c = qsd()
    names = check_commands(c.cmd("query-commands"))
    schema = c.cmd("query-qmp-schema")
    by_name = validate_schema(schema)
    assert names == schema_names(by_name, "command")
    for cmd in ("qmp_capabilities", "query-version", "query-commands", "query-qmp-schema",
                "quit"):
        assert cmd in names
    # the answers conform to the schema's own SchemaInfo and VersionInfo
    check_command_return(by_name, "query-qmp-schema", schema)
    check_command_return(by_name, "query-version", c.cmd("query-version"))
    check_command_return(by_name, "query-commands", c.cmd("query-commands"))


def test_event_shape(qsd):
    """BLOCK_EXPORT_DELETED after block-export-del: the event, its timestamp and
    data as the schema says; the clients of both monitors get it."""
    c, d = qsd(), qsd(monitor=1)
    by_name = validate_schema(c.cmd("query-qmp-schema"))
    c.cmd("blockdev-add", {"driver": "null-co", "node-name": "n0"})
    sock = qsd.short_tmp / "vhost.sock"
    c.cmd("block-export-add", {"type": "vhost-user-blk", "id": "e0", "node-name": "n0",
                               "addr": {"type": "unix", "path": str(sock)}})
    c.cmd("block-export-del", {"id": "e0"})
    for client in (c, d):
        ev = client.wait_event("BLOCK_EXPORT_DELETED", timeout=5)
        assert check_event(ev) == {"id": "e0"}
        check_event_data(by_name, ev)


def test_quit(qsd):
    c = qsd()
    assert c.cmd("quit", id=0) == {}
    c.recv_until_closed(5)
    assert qsd.backend.proc.wait(5) == 0
