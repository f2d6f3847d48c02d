# SPDX-License-Identifier: GPL-2.0-or-later
"""Shape checks of QMP messages, shared by the suites of our monitors and of
qemu-storage-daemon's: the same checks pass on QEMU's answers, which shows
they test the protocol (docs/interop/qmp-spec.rst, qapi/introspect.json)
rather than the habits of our server.

Also here: a reader of the QAPI schema source (qmp/schema/*.json), so the
introspected schema of a program can be compared with the schema it was
generated from, and a checker of any value against an introspected type.
Every check raises AssertionError naming what is wrong and where.
"""
import json
import re
import time
from pathlib import Path

META_TYPES = {"builtin", "enum", "array", "object", "alternate", "command", "event"}
JSON_TYPES = {"string", "number", "int", "boolean", "null", "object", "array", "value"}
# Built-in types as introspection shows them: every integer type is "int"
BUILTINS = {"str": "string", "number": "number", "int": "int", "bool": "boolean",
            "null": "null", "any": "value"}
INT_TYPES = {"int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
             "uint64", "size"}
ERROR_CLASSES = {"GenericError", "CommandNotFound", "DeviceNotActive", "DeviceNotFound",
                 "KVMMissingCap"}
EXTRA_MEMBERS = {
    "builtin": {"json-type"},
    "enum": {"members", "values"},
    "array": {"element-type"},
    "object": {"members", "tag", "variants"},
    "alternate": {"members"},
    "command": {"arg-type", "ret-type", "allow-oob"},
    "event": {"arg-type"},
}
COMMAND_NAME = re.compile(r"^(__[A-Za-z0-9.-]+_)?[a-z][a-z0-9_-]*$")
EVENT_NAME = re.compile(r"^(__[A-Za-z0-9.-]+_)?[A-Z][A-Z0-9_]*$")
NO_ID = object()  # check_error(): the response must have no "id"


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _features(where, entry):
    if "features" in entry:
        f = entry["features"]
        assert isinstance(f, list) and all(isinstance(x, str) for x in f), \
            f"{where}: features {f!r} is not a list of strings"


# ------------------------------------------------------------- messages

def check_version_info(v, where="version"):
    """VersionInfo: {"qemu": {"major", "minor", "micro"}, "package"}."""
    assert isinstance(v, dict) and set(v) == {"qemu", "package"}, f"{where}: {v!r}"
    q = v["qemu"]
    assert isinstance(q, dict) and set(q) == {"major", "minor", "micro"}, f"{where}.qemu: {q!r}"
    for k, n in q.items():
        assert _is_int(n) and n >= 0, f"{where}.qemu.{k}: {n!r}"
    assert isinstance(v["package"], str), f"{where}.package: {v['package']!r}"
    return v


def check_greeting(g):
    """The greeting: {"QMP": {"version": VersionInfo, "capabilities": [...]}}."""
    assert isinstance(g, dict) and set(g) == {"QMP"}, f"greeting: {g!r}"
    q = g["QMP"]
    assert isinstance(q, dict) and set(q) == {"version", "capabilities"}, f"greeting: {g!r}"
    check_version_info(q["version"], "greeting version")
    caps = q["capabilities"]
    assert isinstance(caps, list) and all(c in ("oob",) for c in caps), \
        f"greeting capabilities: {caps!r}"
    return g


def check_return(resp, id=NO_ID):
    """A success response; its "return" value."""
    assert isinstance(resp, dict) and "return" in resp and "error" not in resp, \
        f"not a success response: {resp!r}"
    _check_id(resp, id)
    assert set(resp) <= {"return", "id"}, f"unexpected members in {resp!r}"
    return resp["return"]


def _check_id(resp, id):
    if id is NO_ID:
        assert "id" not in resp, f"response has an id although the request had none: {resp!r}"
    else:
        assert "id" in resp and resp["id"] == id and type(resp["id"]) is type(id), \
            f"response id {resp.get('id', '(none)')!r}, expected {id!r}"


