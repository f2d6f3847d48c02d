/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Threads that take no asynchronous signal.
 *
 * Termination signals belong to the main thread's signalfd, so the helper
 * threads (QMP monitor, slirp) start with them blocked. Synchronous signals
 * stay open: a blocked SIGSYS would turn --seccomp=trap into a kill on that
 * thread, and a blocked SIGBUS or SIGSEGV kills without its handler.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_UTIL_THREAD_H
#define QD_UTIL_THREAD_H

#include <pthread.h>

/*
 * thread_create_quiet() - pthread_create() with every signal blocked in the
 * new thread but SIGSYS, SIGBUS, SIGSEGV, SIGFPE, SIGILL, SIGTRAP and
 * SIGABRT; the caller's mask is unchanged. Return: 0 or an errno value.
 */
int thread_create_quiet(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif /* QD_UTIL_THREAD_H */
