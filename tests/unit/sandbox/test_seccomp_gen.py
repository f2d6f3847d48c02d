# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/seccomp-gen.py: list syntax, merging, refusals, the C it writes.

The lists of the tree itself are checked by the build (every program's
table is generated from them) and by test-sandbox (every name resolves).
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GEN = Path(__file__).resolve().parents[3] / "scripts" / "seccomp-gen.py"
ROOT = GEN.parents[1]


def run(tmp_path, lists):
    """Write @lists ({name: text}), run the generator; (rc, stderr, C)."""
    paths = []
    for name, text in lists.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    out = tmp_path / "table.c"
    res = subprocess.run([sys.executable, str(GEN), "--srcdir", str(tmp_path),
                          "--table", "t", "--output", str(out), *paths],
                         capture_output=True, text=True, timeout=30)
    return res.returncode, res.stderr, out.read_text() if out.exists() else ""


def entries(c_text):
    """(name, cond, who) of each rule in the generated C."""
    out = []
    for line in c_text.splitlines():
        if '.name = "' not in line:
            continue
        field = lambda f: line.split(f'.{f} = "')[1].split('"')[0]  # noqa: E731
        out.append((field("name"), field("cond"), field("who")))
    return out


def test_plain_and_conditions(tmp_path):
    rc, err, c = run(tmp_path, {"a/x.syscalls": (
        "include <linux/if_tun.h>\n"
        "read  # why\n"
        "ioctl arg1=TUNSETOFFLOAD,TUNSETQUEUE  # tap\n"
        "tgkill arg0=pid  # abort\n"
        "mmap arg2&PROT_EXEC=0  # never executable\n"
        "clone arg0&CLONE_THREAD  # threads\n"
        "clone3 errno=ENOSYS  # fall back to clone\n")})
    assert rc == 0, err
    assert entries(c) == [
        ("clone", "arg0&CLONE_THREAD", "a/x"),
        ("clone3", "errno=ENOSYS", "a/x"),
        ("ioctl", "arg1=TUNSETOFFLOAD", "a/x"),
        ("ioctl", "arg1=TUNSETQUEUE", "a/x"),
        ("mmap", "arg2&PROT_EXEC=0", "a/x"),
        ("read", "", "a/x"),
        ("tgkill", "arg0=pid", "a/x"),
    ]
    assert "#include <linux/if_tun.h>" in c
    assert ".value_is_pid = true" in c
    assert "const unsigned int t_n = 7;" in c


def test_merge(tmp_path):
    """An unconditional rule wins over conditions; an allow over a failure."""
    rc, err, c = run(tmp_path, {
        "a.syscalls": "ioctl arg1=1  # a\nopenat errno=ENOENT  # a\nread  # a\n",
        "b.syscalls": "ioctl  # b\nopenat  # b\nread  # b\n",
    })
    assert rc == 0, err
    assert entries(c) == [("ioctl", "", "b a"), ("openat", "", "b"),
                          ("read", "", "a b")]


@pytest.mark.parametrize("text,message", [
    ("read\n", "say who needs 'read'"),
    ("read #\n", "say who needs 'read'"),
    ("Read  # x\n", "'Read' is not a syscall name"),
    ("read arg9=1  # x\n", "unknown condition 'arg9=1'"),
    ("read arg1=a;b  # x\n", "'a;b' is not a constant"),
    ("read arg1=1 arg2=2  # x\n", "one condition per line"),
    ("read errno=ENOENT  # x\nread errno=EPERM  # y\n", "made to fail in different ways"),
])
def test_refusals(tmp_path, text, message):
    rc, err, _ = run(tmp_path, {"l.syscalls": text})
    assert rc == 1
    assert message in err
    assert "l.syscalls:" in err or "made to fail" in err


def test_output_compiles(tmp_path):
    """The C compiles against the real header, conditions and all."""
    cc = shutil.which("cc")
    if not cc:
        pytest.skip("no C compiler")
    rc, err, _ = run(tmp_path, {"l.syscalls": (
        "include <sys/mman.h>\ninclude <linux/fs.h>\n"
        "ioctl arg1=BLKGETSIZE64  # resize\nmmap arg2&PROT_EXEC=0  # x\n"
        "clone3 errno=ENOSYS  # x\n")})
    assert rc == 0, err
    res = subprocess.run([cc, "-std=gnu11", "-Wall", "-Werror", "-c", "-I", str(ROOT),
                          "-o", str(tmp_path / "t.o"), str(tmp_path / "table.c")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
