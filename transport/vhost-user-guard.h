/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest memory guard: survive a front-end that shrinks a file we mapped.
 *
 * Guest memory is the front-end's file, mapped shared. If the front-end
 * truncates it, every access to the pages past the new end raises SIGBUS,
 * which would kill the back-end. The guard keeps a table of the mappings of
 * guest memory; a SIGBUS inside one replaces that mapping with anonymous
 * zeroed memory (the access then goes on, reading zeros), counts the fault
 * and signals an eventfd, so the control thread ends the session. A SIGBUS
 * anywhere else gets the signal's previous disposition: it is a bug, and the
 * process dies of it as before.
 *
 * The table is written by the control thread only, while no queue uses the
 * mapping being added or removed; the handler reads it lock-free.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TRANSPORT_VHOST_USER_GUARD_H
#define QD_TRANSPORT_VHOST_USER_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/*
 * vu_guard_start() - install the SIGBUS handler (once per process) and have
 * it signal @efd, an eventfd, after it caught a fault. Call while setting up,
 * before the sandbox: installing the handler needs sigaction().
 */
bool vu_guard_start(int efd, struct error **errp);
/* vu_guard_stop() - signal no eventfd any more (the handler stays) */
void vu_guard_stop(void);
/*
 * vu_guard_add() - guard a mapping of guest memory.
 * Return: false if the table is full (the caller refuses the region).
 */
bool vu_guard_add(void *addr, size_t len);
/* vu_guard_remove() - stop guarding the mapping at @addr, before munmap() */
void vu_guard_remove(void *addr);
/*
 * vu_guard_take() - consume the faults caught since the last call.
 * Return: their number (0: none); *@addr is the last faulting address.
 */
unsigned int vu_guard_take(uintptr_t *addr);

#endif /* QD_TRANSPORT_VHOST_USER_GUARD_H */
