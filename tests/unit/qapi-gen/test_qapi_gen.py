# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/qapi-gen.py on the real schema and on its test schema.

Generates everything into a temporary directory (no build directory needed):
each program's command table holds its own commands only, its
query-qmp-schema answer follows QEMU's rules (every referenced type defined,
names unique and masked, one shared empty object, only reachable entities),
the generated C compiles with the project's warnings, and the test schema's C
runs: tests/unit/qapi-gen/test-qapi-gen.c (also a meson unit test).
"""
import ast
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
GEN = ROOT / "scripts" / "qapi-gen.py"
SCHEMA = ROOT / "qmp" / "schema" / "qapi-schema.json"
TEST_SCHEMA = HERE / "test-schema.json"
PYTHON = "/usr/bin/python3"
# The build's (debugoptimized): -O2 for the optimizer's warnings too
CFLAGS = ["-std=gnu11", "-O2", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror",
          "-Wmissing-prototypes", "-Wstrict-prototypes", "-Wshadow",
          "-Wformat-security"]
PROGRAMS = ("vhost-user-blk", "vhost-user-net")
COMMON_COMMANDS = {"qmp_capabilities", "query-version", "query-commands",
                   "query-status", "quit", "query-qmp-schema",
                   "query-vhost-user"}
BUILTIN_JSON_TYPES = {"str": "string", "int": "int", "number": "number",
                      "bool": "boolean", "null": "null", "any": "value"}


def load_generator():
    spec = importlib.util.spec_from_file_location("qapi_gen", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_gen(*args):
    res = subprocess.run([PYTHON, str(GEN), *map(str, args)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return res


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """Everything generated from the real schema, as in the build tree."""
    tmp = tmp_path_factory.mktemp("qapi-gen")
    (tmp / "qmp").mkdir()
    run_gen("--schema", SCHEMA, "--types-header", tmp / "qmp" / "qmp-gen.h",
            "--types-source", tmp / "qmp" / "qmp-gen-types.c",
            "--doc", tmp / "qmp-reference.md")
    for prog in PROGRAMS:
        mak = tmp / f"{prog}-config.mak"
        res = subprocess.run([PYTHON, str(ROOT / "scripts" / "kconfig.py"),
                              str(ROOT / "Kconfig"),
                              str(ROOT / "configs" / f"{prog}.config"),
                              str(mak)], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        run_gen("--schema", SCHEMA, "--config", mak, "--program-source",
                tmp / f"qmp-gen-{prog}.c")
    return tmp


def table(source):
    """The command names of a program source's qmp_commands[]."""
    return re.findall(r'^\t\{ "([^"]+)", qmp_dispatch_\w+ \},$', source,
                      re.M)


def schema_json(source):
    """qmp_schema_json of a program source, decoded from its C literal."""
    m = re.search(r"const char qmp_schema_json\[\] =\n(.*?);\n", source,
                  re.S)
    text = "".join(ast.literal_eval(line.strip())
                   for line in m.group(1).splitlines())
    return json.loads(text)


