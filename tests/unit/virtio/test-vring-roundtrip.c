/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the vring driver and the virtqueue together: requests go
 * round trip, in one thread and across two threads with eventfd kicks and
 * calls, with all combinations of EVENT_IDX and indirect tables.
 *
 * Each request has a slot of guest memory split into random readable and
 * writable buffers; one slot crosses from one RAM region into the other. The
 * device answers with bytes derived from the request id, so a mixed-up
 * completion, length or buffer shows up in the data. More than 65536 requests
 * run, so the 16-bit ring indices wrap.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>

#include "tests/unit/virtio/vq-test-util.h"

#define SLOT_SIZE 4096
#define MAX_BUFS  6
#define WAIT_MS	  5000

struct req {
	uint32_t id;
	unsigned int slot;
	unsigned int out_n, in_n;
	struct vring_buf out[MAX_BUFS], in[MAX_BUFS];
	uint32_t in_len;
};

struct rt {
	struct vq_fixture f;
	GRand *rand;
	uint64_t slot_base;
	struct req *reqs; /* [num], by slot */
	unsigned int *free_slots;
	unsigned int nfree;
	uint32_t next_id;
	unsigned long completed;
	int kick_fd;
};

/**
 * slot_gpa() - guest address of a request slot
 * @rt:		test state
 * @slot:	slot number
 *
 * Return: GPA of the slot; slot num/2 crosses into the second RAM region
 */
static uint64_t slot_gpa(const struct rt *rt, unsigned int slot)
{
	return rt->slot_base + (uint64_t)slot * SLOT_SIZE;
}

/**
 * rt_init() - set up a queue and the request slots
 * @rt:		test state
 * @num:	queue size
 * @event_idx:	negotiate EVENT_IDX
 * @indirect:	negotiate and use indirect tables
 */
static void rt_init(struct rt *rt, unsigned int num, bool event_idx,
		    bool indirect)
{
	unsigned int i;

	memset(rt, 0, sizeof(*rt));
	vq_fixture_init(&rt->f, num, event_idx, indirect, 0);
	rt->rand = g_rand_new_with_seed(num * 4 + event_idx * 2 + indirect);
	rt->slot_base = TG_RAM1_GPA - (uint64_t)(num / 2) * SLOT_SIZE - 2048;
	g_assert_cmpuint(rt->slot_base, >=, TG_DATA_GPA);
	g_assert_cmpuint(slot_gpa(rt, num), <=, TG_RAM_END);
	rt->reqs = g_new0(struct req, num);
	rt->free_slots = g_new(unsigned int, num);
	for (i = 0; i < num; i++)
		rt->free_slots[i] = i;
	rt->nfree = num;
	rt->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g_assert_cmpint(rt->kick_fd, >=, 0);
}

/**
 * rt_cleanup() - free the test state
 * @rt:	test state
 */
static void rt_cleanup(struct rt *rt)
{
	close(rt->kick_fd);
	g_free(rt->reqs);
	g_free(rt->free_slots);
	g_rand_free(rt->rand);
	vq_fixture_cleanup(&rt->f);
}

/**
 * split_slot() - cut a slot into random readable then writable buffers
 * @rt:		test state
 * @r:		request to fill (slot set)
 */
static void split_slot(struct rt *rt, struct req *r)
{
	uint64_t gpa = slot_gpa(rt, r->slot);
	unsigned int i;

	r->out_n = g_rand_int_range(rt->rand, 1, 4);
	r->in_n = g_rand_int_range(rt->rand, 0, 4);
	r->in_len = 0;
	for (i = 0; i < r->out_n + r->in_n; i++) {
		/* 8 bytes minimum: the first one carries the id */
		uint32_t len = g_rand_int_range(rt->rand, 8, 600);
		struct vring_buf *b =
			i < r->out_n ? &r->out[i] : &r->in[i - r->out_n];

		b->gpa = gpa;
		b->len = len;
		gpa += len;
		if (i >= r->out_n)
			r->in_len += len;
	}
	g_assert_cmpuint(gpa, <=, slot_gpa(rt, r->slot + 1));
}

/**
 * driver_add() - offer one new request if a slot and descriptors are free
 * @rt:	test state
 *
 * Return: true if added
 */
