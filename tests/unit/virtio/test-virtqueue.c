/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of split virtqueues: every check on hostile chains, and the
 * happy paths (direct and indirect chains, used ring, notifications).
 *
 * A hostile chain must make vq_pop() fail with a message naming the queue,
 * the chain and the field, break the queue, and leave guest memory exactly as
 * it was; the broken queue must then neither take chains nor notify.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "devices/virtio/virtio-device.h"
#include "tests/unit/virtio/vq-test-util.h"

#define QSIZE	  8
#define D	  TG_DATA_GPA		  /* buffers */
#define TABLE_GPA (TG_DATA_GPA + 0x10000) /* hand-made indirect tables */

/**
 * buf() - a driver buffer
 * @gpa:	guest physical address
 * @len:	bytes
 *
 * Return: the buffer
 */
static struct vring_buf buf(uint64_t gpa, uint32_t len)
{
	return (struct vring_buf){ .gpa = gpa, .len = len };
}

/**
 * set_desc() - write one descriptor of a hand-made chain
 * @t:		descriptor table (the ring's or an indirect one)
 * @i:		index
 * @addr:	buffer address
 * @len:	buffer length
 * @flags:	VRING_DESC_F_*
 * @next:	next index
 */
static void set_desc(struct vring_desc *t, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	t[i] = (struct vring_desc){
		.addr = addr, .len = len, .flags = flags, .next = next
	};
}

/**
 * offer_head() - put @head in the avail ring and publish it
 * @f:		fixture
 * @head:	head index as the driver writes it (may be invalid)
 */
static void offer_head(struct vq_fixture *f, uint16_t head)
{
	struct vring_driver *d = &f->drv;

	d->avail->ring[d->avail_idx % d->num] = head;
	d->avail_idx++;
	vring_driver_publish(d);
}

/**
 * table_at() - host pointer of the hand-made indirect table area
 * @f:	fixture
 *
 * Return: descriptor table at TABLE_GPA
 */
static struct vring_desc *table_at(struct vq_fixture *f)
{
	return test_guest_ptr(&f->g, TABLE_GPA, 0x1000);
}

/**
 * expect_broken() - the next pop must fail and break the queue
 * @f:		fixture
 * @needles:	NULL-terminated substrings the error message must contain
 *
 * Also checks that guest memory is untouched, err_fd was signalled, and the
 * broken queue pops nothing, notifies nobody and writes nothing after.
 */
static void expect_broken(struct vq_fixture *f, const char *const *needles)
{
	struct vq_elem *elem = NULL;
	struct error *err = NULL;
	const char *msg;

	eventfd_take(f->err_fd);
	eventfd_take(f->call_fd);
	test_guest_snapshot(&f->g);

	g_assert_cmpint(vq_pop(&f->vq, &elem, &err), ==, -1);
	g_assert_nonnull(err);
	msg = error_get_pretty(err);
	g_test_message("error: %s", msg);
	g_assert_nonnull(strstr(msg, "queue 0: "));
	for (; *needles; needles++) {
		if (!strstr(msg, *needles))
			g_test_message("missing \"%s\"", *needles);
		g_assert_nonnull(strstr(msg, *needles));
	}
	error_free(err);
	err = NULL;
	g_assert_true(f->vq.broken);
	g_assert_true(test_guest_unchanged(&f->g));
	g_assert_cmpuint(eventfd_take(f->err_fd), ==, 1);

	g_assert_cmpint(vq_pop(&f->vq, &elem, &err), ==, 0);
	g_assert_null(err);
	vq_disable_notification(&f->vq);
	g_assert_false(vq_enable_notification(&f->vq));
	g_assert_false(vq_available(&f->vq));
	vq_notify(&f->vq);
	g_assert_cmpuint(eventfd_take(f->call_fd), ==, 0);
	g_assert_true(test_guest_unchanged(&f->g));
}

#define NEEDLES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/**
 * test_avail_idx_too_far() - avail->idx more than a queue size ahead
 */
static void test_avail_idx_too_far(void)
{
	struct vq_fixture f;
	struct vring_buf b = buf(D, 16);

	vq_fixture_init(&f, QSIZE, false, false, 0);
	g_assert_cmpint(vring_driver_add(&f.drv, &b, 1, NULL, 0, NULL), ==, 0);
	vring_driver_publish(&f.drv);
	f.drv.avail->idx = QSIZE + 1;
	expect_broken(
		&f, NEEDLES("avail idx 9", "last_avail_idx 0", "queue size 8"));
	vq_fixture_cleanup(&f);
}

/**
 * test_head_out_of_range() - avail ring entry naming a head >= queue size
 */
static void test_head_out_of_range(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	set_desc(f.drv.desc, 0, D, 16, 0, 0);
	offer_head(&f, QSIZE);
	expect_broken(
		&f, NEEDLES("avail ring entry 0", "head 8", ">= queue size 8"));
	vq_fixture_cleanup(&f);
}

/**
 * test_head_in_flight() - the same head offered twice before being used
 *
 * Also checks that the element popped before the queue broke is only
 * released when pushed: nothing reaches the used ring.
 */
static void test_head_in_flight(void)
{
	struct vq_elem *elem = NULL;
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	set_desc(f.drv.desc, 0, D, 16, 0, 0);
	offer_head(&f, 0);
	offer_head(&f, 0);
	g_assert_cmpint(vq_pop(&f.vq, &elem, NULL), ==, 1);
	g_assert_cmpuint(elem->head, ==, 0);
	expect_broken(&f, NEEDLES("avail ring entry 1",
				  "chain head 0 is already in flight"));

	g_assert_cmpuint(f.vq.inflight, ==, 1);
	vq_push(&f.vq, elem, 0);
	g_assert_cmpuint(f.vq.inflight, ==, 0);
	g_assert_true(test_guest_unchanged(&f.g));
	g_assert_cmpuint(f.drv.used->idx, ==, 0);
	vq_fixture_cleanup(&f);
}