def check_introspection(entities):
    """QEMU's SchemaInfo rules (SPEC-DIGEST 7.7) on one program's answer."""
    by_name = {}
    for e in entities:
        assert e["name"] not in by_name, f"duplicate name {e['name']}"
        by_name[e["name"]] = e
    masked = []
    for e in entities:
        meta, name = e["meta-type"], e["name"]
        if meta in ("command", "event"):
            continue
        if meta == "builtin":
            assert BUILTIN_JSON_TYPES[name] == e["json-type"]
        elif meta == "array":
            assert name == "[" + e["element-type"] + "]"
        else:
            assert re.fullmatch(r"0|[1-9][0-9]*", name), name
            masked.append(int(name))
    assert sorted(masked) == list(range(len(masked))), "masked names not 0..N"

    def ref(name):
        assert name in by_name, f"{name} referenced but not defined"
        assert by_name[name]["meta-type"] not in ("command", "event")
        return by_name[name]

    reached = set()

    def reach(name):
        if name in reached:
            return
        reached.add(name)
        e = ref(name)
        meta = e["meta-type"]
        if meta == "array":
            reach(e["element-type"])
        elif meta == "object":
            for m in e["members"]:
                assert set(m) <= {"name", "type", "default", "features"}
                assert m.get("default", None) is None
                reach(m["type"])
            assert ("tag" in e) == ("variants" in e)
            if "tag" in e:
                tag = [m for m in e["members"] if m["name"] == e["tag"]]
                assert len(tag) == 1
                values = ref(tag[0]["type"])["values"]
                assert [v["case"] for v in e["variants"]] == values
                for v in e["variants"]:
                    assert ref(v["type"])["meta-type"] == "object"
                    reach(v["type"])
        elif meta == "alternate":
            for m in e["members"]:
                reach(m["type"])
        elif meta == "enum":
            assert [m["name"] for m in e["members"]] == e["values"]

    empties = set()
    for e in entities:
        if e["meta-type"] == "command":
            assert set(e) <= {"name", "meta-type", "arg-type", "ret-type",
                              "features", "allow-oob"}
            assert ref(e["arg-type"])["meta-type"] == "object"
            reach(e["arg-type"])
            reach(e["ret-type"])
            for key in ("arg-type", "ret-type"):
                if ref(e[key]).get("members") == [] and "tag" not in ref(
                        e[key]):
                    empties.add(e[key])
        elif e["meta-type"] == "event":
            assert ref(e["arg-type"])["meta-type"] == "object"
            reach(e["arg-type"])
    # Only reachable entities, one shared empty object
    assert reached == {e["name"] for e in entities
                       if e["meta-type"] not in ("command", "event")}
    assert len(empties) <= 1
    for name in by_name:
        assert not re.fullmatch(r"u?int(8|16|32|64)|size", name)
    return by_name


def commands_of(entities):
    return {e["name"] for e in entities if e["meta-type"] == "command"}


def test_command_tables(out):
    blk = (out / "qmp-gen-vhost-user-blk.c").read_text()
    net = (out / "qmp-gen-vhost-user-net.c").read_text()
    for source in (blk, net):
        names = table(source)
        assert names == sorted(names, key=str.encode)
        assert COMMON_COMMANDS <= set(names)
        assert f"qmp_n_commands = {len(names)};" in source
    assert {"block-resize", "query-blockstats"} <= set(table(blk))
    assert not {"set_link", "query-net"} & set(table(blk))
    assert {"set_link", "query-net"} <= set(table(net))
    assert not {"block-resize", "query-blockstats"} & set(table(net))


def test_introspection(out):
    for prog in PROGRAMS:
        source = (out / f"qmp-gen-{prog}.c").read_text()
        entities = schema_json(source)
        by_name = check_introspection(entities)
        assert commands_of(entities) == set(table(source))
        events = {e["name"] for e in entities if e["meta-type"] == "event"}
        assert {"SHUTDOWN", "VHOST_USER_CONNECTED"} <= events
        if prog == "vhost-user-blk":
            assert "BLOCK_IO_ERROR" in events
            assert "NETDEV_LINK_CHANGED" not in events
        else:
            assert "NETDEV_LINK_CHANGED" in events
            assert "BLOCK_IO_ERROR" not in events
        # The digest's examples: qmp_capabilities' optional enable
        caps = by_name[by_name["qmp_capabilities"]["arg-type"]]
        assert caps["members"] == [{"name": "enable", "type":
                                    caps["members"][0]["type"],
                                    "default": None}]
        assert by_name["quit"]["arg-type"] == by_name["quit"]["ret-type"]
        assert by_name[by_name["quit"]["arg-type"]]["members"] == []
        # SchemaInfo: base members flattened, tag and variants
        info = by_name[by_name["query-qmp-schema"]["ret-type"]
                       ]["element-type"]
        assert [m["name"] for m in by_name[info]["members"]] == \
            ["name", "meta-type", "features"]
        assert by_name[info]["tag"] == "meta-type"
        # Integer builtins collapsed; no type name leaks
        assert "int" in by_name and "uint64" not in by_name
        assert not any(re.search("[A-Z]", n) for n, e in by_name.items()
                       if e["meta-type"] not in ("command", "event"))


