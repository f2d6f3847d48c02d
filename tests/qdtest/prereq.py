# SPDX-License-Identifier: GPL-2.0-or-later
"""Missing prerequisites: a skip on a developer's machine, a failure in CI.

CI installs every package the suites need (scripts/deps.sh), so there a
missing QEMU, kernel or peer means the set-up broke, and a green run that
silently skipped the guest tests would be a lie.
"""
import os

import pytest


def missing(reason: str):
    """Skip the test for @reason, or fail it when running in CI (CI=true)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"prerequisite missing in CI: {reason}")
    pytest.skip(reason)
