/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seccomp filter: the program's allowlist, built with libseccomp.
 *
 * The table comes from the build (seccomp-table.h); a syscall outside it
 * kills the process (SCMP_ACT_KILL_PROCESS), is logged by the kernel's audit
 * (SCMP_ACT_LOG), or fails with ENOSYS after our SIGSYS handler logged its
 * number and name (SCMP_ACT_TRAP). The filter is applied to every thread at
 * once (TSYNC), so threads started during set-up are covered too.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"

/* Where the SIGSYS handler sets a syscall's return value */
#if defined(__x86_64__)
#define SANDBOX_TRAP_RET(uc) ((uc)->uc_mcontext.gregs[REG_RAX])
#elif defined(__aarch64__)
#define SANDBOX_TRAP_RET(uc) ((uc)->uc_mcontext.regs[0])
#endif

/* Syscall numbers whose names the SIGSYS handler knows */
#define SANDBOX_TRAP_NAMES 512

/* For the SIGSYS handler: resolved before the filter, never freed */
static const char *sandbox_trap_prog;
static char *sandbox_trap_names[SANDBOX_TRAP_NAMES];

/**
 * sandbox_fmt_uint() - Append a decimal number (async-signal-safe)
 * @buf:	buffer
 * @pos:	where to write, advanced
 * @size:	size of @buf
 * @v:		number
 */
static void sandbox_fmt_uint(char *buf, size_t *pos, size_t size,
			     unsigned long v)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && *pos < size)
		buf[(*pos)++] = digits[--n];
}

/**
 * sandbox_fmt_str() - Append a string (async-signal-safe)
 * @buf:	buffer
 * @pos:	where to write, advanced
 * @size:	size of @buf
 * @s:		string
 */
static void sandbox_fmt_str(char *buf, size_t *pos, size_t size, const char *s)
{
	while (*s && *pos < size)
		buf[(*pos)++] = *s++;
}

/**
 * sandbox_sigsys() - SIGSYS of --seccomp=trap: log the call, fail it
 * @sig:	SIGSYS
 * @si:		si_syscall is the number
 * @ctx:	the ucontext, whose return register gets -ENOSYS
 */
static void sandbox_sigsys(int sig, siginfo_t *si, void *ctx)
{
	unsigned int nr = (unsigned int)si->si_syscall;
	int saved = errno;
	char buf[160];
	size_t n = 0;

	(void)sig;
	sandbox_fmt_str(buf, &n, sizeof(buf), sandbox_trap_prog);
	sandbox_fmt_str(buf, &n, sizeof(buf),
			": error: seccomp: blocked syscall ");
	sandbox_fmt_uint(buf, &n, sizeof(buf), nr);
	sandbox_fmt_str(buf, &n, sizeof(buf), " (");
	sandbox_fmt_str(buf, &n, sizeof(buf),
			nr < SANDBOX_TRAP_NAMES && sandbox_trap_names[nr]
				? sandbox_trap_names[nr]
				: "?");
	sandbox_fmt_str(buf, &n, sizeof(buf), "), failed with ENOSYS\n");
	if (write(STDERR_FILENO, buf, n) < 0)
		(void)0;
#ifdef SANDBOX_TRAP_RET
	SANDBOX_TRAP_RET((ucontext_t *)ctx) = -ENOSYS;
#else
	(void)ctx;
#endif
	errno = saved;
}

/**
 * sandbox_trap_setup() - Name the syscalls and install the SIGSYS handler
 * @prog:	program name, the prefix of the handler's message
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool sandbox_trap_setup(const char *prog, struct error **errp)
{
	struct sigaction sa = { .sa_sigaction = sandbox_sigsys,
				.sa_flags = SA_SIGINFO };
	unsigned int nr;

#ifndef SANDBOX_TRAP_RET
	error_setg(errp, "--seccomp=trap: not supported on this architecture");
	return false;
#endif
	sandbox_trap_prog = prog;
	for (nr = 0; nr < SANDBOX_TRAP_NAMES; nr++)
		if (!sandbox_trap_names[nr])
			sandbox_trap_names[nr] =
				seccomp_syscall_resolve_num_arch(
					SCMP_ARCH_NATIVE, (int)nr);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		error_setg_errno(errp, errno, "sigaction(SIGSYS)");
		return false;
	}
	return true;
}

/**
 * sandbox_rule_add() - Add one rule of the table to the filter
 * @ctx:	filter
 * @r:		rule
 * @errp:	set on failure, naming the syscall
 *
 * Return: true on success, or if the architecture has no such syscall
 */
static bool sandbox_rule_add(scmp_filter_ctx ctx, const struct sandbox_rule *r,
			     struct error **errp)
{
	int nr = seccomp_syscall_resolve_name(r->name);
	uint64_t value = r->value_is_pid ? (uint64_t)getpid() : r->value;
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return true;
	if (r->action == SANDBOX_ERRNO)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)r->err), nr,
				      0);
	else if (r->arg < 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	else
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				      SCMP_CMP((unsigned int)r->arg,
					       SCMP_CMP_MASKED_EQ, r->mask,
					       value));
	if (rc < 0) {
		error_setg_errno(errp, -rc, "seccomp: rule for %s %s", r->name,
				 r->cond);
		return false;
	}
	return true;
}

/**
 * sandbox_seccomp_load() - Build and apply a filter to every thread
 * @rules:	allowlist
 * @n:		entries in @rules
 * @action:	what any other syscall does (not SANDBOX_SECCOMP_NONE)
 * @prog:	program name, for --seccomp=trap's messages
 * @errp:	set on failure
 *
 * Return: true on success
 */
bool sandbox_seccomp_load(const struct sandbox_rule *rules, unsigned int n,
			  enum sandbox_seccomp action, const char *prog,
			  struct error **errp)
{
	static const uint32_t actions[] = {
		[SANDBOX_SECCOMP_KILL] = SCMP_ACT_KILL_PROCESS,
		[SANDBOX_SECCOMP_LOG] = SCMP_ACT_LOG,
		[SANDBOX_SECCOMP_TRAP] = SCMP_ACT_TRAP,
	};
	scmp_filter_ctx ctx;
	unsigned int i;
	bool ok = false;
	int rc;

	if (action == SANDBOX_SECCOMP_TRAP && !sandbox_trap_setup(prog, errp))
		return false;
	ctx = seccomp_init(actions[action]);
	if (!ctx) {
		error_setg(errp, "seccomp: cannot create a filter");
		return false;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc < 0) {
		error_setg_errno(errp, -rc, "seccomp: thread synchronization");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!sandbox_rule_add(ctx, &rules[i], errp))
			goto out;
	rc = seccomp_load(ctx);
	if (rc < 0) {
		error_setg_errno(errp, -rc, "seccomp: cannot load the filter");
		goto out;
	}
	ok = true;
out:
	seccomp_release(ctx);
	return ok;
}

/**
 * sandbox_print_seccomp() - Print the program's allowlist
 * @out:	stream
 *
 * One line per rule: the syscall, its condition ("-" for none), the lists
 * that asked for it. Rules that make a syscall fail say errno=E.
 */
void sandbox_print_seccomp(FILE *out)
{
	unsigned int i;

	for (i = 0; i < sandbox_rules_n; i++) {
		const struct sandbox_rule *r = &sandbox_rules[i];

		fprintf(out, "%s\t%s\t%s\n", r->name, *r->cond ? r->cond : "-",
			r->who);
	}
}
