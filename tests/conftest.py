# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest fixtures shared by the process-level suites (integration, e2e)."""
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from qdtest.process import Backend  # noqa: E402


@pytest.fixture(scope="session")
def build_dir() -> Path:
    """The meson build directory under test (QD_BUILD_DIR, default ./build)."""
    path = Path(os.environ.get("QD_BUILD_DIR", "build")).resolve()
    if not path.is_dir():
        pytest.fail(f"build directory {path} does not exist: run meson first")
    return path


@pytest.fixture(scope="session")
def blk_binary(build_dir) -> Path:
    path = build_dir / "qemu-dev-vhost-user-blk"
    if not path.exists():
        pytest.fail(f"{path} was not built")
    return path


@pytest.fixture(scope="session")
def net_binary(build_dir) -> Path:
    path = build_dir / "qemu-dev-vhost-user-net"
    if not path.exists():
        pytest.fail(f"{path} was not built")
    return path


@pytest.fixture(scope="session")
def frontend_tool(build_dir) -> Path:
    """The C test front-end (tests/frontend), a vhost-user client and load generator."""
    path = build_dir / "tests" / "frontend" / "qd-frontend"
    if not path.exists():
        pytest.fail(f"{path} was not built")
    return path


@pytest.fixture
def short_tmp():
    """A short temporary directory: UNIX socket paths must fit in 108 bytes."""
    path = Path(tempfile.mkdtemp(prefix="qd-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def backend_factory(short_tmp):
    """Start back-end processes; every one still running is stopped at teardown."""
    started = []

    def start(argv, **kwargs):
        b = Backend(argv, workdir=short_tmp, **kwargs)
        started.append(b)
        return b

    yield start
    reports = []
    for b in started:
        b.kill()
        report = b.sanitizer_report()
        if report:
            reports.append(f"{b.argv[0]}:\n{report}")
    if reports:
        pytest.fail("sanitizer reports in back-end logs:\n" + "\n".join(reports))