/**
 * test_next_out_of_range() - a next index >= queue size
 */
static void test_next_out_of_range(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	set_desc(f.drv.desc, 0, D, 16, VRING_DESC_F_NEXT, QSIZE);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 0",
				  "next 8 >= queue size 8"));
	vq_fixture_cleanup(&f);
}

/**
 * test_indirect_next_out_of_range() - a next index >= indirect table size
 */
static void test_indirect_next_out_of_range(void)
{
	struct vring_desc *t;
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	t = table_at(&f);
	set_desc(t, 0, D, 16, VRING_DESC_F_NEXT, 5);
	set_desc(t, 1, D + 16, 16, 0, 0);
	set_desc(f.drv.desc, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer_head(&f, 0);
	expect_broken(&f,
		      NEEDLES("chain head 0, descriptor 0, indirect entry 0",
			      "next 5 >= indirect table size 2"));
	vq_fixture_cleanup(&f);
}

/**
 * test_loop() - a chain whose last descriptor points back to its head
 */
static void test_loop(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	set_desc(f.drv.desc, 0, D, 16, VRING_DESC_F_NEXT, 1);
	set_desc(f.drv.desc, 1, D + 16, 16, VRING_DESC_F_NEXT, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor ",
				  "chain longer than queue size 8",
				  "descriptor loop"));
	vq_fixture_cleanup(&f);
}

/**
 * test_indirect_loop() - a loop inside an indirect table
 */
static void test_indirect_loop(void)
{
	struct vring_desc *t;
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	t = table_at(&f);
	set_desc(t, 0, D, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, D + 16, 16, VRING_DESC_F_NEXT, 0);
	set_desc(f.drv.desc, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 0, indirect entry",
				  "chain longer than queue size 8"));
	vq_fixture_cleanup(&f);
}

/**
 * test_chain_too_long() - direct descriptors plus a full indirect table
 * exceed the queue size without any loop
 */
static void test_chain_too_long(void)
{
	struct vring_desc *t;
	struct vq_fixture f;
	unsigned int i;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	t = table_at(&f);
	for (i = 0; i < QSIZE; i++)
		set_desc(t, i, D + 16 * i, 16,
			 i < QSIZE - 1 ? VRING_DESC_F_NEXT : 0, i + 1);
	set_desc(f.drv.desc, 0, D, 16, VRING_DESC_F_NEXT, 1);
	set_desc(f.drv.desc, 1, TABLE_GPA, 16 * QSIZE, VRING_DESC_F_INDIRECT,
		 0);
	offer_head(&f, 0);
	expect_broken(&f,
		      NEEDLES("chain head 0, descriptor 1, indirect entry 7",
			      "chain longer than queue size 8"));
	vq_fixture_cleanup(&f);
}

/**
 * test_indirect_not_negotiated() - INDIRECT without VIRTIO_RING_F_INDIRECT_DESC
 */
