/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the stages of the sandbox share: namespaces, privileges, seccomp.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_SANDBOX_SANDBOX_INT_H
#define QD_SANDBOX_SANDBOX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox/sandbox.h"
#include "sandbox/seccomp-table.h"
#include "util/error.h"

/* Capabilities set-up may still use between sandbox_enter() and _lock() */
#define SANDBOX_SETUP_CAPS                                                     \
	((1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) |          \
	 (1ULL << CAP_FOWNER) | (1ULL << CAP_NET_ADMIN) |                      \
	 (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_SYS_ADMIN) |            \
	 (1ULL << CAP_SYS_CHROOT) | (1ULL << CAP_SETPCAP))

/* privileges.c */
bool sandbox_has_cap(unsigned int cap);
bool sandbox_has_caps(void);
bool sandbox_caps_drop(uint64_t keep, struct error **errp);
bool sandbox_limits(struct error **errp);
bool sandbox_no_new_privs(struct error **errp);

/* namespaces.c */
bool sandbox_ns_unshare(int *unshare_err, struct error **errp);
unsigned int sandbox_threads(void);
bool sandbox_ns_net(struct error **errp);
bool sandbox_ns_empty_root(struct error **errp);
bool sandbox_chroot_empty(struct error **errp);

/* supervisor.c */
bool sandbox_fork(const struct sandbox_config *cfg, struct error **errp);

/* seccomp.c */
bool sandbox_seccomp_load(const struct sandbox_rule *rules, unsigned int n,
			  enum sandbox_seccomp action, const char *prog,
			  struct error **errp);

#endif /* QD_SANDBOX_SANDBOX_INT_H */
