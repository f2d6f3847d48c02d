/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seccomp allowlist of a program, as scripts/seccomp-gen.py generates it.
 *
 * The build assembles each program's table from the syscall lists
 * (NAME.syscalls) of the modules its Kconfig config selected, so a program
 * allows only what its own code makes. Names are resolved by libseccomp for
 * the architecture at run time.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_SANDBOX_SECCOMP_TABLE_H
#define QD_SANDBOX_SECCOMP_TABLE_H

#include <stdbool.h>
#include <stdint.h>

enum sandbox_action {
	SANDBOX_ALLOW, /* allowed (if the condition holds) */
	SANDBOX_ERRNO, /* fails with .err, whatever the arguments */
};

/* One rule: a syscall, allowed if (argument .arg & .mask) == .value */
struct sandbox_rule {
	const char *name;
	enum sandbox_action action;
	int err;
	int arg; /* -1: no condition */
	uint64_t mask, value;
	bool value_is_pid; /* .value is our process id, known at run time */
	const char *cond;  /* the condition as the list wrote it, or "" */
	const char *who;   /* the lists that asked for it */
};

/* The program's table (seccomp-PROGRAM.c) */
extern const struct sandbox_rule sandbox_rules[];
extern const unsigned int sandbox_rules_n;
/* The supervisor's, the parent that waits outside the PID namespace */
extern const struct sandbox_rule sandbox_supervisor_rules[];
extern const unsigned int sandbox_supervisor_rules_n;

#endif /* QD_SANDBOX_SECCOMP_TABLE_H */