static bool driver_add(struct rt *rt)
{
	unsigned int pick;
	struct req *r;
	uint32_t id;
	int head;

	if (!rt->nfree)
		return false;
	pick = g_rand_int_range(rt->rand, 0, rt->nfree);
	r = &rt->reqs[rt->free_slots[pick]];
	r->slot = rt->free_slots[pick];
	split_slot(rt, r);

	head = vring_driver_add(&rt->f.drv, r->out, r->out_n, r->in, r->in_n,
				r);
	if (head < 0)
		return false;
	r->id = rt->next_id++;
	id = r->id;
	test_guest_write(&rt->f.g, r->out[0].gpa, &id, sizeof(id));
	rt->free_slots[pick] = rt->free_slots[--rt->nfree];
	return true;
}

/**
 * reply_byte() - what the device writes at @off of the reply to request @id
 * @id:		request id
 * @off:	offset in the writable buffers
 *
 * Return: the byte
 */
static uint8_t reply_byte(uint32_t id, size_t off)
{
	return (uint8_t)(id * 7 + off);
}

/**
 * reply_len() - how many bytes the device writes for request @id
 * @id:		request id
 * @in_len:	room in the writable buffers
 *
 * Return: bytes written
 */
static uint32_t reply_len(uint32_t id, uint64_t in_len)
{
	return in_len ? (uint32_t)(id % (in_len + 1)) : 0;
}

/**
 * device_complete() - answer an element the way the driver checks
 * @vq:		virtqueue
 * @elem:	popped element
 */
static void device_complete(struct virtqueue *vq, struct vq_elem *elem)
{
	uint8_t reply[MAX_BUFS * 600];
	uint32_t id, len;
	size_t i;

	g_assert_cmpuint(
		iov_to_buf(elem->out_sg, elem->out_num, 0, &id, sizeof(id)), ==,
		sizeof(id));
	len = reply_len(id, elem->in_len);
	g_assert_cmpuint(len, <=, sizeof(reply));
	for (i = 0; i < len; i++)
		reply[i] = reply_byte(id, i);
	g_assert_cmpuint(iov_from_buf(elem->in_sg, elem->in_num, 0, reply, len),
			 ==, len);
	vq_push(vq, elem, len);
}

/**
 * driver_collect() - take every used request, check it, free its slot
 * @rt:	test state
 *
 * Return: requests collected
 */
static unsigned int driver_collect(struct rt *rt)
{
	unsigned int n = 0;
	struct req *r;
	uint32_t len;

	while ((r = vring_driver_get_used(&rt->f.drv, &len))) {
		uint32_t expect = reply_len(r->id, r->in_len);
		uint64_t off = 0;
		unsigned int i;

		g_assert_cmpuint(len, ==, expect);
		for (i = 0; i < r->in_n && off < len; i++) {
			uint8_t data[600];
			uint32_t j;

			test_guest_read(&rt->f.g, r->in[i].gpa, data,
					r->in[i].len);
			for (j = 0; j < r->in[i].len && off < len; j++, off++)
				g_assert_cmpuint(data[j], ==,
						 reply_byte(r->id, off));
		}
		rt->free_slots[rt->nfree++] = r->slot;
		rt->completed++;
		n++;
	}
	return n;
}

/**
 * run_single_thread() - driver and device take turns in random amounts
 * @num:	queue size
 * @event_idx:	negotiate EVENT_IDX
 * @indirect:	negotiate and use indirect tables
 * @total:	requests to complete
 */