static void test_indirect_not_negotiated(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	set_desc(table_at(&f), 0, D, 16, 0, 0);
	set_desc(f.drv.desc, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	offer_head(&f, 0);
	expect_broken(&f,
		      NEEDLES("chain head 0, descriptor 0",
			      "INDIRECT flag but "
			      "VIRTIO_RING_F_INDIRECT_DESC not negotiated"));
	vq_fixture_cleanup(&f);
}

/**
 * test_indirect_with_next() - INDIRECT and NEXT on one descriptor
 */
static void test_indirect_with_next(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	set_desc(table_at(&f), 0, D, 16, 0, 0);
	set_desc(f.drv.desc, 0, TABLE_GPA, 16,
		 VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	set_desc(f.drv.desc, 1, D, 16, 0, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 0",
				  "INDIRECT flag together with NEXT"));
	vq_fixture_cleanup(&f);
}

/**
 * test_nested_indirect() - an INDIRECT descriptor inside an indirect table
 */
static void test_nested_indirect(void)
{
	struct vring_desc *t;
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	t = table_at(&f);
	set_desc(t, 0, D, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	set_desc(f.drv.desc, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer_head(&f, 0);
	expect_broken(&f,
		      NEEDLES("chain head 0, descriptor 0, indirect entry 1",
			      "INDIRECT descriptor inside an indirect "
			      "table"));
	vq_fixture_cleanup(&f);
}

/**
 * indirect_case() - offer one INDIRECT descriptor and expect a failure
 * @addr:	table address
 * @len:	table length
 * @needle:	substring the message must contain
 */
static void indirect_case(uint64_t addr, uint32_t len, const char *needle)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	set_desc(table_at(&f), 0, D, 16, 0, 0);
	set_desc(f.drv.desc, 0, addr, len, VRING_DESC_F_INDIRECT, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 0", needle));
	vq_fixture_cleanup(&f);
}

/**
 * test_indirect_len_zero() - an indirect table of length 0
 */
static void test_indirect_len_zero(void)
{
	indirect_case(TABLE_GPA, 0,
		      "indirect table len 0x0 is not a non-zero multiple of "
		      "16");
}

/**
 * test_indirect_len_unaligned() - a length that is not a multiple of 16
 */
static void test_indirect_len_unaligned(void)
{
	indirect_case(TABLE_GPA, 24,
		      "indirect table len 0x18 is not a non-zero multiple "
		      "of 16");
}

/**
 * test_indirect_too_many() - more table entries than the queue size
 */
static void test_indirect_too_many(void)
{
	indirect_case(TABLE_GPA, 16 * (QSIZE * 2),
		      "indirect table len 0x100 holds 16 entries, more than "
		      "queue size 8");
}

/**
 * test_indirect_outside() - a table in unmapped guest memory
 */
static void test_indirect_outside(void)
{
	indirect_case(0x1000, 32,
		      "indirect table 0x1000+0x20 outside guest memory");
	/* Starting inside RAM, ending past it */
	indirect_case(TG_RAM_END - 16, 32,
		      "indirect table 0x5ffff0+0x20 outside guest memory");
}

/**
 * test_indirect_wrap() - a table whose addr + len overflows
 */
static void test_indirect_wrap(void)
{
	indirect_case(UINT64_MAX - 15, 32,
		      "indirect table 0xfffffffffffffff0+0x20 outside guest "
		      "memory");
}

/**
 * test_indirect_unaligned() - a table at an address not aligned for
 * descriptors
 */
static void test_indirect_unaligned(void)
{
	indirect_case(TABLE_GPA + 4, 16, "not aligned");
}

/**
 * buffer_case() - offer one buffer and expect a failure
 * @addr:	buffer address
 * @len:	buffer length
 * @needle:	substring the message must contain
 */
static void buffer_case(uint64_t addr, uint32_t len, const char *needle)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	set_desc(f.drv.desc, 0, addr, len, VRING_DESC_F_WRITE, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 0", needle));
	vq_fixture_cleanup(&f);
}

/**
 * test_buffer_outside() - buffers below, across the end of, and past RAM
 */
static void test_buffer_outside(void)
{
	buffer_case(0x1000, 16, "buffer 0x1000+0x10 outside guest memory");
	buffer_case(TG_RAM0_GPA - 8, 16,
		    "buffer 0xffff8+0x10 outside guest memory");
	buffer_case(TG_RAM_END - 16, 32,
		    "buffer 0x5ffff0+0x20 outside guest memory");
	buffer_case(TG_RAM_END, 1, "buffer 0x600000+0x1 outside guest memory");
}

/**
 * test_buffer_wrap() - a buffer whose addr + len overflows
 */
static void test_buffer_wrap(void)
{
	buffer_case(UINT64_MAX - 15, 32,
		    "buffer 0xfffffffffffffff0+0x20 outside guest memory");
}

/**
 * test_zero_length() - a buffer of length 0
 */
static void test_zero_length(void)
{
	buffer_case(D, 0, "zero-length buffer at 0x300000");
}

/**
 * test_readable_after_writable() - device-readable after device-writable
 */
static void test_readable_after_writable(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	set_desc(f.drv.desc, 0, D, 16, VRING_DESC_F_NEXT, 1);
	set_desc(f.drv.desc, 1, D + 16, 16,
		 VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	set_desc(f.drv.desc, 2, D + 32, 16, 0, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 2",
				  "device-readable buffer after a "
				  "device-writable one"));
	vq_fixture_cleanup(&f);
}

/**
 * test_indirect_readable_after_writable() - the same inside an indirect
 * table
 */
static void test_indirect_readable_after_writable(void)
{
	struct vring_desc *t;
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	t = table_at(&f);
	set_desc(t, 0, D, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, D + 16, 16, 0, 0);
	set_desc(f.drv.desc, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer_head(&f, 0);
	expect_broken(&f,
		      NEEDLES("chain head 0, descriptor 0, indirect entry 1",
			      "device-readable buffer after a "
			      "device-writable one"));
	vq_fixture_cleanup(&f);
}

/**
 * test_too_many_segs() - more iovecs than max_segs, from buffers and from a
 * buffer split across regions
 */
static void test_too_many_segs(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 2);
	set_desc(f.drv.desc, 0, D, 16, VRING_DESC_F_NEXT, 1);
	set_desc(f.drv.desc, 1, D + 16, 16, VRING_DESC_F_NEXT, 2);
	set_desc(f.drv.desc, 2, D + 32, 16, 0, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 2",
				  "needs more than max_segs 2 iovecs"));
	vq_fixture_cleanup(&f);

	vq_fixture_init(&f, QSIZE, false, false, 1);
	set_desc(f.drv.desc, 0, TG_RAM1_GPA - 8, 16, 0, 0);
	offer_head(&f, 0);
	expect_broken(&f, NEEDLES("chain head 0, descriptor 0",
				  "buffer 0x4ffff8+0x10 needs more than "
				  "max_segs 1 iovecs"));
	vq_fixture_cleanup(&f);
}

/**
 * check_elem_sg() - compare an element's iovecs with the buffers offered
 * @f:		fixture
 * @elem:	popped element
 * @out:	readable buffers (each within one region)
 * @out_n:	their number
 * @in:		writable buffers
 * @in_n:	their number
 */
static void check_elem_sg(struct vq_fixture *f, const struct vq_elem *elem,
			  const struct vring_buf *out, unsigned int out_n,
			  const struct vring_buf *in, unsigned int in_n)
{
	uint64_t out_len = 0, in_len = 0;
	unsigned int i;

	g_assert_cmpuint(elem->out_num, ==, out_n);
	g_assert_cmpuint(elem->in_num, ==, in_n);
	g_assert_true(elem->out_sg == elem->iov);
	g_assert_true(elem->in_sg == elem->iov + out_n);
	for (i = 0; i < out_n; i++) {
		g_assert_true(elem->out_sg[i].iov_base ==
			      test_guest_ptr(&f->g, out[i].gpa, out[i].len));
		g_assert_cmpuint(elem->out_sg[i].iov_len, ==, out[i].len);
		out_len += out[i].len;
	}
	for (i = 0; i < in_n; i++) {
		g_assert_true(elem->in_sg[i].iov_base ==
			      test_guest_ptr(&f->g, in[i].gpa, in[i].len));
		g_assert_cmpuint(elem->in_sg[i].iov_len, ==, in[i].len);
		in_len += in[i].len;
	}
	g_assert_cmpuint(elem->out_len, ==, out_len);
	g_assert_cmpuint(elem->in_len, ==, in_len);
}

/**
 * round_trip_one() - offer one chain, pop it, answer, collect it
 * @indirect:	negotiate and use indirect tables
 */
static void round_trip_one(bool indirect)
{
	const struct vring_buf out[2] = { buf(D, 16), buf(D + 0x100, 100) };
	const struct vring_buf in[1] = { buf(D + 0x1000, 64) };
	struct vq_elem *elem = NULL;
	struct error *err = NULL;
	struct vq_fixture f;
	uint32_t len = 0;
	int head;

	vq_fixture_init(&f, QSIZE, false, indirect, 0);
	memcpy(test_guest_ptr(&f.g, D, 16), "request header!", 16);
	head = vring_driver_add(&f.drv, out, 2, in, 1, &f);
	g_assert_cmpint(head, >=, 0);
	if (indirect)
		g_assert_cmpuint(f.drv.desc[head].flags, ==,
				 VRING_DESC_F_INDIRECT);
	g_assert_true(vring_driver_publish(&f.drv));

	g_assert_true(vq_available(&f.vq));
	g_assert_cmpint(vq_pop(&f.vq, &elem, &err), ==, 1);
	g_assert_null(err);
	g_assert_cmpuint(elem->head, ==, head);
	check_elem_sg(&f, elem, out, 2, in, 1);
	g_assert_cmpuint(f.vq.inflight, ==, 1);
	g_assert_cmpuint(f.vq.last_avail_idx, ==, 1);
	g_assert_cmpint(vq_pop(&f.vq, &elem, &err), ==, 0);

	{
		char hdr[16];

		g_assert_cmpuint(iov_to_buf(elem->out_sg, elem->out_num, 0, hdr,
					    sizeof(hdr)),
				 ==, 16);
		g_assert_cmpmem(hdr, 16, "request header!", 16);
	}
	g_assert_cmpuint(iov_from_buf(elem->in_sg, elem->in_num, 0, "reply", 5),
			 ==, 5);
	vq_push(&f.vq, elem, 5);
	g_assert_cmpuint(f.vq.inflight, ==, 0);
	g_assert_cmpuint(f.drv.used->idx, ==, 1);
	g_assert_cmpuint(f.drv.used->ring[0].id, ==, head);
	g_assert_cmpuint(f.drv.used->ring[0].len, ==, 5);
	g_assert_cmpuint(
		__atomic_load_n(&f.vq.stats.requests, __ATOMIC_RELAXED), ==, 1);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 1);

	g_assert_true(vring_driver_get_used(&f.drv, &len) == &f);
	g_assert_cmpuint(len, ==, 5);
	g_assert_cmpmem(test_guest_ptr(&f.g, D + 0x1000, 5), 5, "reply", 5);
	g_assert_cmpuint(f.drv.num_free, ==, QSIZE);
	g_assert_false(f.vq.broken);
	vq_fixture_cleanup(&f);
}

/**
 * test_pop_direct() - a direct chain of two readable and one writable buffer
 */
static void test_pop_direct(void)
{
	round_trip_one(false);
}

/**
 * test_pop_indirect() - the same chain in an indirect table
 */
static void test_pop_indirect(void)
{
	round_trip_one(true);
}

/**
 * test_pop_direct_then_indirect() - direct descriptors, then an indirect
 * table ending the chain (allowed by VIRTIO 1.2)
 */
static void test_pop_direct_then_indirect(void)
{
	const struct vring_buf out[1] = { buf(D, 16) };
	const struct vring_buf in[2] = { buf(D + 0x100, 8), buf(D + 0x200, 1) };
	struct vq_elem *elem = NULL;
	struct vring_desc *t;
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, true, 0);
	t = table_at(&f);
	set_desc(t, 0, in[0].gpa, in[0].len,
		 VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, in[1].gpa, in[1].len, VRING_DESC_F_WRITE, 0);
	set_desc(f.drv.desc, 3, out[0].gpa, out[0].len, VRING_DESC_F_NEXT, 5);
	/* The WRITE flag of the pointer descriptor itself is ignored */
	set_desc(f.drv.desc, 5, TABLE_GPA, 32,
		 VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	offer_head(&f, 3);
	g_assert_cmpint(vq_pop(&f.vq, &elem, NULL), ==, 1);
	g_assert_cmpuint(elem->head, ==, 3);
	check_elem_sg(&f, elem, out, 1, in, 2);
	vq_push(&f.vq, elem, 9);
	g_assert_cmpuint(f.drv.used->ring[0].id, ==, 3);
	g_assert_cmpuint(f.drv.used->ring[0].len, ==, 9);
	vq_fixture_cleanup(&f);
}

/**
 * test_pop_cross_region() - a buffer spanning two regions becomes two iovecs
 */
static void test_pop_cross_region(void)
{
	const struct vring_buf in = buf(TG_RAM1_GPA - 0x10, 0x30);
	struct vq_elem *elem = NULL;
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	g_assert_cmpint(vring_driver_add(&f.drv, NULL, 0, &in, 1, NULL), ==, 0);
	vring_driver_publish(&f.drv);
	g_assert_cmpint(vq_pop(&f.vq, &elem, NULL), ==, 1);
	g_assert_cmpuint(elem->in_num, ==, 2);
	g_assert_cmpuint(elem->in_len, ==, 0x30);
	g_assert_true(elem->in_sg[0].iov_base ==
		      test_guest_ptr(&f.g, TG_RAM1_GPA - 0x10, 0x10));
	g_assert_cmpuint(elem->in_sg[0].iov_len, ==, 0x10);
	g_assert_true(elem->in_sg[1].iov_base == f.g.ram[1]);
	g_assert_cmpuint(elem->in_sg[1].iov_len, ==, 0x20);
	vq_push(&f.vq, elem, 0);
	vq_fixture_cleanup(&f);
}

/**
 * test_used_ring_order() - completions out of order, with wrapping slots
 */
static void test_used_ring_order(void)
{
	struct vq_elem *elems[QSIZE];
	struct vq_fixture f;
	unsigned int round, i;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	for (round = 0; round < 3; round++) {
		uint16_t base = f.drv.used->idx;

		for (i = 0; i < QSIZE; i++) {
			struct vring_buf b = buf(D + 64 * i, 64);

			g_assert_cmpint(
				vring_driver_add(&f.drv, NULL, 0, &b, 1, &f),
				>=, 0);
		}
		vring_driver_publish(&f.drv);
		for (i = 0; i < QSIZE; i++)
			g_assert_cmpint(vq_pop(&f.vq, &elems[i], NULL), ==, 1);
		g_assert_cmpuint(f.vq.inflight, ==, QSIZE);
		/* Complete in reverse order */
		for (i = QSIZE; i-- > 0;)
			vq_push(&f.vq, elems[i], i);
		for (i = 0; i < QSIZE; i++) {
			struct vring_used_elem *u =
				&f.drv.used->ring[(base + i) % QSIZE];

			g_assert_cmpuint(u->id, ==, elems[QSIZE - 1 - i]->head);
			g_assert_cmpuint(u->len, ==, QSIZE - 1 - i);
		}
		g_assert_cmpuint(f.drv.used->idx, ==, (uint16_t)(base + QSIZE));
		for (i = 0; i < QSIZE; i++)
			g_assert_true(vring_driver_get_used(&f.drv, NULL) ==
				      &f);
		g_assert_null(vring_driver_get_used(&f.drv, NULL));
	}
	vq_fixture_cleanup(&f);
}

/**
 * test_fill_flush() - filled entries stay invisible until flushed at once
 */
static void test_fill_flush(void)
{
	struct vq_elem *elems[3];
	struct vq_fixture f;
	uint16_t base;
	unsigned int i;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	base = f.drv.used->idx;
	for (i = 0; i < 3; i++) {
		struct vring_buf b = buf(D + 64 * i, 64);

		g_assert_cmpint(vring_driver_add(&f.drv, NULL, 0, &b, 1, &f),
				>=, 0);
	}
	vring_driver_publish(&f.drv);
	for (i = 0; i < 3; i++)
		g_assert_cmpint(vq_pop(&f.vq, &elems[i], NULL), ==, 1);
	for (i = 0; i < 3; i++) {
		vq_fill(&f.vq, elems[i], 10 + i, i);
		/* Nothing published while the frame is incomplete */
		g_assert_cmpuint(f.drv.used->idx, ==, base);
		g_assert_null(vring_driver_get_used(&f.drv, NULL));
	}
	g_assert_cmpuint(f.vq.inflight, ==, 0);
	vq_flush(&f.vq, 3);
	g_assert_cmpuint(f.drv.used->idx, ==, (uint16_t)(base + 3));
	for (i = 0; i < 3; i++) {
		struct vring_used_elem *u =
			&f.drv.used->ring[(base + i) % QSIZE];
		uint32_t len;

		g_assert_cmpuint(u->id, ==, elems[i]->head);
		g_assert_true(vring_driver_get_used(&f.drv, &len) == &f);
		g_assert_cmpuint(len, ==, 10 + i);
	}
	/* A fill of an element not in flight is refused, nothing written */
	vq_fill(&f.vq, elems[0], 99, 0);
	vq_flush(&f.vq, 0);
	g_assert_cmpuint(f.drv.used->idx, ==, (uint16_t)(base + 3));
	vq_fixture_cleanup(&f);
}

/**
 * test_unpop() - unpopped chains come back in order and re-arm the event
 */
static void test_unpop(void)
{
	struct vq_elem *elems[3], *again;
	struct vq_fixture f;
	uint16_t heads[3], *avail_event;
	unsigned int i;

	vq_fixture_init(&f, QSIZE, true, false, 0);
	for (i = 0; i < 3; i++) {
		struct vring_buf b = buf(D + 64 * i, 64);

		g_assert_cmpint(vring_driver_add(&f.drv, NULL, 0, &b, 1, &f),
				>=, 0);
	}
	vring_driver_publish(&f.drv);
	for (i = 0; i < 3; i++) {
		g_assert_cmpint(vq_pop(&f.vq, &elems[i], NULL), ==, 1);
		heads[i] = elems[i]->head;
	}
	avail_event = (uint16_t *)&f.drv.used->ring[QSIZE];
	g_assert_cmpuint(*avail_event, ==, 3);

	/* Give back the last two: the first stays in flight */
	vq_unpop(&f.vq, &elems[1], 2);
	g_assert_cmpuint(f.vq.inflight, ==, 1);
	g_assert_cmpuint(f.vq.last_avail_idx, ==, 1);
	g_assert_true(vq_available(&f.vq));
	/* Entries 1 and 2 were published already: the next new one kicks */
	g_assert_cmpuint(*avail_event, ==, 3);
	for (i = 1; i < 3; i++) {
		g_assert_cmpint(vq_pop(&f.vq, &again, NULL), ==, 1);
		g_assert_cmpuint(again->head, ==, heads[i]);
	}
	/* Not the last popped: refused, nothing changes */
	vq_unpop(&f.vq, &elems[0], 1);
	g_assert_cmpuint(f.vq.inflight, ==, 3);
	g_assert_cmpuint(f.vq.last_avail_idx, ==, 3);
	for (i = 0; i < 3; i++)
		vq_push(&f.vq, &f.vq.elems[heads[i]], 0);
	g_assert_cmpuint(f.vq.inflight, ==, 0);
	vq_fixture_cleanup(&f);
}

/**
 * test_unpop_avail_rewritten() - an unpop does not trust the avail ring: the
 * driver rewrote the entry of a chain in use, yet it is given back, and the
 * rewritten entry is what the next pop takes (found by fuzz-virtio-net: the
 * element stayed in flight for ever, and stopping the queue hung)
 */
static void test_unpop_avail_rewritten(void)
{
	struct vq_elem *elem, *again;
	struct vq_fixture f;
	uint16_t heads[2];
	unsigned int i;

	vq_fixture_init(&f, QSIZE, true, false, 0);
	for (i = 0; i < 2; i++) {
		struct vring_buf b = buf(D + 64 * i, 64);

		heads[i] =
			(uint16_t)vring_driver_add(&f.drv, NULL, 0, &b, 1, &f);
	}
	vring_driver_publish(&f.drv);
	g_assert_cmpint(vq_pop(&f.vq, &elem, NULL), ==, 1);
	g_assert_cmpuint(elem->head, ==, heads[0]);

	/* A driver on another CPU rewrites the published entry */
	f.drv.avail->ring[0] = heads[1];
	vq_unpop(&f.vq, &elem, 1);
	g_assert_cmpuint(f.vq.inflight, ==, 0);
	g_assert_cmpuint(f.vq.last_avail_idx, ==, 0);
	g_assert_false(f.vq.broken);
	g_assert_cmpint(vq_pop(&f.vq, &again, NULL), ==, 1);
	g_assert_cmpuint(again->head, ==, heads[1]);
	vq_push(&f.vq, again, 0);
	g_assert_cmpuint(f.vq.inflight, ==, 0);
	vq_fixture_cleanup(&f);
}

/**
 * pop_push() - pop one chain and push it back with 0 bytes written
 * @f:	fixture
 */
static void pop_push(struct vq_fixture *f)
{
	struct vq_elem *elem = NULL;

	g_assert_cmpint(vq_pop(&f->vq, &elem, NULL), ==, 1);
	vq_push(&f->vq, elem, 0);
}

/**
 * add_one() - the driver offers one writable buffer (not yet published)
 * @f:	fixture, also the token
 */
static void add_one(struct vq_fixture *f)
{
	struct vring_buf b = buf(D, 16);

	g_assert_cmpint(vring_driver_add(&f->drv, NULL, 0, &b, 1, f), >=, 0);
}

/**
 * test_event_idx_call() - with EVENT_IDX, the device calls only when the used
 * index crosses used_event
 */
static void test_event_idx_call(void)
{
	struct vq_fixture f;
	unsigned int i;

	vq_fixture_init(&f, QSIZE, true, false, 0);
	for (i = 0; i < 4; i++)
		add_one(&f);
	vring_driver_publish(&f.drv);

	/* First notification: nothing signalled yet, so always */
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 1);

	/* used_event is still 0: the driver did not collect entry 0 yet */
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 0);

	/* The driver collects both and asks for a call at used index 2 */
	g_assert_true(vring_driver_get_used(&f.drv, NULL) == &f);
	g_assert_true(vring_driver_get_used(&f.drv, NULL) == &f);
	g_assert_cmpuint(f.drv.avail->ring[QSIZE], ==, 2);
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 1);

	/* Calls disabled: used_event far away */
	g_assert_true(vring_driver_get_used(&f.drv, NULL) == &f);
	vring_driver_disable_cb(&f.drv);
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 0);
	/* Re-enabled with the entry pending: the driver must look itself */
	g_assert_true(vring_driver_enable_cb(&f.drv));
	g_assert_cmpuint(__atomic_load_n(&f.vq.stats.calls, __ATOMIC_RELAXED),
			 ==, 2);
	vq_fixture_cleanup(&f);
}

