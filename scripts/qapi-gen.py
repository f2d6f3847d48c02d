#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate qemu-dev's QMP C code, introspection and reference from the schema.

A small relative of QEMU's qapi-gen: one file, standard library only.

    qapi-gen.py --schema SCHEMA --types-header H --types-source C
    qapi-gen.py --schema SCHEMA --config PROGRAM-config.mak --program-source C
    qapi-gen.py --schema SCHEMA --doc MD
    qapi-gen.py --schema SCHEMA --introspect PROGRAM-config.mak  (JSON, stdout)

Schema language: a subset of QEMU's QAPI (docs/devel/qapi-code-gen.rst) in
Python literals: include, enum, struct (with 'base'), union (flat: 'base',
'discriminator', 'data'), alternate, command ('data', 'returns', 'gen'),
event ('data'); 'if' (CONFIG_X, {'all': [...]}, {'any': [...]},
{'not': ...}) and 'features' on definitions and members; builtins str, int,
int8..int64, uint8..uint64, size, number, bool, null, any. Each definition
follows its doc comment ('##', '# @Name:', text, '# @member: text' with
indented continuation lines, 'Returns:', 'Errors:', 'Features:', '##');
'##' / '# = Title' / '##' starts a section of the reference. The schema
is checked strictly; every error names file:line and fails the build,
including any definition, member or feature without documentation.

Generated C (json-c), the conventions handlers rely on:

* Names: a type FooBar is "struct qmp_foo_bar" or "enum qmp_foo_bar"; enum
  values are QMP_FOO_BAR_VALUE plus QMP_FOO_BAR__MAX, with
  "extern const char *const qmp_foo_bar_names[]" indexed by value. Member
  "a-b" is C member a_b; a C keyword gets a trailing '_' ("default_").
  A command's inline arguments are struct qmp_CMD_args, an event's inline
  data struct qmp_EVENT_data (names lower case, '-' as '_').