def check_error(resp, cls=None, desc=None, id=NO_ID):
    """An error response, with class @cls and text @desc (a string for an
    exact match, a compiled regex to search); returns (class, desc)."""
    assert isinstance(resp, dict) and "error" in resp and "return" not in resp, \
        f"not an error response: {resp!r}"
    assert set(resp) <= {"error", "id"}, f"unexpected members in {resp!r}"
    err = resp["error"]
    assert isinstance(err, dict) and set(err) == {"class", "desc"}, f"error member: {err!r}"
    assert err["class"] in ERROR_CLASSES, f"unknown error class {err['class']!r}"
    assert isinstance(err["desc"], str) and err["desc"], f"error desc: {err['desc']!r}"
    if cls is not None:
        assert err["class"] == cls, f"class {err['class']!r}, expected {cls!r}: {err['desc']}"
    if isinstance(desc, str):
        assert err["desc"] == desc, f"desc {err['desc']!r}, expected {desc!r}"
    elif desc is not None:
        assert desc.search(err["desc"]), f"desc {err['desc']!r} does not match /{desc.pattern}/"
    _check_id(resp, id)
    return err["class"], err["desc"]


def check_event(ev, name=None, slack=30.0):
    """An event: "event", optional object "data", a "timestamp" of wall-clock
    time within @slack seconds of now. Returns its data ({} if absent)."""
    assert isinstance(ev, dict) and "event" in ev, f"not an event: {ev!r}"
    assert set(ev) <= {"event", "data", "timestamp"}, f"unexpected members in {ev!r}"
    assert isinstance(ev["event"], str) and EVENT_NAME.match(ev["event"]), f"event name: {ev!r}"
    if name is not None:
        assert ev["event"] == name, f"event {ev['event']}, expected {name}"
    ts = ev.get("timestamp")
    assert isinstance(ts, dict) and set(ts) == {"seconds", "microseconds"}, \
        f"{ev['event']}: timestamp {ts!r}"
    assert _is_int(ts["seconds"]) and _is_int(ts["microseconds"]), f"timestamp {ts!r}"
    assert 0 <= ts["microseconds"] < 1000000, f"timestamp {ts!r}"
    when = ts["seconds"] + ts["microseconds"] / 1e6
    assert abs(when - time.time()) < slack, f"{ev['event']}: timestamp {when} is not now"
    if "data" in ev:
        assert isinstance(ev["data"], dict), f"{ev['event']}: data {ev['data']!r}"
    return ev.get("data", {})


def check_commands(cmds):
    """query-commands' answer: [{"name": str}] with unique names; the set."""
    assert isinstance(cmds, list), f"query-commands: {cmds!r}"
    names = []
    for c in cmds:
        assert isinstance(c, dict) and set(c) == {"name"} and isinstance(c["name"], str), \
            f"query-commands entry {c!r}"
        names.append(c["name"])
    assert len(names) == len(set(names)), f"duplicate commands in {sorted(names)}"
    return set(names)


# ----------------------------------------------------------- introspection

def _type_ref(where, by_name, t):
    assert isinstance(t, str), f"{where}: type {t!r} is not a string"
    assert t in by_name, f"{where}: type {t!r} is not defined"
    return by_name[t]


def validate_schema(schema, masked=True):
    """Check query-qmp-schema's answer against introspect.json's rules;
    returns {name: SchemaInfo}. @masked: type names must be QEMU's masked
    ids (decimal strings; arrays "[ELEMENT]")."""
    assert isinstance(schema, list) and schema, "query-qmp-schema: not a non-empty list"
    by_name = {}
    for e in schema:
        assert isinstance(e, dict), f"SchemaInfo {e!r} is not an object"
        assert isinstance(e.get("name"), str) and e["name"], f"SchemaInfo without name: {e!r}"
        assert e.get("meta-type") in META_TYPES, f"{e['name']}: meta-type {e.get('meta-type')!r}"
        assert e["name"] not in by_name, f"name {e['name']!r} defined twice"
        extra = set(e) - {"name", "meta-type", "features"} - EXTRA_MEMBERS[e["meta-type"]]
        assert not extra, f"{e['name']}: unknown members {sorted(extra)}"
        _features(e["name"], e)
        by_name[e["name"]] = e
    for e in schema:
        _validate_entry(e, by_name, masked)
    _check_reachable(by_name)
    return by_name


