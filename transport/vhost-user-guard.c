/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest memory guard: a SIGBUS in guest memory costs the session, not the
 * process.
 *
 * The handler only calls mmap() and write(), both async-signal-safe, and
 * reads the table with atomic loads: length, start, length again, so that a
 * slot being rewritten is skipped rather than misread. Replacing the whole
 * mapping (not the page) keeps the table simple and the result predictable:
 * the region reads zeros from then on, until the session ends and unmaps it.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/virtio/guest-memory.h"
#include "transport/vhost-user-guard.h"

/* A table being built aside may coexist with a full one */
#define VU_GUARD_SLOTS (2 * GUEST_MEMORY_MAX_REGIONS)

struct vu_guard_slot {
	uintptr_t start;
	size_t len; /* 0: free */
};

static struct vu_guard_slot vu_guard_slots[VU_GUARD_SLOTS];
static int vu_guard_efd = -1;
static unsigned int vu_guard_faults;
static uintptr_t vu_guard_addr;
static struct sigaction vu_guard_old;

/**
 * vu_guard_find() - the guarded mapping holding an address
 * @a:		address
 * @len:	set to the mapping's length
 *
 * Async-signal-safe.
 *
 * Return: the mapping's start, 0 if none holds @a
 */
static uintptr_t vu_guard_find(uintptr_t a, size_t *len)
{
	for (unsigned int i = 0; i < VU_GUARD_SLOTS; i++) {
		struct vu_guard_slot *s = &vu_guard_slots[i];
		size_t l = __atomic_load_n(&s->len, __ATOMIC_ACQUIRE);
		uintptr_t start = __atomic_load_n(&s->start, __ATOMIC_ACQUIRE);

		if (!l || l != __atomic_load_n(&s->len, __ATOMIC_ACQUIRE))
			continue;
		if (a >= start && a - start < l) {
			*len = l;
			return start;
		}
	}
	return 0;
}

/**
 * vu_guard_handler() - SIGBUS: replace the guest memory mapping that faulted
 * @sig:	SIGBUS
 * @si:		where it faulted
 * @uctx:	context, passed on to a previous handler
 */
static void vu_guard_handler(int sig, siginfo_t *si, void *uctx)
{
	static const uint64_t one = 1;
	uintptr_t a = (uintptr_t)si->si_addr, start;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int saved = errno;
	size_t len;
	ssize_t r;

	start = vu_guard_find(a, &len);
	if (start &&
	    mmap((void *)start, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
		 0) != MAP_FAILED) {
		__atomic_store_n(&vu_guard_addr, a, __ATOMIC_RELAXED);
		__atomic_fetch_add(&vu_guard_faults, 1, __ATOMIC_RELEASE);
		/* The count is what matters: a failed wake-up is not lost */
		r = write(__atomic_load_n(&vu_guard_efd, __ATOMIC_ACQUIRE),
			  &one, sizeof(one));
		(void)r;
		errno = saved;
		return;
	}
	/* Not guest memory: a bug. Fault again, the way it was before us */
	if ((vu_guard_old.sa_flags & SA_SIGINFO) && vu_guard_old.sa_sigaction) {
		vu_guard_old.sa_sigaction(sig, si, uctx);
		return;
	}
	if (vu_guard_old.sa_handler != SIG_DFL &&
	    vu_guard_old.sa_handler != SIG_IGN) {
		vu_guard_old.sa_handler(sig);
		return;
	}
	sigaction(SIGBUS, &dfl, NULL);
	errno = saved;
}

/**
 * vu_guard_start() - install the SIGBUS handler and set the eventfd to signal
 * @efd:	eventfd, the caller's
 * @errp:	set if the handler cannot be installed
 *
 * The handler is installed once per process; a later call only changes the
 * eventfd.
 *
 * Return: true if the guard is on
 */
bool vu_guard_start(int efd, struct error **errp)
{
	static bool installed;
	struct sigaction sa;

	if (!installed) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = vu_guard_handler;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, &vu_guard_old) < 0) {
			error_setg_errno(errp, errno,
					 "guest memory guard: sigaction");
			return false;
		}
		installed = true;
	}
	__atomic_store_n(&vu_guard_efd, efd, __ATOMIC_RELEASE);
	return true;
}

/**
 * vu_guard_stop() - signal no eventfd any more
 *
 * The handler stays: guest memory may still be mapped, and a fault in it is
 * still better answered with zeros.
 */
void vu_guard_stop(void)
{
	__atomic_store_n(&vu_guard_efd, -1, __ATOMIC_RELEASE);
}

/**
 * vu_guard_add() - guard a mapping of guest memory
 * @addr:	start of the mapping
 * @len:	its length
 *
 * Return: false if every slot is in use
 */
bool vu_guard_add(void *addr, size_t len)
{
	for (unsigned int i = 0; i < VU_GUARD_SLOTS; i++) {
		struct vu_guard_slot *s = &vu_guard_slots[i];

		if (__atomic_load_n(&s->len, __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&s->start, (uintptr_t)addr, __ATOMIC_RELEASE);
		__atomic_store_n(&s->len, len, __ATOMIC_RELEASE);
		return true;
	}
	return false;
}

/**
 * vu_guard_remove() - stop guarding a mapping, before it is unmapped
 * @addr:	start of the mapping, as given to vu_guard_add()
 */
void vu_guard_remove(void *addr)
{
	for (unsigned int i = 0; i < VU_GUARD_SLOTS; i++) {
		struct vu_guard_slot *s = &vu_guard_slots[i];

		if (__atomic_load_n(&s->len, __ATOMIC_RELAXED) &&
		    __atomic_load_n(&s->start, __ATOMIC_RELAXED) ==
			    (uintptr_t)addr) {
			__atomic_store_n(&s->len, 0, __ATOMIC_RELEASE);
			__atomic_store_n(&s->start, 0, __ATOMIC_RELEASE);
			return;
		}
	}
}

/**
 * vu_guard_take() - consume the faults caught since the last call
 * @addr:	set to the last faulting address, if any
 *
 * Drains the eventfd too.
 *
 * Return: the number of faults caught
 */
unsigned int vu_guard_take(uintptr_t *addr)
{
	unsigned int n =
		__atomic_exchange_n(&vu_guard_faults, 0, __ATOMIC_ACQUIRE);
	int efd = __atomic_load_n(&vu_guard_efd, __ATOMIC_ACQUIRE);
	uint64_t v;
	ssize_t r;

	/* Nothing to drain (EAGAIN) is fine: the count is what matters */
	if (efd >= 0) {
		r = read(efd, &v, sizeof(v));
		(void)r;
	}
	*addr = __atomic_load_n(&vu_guard_addr, __ATOMIC_RELAXED);
	return n;
}