* Members: str -> char * (owned, malloc'ed), int/int64 -> int64_t,
  intN/uintN -> intN_t/uintN_t, size/uint64 -> uint64_t, number -> double,
  bool -> bool, any -> json_object * (one reference, owned), enum ->
  enum qmp_x, struct -> struct qmp_x by value. An array member NAME is
  "size_t n_NAME; T *NAME;" (calloc'ed). An optional member is preceded by
  "bool has_NAME;". Unions and alternates exist only in introspection and
  the reference: a generated command or event may not use them.
* Per struct qmp_T (T: the C name, e.g. version_info, block_resize_args):
  json_object *qmp_marshal_T(const struct qmp_T *v) (NULL on
  allocation failure or an out-of-range enum); bool qmp_unmarshal_T(obj,
  path, out, errp) (zeroes *out, refuses what the schema does not allow with
  QEMU's messages, frees what it built on failure; path names obj in
  messages: "" at the top, "queues[2]" inside); void qmp_free_T(v) (frees
  the members, not v, and zeroes it).
* Per command, in the header, the hand-written handler:
      bool qmp_cmd_CMD(struct qmp_request *req,
                       [const struct qmp_CMD_args *args,]
                       [struct qmp_T *ret | struct qmp_T **ret, size_t *n_ret,]
                       struct error **errp);
  A struct return is zeroed by the caller and freed by it with qmp_free_T()
  after marshalling, also on failure; an array return is calloc'ed by the
  handler and freed (elements and array) by the caller. A 'gen': False
  command gets the raw JSON instead: (req, json_object *args,
  json_object **ret, errp).
* Per event: void qmp_event_send_EVENT(const struct qmp_EVENT_data *data),
  or (void) without data; it marshals and calls qmp_event_emit().
* Per program (--program-source, Kconfig config from a .mak file): static
  dispatch functions of the commands whose condition holds, the table
  qmp_commands[] sorted by name, qmp_n_commands, and qmp_schema_json, the
  answer of query-qmp-schema (QEMU's rules: only entities reachable from the
  program's commands and events, type names masked). It includes
  "qmp/qmp-gen.h" (--include changes that): the build root must be on the
  include path.
* Conditions ('if') select commands and events (the command table,
  introspection), members and enum values (introspection, and in the types
  source "#if defined(CONFIG_X)": it is compiled per program with its
  symbols defined, so a program refuses a member or enum value it lacks,
  and qmp_NAME_names[] has NULL there). The header is the same for every
  program and declares everything; conditional types are harmless dead
  code where their condition fails.
* The dispatch functions live in the program source (they reference only
  the handlers the program has); a 'gen': False command's dispatch checks
  only that a command without 'data' got no arguments, then passes the
  raw JSON. A handler that returns false without an error gets "Command
  'NAME' failed" (GenericError).
"""
import argparse
import ast
import itertools
import json
import os
import re
import sys
import textwrap
import tokenize

# Kconfig symbols that select a program, for the reference's notes
PROGRAM_OF_SYMBOL = {
    "CONFIG_VIRTIO_BLK": "vhost-user-blk",
    "CONFIG_VIRTIO_NET": "vhost-user-net",
}

# name: (JSON type in introspection, C type, kind)
BUILTINS = {
    "str": ("string", "char *", "str"),
    "int": ("int", "int64_t", "int"),
    "int8": ("int", "int8_t", "int"),
    "int16": ("int", "int16_t", "int"),
    "int32": ("int", "int32_t", "int"),
    "int64": ("int", "int64_t", "int"),
    "uint8": ("int", "uint8_t", "uint"),
    "uint16": ("int", "uint16_t", "uint"),
    "uint32": ("int", "uint32_t", "uint"),
    "uint64": ("int", "uint64_t", "uint"),
    "size": ("int", "uint64_t", "uint"),
    "number": ("number", "double", "number"),
    "bool": ("boolean", "bool", "bool"),
    "null": ("null", None, "null"),
    "any": ("value", "json_object *", "any"),
}

# C range checks of the integer builtins: (min, max, name in messages)
INT_RANGES = {
    "int": ("INT64_MIN", "INT64_MAX", "int64"),
    "int8": ("INT8_MIN", "INT8_MAX", "int8"),
    "int16": ("INT16_MIN", "INT16_MAX", "int16"),
    "int32": ("INT32_MIN", "INT32_MAX", "int32"),
    "int64": ("INT64_MIN", "INT64_MAX", "int64"),
    "uint8": (None, "UINT8_MAX", "uint8"),
    "uint16": (None, "UINT16_MAX", "uint16"),
    "uint32": (None, "UINT32_MAX", "uint32"),
    "uint64": (None, "UINT64_MAX", "uint64"),
    "size": (None, "UINT64_MAX", "size"),
}

C_KEYWORDS = set('''
    asm auto bool break case char const continue default do double else enum
    extern false float for goto if inline int long register restrict return
    short signed sizeof static struct switch true typedef typeof union
    unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Complex
    _Generic _Imaginary _Noreturn _Static_assert _Thread_local
'''.split())

RE_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
RE_COMMAND_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
RE_EVENT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
RE_MEMBER_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
RE_VALUE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
RE_SYMBOL = re.compile(r"^CONFIG_[A-Z0-9_]+$")


class QAPIError(Exception):
    """A schema error, with the file and line at fault."""

    def __init__(self, info, msg):
        super().__init__(f"{info}: {msg}" if info else msg)


class Info:
    """A position in the schema: file and line."""

    def __init__(self, fname, line):
        self.fname = fname
        self.line = line

    def __str__(self):
        return f"{self.fname}:{self.line}"


# ---------------------------------------------------------------------------
# Reading: top-level expressions, doc comments, literals with line numbers

class LDict(dict):
    """A dict from the schema, remembering the line of each key."""

    def __init__(self, items, lines):
        super().__init__(items)
        self.lines = lines


class LList(list):
    """A list from the schema, remembering the line of each element."""

    def __init__(self, items, lines):
        super().__init__(items)
        self.lines = lines


def scan(text, fname):
    """Split a schema file into top-level comments and expressions.

    Returns ('comment', line, text) and ('expr', line, source) tuples.
    """
    events = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r\f":
            i += 1
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            events.append(("comment", line, text[i:j].rstrip()))
            i = j
        elif c != "{":
            raise QAPIError(Info(fname, line),
                            f"expected '{{' or a comment, found {c!r}")
        else:
            start, start_line, depth = i, line, 0
            while True:
                if i >= n:
                    raise QAPIError(Info(fname, start_line),
                                    "expression is not terminated")
                c = text[i]
                if c == "\n":
                    line += 1
                elif c in '\'"':
                    i += 1
                    while True:
                        if i >= n or text[i] == "\n":
                            raise QAPIError(Info(fname, line),
                                            "string is not terminated")
                        if text[i] == "\\":
                            i += 2
                            continue
                        if text[i] == c:
                            break
                        i += 1
                elif c == "#":
                    j = text.find("\n", i)
                    i = n if j < 0 else j
                    continue
                elif c in "{[(":
                    depth += 1
                elif c in "}])":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
            events.append(("expr", start_line, text[start:i]))
    return events


def literal(node, fname, first_line):
    """Convert an ast node of a schema expression into LDict/LList/str/bool."""
    def line_of(n):
        return first_line + n.lineno - 1

    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool)):
        return node.value
    if isinstance(node, ast.Name) and node.id in ("true", "false"):
        return node.id == "true"
    if isinstance(node, ast.Dict):
        items, lines = {}, {}
        for k, v in zip(node.keys, node.values):
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                raise QAPIError(Info(fname, line_of(node if k is None else k)),
                                "dictionary keys must be strings")
            if k.value in items:
                raise QAPIError(Info(fname, line_of(k)),
                                f"duplicate key '{k.value}'")
            items[k.value] = literal(v, fname, first_line)
            lines[k.value] = Info(fname, line_of(k))
        return LDict(items, lines)
    if isinstance(node, ast.List):
        return LList([literal(e, fname, first_line) for e in node.elts],
                     [Info(fname, line_of(e)) for e in node.elts])
    raise QAPIError(Info(fname, line_of(node)),
                    "only strings, booleans, lists and dictionaries are allowed")


def check_adjacent_strings(src, fname, line):
    """Refuse 'a' 'b': Python would silently make it 'ab' (a lost comma)."""
    prev = None
    skip = (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    for tok in tokenize.generate_tokens(iter(src.splitlines(True)).__next__):
        if tok.type in skip:
            continue
        if tok.type == tokenize.STRING and prev == tokenize.STRING:
            raise QAPIError(Info(fname, line + tok.start[0] - 1),
                            "two strings without a comma between them")
        prev = tok.type


def parse_expr(src, fname, line):
    """Parse one top-level expression into an LDict."""
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as e:
        raise QAPIError(Info(fname, line + (e.lineno or 1) - 1),
                        f"syntax error: {e.msg}") from None
    check_adjacent_strings(src, fname, line)
    expr = literal(tree.body, fname, line)
    if not isinstance(expr, LDict):
        raise QAPIError(Info(fname, line), "expression must be a dictionary")
    return expr


class Doc:
    """A doc comment: the definition's text, its members, its sections."""

    SECTIONS = ("Returns", "Errors", "Features")

    def __init__(self, info, lines):
        self.info = info
        self.symbol = None
        self.body = []       # paragraphs before the members
        self.members = {}    # name -> [paragraphs]
        self.member_info = {}
        self.sections = {}   # 'Returns'/'Errors' -> [paragraphs]
        self.features = {}   # name -> [paragraphs]
        self.trailer = []    # paragraphs after the members
        self._parse(lines)

    @staticmethod
    def _add(paras, text, new_para):
        if new_para or not paras:
            paras.append(text)
        else:
            paras[-1] += " " + text

    def _parse(self, lines):
        texts = []
        for line, raw in lines:
            if raw == "#":
                texts.append((line, ""))
            elif raw.startswith("# "):
                texts.append((line, raw[2:].rstrip()))
            else:
                raise QAPIError(Info(self.info.fname, line),
                                "doc comment lines must start with '# '")
        if not texts:
            raise QAPIError(self.info, "empty doc comment")
        line, first = texts[0]
        m = re.match(r"@([^\s:]+):$", first)
        if not m:
            raise QAPIError(Info(self.info.fname, line),
                            "a doc comment must begin with '@NAME:'")
        self.symbol = m.group(1)
        state, cur, blank = "body", self.body, True
        for line, t in texts[1:]:
            info = Info(self.info.fname, line)
            if not t:
                blank = True
                if state == "member":
                    state = "after-member"
                continue
            m = re.match(r"@([^\s:]+):\s*(.*)$", t)
            s = re.match(r"(%s):\s*(.*)$" % "|".join(self.SECTIONS), t)
            if m:
                name, text = m.group(1), m.group(2)
                if state == "features":
                    if name in self.features:
                        raise QAPIError(info, f"feature '{name}' is "
                                        "documented twice")
                    cur = self.features[name] = []
                elif state == "section":
                    raise QAPIError(info, f"'@{name}:' after a section; "
                                    "describe members before sections")
                else:
                    if name in self.members:
                        raise QAPIError(info, f"'@{name}' is documented twice")
                    cur = self.members[name] = []
                    self.member_info[name] = info
                    state = "member"
                if text:
                    cur.append(text)
                blank = False
            elif s:
                name, text = s.group(1), s.group(2)
                if name in self.sections or (name == "Features"
                                             and self.features):
                    raise QAPIError(info, f"duplicate '{name}:' section")
                if name == "Features":
                    if text:
                        raise QAPIError(info, "'Features:' must be followed "
                                        "by '@feature: text' lines")
                    state, cur = "features", []
                else:
                    state, cur = "section", self.sections.setdefault(name, [])
                    if text:
                        cur.append(text)
                blank = False
            elif t[0] in " \t":
                if state in ("member", "section", "features") and (
                        cur or not blank):
                    self._add(cur, t.strip(), blank)
                elif state == "body":
                    self._add(self.body, t.strip(), blank)
                else:
                    raise QAPIError(info, "indented text belongs to nothing")
                blank = False
            else:
                if state == "body":
                    self._add(self.body, t, blank)
                elif blank:
                    state, cur = "trailer", self.trailer
                    self._add(cur, t, True)
                elif state == "trailer":
                    self._add(cur, t, False)
                else:
                    raise QAPIError(info, "continuation lines of a "
                                    "description must be indented")
                blank = False
        for name, paras in self.members.items():
            if not paras:
                raise QAPIError(self.member_info[name],
                                f"description of '@{name}' is empty")
        for name, paras in list(self.sections.items()) + list(
                self.features.items()):
            if not paras:
                raise QAPIError(self.info, f"'{name}' has no text")


def read_items(path, display):
    """The top-level items of one file: expressions and section headings.

    Returns ('expr', Info, LDict, Doc or None) and ('heading', Info, level,
    title) tuples in file order.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise QAPIError(None, f"can't read {display}: {e.strerror}") from None
    items = []
    block = None      # open doc block: (first line, [(line, text)])
    pending = None    # closed doc block waiting for its definition

    def flush_pending():
        nonlocal pending
        if pending is None:
            return
        first, last, lines = pending
        pending = None
        texts = [t for _, t in lines]
        m = re.match(r"# (=+) (\S.*)$", texts[0]) if len(texts) == 1 else None
        if m:
            items.append(("heading", Info(display, first), len(m.group(1)),
                          m.group(2).strip()))
            return
        raise QAPIError(Info(display, first),
                        "doc comment is not directly followed by the "
                        "definition it documents")

    for kind, line, text in scan(text, display):
        if kind == "comment":
            if block is not None:
                if text == "##":
                    pending = (block[0], line, block[1])
                    block = None
                else:
                    block[1].append((line, text))
            elif text == "##":
                flush_pending()
                block = (line, [])
            else:
                flush_pending()
            continue
        info = Info(display, line)
        doc = None
        if pending is not None:
            first, last, lines = pending
            heading = len(lines) == 1 and lines[0][1].startswith("# =")
            if not heading and last == line - 1:
                doc = Doc(Info(display, first), lines)
                pending = None
            else:
                flush_pending()
        items.append(("expr", info, parse_expr(text, display, line), doc))
    if block is not None:
        raise QAPIError(Info(display, block[0]), "doc comment is not "
                        "terminated by '##'")
    flush_pending()
    return items


# ---------------------------------------------------------------------------
# Conditions

def check_cond(cond, info, what):
    """Validate an 'if' value; return it as str or (op, args)."""
    if isinstance(cond, str):
        if not RE_SYMBOL.match(cond):
            raise QAPIError(info, f"{what}: condition '{cond}' is not a "
                            "Kconfig symbol CONFIG_NAME")
        return cond
    if isinstance(cond, LDict) and len(cond) == 1:
        op, arg = next(iter(cond.items()))
        if op == "not":
            return ("not", check_cond(arg, info, what))
        if op in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                raise QAPIError(info, f"{what}: '{op}' needs a non-empty "
                                "list of conditions")
            return (op, tuple(check_cond(a, info, what) for a in arg))
    raise QAPIError(info, f"{what}: a condition is CONFIG_NAME, "
                    "{'all': [...]}, {'any': [...]} or {'not': ...}")


def cond_eval(cond, syms):
    """Whether @cond holds when exactly the symbols in @syms are set."""
    if cond is None:
        return True
    if isinstance(cond, str):
        return cond in syms
    op, arg = cond
    if op == "not":
        return not cond_eval(arg, syms)
    if op == "all":
        return all(cond_eval(a, syms) for a in arg)
    return any(cond_eval(a, syms) for a in arg)


def cond_symbols(cond):
    if cond is None:
        return set()
    if isinstance(cond, str):
        return {cond}
    op, arg = cond
    if op == "not":
        return cond_symbols(arg)
    return set().union(*(cond_symbols(a) for a in arg))


def cond_and(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    return ("all", (a, b))


def cond_implies(a, b):
    """Whether @b holds whenever @a does (by truth table)."""
    if b is None or a == b:
        return True
    syms = sorted(cond_symbols(a) | cond_symbols(b))
    if len(syms) > 16:
        return False
    for bits in itertools.product((False, True), repeat=len(syms)):
        on = {s for s, bit in zip(syms, bits) if bit}
        if cond_eval(a, on) and not cond_eval(b, on):
            return False
    return True


def cond_text(cond):
    if isinstance(cond, str):
        return cond
    op, arg = cond
    if op == "not":
        inner = cond_text(arg)
        return "not " + (inner if isinstance(arg, str) else f"({inner})")
    sep = " and " if op == "all" else " or "
    return sep.join(cond_text(a) if isinstance(a, str) else f"({cond_text(a)})"
                    for a in arg)


def c_cond(cond):
    """@cond as a C preprocessor expression."""
    if isinstance(cond, str):
        return f"defined({cond})"
    op, arg = cond
    if op == "not":
        return f"!({c_cond(arg)})"
    sep = " && " if op == "all" else " || "
    return sep.join(f"({c_cond(a)})" for a in arg)


def if_wrap(cond, lines):
    """@lines inside #if @cond ... #endif (unchanged without a condition)."""
    if cond is None:
        return lines
    return [f"#if {c_cond(cond)}"] + lines + ["#endif"]


def cond_programs(cond):
    """The programs a condition selects, or None if it names other symbols."""
    if not cond_symbols(cond) <= set(PROGRAM_OF_SYMBOL):
        return None
    return ["qemu-dev-" + prog for sym, prog in PROGRAM_OF_SYMBOL.items()
            if cond_eval(cond, {sym})]


# ---------------------------------------------------------------------------
# The schema model

def snake(name):
    """CamelCase -> camel_case; QMPCapability -> qmp_capability."""
    out = ""
    for i, ch in enumerate(name):
        if ch in "-.":
            out += "_"
            continue
        if ch.isupper() and i > 0 and out[-1] != "_":
            prev, nxt = name[i - 1], name[i + 1:i + 2]
            if prev.islower() or prev.isdigit() or (prev.isupper()
                                                   and nxt.islower()):
                out += "_"
        out += ch.lower()
    return out


def c_ident(name):
    """A schema name as a C identifier (no keyword protection)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def c_member(name):
    ident = c_ident(name)
    return ident + "_" if ident in C_KEYWORDS else ident


class Entity:
    meta = None
    is_builtin = False
    implicit = False

    def __init__(self, name, info, ifcond=None, features=(), doc=None):
        self.name = name
        self.info = info
        self.ifcond = ifcond
        self.features = list(features)
        self.doc = doc

    def describe(self):
        return f"{self.meta} '{self.name}'"


class Builtin(Entity):
    meta = "builtin"
    is_builtin = True

    def __init__(self, name):
        super().__init__(name, None)
        self.json_type, self.c_type, self.kind = BUILTINS[name]


class EnumMember:
    def __init__(self, name, info, ifcond, features):
        self.name = name
        self.info = info
        self.ifcond = ifcond
        self.features = features


class Enum(Entity):
    meta = "enum"
    json_type = "string"
    kind = "enum"

    def __init__(self, name, info, ifcond, features, doc, members):
        super().__init__(name, info, ifcond, features, doc)
        self.members = members
        self.c_name = "qmp_" + snake(name)

    def const(self, value):
        return f"{self.c_name.upper()}_{c_ident(value).upper()}"


class Member:
    """A member of an object type; type_name resolved into type."""

    def __init__(self, name, info, type_name, is_array, optional, ifcond,
                 features):
        self.name = name
        self.info = info
        self.type_name = type_name
        self.is_array = is_array
        self.optional = optional
        self.ifcond = ifcond
        self.features = features
        self.type = None
        base = c_ident(name)
        self.c_name = c_member(name)
        self.c_has = "has_" + base
        self.c_n = "n_" + base

    def c_idents(self):
        out = [self.c_name]
        if self.optional:
            out.append(self.c_has)
        if self.is_array:
            out.append(self.c_n)
        return out


class Object(Entity):
    """A struct, or the implicit object of arguments, data or a union base."""
    meta = "object"
    json_type = "object"
    kind = "struct"

    def __init__(self, name, info, ifcond, features, doc, members,
                 base_name=None, c_name=None, implicit=False):
        super().__init__(name, info, ifcond, features, doc)
        self.local_members = members
        self.base_name = base_name
        self.base = None
        self.members = None  # base members, then local ones
        self.c_name = c_name or "qmp_" + snake(name)
        self.implicit = implicit
        self.has_c = False   # marshalling generated

    def describe(self):
        return self.name if self.implicit else f"struct '{self.name}'"


class Union(Entity):
    meta = "union"
    json_type = "object"
    kind = "union"

    def __init__(self, name, info, ifcond, features, doc, base, base_info,
                 discriminator, branches, branch_info):
        super().__init__(name, info, ifcond, features, doc)
        self.base = base                  # implicit Object, or a struct name
        self.base_info = base_info
        self.discriminator = discriminator
        self.branch_names = branches      # case -> type name
        self.branch_info = branch_info
        self.branches = None              # [(EnumMember, Object or None)]


class Alternate(Entity):
    meta = "alternate"
    json_type = "value"
    kind = "alternate"

    def __init__(self, name, info, ifcond, features, doc, alternatives):
        super().__init__(name, info, ifcond, features, doc)
        self.alternatives = alternatives  # [Member]


class Command(Entity):
    meta = "command"

    def __init__(self, name, info, ifcond, features, doc, args, args_name,
                 returns, returns_array, gen):
        super().__init__(name, info, ifcond, features, doc)
        self.args = args              # Object or None
        self.args_name = args_name    # named struct, resolved into args
        self.returns_name = returns
        self.returns_array = returns_array
        self.returns = None
        self.gen = gen
        self.c_name = c_ident(name)


class Event(Entity):
    meta = "event"

    def __init__(self, name, info, ifcond, features, doc, data):
        super().__init__(name, info, ifcond, features, doc)
        self.data = data
        self.c_name = c_ident(name).lower()


def check_keys(expr, info, what, required, optional):
    for key in required:
        if key not in expr:
            raise QAPIError(info, f"{what} lacks key '{key}'")
    for key in expr:
        if key not in required and key not in optional:
            raise QAPIError(expr.lines[key], f"{what} has unknown key '{key}'")


def check_features(value, info, what):
    if not isinstance(value, list) or not all(isinstance(f, str)
                                              for f in value):
        raise QAPIError(info, f"{what}: 'features' must be a list of names")
    for f in value:
        if not RE_MEMBER_NAME.match(f):
            raise QAPIError(info, f"{what}: bad feature name '{f}'")
    if len(set(value)) != len(value):
        raise QAPIError(info, f"{what}: duplicate feature")
    return list(value)


def parse_type_ref(value, info, what):
    """'T' or ['T'] -> (name, is_array)."""
    if isinstance(value, str):
        return value, False
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0],
                                                                   str):
        return value[0], True
    raise QAPIError(info, f"{what}: a type is 'Name' or ['Name']")


def parse_members(data, info, what):
    if not isinstance(data, LDict):
        raise QAPIError(info, f"{what}: 'data' must be a dictionary of members")
    members = []
    for key, value in data.items():
        minfo = data.lines[key]
        optional = key.startswith("*")
        name = key[1:] if optional else key
        mwhat = f"member '{name}' of {what}"
        if not RE_MEMBER_NAME.match(name):
            raise QAPIError(minfo, f"{mwhat}: bad member name")
        ifcond, features = None, []
        if isinstance(value, LDict):
            check_keys(value, minfo, mwhat, ["type"], ["if", "features"])
            if "if" in value:
                ifcond = check_cond(value["if"], minfo, mwhat)
            if "features" in value:
                features = check_features(value["features"], minfo, mwhat)
            value = value["type"]
        tname, is_array = parse_type_ref(value, minfo, mwhat)
        members.append(Member(name, minfo, tname, is_array, optional, ifcond,
                              features))
    return members


class Schema:
    """A whole schema: read, checked and resolved."""

    def __init__(self, path):
        self.entities = []   # definitions in schema order
        self.items = []      # ('heading', Info, level, title) or Entity
        self.by_name = {}
        self.included = set()
        for name in BUILTINS:
            self.by_name[name] = Builtin(name)
        self.empty = Object("q_empty", None, None, [], None, [],
                            c_name="qmp_empty", implicit=True)
        self.empty.members = []
        self._include(os.path.normpath(path), os.path.normpath(path), [])
        self._resolve()
        self._check_conds()
        self._check_docs()
        self._check_c()

    # -- reading ----------------------------------------------------------

    def _include(self, path, display, stack):
        real = os.path.realpath(path)
        if real in stack:
            raise QAPIError(None, f"{display}: inclusion loop")
        if real in self.included:
            return
        self.included.add(real)
        for item in read_items(path, display):
            if item[0] == "heading":
                self.items.append(item)
                continue
            _, info, expr, doc = item
            if "include" in expr:
                check_keys(expr, info, "include", ["include"], [])
                if not isinstance(expr["include"], str):
                    raise QAPIError(info, "'include' must be a file name")
                sub = os.path.join(os.path.dirname(path), expr["include"])
                sub_display = os.path.normpath(
                    os.path.join(os.path.dirname(display), expr["include"]))
                if doc:
                    raise QAPIError(doc.info, "an include has no doc comment")
                self._include(sub, sub_display, stack + [real])
                continue
            ent = self._definition(expr, info, doc)
            if ent.name in self.by_name:
                other = self.by_name[ent.name]
                where = f" (defined at {other.info})" if other.info else \
                    " (a built-in type)"
                raise QAPIError(info, f"'{ent.name}' is already defined"
                                + where)
            self.by_name[ent.name] = ent
            self.entities.append(ent)
            self.items.append(ent)

    def _definition(self, expr, info, doc):
        kinds = [k for k in ("enum", "struct", "union", "alternate",
                             "command", "event") if k in expr]
        if len(kinds) != 1:
            raise QAPIError(info, "expression must have exactly one of "
                            "'enum', 'struct', 'union', 'alternate', "
                            "'command', 'event', 'include'")
        kind = kinds[0]
        name = expr[kind]
        if not isinstance(name, str):
            raise QAPIError(info, f"'{kind}' must be a name")
        what = f"{kind} '{name}'"
        regex = {"command": RE_COMMAND_NAME,
                 "event": RE_EVENT_NAME}.get(kind, RE_TYPE_NAME)
        if not regex.match(name):
            raise QAPIError(info, f"{what}: bad name")
        ifcond = check_cond(expr["if"], expr.lines["if"], what) \
            if "if" in expr else None
        features = check_features(expr["features"], expr.lines["features"],
                                   what) if "features" in expr else []
        common = ["if", "features"]
        if kind == "enum":
            check_keys(expr, info, what, ["enum", "data"], common)
            return Enum(name, info, ifcond, features, doc,
                        self._enum_members(expr["data"], expr.lines["data"],
                                           what))
        if kind == "struct":
            check_keys(expr, info, what, ["struct", "data"], common + ["base"])
            base = expr.get("base")
            if base is not None and not isinstance(base, str):
                raise QAPIError(expr.lines["base"], f"{what}: 'base' must "
                                "be a struct name")
            return Object(name, info, ifcond, features, doc,
                          parse_members(expr["data"], expr.lines["data"],
                                        what), base_name=base)
        if kind == "union":
            check_keys(expr, info, what,
                       ["union", "base", "discriminator", "data"], common)
            base = expr["base"]
            binfo = expr.lines["base"]
            if isinstance(base, str):
                base_obj = base
            elif isinstance(base, LDict):
                base_obj = Object(f"base of {what}", binfo, ifcond, [], None,
                                  parse_members(base, binfo, what),
                                  implicit=True)
            else:
                raise QAPIError(binfo, f"{what}: 'base' must be a struct "
                                "name or a dictionary of members")
            disc = expr["discriminator"]
            if not isinstance(disc, str):
                raise QAPIError(expr.lines["discriminator"],
                                f"{what}: 'discriminator' must be a name")
            data = expr["data"]
            if not isinstance(data, LDict) or not all(
                    isinstance(v, str) for v in data.values()):
                raise QAPIError(expr.lines["data"], f"{what}: 'data' must "
                                "map enum values to struct names")
            return Union(name, info, ifcond, features, doc, base_obj, binfo,
                         disc, dict(data), data.lines)
        if kind == "alternate":
            check_keys(expr, info, what, ["alternate", "data"], common)
            alts = parse_members(expr["data"], expr.lines["data"], what)
            for m in alts:
                if m.optional or m.is_array:
                    raise QAPIError(m.info, f"{what}: alternative '{m.name}' "
                                    "must be a plain type name")
            if not alts:
                raise QAPIError(info, f"{what} has no alternatives")
            return Alternate(name, info, ifcond, features, doc, alts)
        if kind == "command":
            check_keys(expr, info, what, ["command"],
                       common + ["data", "returns", "gen"])
            args, args_name = None, None
            if "data" in expr:
                data = expr["data"]
                if isinstance(data, str):
                    args_name = data
                else:
                    args = Object(f"arguments of {what}", expr.lines["data"],
                                  ifcond, [], None,
                                  parse_members(data, expr.lines["data"],
                                                what),
                                  c_name=f"qmp_{c_ident(name)}_args",
                                  implicit=True)
            returns, returns_array = None, False
            if "returns" in expr:
                returns, returns_array = parse_type_ref(
                    expr["returns"], expr.lines["returns"], what)
            gen = expr.get("gen", True)
            if not isinstance(gen, bool):
                raise QAPIError(expr.lines["gen"], f"{what}: 'gen' must be "
                                "a boolean")
            return Command(name, info, ifcond, features, doc, args,
                           args_name, returns, returns_array, gen)
        check_keys(expr, info, what, ["event"], common + ["data"])
        data = None
        if "data" in expr:
            data = Object(f"data of {what}", expr.lines["data"], ifcond, [],
                          None, parse_members(expr["data"],
                                              expr.lines["data"], what),
                          c_name=f"qmp_{c_ident(name).lower()}_data",
                          implicit=True)
        return Event(name, info, ifcond, features, doc, data)

    @staticmethod
    def _enum_members(data, info, what):
        if not isinstance(data, LList) or not data:
            raise QAPIError(info, f"{what}: 'data' must be a non-empty list "
                            "of values")
        members, seen = [], {}
        for value, vinfo in zip(data, data.lines):
            ifcond, features = None, []
            if isinstance(value, LDict):
                check_keys(value, vinfo, f"value of {what}", ["name"],
                           ["if", "features"])
                if "if" in value:
                    ifcond = check_cond(value["if"], vinfo, what)
                if "features" in value:
                    features = check_features(value["features"], vinfo, what)
                value = value["name"]
            if not isinstance(value, str) or not RE_VALUE_NAME.match(value):
                raise QAPIError(vinfo, f"{what}: bad value {value!r}")
            c = c_ident(value).upper()
            if c in seen:
                raise QAPIError(vinfo, f"{what}: value '{value}' clashes with "
                                f"'{seen[c]}'")
            seen[c] = value
            members.append(EnumMember(value, vinfo, ifcond, features))
        return members

    # -- resolving --------------------------------------------------------

    def lookup(self, name, info, what):
        ent = self.by_name.get(name)
        if ent is None or ent.meta in ("command", "event"):
            raise QAPIError(info, f"{what} uses unknown type '{name}'")
        return ent

    def _resolve_members(self, members, what):
        for m in members:
            m.type = self.lookup(m.type_name, m.info,
                                 f"member '{m.name}' of {what}")

    def _flatten(self, obj, stack=()):
        """Resolve the members of @obj, base members first; check clashes."""
        if obj.members is not None:
            return obj.members
        if obj in stack:
            raise QAPIError(obj.info, f"{obj.describe()} is its own base")
        self._resolve_members(obj.local_members, obj.describe())
        base_members = []
        if obj.base_name is not None:
            base = self.lookup(obj.base_name, obj.info,
                               f"base of {obj.describe()}")
            if not isinstance(base, Object) or base.implicit:
                raise QAPIError(obj.info, f"{obj.describe()}: base "
                                f"'{obj.base_name}' is not a struct")
            obj.base = base
            base_members = self._flatten(base, stack + (obj,))
        members = base_members + obj.local_members
        check_clash(members, obj.describe())
        obj.members = members
        return members

    def _objects(self):
        """Every object type: structs and the implicit ones."""
        for ent in self.entities:
            if isinstance(ent, Object):
                yield ent
            elif isinstance(ent, Union) and isinstance(ent.base, Object):
                yield ent.base
            elif isinstance(ent, Command) and ent.args is not None:
                yield ent.args
            elif isinstance(ent, Event) and ent.data is not None:
                yield ent.data

    def _resolve(self):
        for obj in self._objects():
            self._flatten(obj)
        for ent in self.entities:
            if isinstance(ent, Union):
                self._resolve_union(ent)
            elif isinstance(ent, Alternate):
                self._resolve_alternate(ent)
            elif isinstance(ent, Command):
                self._resolve_command(ent)
        self._check_by_value_cycles()

    def _resolve_union(self, u):
        what = u.describe()
        if isinstance(u.base, str):
            named = self.lookup(u.base, u.base_info, f"base of {what}")
            if not isinstance(named, Object) or named.implicit:
                raise QAPIError(u.base_info, f"{what}: base '{u.base}' is "
                                "not a struct")
            u.base = named
        members = {m.name: m for m in u.base.members}
        tag = members.get(u.discriminator)
        if tag is None or tag.is_array or not isinstance(tag.type, Enum):
            raise QAPIError(u.info, f"{what}: discriminator "
                            f"'{u.discriminator}' is not an enum member of "
                            "its base")
        if tag.optional or tag.ifcond is not None:
            raise QAPIError(u.info, f"{what}: discriminator "
                            f"'{u.discriminator}' must be mandatory and "
                            "unconditional")
        u.tag = tag
        values = {v.name: v for v in tag.type.members}
        for case, tname in u.branch_names.items():
            cinfo = u.branch_info[case]
            if case not in values:
                raise QAPIError(cinfo, f"{what}: '{case}' is not a value of "
                                f"enum '{tag.type.name}'")
            btype = self.lookup(tname, cinfo, f"branch '{case}' of {what}")
            if not isinstance(btype, Object) or btype.implicit:
                raise QAPIError(cinfo, f"{what}: branch '{case}' must be a "
                                "struct")
            for m in btype.members:
                if m.name in members:
                    raise QAPIError(cinfo, f"{what}: member '{m.name}' of "
                                    f"branch '{case}' clashes with the base's")
        u.branches = [(v, self.by_name[u.branch_names[v.name]]
                       if v.name in u.branch_names else None)
                      for v in tag.type.members]

    def _resolve_alternate(self, a):
        what = a.describe()
        self._resolve_members(a.alternatives, what)
        seen = {}
        for m in a.alternatives:
            jt = m.type.json_type
            if jt == "int":
                jt = "number"   # int and number are both JSON numbers
            if jt in ("value",) or isinstance(m.type, Alternate):
                raise QAPIError(m.info, f"{what}: alternative '{m.name}' "
                                f"cannot be '{m.type.name}'")
            if jt in seen:
                raise QAPIError(m.info, f"{what}: alternatives '{seen[jt]}' "
                                f"and '{m.name}' are both JSON {jt}s")
            seen[jt] = m.name

    def _resolve_command(self, c):
        what = c.describe()
        if c.args_name is not None:
            args = self.lookup(c.args_name, c.info, what)
            if not isinstance(args, Object) or args.implicit:
                raise QAPIError(c.info, f"{what}: 'data' must be a struct "
                                "or a dictionary of members")
            c.args = args
        if c.returns_name is not None:
            c.returns = self.lookup(c.returns_name, c.info, what)
            if c.gen and not isinstance(c.returns, Object):
                raise QAPIError(c.info, f"{what}: 'returns' must be a struct "
                                "or an array of structs")

    def _check_by_value_cycles(self):
        """A struct may not contain itself by value: C could not hold it."""
        state = {}

        def visit(obj, path):
            if state.get(obj) == "done":
                return
            if state.get(obj) == "active":
                raise QAPIError(obj.info, f"{obj.describe()} contains itself "
                                "by value: " + " -> ".join(path))
            state[obj] = "active"
            for m in obj.members:
                if isinstance(m.type, Object) and not m.is_array:
                    visit(m.type, path + [m.name])
            state[obj] = "done"

        for obj in self._objects():
            visit(obj, [obj.name])

    # -- conditions -------------------------------------------------------

    def _check_use(self, user_cond, t, info, what):
        if not cond_implies(user_cond, t.ifcond):
            have = cond_text(user_cond) if user_cond else "unconditional"
            raise QAPIError(info, f"{what} uses '{t.name}', which exists only "
                            f"if {cond_text(t.ifcond)}, but {what} is {have}")

    def _check_member_conds(self, members, cond, what):
        for m in members:
            mc = cond_and(cond, m.ifcond)
            self._check_use(mc, m.type, m.info, f"member '{m.name}' of {what}")

    def _check_conds(self):
        for ent in self.entities:
            what = ent.describe()
            if isinstance(ent, Object):
                if ent.base is not None:
                    self._check_use(ent.ifcond, ent.base, ent.info, what)
                self._check_member_conds(ent.local_members, ent.ifcond, what)
            elif isinstance(ent, Union):
                if ent.base.implicit:
                    self._check_member_conds(ent.base.local_members,
                                             ent.ifcond, what)
                else:
                    self._check_use(ent.ifcond, ent.base, ent.info, what)
                for value, btype in ent.branches:
                    if btype is not None:
                        self._check_use(cond_and(ent.ifcond, value.ifcond),
                                        btype, ent.branch_info[value.name],
                                        f"branch '{value.name}' of {what}")
            elif isinstance(ent, Alternate):
                self._check_member_conds(ent.alternatives, ent.ifcond, what)
            elif isinstance(ent, Command):
                if ent.args is not None:
                    if ent.args.implicit:
                        self._check_member_conds(ent.args.local_members,
                                                 ent.ifcond, what)
                    else:
                        self._check_use(ent.ifcond, ent.args, ent.info, what)
                if ent.returns is not None:
                    self._check_use(ent.ifcond, ent.returns, ent.info, what)
            elif isinstance(ent, Event) and ent.data is not None:
                self._check_member_conds(ent.data.local_members, ent.ifcond,
                                         what)

    # -- documentation ----------------------------------------------------

    def _check_docs(self):
        for ent in self.entities:
            what = ent.describe()
            doc = ent.doc
            if doc is None:
                raise QAPIError(ent.info, f"{what} has no doc comment")
            if doc.symbol != ent.name:
                raise QAPIError(doc.info, f"doc comment names '{doc.symbol}' "
                                f"but documents {what}")
            if not doc.body:
                raise QAPIError(doc.info, f"doc comment of {what} has no "
                                "description")
            if isinstance(ent, Enum):
                names = [(v.name, v.info) for v in ent.members]
            elif isinstance(ent, Object):
                names = [(m.name, m.info) for m in ent.local_members]
            elif isinstance(ent, Union):
                names = [(m.name, m.info) for m in ent.base.local_members] \
                    if ent.base.implicit else []
            elif isinstance(ent, Alternate):
                names = [(m.name, m.info) for m in ent.alternatives]
            elif isinstance(ent, Command):
                names = [(m.name, m.info) for m in ent.args.local_members] \
                    if ent.args is not None and ent.args.implicit else []
            else:
                names = [(m.name, m.info) for m in ent.data.local_members] \
                    if ent.data is not None else []
            for name, info in names:
                if name not in doc.members:
                    raise QAPIError(info, f"member '{name}' of {what} is not "
                                    "documented")
            known = {n for n, _ in names}
            for name in doc.members:
                if name not in known:
                    raise QAPIError(doc.member_info[name], f"doc comment of "
                                    f"{what} describes '@{name}', which "
                                    "does not exist")
            features = set(ent.features)
            for m in self._doc_feature_holders(ent):
                features |= set(m.features)
            if set(doc.features) != features:
                missing = sorted(features - set(doc.features))
                extra = sorted(set(doc.features) - features)
                msg = f"undocumented features {missing}" if missing else \
                    f"documented features {extra} do not exist"
                raise QAPIError(doc.info, f"doc comment of {what}: {msg}")
            if isinstance(ent, Command):
                if ent.returns is not None and "Returns" not in doc.sections:
                    raise QAPIError(doc.info, f"{what} returns a value: its "
                                    "doc comment needs a 'Returns:' section")
                if ent.returns is None and "Returns" in doc.sections:
                    raise QAPIError(doc.info, f"{what} returns nothing: "
                                    "remove its 'Returns:' section")
            else:
                for s in doc.sections:
                    raise QAPIError(doc.info, f"'{s}:' section is only for "
                                    "commands")

    @staticmethod
    def _doc_feature_holders(ent):
        if isinstance(ent, Enum):
            return ent.members
        if isinstance(ent, Object):
            return ent.local_members
        if isinstance(ent, Union) and ent.base.implicit:
            return ent.base.local_members
        if isinstance(ent, Alternate):
            return ent.alternatives
        if isinstance(ent, Command) and ent.args is not None \
                and ent.args.implicit:
            return ent.args.local_members
        if isinstance(ent, Event) and ent.data is not None:
            return ent.data.local_members
        return []

    # -- C ----------------------------------------------------------------

    def _c_blocker(self, t, seen):
        """Why type @t has no C (a union, alternate or null inside), or None."""
        if isinstance(t, (Union, Alternate)):
            return f"{t.meta} '{t.name}'"
        if t.is_builtin and t.c_type is None:
            return "'null'"
        if isinstance(t, Object):
            if t in seen:
                return None
            seen.add(t)
            for m in t.members:
                why = self._c_blocker(m.type, seen)
                if why:
                    return why
        return None

    def _check_c(self):
        for obj in self._objects():
            obj.has_c = self._c_blocker(obj, set()) is None
        for ent in self.entities:
            if isinstance(ent, Union) and ent.base.implicit:
                ent.base.has_c = False
        for ent in self.entities:
            if isinstance(ent, Command) and not ent.gen:
                if ent.args is not None and ent.args.implicit:
                    ent.args.has_c = False
                continue
            if isinstance(ent, (Command, Event)):
                used = [ent.args, ent.returns] if isinstance(ent, Command) \
                    else [ent.data]
                for t in used:
                    why = t and self._c_blocker(t, set())
                    if why:
                        raise QAPIError(ent.info, f"{ent.describe()} uses "
                                        f"{why}, which has no C code: make "
                                        "it 'gen': False or change its types")
        # Distinct C names: types, constants, handlers, emitters
        seen = {}

        def claim(name, ent):
            if name in seen and seen[name] is not ent:
                raise QAPIError(ent.info, f"{ent.describe()}: C name '{name}' "
                                f"clashes with {seen[name].describe()}")
            seen[name] = ent

        for ent in self.entities:
            if isinstance(ent, Enum):
                claim(ent.c_name, ent)
                for v in ent.members:
                    claim(ent.const(v.name), ent)
                claim(ent.c_name.upper() + "__MAX", ent)
            elif isinstance(ent, Command):
                claim("qmp_cmd_" + ent.c_name, ent)
            elif isinstance(ent, Event):
                claim("qmp_event_send_" + ent.c_name, ent)
        for obj in self._objects():
            if obj.has_c:
                claim(obj.c_name, obj)

    # -- queries ----------------------------------------------------------

    def commands(self):
        return [e for e in self.entities if isinstance(e, Command)]

    def events(self):
        return [e for e in self.entities if isinstance(e, Event)]

    def c_structs(self):
        """Structs with C code, each after the structs it holds by value."""
        out, done = [], set()

        def visit(obj):
            if obj in done:
                return
            done.add(obj)
            for m in obj.members:
                if isinstance(m.type, Object) and not m.is_array:
                    visit(m.type)
            out.append(obj)

        for obj in self._objects():
            if obj.has_c:
                visit(obj)
        return out

    def c_enums(self):
        return [e for e in self.entities if isinstance(e, Enum)]


def check_clash(members, what):
    seen_json, seen_c = {}, {}
    for m in members:
        if m.name in seen_json:
            raise QAPIError(m.info, f"{what}: member '{m.name}' is defined "
                            "twice (or in its base)")
        seen_json[m.name] = m
        for ident in m.c_idents():
            if ident in seen_c:
                raise QAPIError(m.info, f"{what}: member '{m.name}' clashes "
                                f"with member '{seen_c[ident].name}' (C name "
                                f"'{ident}')")
            seen_c[ident] = m


# ---------------------------------------------------------------------------
# Introspection (query-qmp-schema), QEMU's rules

class Introspector:
    """The SchemaInfo list of one program (the symbols in @syms are set)."""

    def __init__(self, schema, syms):
        self.schema = schema
        self.syms = syms
        self.trees = []
        self.used = []
        self.used_keys = set()
        self.names = {}

    def _name(self, ent):
        if ent not in self.names:
            self.names[ent] = str(len(self.names))
        return self.names[ent]

    def _use(self, t, is_array=False):
        if t.is_builtin and t.json_type == "int":
            t = self.schema.by_name["int"]
        if is_array:
            ename = self._use(t)
            key = ("array", ename)
            if key not in self.used_keys:
                self.used_keys.add(key)
                self.used.append(key)
            return "[" + ename + "]"
        if t not in self.used_keys:
            self.used_keys.add(t)
            self.used.append(t)
        if t.is_builtin:
            return t.name
        return self._name(t)

    def _holds(self, cond):
        return cond_eval(cond, self.syms)

    def _tree(self, name, meta, obj, features=()):
        tree = {"name": name, "meta-type": meta}
        tree.update(obj)
        if features:
            tree["features"] = list(features)
        self.trees.append(tree)

    def _members(self, members):
        out = []
        for m in members:
            if not self._holds(m.ifcond):
                continue
            mem = {"name": m.name, "type": self._use(m.type, m.is_array)}
            if m.optional:
                mem["default"] = None
            if m.features:
                mem["features"] = list(m.features)
            out.append(mem)
        return out

    def _visit_type(self, t):
        if isinstance(t, tuple):
            ename = t[1]
            self._tree("[" + ename + "]", "array", {"element-type": ename})
        elif t.is_builtin:
            self._tree(t.name, "builtin", {"json-type": t.json_type})
        elif isinstance(t, Enum):
            values = [v for v in t.members if self._holds(v.ifcond)]
            members = []
            for v in values:
                mem = {"name": v.name}
                if v.features:
                    mem["features"] = list(v.features)
                members.append(mem)
            self._tree(self._name(t), "enum",
                       {"members": members,
                        "values": [v.name for v in values]}, t.features)
        elif isinstance(t, Object):
            self._tree(self._name(t), "object",
                       {"members": self._members(t.members)}, t.features)
        elif isinstance(t, Union):
            obj = {"members": self._members(t.base.members),
                   "tag": t.tag.name}
            variants = []
            for value, btype in t.branches:
                if not self._holds(value.ifcond):
                    continue
                variants.append({"case": value.name,
                                 "type": self._use(btype or
                                                   self.schema.empty)})
            obj["variants"] = variants
            self._tree(self._name(t), "object", obj, t.features)
        elif isinstance(t, Alternate):
            self._tree(self._name(t), "alternate",
                       {"members": [{"type": self._use(m.type)}
                                    for m in t.alternatives
                                    if self._holds(m.ifcond)]}, t.features)

    def build(self):
        empty = self.schema.empty
        for ent in self.schema.entities:
            if not isinstance(ent, (Command, Event)) or \
                    not self._holds(ent.ifcond):
                continue
            if isinstance(ent, Command):
                obj = {"arg-type": self._use(ent.args or empty),
                       "ret-type": self._use(ent.returns or empty,
                                             ent.returns_array)}
                self._tree(ent.name, "command", obj, ent.features)
            else:
                self._tree(ent.name, "event",
                           {"arg-type": self._use(ent.data or empty)},
                           ent.features)
        i = 0
        while i < len(self.used):
            self._visit_type(self.used[i])
            i += 1
        return self.trees


def read_config(path):
    """The Kconfig symbols set to 'y' in a KEY=VALUE file."""
    syms = set()
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise QAPIError(None, f"can't read {path}: {e.strerror}") from None
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise QAPIError(Info(path, n), "expected KEY=VALUE")
        if value.strip() == "y":
            syms.add(key.strip())
    return syms


# ---------------------------------------------------------------------------
# C generation

LICENSE = "/* SPDX-License-Identifier: GPL-2.0-or-later */\n"
COPYRIGHT = " * Copyright (c) 2026 qemu-dev authors\n */\n"


def c_comment(text, indent="", width=78):
    """A C comment holding @text, wrapped."""
    text = text.replace("*/", "* /")
    lines = textwrap.wrap(text, width - len(indent) * 8 - 3,
                          break_on_hyphens=False) or [""]
    if len(lines) == 1 and len(lines[0]) + len(indent) * 8 + 6 <= width:
        return f"{indent}/* {lines[0]} */\n"
    out = f"{indent}/*\n"
    for line in lines:
        out += f"{indent} * {line}\n"
    return out + f"{indent} */\n"


def doc_first(doc):
    return doc.body[0] if doc and doc.body else ""


def c_decl(t, name):
    """The declaration of a variable @name holding a @t."""
    if t.is_builtin:
        ct = t.c_type
    elif isinstance(t, Enum):
        ct = f"enum {t.c_name} "
    else:
        ct = f"struct {t.c_name} "
    if not ct.endswith("*") and not ct.endswith(" "):
        ct += " "
    return ct + name


def c_elem_type(t):
    if t.is_builtin:
        return t.c_type.rstrip()
    if isinstance(t, Enum):
        return f"enum {t.c_name}"
    return f"struct {t.c_name}"


def c_array_decl(t, name):
    """The declaration of a pointer @name to elements of type @t."""
    elem = c_elem_type(t)
    return f"{elem}*{name}" if elem.endswith("*") else f"{elem} *{name}"


def args_param(cmd):
    return f"const struct {cmd.args.c_name} *args"


def handler_prototype(cmd):
    params = ["struct qmp_request *req"]
    if not cmd.gen:
        params += ["json_object *args", "json_object **ret"]
    else:
        if cmd.args is not None:
            params.append(args_param(cmd))
        if cmd.returns is not None:
            rt = cmd.returns.c_name
            if cmd.returns_array:
                params += [f"struct {rt} **ret", "size_t *n_ret"]
            else:
                params.append(f"struct {rt} *ret")
    params.append("struct error **errp")
    return f'bool qmp_cmd_{cmd.c_name}({", ".join(params)})'


def emitter_prototype(ev):
    if ev.data is None:
        return f"void qmp_event_send_{ev.c_name}(void)"
    return (f"void qmp_event_send_{ev.c_name}(const struct {ev.data.c_name} "
            "*data)")


def struct_prototypes(obj):
    n = obj.c_name[len("qmp_"):]
    return [f"json_object *qmp_marshal_{n}(const struct {obj.c_name} *v)",
            f"bool qmp_unmarshal_{n}(json_object *obj, const char *path, "
            f"struct {obj.c_name} *out, struct error **errp)",
            f"void qmp_free_{n}(struct {obj.c_name} *v)"]


def gen_header(schema):
    out = [LICENSE,
           "/* QMP types, marshalling and handler prototypes of the schema.\n"
           " *\n"
           " * Generated by scripts/qapi-gen.py from qmp/schema: do not edit.\n"
           ' * The conventions are in the generator\'s documentation.\n'
           " *\n" + COPYRIGHT,
           "#ifndef QD_QMP_QMP_GEN_H\n#define QD_QMP_QMP_GEN_H\n\n",
           "#include <json-c/json.h>\n#include <stdbool.h>\n"
           "#include <stddef.h>\n#include <stdint.h>\n\n"
           '#include "qmp/qmp-dispatch.h"\n#include "util/error.h"\n\n'
           "/*\n * Enums: qmp_NAME_names[] holds the name of each value, NULL\n"
           " * for QMP_NAME__MAX and for values whose condition fails in the\n"
           " * program (its CONFIG_ symbols are defines).\n */\n"]
    for enum in schema.c_enums():
        out.append("\n" + c_comment(f"{enum.name}: {doc_first(enum.doc)}"))
        out.append(f"enum {enum.c_name} {{\n")
        for v in enum.members:
            out.append(f"\t{enum.const(v.name)},\n")
        out.append(f"\t{enum.c_name.upper()}__MAX\n}};\n")
        out.append(f"extern const char *const {enum.c_name}_names[];\n")
    structs = schema.c_structs()
    out.append("\n")
    for obj in structs:
        out.append(f"struct {obj.c_name};\n")
    for obj in structs:
        title = obj.name if obj.implicit else \
            f"{obj.name}: {doc_first(obj.doc)}"
        out.append("\n" + c_comment(title))
        out.append(f"struct {obj.c_name} {{\n")
        for m in obj.members:
            doc = member_doc(schema, obj, m)
            if doc:
                out.append(c_comment(doc, "\t"))
            if m.optional:
                out.append(f"\tbool {m.c_has};\n")
            if m.is_array:
                out.append(f"\tsize_t {m.c_n};\n")
                out.append(f"\t{c_array_decl(m.type, m.c_name)};\n")
            else:
                out.append(f"\t{c_decl(m.type, m.c_name)};\n")
        out.append("};\n")
        for p in struct_prototypes(obj):
            out.append(p + ";\n")
    out.append("\n/* Command handlers, written by hand */\n")
    for cmd in schema.commands():
        out.append("\n" + c_comment(f"{cmd.name}: {doc_first(cmd.doc)}"))
        out.append(handler_prototype(cmd) + ";\n")
    out.append("\n/* Event emitters: marshal the data, qmp_event_emit() */\n")
    for ev in schema.events():
        out.append(emitter_prototype(ev) + ";\n")
    out.append("\n#endif /* QD_QMP_QMP_GEN_H */\n")
    return "".join(out)


def member_doc(schema, obj, m):
    """The doc text of member @m of @obj, from the definition that has it."""
    owner = obj
    while m not in owner.local_members:
        owner = owner.base
    doc = owner.doc
    for ent in schema.entities if owner.implicit else ():
        if isinstance(ent, Command) and ent.args is owner or \
                isinstance(ent, Event) and ent.data is owner:
            doc = ent.doc
    return " ".join(doc.members[m.name]) if doc else ""


# Helpers of the types source, emitted only when used: name -> (deps, code)
TYPES_HELPERS = {
    "path": ([], r'''
/*
 * qmp_gen_path() - the name of member @name of @path, for messages (a name
 * longer than @size is cut: it is only shown)
 */
static const char *qmp_gen_path(char *buf, size_t size, const char *path,
				const char *name)
{
	int len;

	if (!path || !path[0])
		len = snprintf(buf, size, "%s", name);
	else
		len = snprintf(buf, size, "%s.%s", path, name);
	if (len < 0)
		buf[0] = '\0';
	return buf;
}
'''),
    "elem_path": ([], r'''
/* qmp_gen_elem_path() - the name of element @i of @path, for messages */
static const char *qmp_gen_elem_path(char *buf, size_t size, const char *path,
				     size_t i)
{
	if (snprintf(buf, size, "%s[%zu]", path, i) < 0)
		buf[0] = '\0';
	return buf;
}
'''),
    "name": ([], r'''
/* qmp_gen_name() - @path as QEMU names it in messages */
static const char *qmp_gen_name(const char *path)
{
	return path && path[0] ? path : "<anonymous>";
}
'''),
    "type_error": (["name"], r'''
/* qmp_gen_type_error() - @path is not a JSON @expected */
static bool qmp_gen_type_error(const char *path, const char *expected,
			       struct error **errp)
{
	error_setg(errp, "Invalid parameter type for '%s', expected: %s",
		   qmp_gen_name(path), expected);
	return false;
}
'''),
    "missing": ([], r'''
/* qmp_gen_missing() - member @path is absent */
static bool qmp_gen_missing(const char *path, struct error **errp)
{
	error_setg(errp, "Parameter '%s' is missing", path);
	return false;
}
'''),
    "check_object": (["type_error"], r'''
/* qmp_gen_check_object() - whether @v is a JSON object */
static bool qmp_gen_check_object(json_object *v, const char *path,
				 struct error **errp)
{
	if (!json_object_is_type(v, json_type_object))
		return qmp_gen_type_error(path, "object", errp);
	return true;
}
'''),
    "check_members": (["path"], r'''
/* qmp_gen_check_members() - refuse members of @obj not in @names */
static bool qmp_gen_check_members(json_object *obj, const char *path,
				  const char *const *names, size_t n,
				  struct error **errp)
{
	json_object_object_foreach(obj, key, val) {
		char p[QMP_GEN_PATH_MAX];
		size_t i;

		(void)val;
		for (i = 0; i < n; i++)
			if (!strcmp(key, names[i]))
				break;
		if (i == n) {
			error_setg(errp, "Parameter '%s' is unexpected",
				   qmp_gen_path(p, sizeof(p), path, key));
			return false;
		}
	}
	return true;
}
'''),
    "get_str": (["type_error"], r'''
/* qmp_gen_get_str() - a copy of the string @v */
static bool qmp_gen_get_str(json_object *v, const char *path, char **out,
			    struct error **errp)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return qmp_gen_type_error(path, "string", errp);
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v)) {
		error_setg(errp, "Parameter '%s' contains a NUL character",
			   qmp_gen_name(path));
		return false;
	}
	*out = strdup(s);
	if (!*out) {
		error_setg(errp, "Out of memory reading '%s'",
			   qmp_gen_name(path));
		return false;
	}
	return true;
}
'''),
    "get_int": (["type_error", "name"], r'''
/* qmp_gen_get_int() - the integer @v, within [@min, @max] */
static bool qmp_gen_get_int(json_object *v, const char *path, int64_t min,
			    int64_t max, const char *type, int64_t *out,
			    struct error **errp)
{
	int64_t s;

	if (!json_object_is_type(v, json_type_int))
		return qmp_gen_type_error(path, "integer", errp);
	s = json_object_get_int64(v);
	/* json-c saturates an unsigned value beyond INT64_MAX */
	if ((s == INT64_MAX &&
	     json_object_get_uint64(v) > (uint64_t)INT64_MAX) ||
	    s < min || s > max) {
		error_setg(errp, "Parameter '%s' expects %s",
			   qmp_gen_name(path), type);
		return false;
	}
	*out = s;
	return true;
}
'''),
    "get_uint": (["type_error", "name"], r'''
/* qmp_gen_get_uint() - the non-negative integer @v, at most @max */
static bool qmp_gen_get_uint(json_object *v, const char *path, uint64_t max,
			     const char *type, uint64_t *out,
			     struct error **errp)
{
	if (!json_object_is_type(v, json_type_int))
		return qmp_gen_type_error(path, "integer", errp);
	if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max) {
		error_setg(errp, "Parameter '%s' expects %s",
			   qmp_gen_name(path), type);
		return false;
	}
	*out = json_object_get_uint64(v);
	return true;
}
'''),
    "get_number": (["type_error"], r'''
/* qmp_gen_get_number() - the number @v (an integer is a number too) */
static bool qmp_gen_get_number(json_object *v, const char *path, double *out,
			       struct error **errp)
{
	if (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int))
		return qmp_gen_type_error(path, "number", errp);
	*out = json_object_get_double(v);
	return true;
}
'''),
    "get_bool": (["type_error"], r'''
/* qmp_gen_get_bool() - the boolean @v */
static bool qmp_gen_get_bool(json_object *v, const char *path, bool *out,
			     struct error **errp)
{
	if (!json_object_is_type(v, json_type_boolean))
		return qmp_gen_type_error(path, "boolean", errp);
	*out = json_object_get_boolean(v);
	return true;
}
'''),
    "get_enum": (["type_error", "name"], r'''
/* qmp_gen_get_enum() - the index of the string @v in @names */
static bool qmp_gen_get_enum(json_object *v, const char *path,
			     const char *const *names, int n, int *out,
			     struct error **errp)
{
	const char *s;
	int i;

	if (!json_object_is_type(v, json_type_string))
		return qmp_gen_type_error(path, "string", errp);
	s = json_object_get_string(v);
	for (i = 0; i < n; i++) {
		if (names[i] && !strcmp(s, names[i])) {
			*out = i;
			return true;
		}
	}
	error_setg(errp, "Parameter '%s' does not accept value '%s'",
		   qmp_gen_name(path), s);
	return false;
}
'''),
    "get_array": (["type_error", "name"], r'''
/*
 * qmp_gen_get_array() - a zeroed C array for the elements of the JSON array
 * @v, its length in *@n; NULL on failure
 */
static void *qmp_gen_get_array(json_object *v, const char *path, size_t size,
			       size_t *n, struct error **errp)
{
	void *array;

	if (!json_object_is_type(v, json_type_array)) {
		qmp_gen_type_error(path, "array", errp);
		return NULL;
	}
	*n = json_object_array_length(v);
	array = calloc(*n ? *n : 1, size);
	if (!array) {
		*n = 0;
		error_setg(errp, "Out of memory reading '%s'",
			   qmp_gen_name(path));
	}
	return array;
}
'''),
    "add": ([], r'''
/* qmp_gen_add() - add @val (reference taken over) to @obj; false if NULL */
static bool qmp_gen_add(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return false;
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}
'''),
    "add_ref": ([], r'''
/* qmp_gen_add_ref() - add a new reference to @val (NULL: null) to @obj */
static bool qmp_gen_add_ref(json_object *obj, const char *key,
			    json_object *val)
{
	json_object_get(val);
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}
'''),
    "append": ([], r'''
/* qmp_gen_append() - append @val (reference taken over); false if NULL */
static bool qmp_gen_append(json_object *array, json_object *val)
{
	if (!val)
		return false;
	if (json_object_array_add(array, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}
'''),
    "append_ref": ([], r'''
/* qmp_gen_append_ref() - append a new reference to @val (NULL: null) */
static bool qmp_gen_append_ref(json_object *array, json_object *val)
{
	json_object_get(val);
	if (json_object_array_add(array, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}
'''),
    "new_str": ([], r'''
/* qmp_gen_new_str() - a JSON string; NULL (a handler's slip) is "" */
static json_object *qmp_gen_new_str(const char *s)
{
	return json_object_new_string(s ? s : "");
}
'''),
    "new_number": ([], r'''
/* qmp_gen_new_number() - a JSON number; NULL if JSON cannot hold @d */
static json_object *qmp_gen_new_number(double d)
{
	return isfinite(d) ? json_object_new_double(d) : NULL;
}
'''),
    "new_enum": ([], r'''
/* qmp_gen_new_enum() - the name of value @v; NULL if out of range */
static json_object *qmp_gen_new_enum(const char *const *names, int n, int v)
{
	return v >= 0 && v < n && names[v] ? json_object_new_string(names[v]) :
					     NULL;
}
'''),
}


class TypesGen:
    """The types source: enum names, marshalling, event emitters."""

    def __init__(self, schema):
        self.schema = schema
        self.used = set()

    def use(self, name):
        if name not in self.used:
            self.used.add(name)
            for dep in TYPES_HELPERS[name][0]:
                self.use(dep)

    def unmarshal_value(self, t, src, path, dst, locs):
        """C statements reading @src (named @path) into lvalue @dst."""
        if isinstance(t, Object):
            n = t.c_name[len("qmp_"):]
            return [f"if (!qmp_unmarshal_{n}({src}, {path}, &{dst}, errp))",
                    "\tgoto fail;"]
        if isinstance(t, Enum):
            self.use("get_enum")
            locs.add("int ev;")
            return [f"if (!qmp_gen_get_enum({src}, {path}, {t.c_name}_names,",
                    f"\t\t      {t.c_name.upper()}__MAX, &ev, errp))",
                    "\tgoto fail;",
                    f"{dst} = (enum {t.c_name})ev;"]
        kind = t.kind
        if kind == "str":
            self.use("get_str")
            return [f"if (!qmp_gen_get_str({src}, {path}, &{dst}, errp))",
                    "\tgoto fail;"]
        if kind == "int":
            self.use("get_int")
            lo, hi, tname = INT_RANGES[t.name]
            direct = t.c_type == "int64_t"
            target = f"&{dst}" if direct else "&s"
            if not direct:
                locs.add("int64_t s;")
            out = [f"if (!qmp_gen_get_int({src}, {path}, {lo}, {hi}, "
                   f'"{tname}",', f"\t\t     {target}, errp))", "\tgoto fail;"]
            if not direct:
                out.append(f"{dst} = ({t.c_type})s;")
            return out
        if kind == "uint":
            self.use("get_uint")
            _, hi, tname = INT_RANGES[t.name]
            direct = t.c_type == "uint64_t"
            target = f"&{dst}" if direct else "&u"
            if not direct:
                locs.add("uint64_t u;")
            out = [f'if (!qmp_gen_get_uint({src}, {path}, {hi}, "{tname}", '
                   f"{target},", "\t\t      errp))", "\tgoto fail;"]
            if not direct:
                out.append(f"{dst} = ({t.c_type})u;")
            return out
        if kind == "number":
            self.use("get_number")
            return [f"if (!qmp_gen_get_number({src}, {path}, &{dst}, errp))",
                    "\tgoto fail;"]
        if kind == "bool":
            self.use("get_bool")
            return [f"if (!qmp_gen_get_bool({src}, {path}, &{dst}, errp))",
                    "\tgoto fail;"]
        assert kind == "any"
        return [f"{dst} = json_object_get({src});"]

    def marshal_value(self, t, expr):
        """A C expression making a new json_object from @expr (NULL: fail)."""
        if isinstance(t, Object):
            return f'qmp_marshal_{t.c_name[len("qmp_"):]}(&{expr})'
        if isinstance(t, Enum):
            self.use("new_enum")
            return (f"qmp_gen_new_enum({t.c_name}_names, "
                    f"{t.c_name.upper()}__MAX, (int){expr})")
        kind = t.kind
        if kind == "str":
            self.use("new_str")
            return f"qmp_gen_new_str({expr})"
        if kind == "int" or kind == "uint" and t.c_type != "uint64_t":
            return f"json_object_new_int64((int64_t){expr})"
        if kind == "uint":
            return f"json_object_new_uint64({expr})"
        if kind == "number":
            self.use("new_number")
            return f"qmp_gen_new_number({expr})"
        if kind == "bool":
            return f"json_object_new_boolean({expr})"
        raise AssertionError(kind)

    @staticmethod
    def needs_free(t):
        return isinstance(t, Object) or t.is_builtin and t.kind in ("str",
                                                                     "any")

    def free_value(self, t, expr):
        if isinstance(t, Object):
            return f'qmp_free_{t.c_name[len("qmp_"):]}(&{expr});'
        if t.kind == "str":
            return f"free({expr});"
        return f"json_object_put({expr});"

    def gen_marshal(self, obj):
        n = obj.c_name[len("qmp_"):]
        body, locs = [], set()
        for m in obj.members:
            v = f"v->{m.c_name}"
            lines = []
            if m.is_array:
                locs |= {"json_object *a;", "size_t i;"}
                self.use("add")
                lines += ["a = json_object_new_array();",
                          f'if (!qmp_gen_add(obj, "{m.name}", a))',
                          "\tgoto fail;",
                          f"for (i = 0; i < v->{m.c_n}; i++) {{"]
                if m.type.is_builtin and m.type.kind == "any":
                    self.use("append_ref")
                    lines.append(f"\tif (!qmp_gen_append_ref(a, {v}[i]))")
                else:
                    self.use("append")
                    lines.append("\tif (!qmp_gen_append(a, " +
                                 self.marshal_value(m.type, f"{v}[i]") + "))")
                lines += ["\t\tgoto fail;", "}"]
            elif m.type.is_builtin and m.type.kind == "any":
                self.use("add_ref")
                lines += [f'if (!qmp_gen_add_ref(obj, "{m.name}", {v}))',
                          "\tgoto fail;"]
            else:
                self.use("add")
                lines += [f'if (!qmp_gen_add(obj, "{m.name}",',
                          f"\t\t {self.marshal_value(m.type, v)}))",
                          "\tgoto fail;"]
            if m.optional:
                lines = [f"if (v->{m.c_has}) {{"] + \
                    ["\t" + line for line in lines] + ["}"]
            body += if_wrap(m.ifcond, lines)
        conditional = any(m.ifcond is not None for m in obj.members)
        out = [f"json_object *qmp_marshal_{n}(const struct {obj.c_name} *v)",
               "{", "\tjson_object *obj = json_object_new_object();"]
        out += ["\t" + loc for loc in sorted(locs)]
        out += ["", "\tif (!obj)", "\t\treturn NULL;"]
        if not obj.members or conditional:
            out.append("\t(void)v;")
        if conditional:
            out += [f'\t(void){loc.split()[-1].strip("*;")};'
                    for loc in sorted(locs)]
        out += [line if line.startswith("#") else "\t" + line
                for line in body]
        out.append("\treturn obj;")
        if body:
            out += ["fail: __attribute__((unused))" if conditional else
                    "fail:", "\tjson_object_put(obj);", "\treturn NULL;"]
        out.append("}")
        return out

    def gen_unmarshal(self, obj):
        n = obj.c_name[len("qmp_"):]
        self.use("check_object")
        self.use("check_members")
        body, locs = [], set()
        names = []
        for m in obj.members:
            names += if_wrap(m.ifcond, [f'"{m.name}",'])
        for m in obj.members:
            start = len(body)
            self.use("path")
            body.append(f'qmp_gen_path(p, sizeof(p), path, "{m.name}");')
            get = f'json_object_object_get_ex(obj, "{m.name}", &m)'
            if m.optional:
                body.append(f"if ({get}) {{")
                body.append(f"\tout->{m.c_has} = true;")
                ind = "\t"
            else:
                self.use("missing")
                body += [f"if (!{get}) {{", "\tqmp_gen_missing(p, errp);",
                         "\tgoto fail;", "}"]
                ind = ""
            if m.is_array:
                self.use("get_array")
                self.use("elem_path")
                locs |= {"char e[QMP_GEN_PATH_MAX];", "size_t i;"}
                lines = [f"out->{m.c_name} = qmp_gen_get_array(m, p, "
                         f"sizeof(*out->{m.c_name}),",
                         f"\t\t\t\t&out->{m.c_n}, errp);",
                         f"if (!out->{m.c_name})", "\tgoto fail;",
                         f"for (i = 0; i < out->{m.c_n}; i++) {{",
                         "\tqmp_gen_elem_path(e, sizeof(e), p, i);"]
                lines += ["\t" + line for line in self.unmarshal_value(
                    m.type, "json_object_array_get_idx(m, i)", "e",
                    f"out->{m.c_name}[i]", locs)]
                lines.append("}")
            else:
                lines = self.unmarshal_value(m.type, "m", "p",
                                             f"out->{m.c_name}", locs)
            body += [ind + line for line in lines]
            if m.optional:
                body.append("}")
            body[start:] = if_wrap(m.ifcond, body[start:])
        conditional = any(m.ifcond is not None for m in obj.members)
        out = [f"bool qmp_unmarshal_{n}(json_object *obj, const char *path,",
               f"\t\tstruct {obj.c_name} *out, struct error **errp)", "{"]
        if obj.members:
            out.append("\tstatic const char *const members[] = {")
            out += [line if line.startswith("#") else "\t\t" + line
                    for line in names]
            out.append("\t};")
            locs |= {"char p[QMP_GEN_PATH_MAX];", "json_object *m;"}
        out += ["\t" + loc for loc in sorted(locs)]
        out += ["", "\tmemset(out, 0, sizeof(*out));",
                "\tif (!qmp_gen_check_object(obj, path, errp))",
                "\t\treturn false;"]
        if conditional:
            out += [f'\t(void){loc.split()[-1].split("[")[0].strip("*;")};'
                    for loc in sorted(locs)]
        out += [line if line.startswith("#") else "\t" + line
                for line in body]
        if obj.members:
            out += ["\tif (!qmp_gen_check_members(obj, path, members,",
                    "\t\t\t\t   sizeof(members) / sizeof(members[0]), "
                    "errp))",
                    "\t\tgoto fail;", "\treturn true;", "fail:",
                    f"\tqmp_free_{n}(out);", "\treturn false;"]
        else:
            out += ["\treturn qmp_gen_check_members(obj, path, NULL, 0, "
                    "errp);"]
        out.append("}")
        return out

    def gen_free(self, obj):
        n = obj.c_name[len("qmp_"):]
        body, locs = [], set()
        for m in obj.members:
            v = f"v->{m.c_name}"
            if m.is_array:
                if self.needs_free(m.type):
                    locs.add("size_t i;")
                    body += [f"for (i = 0; i < v->{m.c_n}; i++)",
                             "\t" + self.free_value(m.type, f"{v}[i]")]
                body.append(f"free({v});")
            elif self.needs_free(m.type):
                body.append(self.free_value(m.type, v))
        out = [f"void qmp_free_{n}(struct {obj.c_name} *v)", "{"]
        out += ["\t" + loc for loc in sorted(locs)]
        if locs:
            out.append("")
        out += ["\tif (!v)", "\t\treturn;"]
        out += ["\t" + line for line in body]
        out += ["\tmemset(v, 0, sizeof(*v));", "}"]
        return out

    def gen_event(self, ev):
        out = [emitter_prototype(ev), "{"]
        if ev.data is None:
            out.append(f'\tqmp_event_emit("{ev.name}", NULL);')
        else:
            n = ev.data.c_name[len("qmp_"):]
            out += [f"\tjson_object *obj = qmp_marshal_{n}(data);", "",
                    "\tif (!obj) {",
                    f'\t\tlog_err("QMP event {ev.name} dropped: out of '
                    'memory");', "\t\treturn;", "\t}",
                    f'\tqmp_event_emit("{ev.name}", obj);']
        out.append("}")
        return out

    def generate(self, header_include):
        funcs = []
        for enum in self.schema.c_enums():
            lines = [f"const char *const {enum.c_name}_names[] = {{"]
            for v in enum.members:
                lines += if_wrap(v.ifcond, [f"\t[{enum.const(v.name)}] = "
                                            f'"{v.name}",'])
            funcs.append(lines + [f"\t[{enum.c_name.upper()}__MAX] = NULL,",
                                  "};"])
        for obj in self.schema.c_structs():
            n = obj.c_name[len("qmp_"):]
            kdoc = [f"/**\n * qmp_marshal_{n}() - @v as a JSON object\n"
                    " * @v:\tthe value\n *\n"
                    " * Return: a new object, NULL if out of memory or if "
                    "an enum is out\n * of range\n */",
                    f"/**\n * qmp_unmarshal_{n}() - read @obj into *@out\n"
                    " * @obj:\tthe JSON value (from a QMP client: hostile)\n"
                    ' * @path:\tits name in messages ("" at the top)\n'
                    " * @out:\tzeroed, then filled; freed again on failure\n"
                    " * @errp:\twhy @obj is refused (GenericError)\n *\n"
                    " * Return: true on success\n */",
                    f"/**\n * qmp_free_{n}() - free the members of @v "
                    "(not @v) and zero it\n * @v:\tthe value, may be NULL\n */"]
            for doc, f in zip(kdoc, [self.gen_marshal(obj),
                                     self.gen_unmarshal(obj),
                                     self.gen_free(obj)]):
                funcs.append([doc] + f)
        for ev in self.schema.events():
            funcs.append([f"/**\n * qmp_event_send_{ev.c_name}() - send "
                          f"event {ev.name}" +
                          ("\n * @data:\tits data" if ev.data else "") +
                          "\n */"] + self.gen_event(ev))
        helpers = [TYPES_HELPERS[name][1] for name in TYPES_HELPERS
                   if name in self.used]
        out = [LICENSE,
               "/* QMP marshalling and event emitters of the schema.\n"
               " *\n"
               " * Generated by scripts/qapi-gen.py from qmp/schema: do not "
               "edit.\n *\n" + COPYRIGHT,
               "#include <math.h>\n#include <stdint.h>\n#include <stdio.h>\n"
               "#include <stdlib.h>\n#include <string.h>\n\n"
               f'#include "{header_include}"\n#include "util/log.h"\n\n'
               "/* Longest member name in messages (longer ones are cut) */\n"
               "#define QMP_GEN_PATH_MAX 256\n"]
        out += helpers
        for f in funcs:
            out.append("\n" + "\n".join(f) + "\n")
        return "".join(out)


PROGRAM_HELPERS = {
    "no_args": r'''
/* qmp_gen_no_args() - refuse arguments to a command that takes none */
static bool qmp_gen_no_args(json_object *args, struct error **errp)
{
	if (!json_object_is_type(args, json_type_object)) {
		error_setg(errp, "Invalid parameter type for '<anonymous>', "
				 "expected: object");
		return false;
	}
	json_object_object_foreach(args, key, val) {
		(void)val;
		error_setg(errp, "Parameter '%s' is unexpected", key);
		return false;
	}
	return true;
}
''',
    "failed": r'''
/*
 * qmp_gen_failed() - hand on the error of a handler that returned false,
 * with a message of its own if the handler set none
 */
static bool qmp_gen_failed(const char *name, struct error *err,
			   struct error **errp)
{
	if (!err)
		error_setg(&err, "Command '%s' failed", name);
	error_propagate(errp, err);
	return false;
}
''',
    "reply": r'''
/* qmp_gen_reply() - false with an error if the reply could not be built */
static bool qmp_gen_reply(const char *name, json_object *ret,
			  struct error **errp)
{
	if (!ret) {
		error_setg(errp, "Command '%s': out of memory building the reply",
			   name);
		return false;
	}
	return true;
}
''',
}


def gen_dispatch(cmd, used):
    """The static dispatch function of @cmd."""
    name = cmd.name
    out = [f"/* qmp_dispatch_{cmd.c_name}() - dispatch of {name} */",
           f"static bool qmp_dispatch_{cmd.c_name}(struct qmp_request *req, "
           "json_object *args,", "\t\t\tjson_object **ret, struct error **errp)",
           "{"]
    if not cmd.gen:
        body = []
        if cmd.args is None:
            used.add("no_args")
            body += ["if (!qmp_gen_no_args(args, errp))", "\treturn false;"]
        body += [f"return qmp_cmd_{cmd.c_name}(req, args, ret, errp);"]
        return out + ["\t" + line for line in body] + ["}"]
    used |= {"failed", "reply"}
    locs, pre, call, post = ["struct error *err = NULL;"], [], ["req"], []
    if cmd.args is not None:
        an = cmd.args.c_name[len("qmp_"):]
        locs.insert(0, f"struct {cmd.args.c_name} a;")
        pre += [f'if (!qmp_unmarshal_{an}(args, "", &a, errp))',
                "\treturn false;"]
        call.append("&a")
        post.append(f"qmp_free_{an}(&a);")
    else:
        used.add("no_args")
        pre += ["if (!qmp_gen_no_args(args, errp))", "\treturn false;"]
    r = cmd.returns
    if r is not None:
        rn = r.c_name[len("qmp_"):]
        if cmd.returns_array:
            locs[:0] = [f"struct {r.c_name} *r = NULL;", "size_t n = 0, i;",
                        "json_object *list;"]
            call += ["&r", "&n"]
            free = ["for (i = 0; i < n; i++)", f"\tqmp_free_{rn}(&r[i]);",
                    "free(r);"]
        else:
            locs[:0] = [f"struct {r.c_name} r;"]
            pre.append("memset(&r, 0, sizeof(r));")
            call.append("&r")
            free = [f"qmp_free_{rn}(&r);"]
    call.append("&err")
    body = pre + [f'ok = qmp_cmd_{cmd.c_name}({", ".join(call)});'] + post
    locs.append("bool ok;")
    if r is not None:
        body += ["if (!ok) {"] + ["\t" + line for line in free]
        body += [f'\treturn qmp_gen_failed("{name}", err, errp);', "}"]
    else:
        body += ["if (!ok)", f'\treturn qmp_gen_failed("{name}", err, errp);']
    body.append("error_free(err);")
    if r is None:
        body.append("*ret = json_object_new_object();")
    elif cmd.returns_array:
        body += ["list = json_object_new_array();",
                 "for (i = 0; list && i < n; i++) {",
                 f"\tjson_object *e = qmp_marshal_{rn}(&r[i]);", "",
                 "\tif (!e || json_object_array_add(list, e)) {",
                 "\t\tjson_object_put(e);", "\t\tjson_object_put(list);",
                 "\t\tlist = NULL;", "\t}", "}",
                 "*ret = list;"] + free
    else:
        body += [f"*ret = qmp_marshal_{rn}(&r);"] + free
    body.append(f'return qmp_gen_reply("{name}", *ret, errp);')
    return out + ["\t" + line for line in locs] + [""] + \
        ["\t" + line if line else "" for line in body] + ["}"]


def gen_program(schema, syms, program, include):
    cmds = sorted((c for c in schema.commands() if cond_eval(c.ifcond, syms)),
                  key=lambda c: c.name.encode())
    used = set()
    funcs = [gen_dispatch(c, used) for c in cmds]
    trees = Introspector(schema, syms).build()
    out = [LICENSE,
           f"/* The QMP commands and schema of {program}.\n"
           " *\n"
           " * Generated by scripts/qapi-gen.py from qmp/schema and the "
           "program's\n * Kconfig config: do not edit.\n *\n" + COPYRIGHT,
           "#include <stdlib.h>\n#include <string.h>\n\n"
           f'#include "{include}"\n']
    out += [PROGRAM_HELPERS[h] for h in PROGRAM_HELPERS if h in used]
    for f in funcs:
        out.append("\n" + "\n".join(f) + "\n")
    out.append("\nconst struct qmp_command qmp_commands[] = {\n")
    for c in cmds:
        out.append(f'\t{{ "{c.name}", qmp_dispatch_{c.c_name} }},\n')
    if not cmds:
        out.append("\t{ NULL, NULL },\n")
    out.append("};\n\n")
    out.append(f"const size_t qmp_n_commands = {len(cmds)};\n\n")
    out.append("/* query-qmp-schema: type names are masked as in QEMU */\n")
    out.append('const char qmp_schema_json[] =\n\t"["\n')
    for i, tree in enumerate(trees):
        text = json.dumps(tree, separators=(",", ":"))
        if i < len(trees) - 1:
            text += ","
        out.append('\t"' + text.replace("\\", "\\\\").replace('"', '\\"')
                   + '"\n')
    out.append('\t"]";\n')
    return "".join(out)


# ---------------------------------------------------------------------------
# The reference (Markdown)

def md_text(paras):
    return "\n\n".join(re.sub(r"@([A-Za-z0-9_-]+)", r"`\1`", p)
                       for p in paras)


def md_cell(paras):
    return md_text(paras).replace("|", "\\|").replace("\n\n", "<br><br>")


def md_anchor(ent):
    return "type-" + ent.name.lower()


def md_type(t, is_array=False):
    if t.is_builtin:
        s = f"`{t.name}`"
    else:
        s = f"[`{t.name}`](#{md_anchor(t)})"
    return f"array of {s}" if is_array else s


def md_cond_note(cond):
    if cond is None:
        return []
    progs = cond_programs(cond)
    text = f"Only in programs with {cond_text(cond)}"
    if progs:
        text += f' ({", ".join(progs)})'
    return [f"*{text}.*", ""]


def md_members(schema, members, doc_of, head="Member"):
    if not members:
        return []
    out = [f"| {head} | Type | Optional | Description |", "|---|---|---|---|"]
    for m in members:
        paras = doc_of(m)
        if m.ifcond is not None:
            paras = paras + [f"(Only with {cond_text(m.ifcond)}.)"]
        if m.features:
            paras = paras + ["Features: " +
                             ", ".join(f"`{f}`" for f in m.features) + "."]
        out.append(f"| `{m.name}` | {md_type(m.type, m.is_array)} | "
                   f'{"yes" if m.optional else "no"} | {md_cell(paras)} |')
    return out + [""]


def md_features(doc):
    if not doc.features:
        return []
    out = ["Features:", ""]
    for name, paras in doc.features.items():
        out.append(f"- `{name}`: {md_text(paras)}")
    return out + [""]


def reachable_types(schema):
    """Types some command or event uses, whatever the program."""
    seen = set()
    todo = []

    def use(t):
        if t is not None and not t.is_builtin and t not in seen:
            seen.add(t)
            todo.append(t)

    for ent in schema.entities:
        if isinstance(ent, Command):
            use(ent.args)
            use(ent.returns)
        elif isinstance(ent, Event):
            use(ent.data)
    while todo:
        t = todo.pop()
        if isinstance(t, Object):
            use(t.base)
            for m in t.members:
                use(m.type)
        elif isinstance(t, Union):
            use(t.base)
            for _, b in t.branches:
                use(b)
        elif isinstance(t, Alternate):
            for m in t.alternatives:
                use(m.type)
    return seen


TYPE_LABELS = {"enum": "Enum", "object": "Struct", "union": "Union",
               "alternate": "Alternate"}


def gen_doc(schema):
    types = reachable_types(schema)
    out = ["<!-- SPDX-License-Identifier: GPL-2.0-or-later -->",
           "# QMP reference", "",
           'The commands and events of the QMP monitor of qemu-dev\'s '
           "programs, generated from the schema (`qmp/schema`). A program "
           "has only the commands and events its Kconfig config selects: "
           "conditional ones say which. Type names are for this reference "
           "only: `query-qmp-schema` shows them masked, as QEMU does.", ""]
    for item in schema.items:
        if isinstance(item, tuple):
            _, _, level, title = item
            out += ["#" * (level + 1) + " " + title, ""]
            continue
        ent = item
        doc = ent.doc
        if isinstance(ent, Command):
            out += [f"### Command `{ent.name}`", ""]
            out += md_cond_note(ent.ifcond)
            out += [md_text(doc.body), ""]
            if ent.args is not None and ent.args.implicit:
                out += ["Arguments:", ""]
                out += md_members(schema, ent.args.members,
                                  lambda m: doc.members[m.name], "Argument")
            elif ent.args is not None:
                out += [f"Arguments: the members of {md_type(ent.args)}.", ""]
            else:
                out += ["Arguments: none.", ""]
            if ent.returns is not None:
                out += [f"Returns: {md_type(ent.returns, ent.returns_array)}:"
                        f' {md_text(doc.sections["Returns"])}', ""]
            else:
                out += ["Returns: nothing (`{}`).", ""]
            if "Errors" in doc.sections:
                out += [f'Errors: {md_text(doc.sections["Errors"])}', ""]
        elif isinstance(ent, Event):
            out += [f"### Event `{ent.name}`", ""]
            out += md_cond_note(ent.ifcond)
            out += [md_text(doc.body), ""]
            if ent.data is not None:
                out += ["Data:", ""]
                out += md_members(schema, ent.data.members,
                                  lambda m: doc.members[m.name])
            else:
                out += ["Data: none.", ""]
        elif ent in types:
            out += [f'<a id="{md_anchor(ent)}"></a>',
                    f"### {TYPE_LABELS[ent.meta]} `{ent.name}`", ""]
            out += md_cond_note(ent.ifcond)
            out += [md_text(doc.body), ""]
            if isinstance(ent, Enum):
                out += ["| Value | Description |", "|---|---|"]
                for v in ent.members:
                    paras = doc.members[v.name]
                    if v.ifcond is not None:
                        paras = paras + [f"(Only with {cond_text(v.ifcond)}.)"]
                    out.append(f"| `{v.name}` | {md_cell(paras)} |")
                out.append("")
            elif isinstance(ent, Object):
                if ent.base is not None:
                    out += [f"The members of {md_type(ent.base)}, and:", ""]
                out += md_members(schema, ent.local_members,
                                  lambda m: doc.members[m.name])
            elif isinstance(ent, Union):
                if ent.base.implicit:
                    out += md_members(schema, ent.base.local_members,
                                      lambda m: doc.members[m.name])
                else:
                    out += [f"The members of {md_type(ent.base)}.", ""]
                out += [f"Then, depending on `{ent.discriminator}`:", ""]
                for value, btype in ent.branches:
                    what = f"the members of {md_type(btype)}" if btype \
                        else "nothing more"
                    out.append(f"- `{value.name}`: {what}")
                out.append("")
            elif isinstance(ent, Alternate):
                out += ["One of:", "", "| Alternative | Type | Description |",
                        "|---|---|---|"]
                for m in ent.alternatives:
                    out.append(f"| `{m.name}` | {md_type(m.type)} | "
                               f"{md_cell(doc.members[m.name])} |")
                out.append("")
        else:
            continue
        if ent.features:
            out += md_features(doc)
        elif doc.features:
            out += md_features(doc)
        if doc.trailer:
            out += [md_text(doc.trailer), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------

def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def program_name(config):
    base = os.path.basename(config)
    if base.endswith("-config.mak"):
        return "qemu-dev-" + base[:-len("-config.mak")]
    return base


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--schema", required=True, help="the top schema file")
    p.add_argument("--types-header", help="write the C header")
    p.add_argument("--types-source", help="write the C marshalling source")
    p.add_argument("--config", help="a program's KEY=VALUE Kconfig output")
    p.add_argument("--program-source", help="write a program's command "
                   "table and schema (needs --config)")
    p.add_argument("--introspect", metavar="CONFIG", help="print a program's "
                   "query-qmp-schema answer as JSON")
    p.add_argument("--doc", help="write the Markdown reference")
    p.add_argument("--include", default="qmp/qmp-gen.h",
                   help="how the program source includes the header "
                   "(default: %(default)s)")
    args = p.parse_args(argv)
    if args.program_source and not args.config:
        p.error("--program-source needs --config")
    try:
        schema = Schema(args.schema)
        if args.types_header:
            write(args.types_header, gen_header(schema))
        if args.types_source:
            include = args.include
            if args.types_header:
                include = os.path.relpath(
                    args.types_header,
                    os.path.dirname(os.path.abspath(args.types_source)))
            write(args.types_source, TypesGen(schema).generate(include))
        if args.program_source:
            syms = read_config(args.config)
            write(args.program_source,
                  gen_program(schema, syms, program_name(args.config),
                              args.include))
        if args.introspect:
            trees = Introspector(schema, read_config(args.introspect)).build()
            json.dump(trees, sys.stdout, indent=1)
            sys.stdout.write("\n")
        if args.doc:
            write(args.doc, gen_doc(schema))
    except QAPIError as e:
        print(f"{p.prog}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