def _validate_entry(e, by_name, masked):
    name, meta = e["name"], e["meta-type"]
    if meta == "builtin":
        assert name in BUILTINS, \
            f"builtin {name!r}: not one of {sorted(BUILTINS)} (integer types collapse into int)"
        assert e.get("json-type") == BUILTINS[name], \
            f"builtin {name}: json-type {e.get('json-type')!r}"
    elif meta == "enum":
        members, values = e.get("members"), e.get("values")
        assert isinstance(members, list) and isinstance(values, list), f"enum {name}: {e!r}"
        for m in members:
            assert isinstance(m, dict) and isinstance(m.get("name"), str), \
                f"enum {name}: member {m!r}"
            assert set(m) <= {"name", "features"}, f"enum {name}: member {m!r}"
            _features(f"enum {name} member {m['name']}", m)
        assert [m["name"] for m in members] == values, \
            f"enum {name}: values {values} differ from members {members}"
        assert len(set(values)) == len(values), f"enum {name}: duplicate values {values}"
    elif meta == "array":
        elem = e.get("element-type")
        _type_ref(f"array {name}", by_name, elem)
        assert name == f"[{elem}]", f"array {name!r} of {elem!r}: not named [{elem}]"
    elif meta == "object":
        _validate_object(e, by_name)
    elif meta == "alternate":
        members = e.get("members")
        assert isinstance(members, list) and members, f"alternate {name}: members {members!r}"
        for m in members:
            assert isinstance(m, dict) and set(m) == {"type"}, f"alternate {name}: {m!r}"
            _type_ref(f"alternate {name}", by_name, m["type"])
    elif meta == "command":
        assert COMMAND_NAME.match(name), f"command name {name!r}"
        arg = _type_ref(f"command {name} arg-type", by_name, e.get("arg-type"))
        assert arg["meta-type"] == "object", f"command {name}: arg-type is a {arg['meta-type']}"
        _type_ref(f"command {name} ret-type", by_name, e.get("ret-type"))
        if "allow-oob" in e:
            assert isinstance(e["allow-oob"], bool), f"command {name}: allow-oob {e['allow-oob']!r}"
    elif meta == "event":
        assert EVENT_NAME.match(name), f"event name {name!r}"
        arg = _type_ref(f"event {name} arg-type", by_name, e.get("arg-type"))
        assert arg["meta-type"] == "object", f"event {name}: arg-type is a {arg['meta-type']}"
    if masked and meta in ("enum", "object", "alternate"):
        assert re.fullmatch(r"\d+", name), f"{meta} type name {name!r} is not masked"


def _validate_object(e, by_name):
    name = e["name"]
    members = e.get("members")
    assert isinstance(members, list), f"object {name}: members {members!r}"
    seen = {}
    for m in members:
        assert isinstance(m, dict) and isinstance(m.get("name"), str), \
            f"object {name}: member {m!r}"
        assert set(m) <= {"name", "type", "default", "features"}, f"object {name}: member {m!r}"
        assert m["name"] not in seen, f"object {name}: member {m['name']} twice"
        _type_ref(f"object {name} member {m['name']}", by_name, m.get("type"))
        if "default" in m:
            assert m["default"] is None, \
                f"object {name} member {m['name']}: default {m['default']!r}"
        _features(f"object {name} member {m['name']}", m)
        seen[m["name"]] = m
    assert ("tag" in e) == ("variants" in e), f"object {name}: tag and variants go together"
    if "tag" not in e:
        return
    tag = seen.get(e["tag"])
    assert tag is not None, f"object {name}: tag {e['tag']!r} is not a member"
    tag_type = by_name[tag["type"]]
    assert tag_type["meta-type"] == "enum", f"object {name}: tag {e['tag']} is not an enum"
    variants = e["variants"]
    assert isinstance(variants, list), f"object {name}: variants {variants!r}"
    cases = []
    for v in variants:
        assert isinstance(v, dict) and set(v) == {"case", "type"}, f"object {name}: variant {v!r}"
        assert v["case"] in tag_type["values"], \
            f"object {name}: case {v['case']!r} not in the tag enum"
        vt = _type_ref(f"object {name} variant {v['case']}", by_name, v["type"])
        assert vt["meta-type"] == "object", \
            f"object {name}: variant {v['case']} is a {vt['meta-type']}"
        cases.append(v["case"])
    assert len(cases) == len(set(cases)), f"object {name}: duplicate cases {cases}"


def _referenced(e):
    meta = e["meta-type"]
    if meta == "array":
        yield e["element-type"]
    elif meta in ("object", "alternate"):
        for m in e["members"]:
            yield m["type"]
        for v in e.get("variants", []):
            yield v["type"]
    elif meta == "command":
        yield e["arg-type"]
        yield e["ret-type"]
    elif meta == "event":
        yield e["arg-type"]


