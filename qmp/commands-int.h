/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the QMP command and event files.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_QMP_COMMANDS_INT_H
#define QD_QMP_COMMANDS_INT_H

#include <stdint.h>

#include "qmp/qmp-gen.h"

/* Status bits VirtioStatusBit names */
#define QMP_VIRTIO_STATUS_BITS 6

/*
 * qmp_virtio_status_bits() - the bits set in @status as VirtioStatusBit
 * values, in bit order, into @out; returns how many
 */
unsigned int qmp_virtio_status_bits(uint8_t status,
				    enum qmp_virtio_status_bit *out);

#endif /* QD_QMP_COMMANDS_INT_H */
