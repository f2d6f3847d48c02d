/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Build stop for a program configured with io_uring on a host without
 * liburing: meson compiles this file instead of the io_uring engine.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#error "CONFIG_LINUX_IO_URING=y needs liburing: install liburing-dev (Debian) and reconfigure, or disable CONFIG_LINUX_IO_URING in the program's configs/*.config"
