# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/qapi-gen.py refuses bad schemas, naming the file and line.

Each case is a small schema with one fault; the line the message must name
is marked with '<--' (the marker is removed before the schema is written).
"""
import importlib.util
import subprocess
from pathlib import Path

import pytest

GEN = Path(__file__).resolve().parents[3] / "scripts" / "qapi-gen.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("qapi_gen_errors", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = load_generator()


def doc(name, *members, returns=False, features=()):
    """A complete doc comment for @name."""
    lines = ["##", f"# @{name}:", "#", "# Something."]
    if members:
        lines.append("#")
        lines += [f"# @{m}: a member" for m in members]
    if returns:
        lines += ["#", "# Returns: something"]
    if features:
        lines += ["#", "# Features:"] + [f"# @{f}: a feature"
                                         for f in features]
    return "\n".join(lines + ["##"]) + "\n"


def write(path, text):
    """Write @text without its '<--' marker; return the marked line."""
    lines = text.split("\n")
    marked = [i + 1 for i, line in enumerate(lines) if "<--" in line]
    path.write_text("\n".join(line.replace("  # <--", "").replace(" <--", "")
                              for line in lines))
    return marked[0] if marked else None


def fails(tmp_path, text, words):
    path = tmp_path / "bad.json"
    line = write(path, text)
    with pytest.raises(gen.QAPIError) as exc:
        gen.Schema(str(path))
    msg = str(exc.value)
    assert msg.startswith(f"{path}:{line}: "), msg
    assert words in msg, msg
    return msg


def passes(tmp_path, text):
    path = tmp_path / "good.json"
    write(path, text)
    return gen.Schema(str(path))


STRUCT_S = doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int' } }\n"
CASES = {
    "unknown key": (
        doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int' },\n"
        "  'bogus': 'x' }  # <--\n", "unknown key 'bogus'"),
    "unknown member key": (
        doc("S", "a") + "{ 'struct': 'S',\n"
        "  'data': { 'a': { 'type': 'int', 'iff': 'CONFIG_X' } } }  # <--\n",
        "unknown key 'iff'"),
    "unknown type": (
        doc("S", "a", "b") + "{ 'struct': 'S',\n"
        "  'data': { 'a': 'int',\n"
        "            'b': 'Nope' } }  # <--\n", "unknown type 'Nope'"),
    "unknown returns": (
        doc("c", returns=True) +
        "{ 'command': 'c', 'returns': 'Nope' }  # <--\n",
        "unknown type 'Nope'"),
    "duplicate definition": (
        STRUCT_S + doc("S", "a") +
        "{ 'struct': 'S', 'data': { 'a': 'int' } }  # <--\n",
        "'S' is already defined"),
    "duplicate key": (
        doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int',\n"
        "  'a': 'str' } }  # <--\n", "duplicate key 'a'"),
    "member clash": (
        doc("S", "a-b", "a_b") + "{ 'struct': 'S', 'data': { 'a-b': 'int',\n"
        "  'a_b': 'str' } }  # <--\n", "clashes with member 'a-b'"),
    "has_ clash": (
        doc("S", "x", "has-x") + "{ 'struct': 'S', 'data': { '*x': 'int',\n"
        "  'has-x': 'bool' } }  # <--\n", "C name 'has_x'"),
    "base clash": (
        STRUCT_S + doc("T", "a") + "{ 'struct': 'T', 'base': 'S',\n"
        "  'data': { 'a': 'str' } }  # <--\n", "member 'a' is defined twice"),
    "discriminator not in base": (
        doc("E", "x") + "{ 'enum': 'E', 'data': [ 'x' ] }\n" +
        doc("U", "k") + "{ 'union': 'U', 'base': { 'k': 'E' },  # <--\n"
        "  'discriminator': 'kind', 'data': {} }\n",
        "discriminator 'kind' is not an enum member"),
    "discriminator not an enum": (
        doc("U", "k") + "{ 'union': 'U', 'base': { 'k': 'str' },  # <--\n"
        "  'discriminator': 'k', 'data': {} }\n",
        "discriminator 'k' is not an enum member"),
    "branch not a value": (
        STRUCT_S + doc("E", "x") + "{ 'enum': 'E', 'data': [ 'x' ] }\n" +
        doc("U", "k") + "{ 'union': 'U', 'base': { 'k': 'E' },\n"
        "  'discriminator': 'k',\n"
        "  'data': { 'y': 'S' } }  # <--\n", "'y' is not a value"),
    "returns not a struct": (
        doc("c", returns=True) + "{ 'command': 'c', 'returns': 'int' }"
        "  # <--\n", "'returns' must be a struct"),
    "returns array of str": (
        doc("c", returns=True) + "{ 'command': 'c', 'returns': [ 'str' ] }"
        "  # <--\n", "'returns' must be a struct"),
    "command uses narrower type": (
        doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int' },\n"
        "  'if': 'CONFIG_A' }\n" + doc("c", returns=True) +
        "{ 'command': 'c', 'returns': 'S' }  # <--\n",
        "exists only if CONFIG_A"),
    "member uses narrower type": (
        doc("E", "x") + "{ 'enum': 'E', 'data': [ 'x' ], 'if': 'CONFIG_A' }\n"
        + doc("S", "a", "b") + "{ 'struct': 'S',\n"
        "  'data': { 'a': 'int', 'b': 'E' },  # <--\n"
        "  'if': { 'any': [ 'CONFIG_A', 'CONFIG_B' ] } }\n",
        "exists only if CONFIG_A"),
    "event uses narrower type": (
        doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int' },\n"
        "  'if': 'CONFIG_A' }\n" + doc("EV", "x") +
        "{ 'event': 'EV', 'data': { 'x': [ 'S' ] },  # <--\n"
        "  'if': 'CONFIG_B' }\n", "exists only if CONFIG_A"),
    "bad condition": (
        doc("c") + "{ 'command': 'c', 'if': 'VIRTIO' }  # <--\n",
        "is not a Kconfig symbol"),
    "bad condition operator": (
        doc("c") + "{ 'command': 'c',\n"
        "  'if': { 'either': [ 'CONFIG_A' ] } }  # <--\n",
        "{'all': [...]}"),
    "no doc": (
        "{ 'command': 'c' }  # <--\n", "command 'c' has no doc comment"),
    "doc not directly before": (
        "##  # <--\n# @c:\n#\n# Text.\n##\n\n{ 'command': 'c' }\n",
        "not directly followed"),
    "undocumented member": (
        doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int',\n"
        "  'b': 'int' } }  # <--\n", "member 'b' of struct 'S' is not "
        "documented"),
    "documented member missing": (
        "##\n# @S:\n#\n# Text.\n#\n# @a: yes\n# @zz: no  # <--\n##\n"
        "{ 'struct': 'S', 'data': { 'a': 'int' } }\n", "'@zz', which does "
        "not exist"),
    "undocumented enum value": (
        doc("E", "x") + "{ 'enum': 'E', 'data': [ 'x',\n"
        "  'y' ] }  # <--\n", "member 'y' of enum 'E' is not documented"),
    "doc names another": (
        "##  # <--\n# @T:\n#\n# Text.\n##\n{ 'command': 'c' }\n",
        "doc comment names 'T'"),
    "doc without text": (
        "##  # <--\n# @c:\n##\n{ 'command': 'c' }\n", "has no description"),
    "unindented continuation": (
        "##\n# @S:\n#\n# Text.\n#\n# @a: yes\n# more  # <--\n##\n"
        "{ 'struct': 'S', 'data': { 'a': 'int' } }\n", "must be indented"),
    "missing Returns": (
        STRUCT_S + "##  # <--\n# @c:\n#\n# Text.\n##\n"
        "{ 'command': 'c', 'returns': 'S' }\n", "'Returns:' section"),
    "unterminated doc": (
        "##  # <--\n# @c:\n#\n# Text.\n", "not terminated by '##'"),
    "undocumented feature": (
        "##  # <--\n# @c:\n#\n# Text.\n##\n"
        "{ 'command': 'c', 'features': [ 'unstable' ] }\n",
        "undocumented features ['unstable']"),
    "command uses union": (
        doc("E", "x") + "{ 'enum': 'E', 'data': [ 'x' ] }\n" + doc("U", "k") +
        "{ 'union': 'U', 'base': { 'k': 'E' }, 'discriminator': 'k',\n"
        "  'data': {} }\n" + doc("S", "u") +
        "{ 'struct': 'S', 'data': { 'u': 'U' } }\n" + doc("c", returns=True) +
        "{ 'command': 'c', 'returns': [ 'S' ] }  # <--\n",
        "uses union 'U', which has no C code"),
    "event uses alternate": (
        doc("A", "s", "n") + "{ 'alternate': 'A',\n"
        "  'data': { 's': 'str', 'n': 'int' } }\n" + doc("EV", "a") +
        "{ 'event': 'EV', 'data': { 'a': 'A' } }  # <--\n",
        "uses alternate 'A'"),
    "ambiguous alternate": (
        doc("A", "s", "n") + "{ 'alternate': 'A', 'data': { 's': 'int',\n"
        "  'n': 'number' } }  # <--\n", "both JSON numbers"),
    "struct contains itself": (
        doc("S", "next") + "{ 'struct': 'S', 'data': { '*next': 'S' } }"
        "  # <--\n", "contains itself by value"),
    "two kinds": (
        "{ 'struct': 'S', 'enum': 'E', 'data': [] }  # <--\n",
        "exactly one of"),
    "syntax error": (
        STRUCT_S + "{ 'command': 'c',\n  'data': { 'x': } }  # <--\n",
        "syntax error"),
    "missing comma": (
        doc("E", "ab", "c") + "{ 'enum': 'E',\n  'data': [ 'a'\n"
        "            'b', 'c' ] }  # <--\n", "without a comma"),
    "not a literal": (
        "{ 'command': 'c', 'gen': None }  # <--\n",
        "only strings, booleans, lists and dictionaries"),
    "stray text": (STRUCT_S + "}  # <--\n", "expected '{'"),
    "bad type name": (
        doc("s", "a") + "{ 'struct': 's', 'data': { 'a': 'int' } }  # <--\n",
        "bad name"),
    "enum value clash": (
        doc("E", "a-b", "a_b") + "{ 'enum': 'E', 'data': [ 'a-b',\n"
        "  'a_b' ] }  # <--\n", "clashes with 'a-b'"),
    "C name clash": (
        doc("BResizeArgs", "a") + "{ 'struct': 'BResizeArgs',\n"
        "  'data': { 'a': 'int' } }\n" + doc("b-resize", "size") +
        "{ 'command': 'b-resize', 'data': { 'size': 'int' } }  # <--\n",
        "C name 'qmp_b_resize_args' clashes"),
    "null in C": (
        doc("S", "n") + "{ 'struct': 'S', 'data': { 'n': 'null' } }\n" +
        doc("EV", "s") + "{ 'event': 'EV', 'data': { 's': 'S' } }  # <--\n",
        "uses 'null'"),
    "union branch not a struct": (
        doc("E", "x") + "{ 'enum': 'E', 'data': [ 'x' ] }\n" + doc("U", "k") +
        "{ 'union': 'U', 'base': { 'k': 'E' }, 'discriminator': 'k',\n"
        "  'data': { 'x': 'E' } }  # <--\n", "branch 'x' must be a struct"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused(tmp_path, name):
    text, words = CASES[name]
    fails(tmp_path, text, words)


def test_included_file_named(tmp_path):
    (tmp_path / "sub").mkdir()
    line = write(tmp_path / "sub" / "inner.json", doc("S", "a") +
                 "{ 'struct': 'S', 'data': { 'a': 'Nope' } }  # <--\n")
    path = tmp_path / "main.json"
    write(path, "# top\n{ 'include': 'sub/inner.json' }\n")
    with pytest.raises(gen.QAPIError) as exc:
        gen.Schema(str(path))
    assert str(exc.value).startswith(f"{tmp_path}/sub/inner.json:{line}: ")


def test_accepted(tmp_path):
    """What is allowed: wider conditions, gen False, continuation lines."""
    schema = passes(
        tmp_path,
        doc("S", "a") + "{ 'struct': 'S', 'data': { 'a': 'int' },\n"
        "  'if': 'CONFIG_A' }\n" + doc("c", returns=True) +
        "{ 'command': 'c', 'returns': 'S',\n"
        "  'if': { 'all': [ 'CONFIG_A', 'CONFIG_B' ] } }\n"
        + doc("r", returns=True) +
        "{ 'command': 'r', 'returns': 'int', 'gen': False }\n"
        "##\n# @T:\n#\n# Text\n# on two lines.\n#\n# @a: first\n"
        "#     continued\n#\n# More text.\n##\n"
        "{ 'struct': 'T', 'data': { '*a': { 'type': [ 'S' ],\n"
        "                                   'if': 'CONFIG_A' } } }\n")
    t = schema.by_name["T"]
    assert t.doc.body == ["Text on two lines."]
    assert t.doc.members["a"] == ["first continued"]
    assert t.doc.trailer == ["More text."]
    assert t.members[0].is_array and t.members[0].optional


def test_cli_reports_file_and_line(tmp_path):
    path = tmp_path / "bad.json"
    line = write(path, doc("S", "a") +
                 "{ 'struct': 'S', 'data': { 'a': 'Nope' } }  # <--\n")
    res = subprocess.run(["/usr/bin/python3", str(GEN), "--schema", str(path),
                          "--doc", str(tmp_path / "out.md")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert f"{path}:{line}: " in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "out.md").exists()
