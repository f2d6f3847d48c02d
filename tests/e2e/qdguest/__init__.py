# SPDX-License-Identifier: GPL-2.0-or-later
"""A throw-away Linux guest for end-to-end tests: initramfs builder and QEMU runner."""
