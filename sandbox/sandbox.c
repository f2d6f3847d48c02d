/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The stages of the sandbox, from the command line to serving.
 *
 * Theory of operation (docs/security.md has the threat model):
 *
 * 1. sandbox_enter(), right after the command line, before any thread:
 *    capabilities that set-up cannot need are dropped; with
 *    --sandbox=namespace (the default where it works) the mount, IPC, UTS
 *    and PID namespaces are unshared and the program forks: the parent
 *    supervises (supervisor.c), the child, pid 1 of its namespace, goes on.
 *    A default that cannot be had (no privileges, no user namespaces)
 *    falls back to no namespaces with a warning saying why.
 *
 * 2. Set-up, outside this file: backing files, taps, sockets, monitors.
 *    No thread starts: capabilities are per thread, and one started now
 *    would keep those of set-up (slirp's starts at the first attach).
 *
 * 3. sandbox_lock(), once set-up is over and before the threads of serving
 *    (the QMP monitor's, the queue workers, slirp's) start:
 *    a. a new network namespace, unless the device still opens inet
 *       sockets (user netdev, stream reconnecting to an inet address);
 *    b. an empty read-only root (pivot_root, or chroot), unless it still
 *       looks up paths (user netdev: resolv.conf; reconnecting to or
 *       sending to a UNIX socket path); socket files are still removed at
 *       exit through a directory fd (util/unix-socket.c);
 *    c. no core files, bounded open files;
 *    d. every capability dropped, no new privileges, not dumpable;
 *    e. the seccomp allowlist of this program on every thread.
 *    Each part left out is logged with the reason.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/sandbox-config.h"
#include "sandbox/sandbox-int.h"
#include "util/log.h"

#ifdef QD_SANITIZERS
#define SANDBOX_SANITIZERS true
#else
#define SANDBOX_SANITIZERS false
#endif

/* What sandbox_enter() was asked for and what it got, for sandbox_lock() */
static struct {
	struct sandbox_config cfg;
	bool namespaces; /* mount, IPC, UTS, PID namespaces are ours */
} sandbox;

/**
 * sandbox_enter() - First stage: namespaces, before any thread exists
 * @cfg:	options (copied)
 * @errp:	set if an explicit --sandbox cannot be had
 *
 * Return: true to go on with set-up (in the child, with namespaces)
 */
bool sandbox_enter(const struct sandbox_config *cfg, struct error **errp)
{
	bool explicit = cfg->mode >= 0;
	int err;

	sandbox.cfg = *cfg;
	if (!explicit)
		sandbox.cfg.mode = SANDBOX_MODE_NAMESPACE;
	if (!sandbox_caps_drop(SANDBOX_SETUP_CAPS, errp))
		return false;
	if (sandbox.cfg.mode != SANDBOX_MODE_NAMESPACE)
		return true;
	if (!sandbox_ns_unshare(&err, errp))
		return false;
	if (err && explicit) {
		error_setg_errno(errp, err, "--sandbox=namespace: unshare");
		return false;
	}
	if (err) {
		log_warn("sandbox: no namespaces (unshare: %s): running "
			 "without them and without an empty root",
			 strerror(err));
		sandbox.cfg.mode = SANDBOX_MODE_NONE;
		return true;
	}
	sandbox.namespaces = true;
	return sandbox_fork(&sandbox.cfg, errp);
}

/**
 * sandbox_lock_fs() - The network namespace and the empty root
 * @needs:	what the device still needs from the host
 * @errp:	set on failure
 *
 * Return: true on success, or when a part was left out (logged)
 */
static bool sandbox_lock_fs(const struct sandbox_needs *needs,
			    struct error **errp)
{
	if (sandbox.cfg.mode == SANDBOX_MODE_NONE)
		return true;
	if (needs->host_network)
		log_info("sandbox: keeping the host's network: %s",
			 needs->host_network);
	else if (sandbox.namespaces && !sandbox_ns_net(errp))
		return false;
	if (needs->host_fs) {
		log_info("sandbox: keeping the host's file system: %s",
			 needs->host_fs);
		return true;
	}
	if (sandbox.cfg.mode == SANDBOX_MODE_CHROOT && SANDBOX_SANITIZERS) {
		log_warn("sandbox: no chroot in a sanitizer build: "
			 "the leak check at exit reads /proc");
		return true;
	}
	if (sandbox.cfg.mode == SANDBOX_MODE_CHROOT)
		return sandbox_chroot_empty(errp);
	return sandbox_ns_empty_root(errp);
}

/**
 * sandbox_selftest() - Test builds: make the syscall QD_SANDBOX_SELFTEST names
 *
 * Lets a test see what the filter does to a syscall outside the list:
 * SIGSYS (kill), an audit record (log), ENOSYS (trap).
 */
static void sandbox_selftest(void)
{
#ifdef QD_SANDBOX_SELFTEST
	const char *name = getenv("QD_SANDBOX_SELFTEST");
	long r;
	int nr;

	if (!name)
		return;
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		log_err("sandbox selftest: unknown syscall %s", name);
		return;
	}
	log_info("sandbox selftest: calling %s (%d)", name, nr);
	r = syscall(nr, 0, 0, 0, 0, 0, 0);
	log_info("sandbox selftest: %s returned %ld (%s)", name, r,
		 r < 0 ? strerror(errno) : "success");
#endif
}

/**
 * sandbox_lock() - Last stage: give up everything serving does not need
 * @needs:	what the device still needs from the host
 * @errp:	set on failure
 *
 * Return: true once the filter is on (or --seccomp=none)
 */
bool sandbox_lock(const struct sandbox_needs *needs, struct error **errp)
{
	/* A thread started during set-up would keep its capabilities */
	unsigned int threads = sandbox_threads();
	bool caps = sandbox_has_caps();

	if (!sandbox_lock_fs(needs, errp) || !sandbox_limits(errp) ||
	    !sandbox_caps_drop(0, errp) || !sandbox_no_new_privs(errp))
		goto fail;
	if (threads > 1 && caps)
		log_warn("sandbox: %u thread(s) started during set-up keep "
			 "the capabilities of set-up",
			 threads - 1);
	if (sandbox.cfg.seccomp == SANDBOX_SECCOMP_NONE) {
		log_warn("sandbox: no seccomp filter (--seccomp=none)");
	} else if (!sandbox_seccomp_load(sandbox_rules, sandbox_rules_n,
					 sandbox.cfg.seccomp, sandbox.cfg.prog,
					 errp)) {
		goto fail;
	}
	sandbox_selftest();
	return true;
fail:
	error_prepend(errp, "sandbox: ");
	return false;
}
