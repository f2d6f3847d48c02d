/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parent that stays outside the new PID namespace while its child serves.
 *
 * A PID namespace takes effect for children only, so the program forks once
 * it is unshared: the child (pid 1 inside) goes on to serve, the parent
 * forwards SIGTERM, SIGINT and SIGHUP to it and exits as it did, with its
 * status or by its signal. A manager sees one process that behaves as the
 * program always did. The parent closes every file, gives up every
 * privilege and runs under its own small seccomp filter; the child dies
 * with it (PR_SET_PDEATHSIG).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"
#include "util/log.h"

/**
 * sandbox_supervisor_signals() - The signals the parent waits for
 * @set:	filled
 */
static void sandbox_supervisor_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

/**
 * sandbox_exit_as() - Exit the way the child did
 * @status:	the child's wait status
 */
static void __attribute__((noreturn)) sandbox_exit_as(int status)
{
	sigset_t set;
	int sig;

	/* _exit(): nothing of the parent's to flush, no leak check to run */
	if (!WIFSIGNALED(status))
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE);
	sig = WTERMSIG(status);
	if (sig == SIGSYS)
		log_err("the serving process was killed by SIGSYS: a syscall "
			"outside the seccomp allowlist");
	else
		log_err("the serving process was killed by signal %d (%s)", sig,
			strsignal(sig));
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/**
 * sandbox_supervise() - The parent's life: forward signals, wait, exit
 * @child:	the serving process
 * @cfg:	sandbox options (the seccomp action)
 */
static void __attribute__((noreturn))
sandbox_supervise(pid_t child, const struct sandbox_config *cfg)
{
	struct error *err = NULL;
	sigset_t set;
	int status;

	sandbox_supervisor_signals(&set);
	/* Its copy of an inherited connection would hide the child's close */
	close_range(STDERR_FILENO + 1, ~0U, 0);
	if (!sandbox_caps_drop(0, &err) || !sandbox_no_new_privs(&err) ||
	    (cfg->seccomp != SANDBOX_SECCOMP_NONE &&
	     !sandbox_seccomp_load(sandbox_supervisor_rules,
				   sandbox_supervisor_rules_n, cfg->seccomp,
				   cfg->prog, &err))) {
		error_prepend(&err, "sandbox: supervisor: ");
		error_report_err(err);
		kill(child, SIGKILL);
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		if (waitpid(child, &status, WNOHANG) == child)
			sandbox_exit_as(status);
	}
}

/**
 * sandbox_fork() - Fork the serving process into the new PID namespace
 * @cfg:	sandbox options
 * @errp:	set if fork() failed
 *
 * The termination signals are blocked before fork() and stay blocked in
 * the child: a SIGTERM the parent forwards waits for the child's signalfd
 * instead of killing a pid 1 that has no handler yet.
 *
 * Return: true in the child; the parent never returns
 */
bool sandbox_fork(const struct sandbox_config *cfg, struct error **errp)
{
	sigset_t set, old, chld;
	pid_t pid;

	sandbox_supervisor_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid < 0) {
		error_setg_errno(errp, errno, "sandbox: fork");
		sigprocmask(SIG_SETMASK, &old, NULL);
		return false;
	}
	if (pid > 0)
		sandbox_supervise(pid, cfg);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (!sigismember(&old, SIGCHLD)) {
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
	}
	return true;
}