static void run_single_thread(unsigned int num, bool event_idx, bool indirect,
			      unsigned long total)
{
	struct vq_elem **held = g_new(struct vq_elem *, num);
	unsigned int nheld = 0;
	struct rt rt;

	rt_init(&rt, num, event_idx, indirect);
	while (rt.completed < total) {
		unsigned int n = g_rand_int_range(rt.rand, 0, num + 1), i;
		struct vq_elem *elem;

		for (i = 0; i < n && driver_add(&rt); i++)
			;
		vring_driver_publish(&rt.f.drv);

		n = g_rand_int_range(rt.rand, 0, num + 1);
		for (i = 0; i < n; i++) {
			struct error *err = NULL;
			int rc = vq_pop(&rt.f.vq, &elem, &err);

			g_assert_null(err);
			if (rc == 0)
				break;
			held[nheld++] = elem;
		}
		/* Complete a random subset in random order */
		n = nheld ? g_rand_int_range(rt.rand, 0, nheld + 1) : 0;
		for (i = 0; i < n; i++) {
			unsigned int k = g_rand_int_range(rt.rand, 0, nheld);

			device_complete(&rt.f.vq, held[k]);
			held[k] = held[--nheld];
		}
		vq_notify(&rt.f.vq);
		driver_collect(&rt);
		/* A used entry the driver did not recognise stops it */
		g_assert_cmpuint(rt.f.drv.last_used_idx, ==,
				 rt.f.drv.used->idx);
	}
	g_assert_false(rt.f.vq.broken);
	g_assert_cmpuint(rt.f.vq.inflight, ==, nheld);
	while (nheld)
		device_complete(&rt.f.vq, held[--nheld]);
	while (vq_pop(&rt.f.vq, &held[0], NULL) == 1)
		device_complete(&rt.f.vq, held[0]);
	driver_collect(&rt);
	g_assert_cmpuint(rt.nfree, ==, num);
	g_assert_cmpuint(rt.f.drv.num_free, ==, num);
	g_free(held);
	rt_cleanup(&rt);
}

/**
 * wait_fd() - wait for an eventfd to be signalled, and reset it
 * @fd:		eventfd
 * @ms:		timeout
 *
 * Return: true if it was signalled in time
 */
static bool wait_fd(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&pfd, 1, ms);
	} while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return false;
	eventfd_take(fd);
	return true;
}

struct dev_thread {
	struct rt *rt;
	unsigned long total;
	unsigned long done;
	bool timed_out;
};

/**
 * device_thread() - serve the queue like a device worker: sleep until a kick,
 * then pop and complete with notifications disabled, until @total are done
 * @opaque:	struct dev_thread
 *
 * Return: NULL
 */
static void *device_thread(void *opaque)
{
	struct dev_thread *t = opaque;
	struct virtqueue *vq = &t->rt->f.vq;

	while (t->done < t->total) {
		struct vq_elem *elem;

		if (!wait_fd(t->rt->kick_fd, WAIT_MS)) {
			t->timed_out = true;
			return NULL;
		}
		do {
			vq_disable_notification(vq);
			while (vq_pop(vq, &elem, NULL) == 1) {
				device_complete(vq, elem);
				t->done++;
			}
			vq_notify(vq);
		} while (vq_enable_notification(vq));
	}
	return NULL;
}

/**
 * run_two_threads() - driver here, device on another thread, eventfds between
 * @num:	queue size
 * @event_idx:	negotiate EVENT_IDX
 * @indirect:	negotiate and use indirect tables
 * @total:	requests to complete
 */
static void run_two_threads(unsigned int num, bool event_idx, bool indirect,
			    unsigned long total)
{
	struct dev_thread t = { .total = total };
	unsigned long offered = 0, kicks = 0;
	pthread_t thread;
	struct rt rt;

	rt_init(&rt, num, event_idx, indirect);
	t.rt = &rt;
	g_assert_cmpint(pthread_create(&thread, NULL, device_thread, &t), ==,
			0);

	while (rt.completed < total) {
		static const uint64_t one = 1;

		while (offered < total && driver_add(&rt))
			offered++;
		if (vring_driver_publish(&rt.f.drv)) {
			g_assert_cmpint(write(rt.kick_fd, &one, sizeof(one)),
					==, sizeof(one));
			kicks++;
		}
		if (driver_collect(&rt))
			continue;
		vring_driver_disable_cb(&rt.f.drv);
		if (vring_driver_enable_cb(&rt.f.drv))
			continue;
		/* Nothing used yet and calls enabled: sleep until one */
		if (!wait_fd(rt.f.call_fd, WAIT_MS))
			break;
	}
	g_assert_cmpint(pthread_join(thread, NULL), ==, 0);
	g_assert_false(t.timed_out);
	g_assert_cmpuint(rt.completed, ==, total);
	g_assert_false(rt.f.vq.broken);
	g_test_message("%lu requests, %lu kicks, %" G_GUINT64_FORMAT " calls",
		       total, kicks, rt.f.vq.stats.calls);
	rt_cleanup(&rt);
}

/**
 * test_single() - one thread, every feature combination, indices wrap
 */
static void test_single(void)
{
	unsigned int mode;

	for (mode = 0; mode < 4; mode++) {
		run_single_thread(64, mode & 1, mode & 2, 70000);
		run_single_thread(1, mode & 1, mode & 2, 1000);
	}
	run_single_thread(256, true, true, 20000);
}