def _check_reachable(by_name):
    """introspect.json: only entities reachable from commands and events are listed."""
    todo = [n for n, e in by_name.items() if e["meta-type"] in ("command", "event")]
    seen = set(todo)
    while todo:
        for t in _referenced(by_name[todo.pop()]):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    unreachable = set(by_name) - seen
    assert not unreachable, f"entities reachable from no command or event: {sorted(unreachable)}"


def schema_names(by_name, meta):
    return {n for n, e in by_name.items() if e["meta-type"] == meta}


def check_value(by_name, type_name, value, where="value"):
    """@value must be a valid instance of the introspected type @type_name."""
    e = by_name[type_name]
    meta = e["meta-type"]
    if meta == "builtin":
        jt = e["json-type"]
        ok = {"string": lambda v: isinstance(v, str),
              "int": _is_int,
              "number": lambda v: _is_int(v) or isinstance(v, float),
              "boolean": lambda v: isinstance(v, bool),
              "null": lambda v: v is None,
              "object": lambda v: isinstance(v, dict),
              "array": lambda v: isinstance(v, list),
              "value": lambda v: True}[jt](value)
        assert ok, f"{where}: {value!r} is not a {jt}"
    elif meta == "enum":
        assert value in e["values"], f"{where}: {value!r} is not one of {e['values']}"
    elif meta == "array":
        assert isinstance(value, list), f"{where}: {value!r} is not an array"
        for i, v in enumerate(value):
            check_value(by_name, e["element-type"], v, f"{where}[{i}]")
    elif meta == "object":
        assert isinstance(value, dict), f"{where}: {value!r} is not an object"
        members = list(e["members"])
        if "tag" in e:
            for v in e["variants"]:
                if v["case"] == value.get(e["tag"]):
                    members += by_name[v["type"]]["members"]
        known = {m["name"] for m in members}
        extra = set(value) - known
        assert not extra, f"{where}: unknown members {sorted(extra)}"
        for m in members:
            if m["name"] in value:
                check_value(by_name, m["type"], value[m["name"]], f"{where}.{m['name']}")
            else:
                assert "default" in m, f"{where}: member {m['name']!r} is missing"
    elif meta == "alternate":
        errors = []
        for m in e["members"]:
            try:
                check_value(by_name, m["type"], value, where)
                return
            except AssertionError as err:
                errors.append(str(err))
        raise AssertionError(f"{where}: {value!r} matches no branch: {errors}")
    else:
        raise AssertionError(f"{where}: {type_name} is a {meta}, not a type")


def check_command_return(by_name, command, value):
    check_value(by_name, by_name[command]["ret-type"], value, f"{command} return")


def check_event_data(by_name, ev):
    """An event must be in the schema and its data of the event's arg-type."""
    name = ev["event"]
    assert by_name.get(name, {}).get("meta-type") == "event", f"event {name} is not in the schema"
    check_value(by_name, by_name[name]["arg-type"], ev.get("data", {}), f"{name} data")


def canonical(by_name, type_name, _stack=()):
    """A masked-name-free form of an introspected type, for comparisons."""
    if type_name in _stack:
        return ("recursive",)
    e = by_name[type_name]
    st = _stack + (type_name,)
    meta = e["meta-type"]
    if meta == "builtin":
        return ("builtin", type_name)
    if meta == "enum":
        return ("enum", tuple(e["values"]))
    if meta == "array":
        return ("array", canonical(by_name, e["element-type"], st))
    if meta == "alternate":
        return ("alternate", frozenset(canonical(by_name, m["type"], st) for m in e["members"]))
    if meta == "object":
        members = frozenset((m["name"], "default" in m, canonical(by_name, m["type"], st))
                            for m in e["members"])
        variants = frozenset((v["case"], canonical(by_name, v["type"], st))
                             for v in e.get("variants", []))
        return ("object", members, e.get("tag"), variants)
    raise AssertionError(f"{type_name} is a {meta}")


# ----------------------------------------------------------- QAPI source