/**
 * test_no_interrupt() - without EVENT_IDX, NO_INTERRUPT suppresses calls
 */
static void test_no_interrupt(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	add_one(&f);
	add_one(&f);
	vring_driver_publish(&f.drv);

	vring_driver_disable_cb(&f.drv);
	g_assert_cmpuint(f.drv.avail->flags, ==, VRING_AVAIL_F_NO_INTERRUPT);
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 0);

	g_assert_true(vring_driver_enable_cb(&f.drv));
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 1);
	vq_fixture_cleanup(&f);
}

/**
 * test_notify_on_empty() - NOTIFY_ON_EMPTY overrides NO_INTERRUPT once the
 * queue ran dry
 */
static void test_notify_on_empty(void)
{
	struct virtio_device dev = {
		.max_queue_size = QSIZE,
		.features = 1ULL << VIRTIO_F_NOTIFY_ON_EMPTY,
	};
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	f.vq.dev = &dev;
	add_one(&f);
	add_one(&f);
	vring_driver_publish(&f.drv);
	vring_driver_disable_cb(&f.drv);
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 0);
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 1);
	vq_fixture_cleanup(&f);
}

/**
 * test_no_call_fd() - vq_notify() with call_fd -1 does nothing
 */
static void test_no_call_fd(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	f.vq.call_fd = -1;
	add_one(&f);
	vring_driver_publish(&f.drv);
	pop_push(&f);
	vq_notify(&f.vq);
	g_assert_cmpuint(eventfd_take(f.call_fd), ==, 0);
	g_assert_cmpuint(f.vq.stats.calls, ==, 0);
	vq_fixture_cleanup(&f);
}