/**
 * test_two_threads() - device on its own thread, every feature combination
 */
static void test_two_threads(void)
{
	unsigned int mode;

	for (mode = 0; mode < 4; mode++)
		run_two_threads(32, mode & 1, mode & 2, 70000);
}

/**
 * test_driver_layout() - rings are where the VIRTIO legacy layout puts them
 */
static void test_driver_layout(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, 256, true, true, 0);
	g_assert_cmpuint(f.drv.desc_gpa, ==, TG_RAM0_GPA);
	g_assert_cmpuint(f.drv.avail_gpa, ==, TG_RAM0_GPA + 16 * 256);
	g_assert_cmpuint(f.drv.used_gpa % 4096, ==, 0);
	g_assert_cmpuint(f.drv.used_gpa, >=,
			 f.drv.avail_gpa + VRING_AVAIL_SIZE(256));
	g_assert_cmpuint(f.drv.indirect_gpa % 16, ==, 0);
	g_assert_cmpuint(f.drv.indirect_gpa, >=,
			 f.drv.used_gpa + VRING_USED_SIZE(256));
	g_assert_cmpuint(f.drv.indirect_gpa + 256 * 256 * 16, <=,
			 TG_RAM0_GPA + vring_driver_mem_size(256, 256));
	g_assert_cmpuint(f.drv.num_free, ==, 256);
	vq_fixture_cleanup(&f);
}

/**
 * test_driver_full() - the driver refuses chains that do not fit
 */
static void test_driver_full(void)
{
	struct vring_buf b[3] = { { TG_DATA_GPA, 8 },
				  { TG_DATA_GPA + 8, 8 },
				  { TG_DATA_GPA + 16, 8 } };
	struct vq_fixture f;

	vq_fixture_init(&f, 4, false, false, 0);
	g_assert_cmpint(vring_driver_add(&f.drv, b, 0, b, 0, NULL), ==, -1);
	g_assert_cmpint(vring_driver_add(&f.drv, b, 3, NULL, 0, NULL), ==, 0);
	g_assert_cmpint(vring_driver_add(&f.drv, b, 2, NULL, 0, NULL), ==, -1);
	g_assert_cmpint(vring_driver_add(&f.drv, b, 1, NULL, 0, NULL), ==, 3);
	g_assert_cmpuint(f.drv.num_free, ==, 0);
	vq_fixture_cleanup(&f);

	/* Indirect: one descriptor per chain, up to indirect_max buffers */
	vq_fixture_init(&f, 4, false, true, 0);
	g_assert_cmpint(vring_driver_add(&f.drv, b, 1, b + 1, 2, NULL), ==, 0);
	g_assert_cmpuint(f.drv.num_free, ==, 3);
	g_assert_cmpuint(f.drv.desc[0].len, ==, 48);
	vq_fixture_cleanup(&f);
}

/**
 * test_driver_init_checks() - bad sizes and alignment are refused
 */
static void test_driver_init_checks(void)
{
	struct vring_driver d;
	void *mem = aligned_alloc(4096, 8192);

	g_assert_false(vring_driver_init(&d, mem, 0, 0, false, 0));
	g_assert_false(vring_driver_init(&d, mem, 0, 3, false, 0));
	g_assert_false(vring_driver_init(&d, mem, 0, 65536, false, 0));
	g_assert_false(
		vring_driver_init(&d, (uint8_t *)mem + 16, 0, 4, false, 0));
	g_assert_false(vring_driver_init(&d, mem, 0x10, 4, false, 0));
	g_assert_true(vring_driver_init(&d, mem, 0x10000, 4, false, 0));
	vring_driver_cleanup(&d);
	free(mem);
}

/**
 * main() - register and run the tests
 * @argc:	argument count (GTest options such as --tap)
 * @argv:	arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vring-roundtrip/driver/layout", test_driver_layout);
	g_test_add_func("/vring-roundtrip/driver/full", test_driver_full);
	g_test_add_func("/vring-roundtrip/driver/init-checks",
			test_driver_init_checks);
	g_test_add_func("/vring-roundtrip/single-thread", test_single);
	g_test_add_func("/vring-roundtrip/two-threads", test_two_threads);
	return g_test_run();
}