def _qapi_to_json(text):
    """QAPI schema syntax (single quotes, # comments) as JSON text."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c == "'":
            j = text.index("'", i + 1)
            out.append(json.dumps(text[i + 1:j]))
            i = j + 1
        elif text.startswith(("True", "False"), i) and not text[i - 1:i].isalnum():
            word = "True" if text.startswith("True", i) else "False"
            out.append(word.lower())  # QAPI is lenient here: accept both spellings
            i += len(word)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_qapi(path, _seen=None):
    """The expressions of a QAPI schema file and of the files it includes."""
    path = Path(path)
    seen = _seen if _seen is not None else set()
    if path.resolve() in seen:
        return []
    seen.add(path.resolve())
    text = _qapi_to_json(path.read_text())
    dec, pos, exprs = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        expr, pos = dec.raw_decode(text, pos)
        if "include" in expr:
            exprs += load_qapi(path.parent / expr["include"], seen)
        else:
            exprs.append(expr)
    return exprs


def cond_holds(cond, symbols):
    """A QAPI 'if' condition against the set of enabled @symbols."""
    if cond is None:
        return True
    if isinstance(cond, str):
        return cond in symbols
    if "all" in cond:
        return all(cond_holds(c, symbols) for c in cond["all"])
    if "any" in cond:
        return any(cond_holds(c, symbols) for c in cond["any"])
    if "not" in cond:
        return not cond_holds(cond["not"], symbols)
    raise ValueError(f"unknown condition {cond!r}")


class QAPISchema:
    """The entities of a QAPI schema source as one program sees them."""

    KINDS = ("enum", "struct", "union", "alternate", "command", "event")

    def __init__(self, exprs, symbols):
        self.symbols = set(symbols)
        self.defs = {}
        for x in exprs:
            kind = next((k for k in self.KINDS if k in x), None)
            if kind and cond_holds(x.get("if"), self.symbols):
                self.defs[x[kind]] = (kind, x)

    def names(self, kind):
        return {n for n, (k, _) in self.defs.items() if k == kind}

    def _members(self, data):
        """{name: (optional, type)} of a 'data' dict, conditions applied."""
        out = {}
        for key, t in (data or {}).items():
            if isinstance(t, dict):
                if not cond_holds(t.get("if"), self.symbols):
                    continue
                t = t["type"]
            out[key.lstrip("*")] = (key.startswith("*"), t)
        return out

    def _object(self, data, base=None, union=None, stack=()):
        members = {}
        if isinstance(base, str):
            members.update(self._struct_members(base))
        elif isinstance(base, dict):
            members.update(self._members(base))
        if isinstance(data, str):
            members.update(self._struct_members(data))
        elif data is not None and union is None:
            members.update(self._members(data))
        canon_members = frozenset((n, opt, self.canonical(t, stack))
                                  for n, (opt, t) in members.items())
        variants = frozenset()
        tag = None
        if union is not None:
            tag = union
            vs = []
            for case, t in (data or {}).items():
                if isinstance(t, dict):
                    if not cond_holds(t.get("if"), self.symbols):
                        continue
                    t = t["type"]
                vs.append((case, self.canonical(t, stack)))
            variants = frozenset(vs)
        return ("object", canon_members, tag, variants)

    def _struct_members(self, name):
        kind, x = self.defs[name]
        assert kind == "struct", f"{name} is a {kind}, not a struct"
        members = {}
        if x.get("base"):
            members.update(self._struct_members(x["base"]))
        members.update(self._members(x.get("data")))
        return members

    def canonical(self, t, stack=()):
        """The same form as canonical() of the introspected type."""
        if isinstance(t, list):
            return ("array", self.canonical(t[0], stack))
        if t in INT_TYPES:
            return ("builtin", "int")
        if t in BUILTINS:
            return ("builtin", t)
        if t in stack:
            return ("recursive",)
        st = stack + (t,)
        kind, x = self.defs[t]
        if kind == "enum":
            values = []
            for v in x["data"]:
                if isinstance(v, dict):
                    if not cond_holds(v.get("if"), self.symbols):
                        continue
                    v = v["name"]
                values.append(v)
            return ("enum", tuple(values))
        if kind == "struct":
            return self._object(x.get("data"), x.get("base"), stack=st)
        if kind == "union":
            return self._object(x["data"], x.get("base"), union=x["discriminator"], stack=st)
        if kind == "alternate":
            branches = [v["type"] if isinstance(v, dict) else v for v in x["data"].values()]
            return ("alternate", frozenset(self.canonical(t, st) for t in branches))
        raise AssertionError(f"{t} is a {kind}")

    def command_types(self, name):
        """(canonical arguments, canonical return) of command @name."""
        _, x = self.defs[name]
        args = self._object(x.get("data"))
        ret = self.canonical(x["returns"]) if "returns" in x else ("object", frozenset(), None,
                                                                   frozenset())
        return args, ret

    def event_type(self, name):
        _, x = self.defs[name]
        return self._object(x.get("data"))


def config_symbols(mak: Path):
    """The Kconfig symbols a program's generated NAME-config.mak enables."""
    syms = set()
    for line in Path(mak).read_text().splitlines():
        m = re.match(r"^(CONFIG_\w+)=y$", line.strip())
        if m:
            syms.add(m.group(1))
    return syms