def test_introspection_cli_matches_source(out):
    mak = out / "vhost-user-net-config.mak"
    res = run_gen("--schema", SCHEMA, "--introspect", mak)
    source = (out / "qmp-gen-vhost-user-net.c").read_text()
    assert json.loads(res.stdout) == schema_json(source)


def test_header_prototypes(out):
    header = (out / "qmp" / "qmp-gen.h").read_text()
    for proto in (
            "bool qmp_cmd_quit(struct qmp_request *req, struct error **errp);",
            "bool qmp_cmd_block_resize(struct qmp_request *req, const struct "
            "qmp_block_resize_args *args, struct error **errp);",
            "bool qmp_cmd_query_version(struct qmp_request *req, struct "
            "qmp_version_info *ret, struct error **errp);",
            "bool qmp_cmd_query_commands(struct qmp_request *req, struct "
            "qmp_command_info **ret, size_t *n_ret, struct error **errp);",
            "bool qmp_cmd_query_qmp_schema(struct qmp_request *req, "
            "json_object *args, json_object **ret, struct error **errp);",
            "void qmp_event_send_vhost_user_disconnected(const struct "
            "qmp_vhost_user_disconnected_data *data);",
            "void qmp_event_send_vhost_user_connected(void);",
            "extern const char *const qmp_qmp_capability_names[];",
            "\tQMP_QMP_CAPABILITY_OOB,",
            "\tQMP_QMP_CAPABILITY__MAX",
            "struct qmp_version_info {"):
        assert proto in header


def test_reference(out):
    ref = (out / "qmp-reference.md").read_text()
    gen = load_generator()
    schema = gen.Schema(str(SCHEMA))
    for ent in schema.commands():
        assert f"### Command `{ent.name}`" in ref
    for ent in schema.events():
        assert f"### Event `{ent.name}`" in ref
    section = ref.split("### Command `block-resize`")[1].split("###")[0]
    assert ("*Only in programs with CONFIG_VIRTIO_BLK "
            "(qemu-dev-vhost-user-blk).*") in section
    assert "| `size` | `uint64` | no |" in section
    section = ref.split("### Command `set_link`")[1].split("###")[0]
    assert "CONFIG_VIRTIO_NET (qemu-dev-vhost-user-net)" in section
    assert "Errors: DeviceNotFound" in section
    section = ref.split("### Command `quit`")[1].split("###")[0]
    assert "Only in" not in section
    assert '<a id="type-versioninfo"></a>' in ref
    # Every type link has its anchor
    for anchor in set(re.findall(r"\]\(#([a-z0-9-]+)\)", ref)):
        assert f'<a id="{anchor}"></a>' in ref


def cc():
    return shutil.which("cc")


