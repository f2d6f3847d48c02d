/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sandbox a program enters before it serves: namespaces, an empty root,
 * no privileges, and a seccomp allowlist.
 *
 * Two calls, in this order (sandbox.c explains the stages):
 * sandbox_enter() right after the command line is parsed, before any thread
 * exists, and sandbox_lock() once set-up is over (backing files, taps and
 * sockets open), right before the program serves.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_SANDBOX_SANDBOX_H
#define QD_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"

struct virtio_device;

/* --sandbox: the choices, in this order */
enum sandbox_mode {
	SANDBOX_MODE_NAMESPACE, /* mount, IPC, UTS, PID (and net) namespaces */
	SANDBOX_MODE_CHROOT,	/* chroot into an empty directory */
	SANDBOX_MODE_NONE,
};
#define SANDBOX_MODE_CHOICES                                                   \
	{                                                                      \
		"namespace", "chroot", "none", NULL                            \
	}

/* --seccomp: what a syscall outside the allowlist does, in this order */
enum sandbox_seccomp {
	SANDBOX_SECCOMP_KILL, /* the process dies of SIGSYS */
	SANDBOX_SECCOMP_LOG,  /* allowed, and logged by the kernel (audit) */
	SANDBOX_SECCOMP_TRAP, /* fails with ENOSYS, logged by us */
	SANDBOX_SECCOMP_NONE, /* no filter */
};
#define SANDBOX_SECCOMP_CHOICES                                                \
	{                                                                      \
		"kill", "log", "trap", "none", NULL                            \
	}

struct sandbox_config {
	const char *prog; /* program name, for messages */
	int mode;	  /* enum sandbox_mode; -1: namespace where it works */
	int seccomp;	  /* enum sandbox_seccomp */
};

/* What the device still needs from the host once it serves */
struct sandbox_needs {
	const char *host_network; /* why it keeps the host's network, or NULL */
	const char *host_fs;	  /* why it keeps the host's files, or NULL */
};

/*
 * sandbox_enter() - the first stage, before any thread exists: with
 * namespaces, unshare them and fork; the parent waits for the serving child
 * and exits as it does, so only the child returns. Return: false if
 * --sandbox=namespace or chroot was asked for and cannot be had.
 */
bool sandbox_enter(const struct sandbox_config *cfg, struct error **errp);
/* sandbox_device_needs() - what @dev needs (one implementation per program) */
void sandbox_device_needs(struct virtio_device *dev,
			  struct sandbox_needs *needs);
/*
 * sandbox_lock() - the last stage, once set-up is over: net namespace, empty
 * root, limits, no privileges, seccomp. Threads that exist already get the
 * filter but keep their capabilities. Return: false if a step failed.
 */
bool sandbox_lock(const struct sandbox_needs *needs, struct error **errp);
/* sandbox_print_seccomp() - the allowlist: "NAME\tCONDITION\tLISTS" lines */
void sandbox_print_seccomp(FILE *out);

#endif /* QD_SANDBOX_SANDBOX_H */
