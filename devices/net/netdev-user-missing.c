/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stops a build whose config enables user-mode networking without libslirp.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#error "CONFIG_NETDEV_USER=y needs libslirp: install libslirp-dev (Debian) and reconfigure, or disable CONFIG_NETDEV_USER in the program's configs/*.config"