# --------------------------------------------------------- request errors
# QEMU's answers to requests that are not well-formed (qapi/qmp-dispatch.c),
# checked against qemu-storage-daemon and our monitors alike:
# (test id, raw request, class, desc, id the response echoes or NO_ID)
NOT_OBJECT = "QMP input must be a JSON object"
REQUEST_ERRORS = [
    ("array", b'[{"execute": "query-version"}]\n', "GenericError", NOT_OBJECT, NO_ID),
    ("string", b'"query-version"\n', "GenericError", NOT_OBJECT, NO_ID),
    ("number", b'42\n', "GenericError", NOT_OBJECT, NO_ID),
    ("null", b'null\n', "GenericError", NOT_OBJECT, NO_ID),
    ("empty-object", b'{}\n', "GenericError", "QMP input lacks member 'execute'", NO_ID),
    ("no-execute", b'{"arguments": {}, "id": 1}\n', "GenericError",
     "QMP input lacks member 'execute'", 1),
    ("unexpected-member", b'{"execute": "query-version", "foo": 1, "id": 2}\n',
     "GenericError", "QMP input member 'foo' is unexpected", 2),
    ("execute-not-string", b'{"execute": 1, "id": 3}\n', "GenericError",
     "QMP input member 'execute' must be a string", 3),
    ("arguments-array", b'{"execute": "query-version", "arguments": [], "id": 4}\n',
     "GenericError", "QMP input member 'arguments' must be an object", 4),
    ("arguments-null", b'{"execute": "query-version", "arguments": null, "id": 5}\n',
     "GenericError", "QMP input member 'arguments' must be an object", 5),
    ("exec-oob", b'{"exec-oob": "query-version", "id": 6}\n', "GenericError",
     "QMP input member 'exec-oob' is unexpected", 6),
    ("unknown-command", b'{"execute": "no-such-command", "id": "seven"}\n',
     "CommandNotFound", "The command no-such-command has not been found", "seven"),
    ("unexpected-argument", b'{"execute": "query-version", "arguments": {"x": 1}, "id": 8}\n',
     "GenericError", "Parameter 'x' is unexpected", 8),
]
NEGOTIATION_EXPECTED = "Expecting capabilities negotiation with 'qmp_capabilities'"
ALREADY_NEGOTIATED = "Capabilities negotiation is already complete, command ignored"


def expected_error(case, negotiated):
    """(class, desc) @case of REQUEST_ERRORS gets in either mode: before
    negotiation QEMU replaces every CommandNotFound text, and query-version
    is not found (its argument is never looked at)."""
    _, raw, cls, desc, _ = case
    if not negotiated and (cls == "CommandNotFound" or b'"query-version", "arguments": {' in raw):
        return "CommandNotFound", NEGOTIATION_EXPECTED
    return cls, desc


# Strings QEMU's parser refuses (RFC 8259: no raw control characters; valid
# UTF-8 only; no lone surrogate): (test id, the JSON string as sent)
BAD_STRINGS = [
    ("raw-newline", b'"a\nb"'),
    ("raw-tab", b'"a\tb"'),
    ("truncated-utf8", b'"\xc3"'),
    ("byte-ff", b'"x\xff"'),
    ("utf8-surrogate", b'"\xed\xa0\x80"'),
    ("overlong-utf8", b'"\xc0\xaf"'),
    ("escaped-lone-surrogate", b'"\\ud800"'),
]


def check_bad_string(client, string, timeout=5.0):
    """Send @string as the id of a request, then a good request on the next
    line: only parse errors (no id) come before the good request's answer."""
    client.send_raw(b'{"execute": "query-version", "id": ' + string + b'}\n'
                    b'{"execute": "query-version", "id": "next"}\n')
    deadline = time.monotonic() + timeout
    errors = []
    while True:
        m = client.recv(max(0.0, deadline - time.monotonic()))
        if "event" in m:
            continue
        if m.get("id") == "next" and "return" in m:
            break
        check_error(m, "GenericError", re.compile(r"^JSON parse error, "))
        errors.append(m)
    assert errors, f"{string!r} was accepted"
    return errors