@pytest.mark.skipif(not cc(), reason="no C compiler (cc)")
def test_real_schema_compiles(out):
    for source in ["qmp/qmp-gen-types.c"] + [f"qmp-gen-{p}.c"
                                              for p in PROGRAMS]:
        res = subprocess.run([cc(), "-c", *CFLAGS, f"-I{ROOT}", f"-I{out}",
                              str(out / source), "-o",
                              str(out / (Path(source).stem + ".o"))],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, f"{source}:\n{res.stderr}"


def test_test_schema_introspection(tmp_path):
    gen = load_generator()
    schema = gen.Schema(str(TEST_SCHEMA))
    plain = gen.Introspector(schema, {"CONFIG_TEST_Y"}).build()
    by_name = check_introspection(plain)
    assert "test-only-x" not in by_name
    all_args = by_name[by_name["test-all"]["arg-type"]]
    assert all_args["features"] == ["deprecated"]
    names = [m["name"] for m in all_args["members"]]
    assert names[0] == "id" and "secret" not in names
    opt = [m for m in all_args["members"] if m["name"] == "opt-int"][0]
    assert opt == {"name": "opt-int", "type": "int", "default": None,
                   "features": ["unstable"]}
    color = by_name[[m for m in all_args["members"]
                     if m["name"] == "color"][0]["type"]]
    assert color["values"] == ["red", "green", "light-blue"]
    ints = [m for m in all_args["members"] if m["name"] == "ints"][0]
    assert ints["type"] == "[int]"

    with_x = gen.Introspector(schema, {"CONFIG_TEST_X"}).build()
    by_name = check_introspection(with_x)
    assert "test-only-x" in by_name
    all_args = by_name[by_name["test-all"]["arg-type"]]
    assert "secret" in [m["name"] for m in all_args["members"]]
    holder = by_name[by_name["test-raw"]["ret-type"]]
    union = by_name[holder["members"][0]["type"]]
    assert [v["case"] for v in union["variants"]] == \
        ["red", "green", "light-blue", "ultraviolet"]
    empty = by_name["test-nothing"]["arg-type"]
    assert [v["type"] for v in union["variants"]][1:3] == [empty, empty]
    alternate = by_name[holder["members"][1]["type"]]
    assert alternate["meta-type"] == "alternate"
    assert [m["type"] for m in alternate["members"]][:2] == ["str", "int"]


def glib_flags():
    if not cc() or not shutil.which("pkg-config"):
        return None
    res = subprocess.run(["pkg-config", "--cflags", "--libs", "glib-2.0",
                          "json-c"], capture_output=True, text=True,
                         timeout=30)
    return res.stdout.split() if res.returncode == 0 else None


def sanitizer_flags(tmp_path):
    """ASan+UBSan if this compiler can link them, else nothing."""
    probe = tmp_path / "probe.c"
    probe.write_text("int main(void) { return 0; }\n")
    flags = ["-fsanitize=address,undefined"]
    res = subprocess.run([cc(), *flags, str(probe), "-o",
                          str(tmp_path / "probe")], capture_output=True,
                         timeout=60)
    return flags if res.returncode == 0 else []


@pytest.mark.skipif(glib_flags() is None,
                    reason="needs cc, pkg-config, glib-2.0 and json-c")
def test_generated_c_runs(tmp_path):
    """Compile the test schema's C with test-qapi-gen.c and run it."""
    config = tmp_path / "test-config.mak"
    shutil.copy(HERE / "test-config.mak", config)
    run_gen("--schema", TEST_SCHEMA, "--types-header", tmp_path / "qmp-gen.h",
            "--types-source", tmp_path / "qmp-gen-types.c")
    run_gen("--schema", TEST_SCHEMA, "--config", config, "--include",
            "qmp-gen.h", "--program-source", tmp_path / "qmp-gen-test.c")
    san = sanitizer_flags(tmp_path)
    exe = tmp_path / "test-qapi-gen"
    res = subprocess.run(
        [cc(), *CFLAGS, "-Wno-unused-parameter", "-g", *san, f"-I{ROOT}",
         f"-I{tmp_path}", str(HERE / "test-qapi-gen.c"),
         str(tmp_path / "qmp-gen-types.c"), str(tmp_path / "qmp-gen-test.c"),
         str(ROOT / "util" / "error.c"), str(ROOT / "util" / "log.c"),
         *glib_flags(), "-o", str(exe)],
        capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([str(exe), "--tap"], capture_output=True, text=True,
                         timeout=60,
                         env={"ASAN_OPTIONS": "detect_leaks=1",
                              "UBSAN_OPTIONS": "halt_on_error=1:"
                              "print_stacktrace=1"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert re.search(r"^ok 8 ", res.stdout, re.M), res.stdout
    assert "not ok" not in res.stdout
