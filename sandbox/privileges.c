/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Privileges a serving program gives up: capabilities, resource limits, the
 * right to gain privileges, core dumps.
 *
 * Capabilities are per thread: capset() changes the calling thread only,
 * and threads inherit them when created. So the stage that drops them runs
 * before the threads of serving exist. No library: capget/capset and prctl.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"

/*
 * Open files while serving: per queue a kick, call and error eventfd, the
 * worker's epoll and control fds, an io_uring and its eventfd or a tap
 * queue (64 queue pairs: about 700), a front-end's memory regions while a
 * table is mapped (up to 509 with CONFIGURE_MEM_SLOTS), QMP clients (16 per
 * monitor) and slirp's sockets. A manager that raised the limit above this
 * keeps its value.
 */
#define SANDBOX_NOFILE 4096

/**
 * sandbox_caps_get() - This thread's capabilities
 * @hdr:	header to fill
 * @data:	the two words of capabilities
 *
 * Return: 0, or -1 with errno set
 */
static int sandbox_caps_get(struct __user_cap_header_struct *hdr,
			    struct __user_cap_data_struct data[2])
{
	hdr->version = _LINUX_CAPABILITY_VERSION_3;
	hdr->pid = 0;
	return (int)syscall(SYS_capget, hdr, data);
}

/**
 * sandbox_has_cap() - Whether this thread has a capability in effect
 * @cap:	CAP_*
 *
 * Return: true if effective
 */
bool sandbox_has_cap(unsigned int cap)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	if (sandbox_caps_get(&hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

/**
 * sandbox_has_caps() - Whether this thread has any capability in effect
 *
 * Return: true if its effective set is not empty
 */
bool sandbox_has_caps(void)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	if (sandbox_caps_get(&hdr, data) < 0)
		return false;
	return data[0].effective || data[1].effective;
}

/**
 * sandbox_caps_bound() - Drop capabilities from the bounding set
 * @keep:	the ones to keep (bit CAP_x)
 * @errp:	set if one could not be dropped
 *
 * The bounding set limits what an executed program could gain; we never
 * execute one, but nothing should be left to gain. Dropping needs
 * CAP_SETPCAP: without it (not root, no user namespace) the set stays.
 *
 * Return: true on success, or if we may not change it
 */
static bool sandbox_caps_bound(uint64_t keep, struct error **errp)
{
	unsigned int cap;

	if (!sandbox_has_cap(CAP_SETPCAP))
		return true;
	/* PR_CAPBSET_READ fails with EINVAL past the kernel's last one */
	for (cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0;
	     cap++) {
		if ((keep & (1ULL << cap)) ||
		    !prctl(PR_CAPBSET_READ, cap, 0, 0, 0))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			error_setg_errno(errp, errno,
					 "cannot drop capability %u from the "
					 "bounding set",
					 cap);
			return false;
		}
	}
	return true;
}

/**
 * sandbox_caps_drop() - Keep only some capabilities on this thread
 * @keep:	capabilities to keep in the effective, permitted and bounding
 *		sets (bit CAP_x); none are inheritable or ambient afterwards
 * @errp:	set on failure
 *
 * Return: true on success
 */
bool sandbox_caps_drop(uint64_t keep, struct error **errp)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];
	int i;

	if (!sandbox_caps_bound(keep, errp))
		return false;
	/* EINVAL: a kernel without ambient capabilities has none to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL) {
		error_setg_errno(errp, errno,
				 "cannot clear the ambient capabilities");
		return false;
	}
	if (sandbox_caps_get(&hdr, data) < 0) {
		error_setg_errno(errp, errno, "capget");
		return false;
	}
	for (i = 0; i < 2; i++) {
		uint32_t mask = (uint32_t)(keep >> (32 * i));

		data[i].effective &= mask;
		data[i].permitted &= mask;
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data) < 0) {
		error_setg_errno(errp, errno, "cannot drop capabilities");
		return false;
	}
	return true;
}

/**
 * sandbox_limit() - Lower one resource limit
 * @res:	RLIMIT_*
 * @value:	soft and hard limit, unless the soft limit is already lower
 * @what:	name, for the error
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool sandbox_limit(int res, rlim_t value, const char *what,
			  struct error **errp)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) < 0) {
		error_setg_errno(errp, errno, "getrlimit(%s)", what);
		return false;
	}
	if (rl.rlim_cur > value)
		value = rl.rlim_cur;
	if (rl.rlim_max < value)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	if (setrlimit(res, &rl) < 0) {
		error_setg_errno(errp, errno, "setrlimit(%s)", what);
		return false;
	}
	return true;
}

/**
 * sandbox_limits() - Resource limits for serving
 * @errp:	set on failure
 *
 * No core file (it would hold guest memory); open files bounded, hard
 * limit included, so that a subverted process cannot raise it. Processes:
 * see docs/security.md, the filter allows clone() of threads only.
 *
 * Return: true on success
 */
bool sandbox_limits(struct error **errp)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) < 0) {
		error_setg_errno(errp, errno, "setrlimit(RLIMIT_CORE)");
		return false;
	}
	return sandbox_limit(RLIMIT_NOFILE, SANDBOX_NOFILE, "RLIMIT_NOFILE",
			     errp);
}

/**
 * sandbox_no_new_privs() - Never gain privileges again; not dumpable
 * @errp:	set on failure
 *
 * Not dumpable: no core file, and no process of the same user may ptrace
 * us or read our memory through /proc.
 *
 * Return: true on success
 */
bool sandbox_no_new_privs(struct error **errp)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		error_setg_errno(errp, errno, "PR_SET_NO_NEW_PRIVS");
		return false;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		error_setg_errno(errp, errno, "PR_SET_DUMPABLE");
		return false;
	}
	return true;
}
