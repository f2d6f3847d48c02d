/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Threads that take no asynchronous signal (util/thread.h).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <signal.h>

#include "util/thread.h"

/* Raised by the faulting thread itself: never blocked */
static const int thread_sync_signals[] = { SIGSYS, SIGBUS,  SIGSEGV, SIGFPE,
					   SIGILL, SIGTRAP, SIGABRT };

/**
 * thread_create_quiet() - Start a thread that takes no asynchronous signal
 * @thread:	the new thread's id
 * @fn:		its function
 * @arg:	its argument
 *
 * The new thread inherits the mask in place at pthread_create(), so the
 * mask is set around the call and restored after it.
 *
 * Return: 0 on success, else the errno value of pthread_create()
 */
int thread_create_quiet(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t mask, old;
	unsigned int i;
	int r;

	sigfillset(&mask);
	for (i = 0; i < sizeof(thread_sync_signals) / sizeof(int); i++)
		sigdelset(&mask, thread_sync_signals[i]);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	r = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
