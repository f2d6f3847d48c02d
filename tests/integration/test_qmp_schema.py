# SPDX-License-Identifier: GPL-2.0-or-later
"""query-qmp-schema of our programs: valid by introspect.json's rules, the
same interface as the schema source (qmp/schema/*.json) for the program's
Kconfig config, nothing of the other device, and the control commands shaped
exactly as qemu-storage-daemon's.
"""
from pathlib import Path

import pytest

from qdtest.qmprun import program  # noqa: F401 (fixture)
from qdtest.qmpshape import (BUILTINS, QAPISchema, canonical, check_command_return,
                             check_commands, config_symbols, load_qapi, schema_names,
                             validate_schema)
from test_qmp_qsd import qsd  # noqa: F401 (fixture)

SOURCE = Path(__file__).resolve().parents[2] / "qmp" / "schema" / "qapi-schema.json"
KINDS = ["blk", "net"]
CONTROL = ["qmp_capabilities", "query-version", "query-commands", "query-qmp-schema", "quit"]
# What must not leak into the other program: commands, events, and member
# names only the other device's types have
FOREIGN = {
    "blk": ({"set_link", "query-net"}, {"NETDEV_LINK_CHANGED"},
            {"mac", "link-up", "queue-pairs", "rx-packets", "notification"}),
    "net": ({"block-resize", "query-blockstats"}, {"BLOCK_IO_ERROR"},
            {"rd_bytes", "wr_operations", "io-engine", "nospace", "operation"}),
}


@pytest.fixture
def schema_of(program):
    """start(kind): (program, its client, the validated schema by name)."""

    def start(kind):
        p = program(kind)
        c = p.client()
        raw = c.cmd("query-qmp-schema")
        return p, c, raw, validate_schema(raw)

    return start


@pytest.mark.parametrize("kind", KINDS)
def test_schema_valid(schema_of, kind):
    """introspect.json's rules (qmpshape.validate_schema: names unique and
    masked, every type defined and reachable, enums with members and values,
    integer built-ins collapsed), and the commands are query-commands'."""
    p, c, raw, by_name = schema_of(kind)
    assert schema_names(by_name, "command") == check_commands(c.cmd("query-commands"))
    assert schema_names(by_name, "builtin") <= set(BUILTINS)
    assert "int" in by_name, "no integer type although the schema has integers"
    check_command_return(by_name, "query-qmp-schema", raw)
    assert c.cmd("query-qmp-schema") == raw, "two answers differ"


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_of_the_other_device(schema_of, kind):
    p, c, raw, by_name = schema_of(kind)
    commands, events, members = FOREIGN[kind]
    assert not commands & schema_names(by_name, "command")
    assert not events & schema_names(by_name, "event")
    for e in raw:
        if e["meta-type"] == "object":
            found = {m["name"] for m in e["members"]} & members
            assert not found, f"type {e['name']} has members {found} of the other device"


@pytest.mark.parametrize("kind", KINDS)
def test_schema_matches_source(schema_of, build_dir, kind):
    """Commands, events, their arguments, returns and data, as the schema
    source says for the program's config (masked names compared by shape)."""
    p, c, raw, by_name = schema_of(kind)
    symbols = config_symbols(build_dir / f"vhost-user-{kind}-config.mak")
    src = QAPISchema(load_qapi(SOURCE), symbols)
    assert schema_names(by_name, "command") == src.names("command")
    assert schema_names(by_name, "event") == src.names("event")
    for name in sorted(src.names("command")):
        args, ret = src.command_types(name)
        assert canonical(by_name, by_name[name]["arg-type"]) == args, f"{name} arguments"
        assert canonical(by_name, by_name[name]["ret-type"]) == ret, f"{name} return"
        assert not by_name[name].get("allow-oob"), f"{name} allows oob"
    for name in sorted(src.names("event")):
        assert canonical(by_name, by_name[name]["arg-type"]) == src.event_type(name), \
            f"{name} data"


@pytest.mark.parametrize("kind", KINDS)
def test_every_query_answers_as_declared(schema_of, kind):
    """Every command that needs no argument (but quit) answers with a value of
    its declared return type."""
    p, c, raw, by_name = schema_of(kind)
    for name in sorted(schema_names(by_name, "command") - {"quit", "qmp_capabilities"}):
        args = by_name[by_name[name]["arg-type"]]
        if any("default" not in m for m in args["members"]):
            continue
        check_command_return(by_name, name, c.cmd(name))


def test_control_commands_as_qemu(schema_of, qsd):
    """The control commands are shaped as in QEMU's own schema."""
    theirs = validate_schema(qsd().cmd("query-qmp-schema"))
    for kind in KINDS:
        p, c, raw, ours = schema_of(kind)
        for name in CONTROL:
            for t in ("arg-type", "ret-type"):
                assert canonical(ours, ours[name][t]) == canonical(theirs, theirs[name][t]), \
                    f"{kind}: {name} {t} differs from QEMU's"