/**
 * count_in_file() - occurrences of @needle in what an fd holds
 * @fd:		file, read from offset 0
 * @needle:	substring
 *
 * Return: how many times it occurs
 */
static unsigned int count_in_file(int fd, const char *needle)
{
	char text[8192];
	unsigned int n = 0;
	const char *p = text;
	ssize_t len = pread(fd, text, sizeof(text) - 1, 0);

	g_assert_cmpint(len, >=, 0);
	text[len] = '\0';
	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/**
 * test_call_fd_failure_logged_once() - a call fd that cannot be written
 * (chosen by the front-end) is reported once, not at every completion
 */
static void test_call_fd_failure_logged_once(void)
{
	int log_fd = memfd_create("log", 0), saved = dup(STDERR_FILENO);
	struct vq_fixture f;
	unsigned int i;
	int p[2];

	g_assert_cmpint(log_fd, >=, 0);
	g_assert_cmpint(pipe(p), ==, 0);
	vq_fixture_init(&f, QSIZE, false, false, 0);
	f.vq.call_fd = p[0]; /* the read end: every write fails */
	g_assert_cmpint(dup2(log_fd, STDERR_FILENO), ==, STDERR_FILENO);
	for (i = 0; i < 3; i++) {
		add_one(&f);
		vring_driver_publish(&f.drv);
		pop_push(&f);
		vq_notify(&f.vq);
	}
	g_assert_cmpint(dup2(saved, STDERR_FILENO), ==, STDERR_FILENO);
	g_assert_cmpuint(
		count_in_file(log_fd, "cannot signal the call eventfd"), ==, 1);
	g_assert_cmpuint(f.vq.stats.calls, ==, 0);
	close(saved);
	close(log_fd);
	close(p[0]);
	close(p[1]);
	vq_fixture_cleanup(&f);
}

/**
 * avail_event() - the avail_event field the device writes (EVENT_IDX)
 * @f:	fixture
 *
 * Return: its value
 */
static uint16_t avail_event(struct vq_fixture *f)
{
	const uint16_t *p = (const uint16_t *)&f->drv.used->ring[QSIZE];

	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/**
 * test_event_idx_kick() - with EVENT_IDX, avail_event follows the pops and
 * stops following them while notifications are disabled
 */
static void test_event_idx_kick(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, true, false, 0);
	add_one(&f);
	g_assert_true(vring_driver_publish(&f.drv));
	pop_push(&f);
	g_assert_cmpuint(avail_event(&f), ==, 1);

	add_one(&f);
	g_assert_true(vring_driver_publish(&f.drv));
	vq_disable_notification(&f.vq);
	pop_push(&f);
	g_assert_cmpuint(avail_event(&f), ==, 1);

	/* avail_event (1) is behind: publishing entry 2 needs no kick */
	add_one(&f);
	g_assert_false(vring_driver_publish(&f.drv));
	/* Enabling finds the pending entry */
	g_assert_true(vq_enable_notification(&f.vq));
	g_assert_cmpuint(avail_event(&f), ==, 3);
	pop_push(&f);
	g_assert_false(vq_enable_notification(&f.vq));
	add_one(&f);
	g_assert_true(vring_driver_publish(&f.drv));
	vq_fixture_cleanup(&f);
}

/**
 * test_no_notify() - without EVENT_IDX, NO_NOTIFY suppresses kicks
 */
static void test_no_notify(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	vq_disable_notification(&f.vq);
	g_assert_cmpuint(f.drv.used->flags, ==, VRING_USED_F_NO_NOTIFY);
	add_one(&f);
	g_assert_false(vring_driver_publish(&f.drv));
	g_assert_true(vq_enable_notification(&f.vq));
	g_assert_cmpuint(f.drv.used->flags, ==, 0);
	pop_push(&f);
	g_assert_false(vq_enable_notification(&f.vq));
	add_one(&f);
	g_assert_true(vring_driver_publish(&f.drv));
	vq_fixture_cleanup(&f);
}

/**
 * expect_setup_fails() - vq_setup() must refuse @vq naming @needle
 * @vq:		virtqueue
 * @needle:	substring of the expected message
 */
static void expect_setup_fails(struct virtqueue *vq, const char *needle)
{
	struct error *err = NULL;

	g_assert_false(vq_setup(vq, &err));
	g_assert_nonnull(err);
	g_test_message("error: %s", error_get_pretty(err));
	g_assert_nonnull(strstr(error_get_pretty(err), needle));
	error_free(err);
	g_assert_null(vq->elems);
}

/**
 * test_setup_checks() - queue size and ring placement are checked
 */
static void test_setup_checks(void)
{
	static struct vring_desc outside[QSIZE] __attribute__((aligned(16)));
	struct virtio_device dev = { .max_queue_size = 4 };
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	vq_teardown(&f.vq);

	f.vq.num = 0;
	expect_setup_fails(&f.vq, "size 0 is not a power of two in 1..32768");
	f.vq.num = 6;
	expect_setup_fails(&f.vq, "size 6 is not a power of two");
	f.vq.num = 65536;
	expect_setup_fails(&f.vq, "size 65536 is not a power of two");

	f.vq.num = QSIZE;
	f.vq.dev = &dev;
	expect_setup_fails(&f.vq, "size 8 exceeds the maximum 4");
	f.vq.dev = NULL;

	f.vq.desc = outside;
	expect_setup_fails(&f.vq, "descriptor ring");
	f.vq.desc = f.drv.desc;
	f.vq.used = (struct vring_used *)((uint8_t *)f.drv.used + 2);
	expect_setup_fails(&f.vq, "used ring");
	/* The used ring must fit with avail_event before the end of RAM */
	f.vq.used = (struct vring_used *)(f.g.ram[1] + TG_RAM1_SIZE -
					  VRING_USED_SIZE(QSIZE) + 2);
	expect_setup_fails(&f.vq,
			   "used ring (0x46 bytes) outside guest memory");
	f.vq.used = NULL;
	expect_setup_fails(&f.vq, "used ring address not set");
	f.vq.used = f.drv.used;
	f.vq.mem = NULL;
	expect_setup_fails(&f.vq, "no guest memory");
	f.vq.mem = &f.g.mem;

	g_assert_true(vq_setup(&f.vq, NULL));
	g_assert_cmpuint(f.vq.max_segs, ==, VQ_DEFAULT_MAX_SEGS);
	vq_fixture_cleanup(&f);
}

/**
 * test_setup_loads_used_idx() - the used index shadow comes from the ring, so
 * a queue restarted after a stop continues where it was
 */
static void test_setup_loads_used_idx(void)
{
	struct vq_fixture f;

	vq_fixture_init(&f, QSIZE, false, false, 0);
	add_one(&f);
	vring_driver_publish(&f.drv);
	pop_push(&f);
	vq_teardown(&f.vq);
	f.vq.used_idx = 0;
	g_assert_true(vq_setup(&f.vq, NULL));
	g_assert_cmpuint(f.vq.used_idx, ==, 1);
	g_assert_cmpuint(f.vq.last_avail_idx, ==, 1);
	add_one(&f);
	vring_driver_publish(&f.drv);
	pop_push(&f);
	g_assert_cmpuint(f.drv.used->idx, ==, 2);
	vq_fixture_cleanup(&f);
}

/**
 * test_iov_copy() - iov_to_buf()/iov_from_buf() across segments and offsets
 */
static void test_iov_copy(void)
{
	char a[3] = "abc", b[5] = "defgh", c[2] = "ij", out[16];
	struct iovec iov[3] = { { a, 3 }, { b, 5 }, { c, 2 } };

	g_assert_cmpuint(iov_to_buf(iov, 3, 0, out, sizeof(out)), ==, 10);
	g_assert_cmpmem(out, 10, "abcdefghij", 10);
	g_assert_cmpuint(iov_to_buf(iov, 3, 2, out, 4), ==, 4);
	g_assert_cmpmem(out, 4, "cdef", 4);
	g_assert_cmpuint(iov_to_buf(iov, 3, 8, out, 16), ==, 2);
	g_assert_cmpuint(iov_to_buf(iov, 3, 10, out, 16), ==, 0);
	g_assert_cmpuint(iov_to_buf(iov, 3, 100, out, 16), ==, 0);

	g_assert_cmpuint(iov_from_buf(iov, 3, 2, "XYZW", 4), ==, 4);
	g_assert_cmpmem(a, 3, "abX", 3);
	g_assert_cmpmem(b, 5, "YZWgh", 5);
	g_assert_cmpuint(iov_from_buf(iov, 3, 9, "12345", 5), ==, 1);
	g_assert_cmpmem(c, 2, "i1", 2);
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

	g_test_add_func("/virtqueue/fill-flush", test_fill_flush);
	g_test_add_func("/virtqueue/unpop", test_unpop);
	g_test_add_func("/virtqueue/hostile/unpop-avail-rewritten",
			test_unpop_avail_rewritten);
	g_test_add_func("/virtqueue/hostile/avail-idx-too-far",
			test_avail_idx_too_far);
	g_test_add_func("/virtqueue/hostile/head-out-of-range",
			test_head_out_of_range);
	g_test_add_func("/virtqueue/hostile/head-in-flight",
			test_head_in_flight);
	g_test_add_func("/virtqueue/hostile/next-out-of-range",
			test_next_out_of_range);
	g_test_add_func("/virtqueue/hostile/indirect-next-out-of-range",
			test_indirect_next_out_of_range);
	g_test_add_func("/virtqueue/hostile/loop", test_loop);
	g_test_add_func("/virtqueue/hostile/indirect-loop", test_indirect_loop);
	g_test_add_func("/virtqueue/hostile/chain-too-long",
			test_chain_too_long);
	g_test_add_func("/virtqueue/hostile/indirect-not-negotiated",
			test_indirect_not_negotiated);
	g_test_add_func("/virtqueue/hostile/indirect-with-next",
			test_indirect_with_next);
	g_test_add_func("/virtqueue/hostile/nested-indirect",
			test_nested_indirect);
	g_test_add_func("/virtqueue/hostile/indirect-len-zero",
			test_indirect_len_zero);
	g_test_add_func("/virtqueue/hostile/indirect-len-unaligned",
			test_indirect_len_unaligned);
	g_test_add_func("/virtqueue/hostile/indirect-too-many",
			test_indirect_too_many);
	g_test_add_func("/virtqueue/hostile/indirect-outside",
			test_indirect_outside);
	g_test_add_func("/virtqueue/hostile/indirect-wrap", test_indirect_wrap);
	g_test_add_func("/virtqueue/hostile/indirect-unaligned",
			test_indirect_unaligned);
	g_test_add_func("/virtqueue/hostile/buffer-outside",
			test_buffer_outside);
	g_test_add_func("/virtqueue/hostile/buffer-wrap", test_buffer_wrap);
	g_test_add_func("/virtqueue/hostile/zero-length", test_zero_length);
	g_test_add_func("/virtqueue/hostile/readable-after-writable",
			test_readable_after_writable);
	g_test_add_func("/virtqueue/hostile/indirect-readable-after-writable",
			test_indirect_readable_after_writable);
	g_test_add_func("/virtqueue/hostile/too-many-segs", test_too_many_segs);

	g_test_add_func("/virtqueue/pop/direct", test_pop_direct);
	g_test_add_func("/virtqueue/pop/indirect", test_pop_indirect);
	g_test_add_func("/virtqueue/pop/direct-then-indirect",
			test_pop_direct_then_indirect);
	g_test_add_func("/virtqueue/pop/cross-region", test_pop_cross_region);
	g_test_add_func("/virtqueue/used/order", test_used_ring_order);
	g_test_add_func("/virtqueue/notify/event-idx-call",
			test_event_idx_call);
	g_test_add_func("/virtqueue/notify/no-interrupt", test_no_interrupt);
	g_test_add_func("/virtqueue/notify/notify-on-empty",
			test_notify_on_empty);
	g_test_add_func("/virtqueue/notify/no-call-fd", test_no_call_fd);
	g_test_add_func("/virtqueue/notify/call-fd-failure-logged-once",
			test_call_fd_failure_logged_once);
	g_test_add_func("/virtqueue/notify/event-idx-kick",
			test_event_idx_kick);
	g_test_add_func("/virtqueue/notify/no-notify", test_no_notify);
	g_test_add_func("/virtqueue/setup/checks", test_setup_checks);
	g_test_add_func("/virtqueue/setup/loads-used-idx",
			test_setup_loads_used_idx);
	g_test_add_func("/virtqueue/iov/copy", test_iov_copy);
	return g_test_run();
}
