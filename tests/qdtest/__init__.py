# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for qemu-dev's process-level tests."""
