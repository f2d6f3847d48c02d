/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile catalogue, ring set-up and device state: SET/GET_VRING_*, the
 * ring eventfds, config space, status and the back-end channel.
 *
 * A ring's size, index, addresses and flags are checked when they arrive;
 * a wrong one ends the session. An fd that cannot serve as a kick, call or
 * error notifier is refused when it arrives where that can be seen, and
 * otherwise breaks the queue the first time the back-end uses it. Config
 * space accesses out of range are refused (an empty GET_CONFIG reply, a
 * failed SET_CONFIG); the session goes on.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tests/frontend/hostile.h"

#define V  VHOST_USER_VERSION
#define NR VHOST_USER_NEED_REPLY_MASK

#define RAW(...) (&(const struct hx_raw){ __VA_ARGS__ })
/* A message with a vring state payload, after SET_OWNER */
#define STATE(req, i, n)                                                       \
	.phase = HX_OWNED, HX_MSG(req, 8), .payload.state = { (i), (n) }
/* A config message, after SET_OWNER */
#define CONFIG(req, off, sz, fl)                                               \
	.phase = HX_OWNED, .request = (req), .size = 12 + (sz),                \
	.len = 12 + (sz), .payload.config = { (off), (sz), (fl), { 0 } }
#define PROTO_BACKEND_REQ                                                      \
	(HX_PROTOCOL | (1ULL << VHOST_USER_PROTOCOL_F_BACKEND_REQ))
/* SET_BACKEND_REQ_FD with an fd of kind k, acked */
#define BACKEND_FD(k)                                                          \
	.phase = HX_FEATURES, .protocol = PROTO_BACKEND_REQ,                   \
	.request = VHOST_USER_SET_BACKEND_REQ_FD, .flags = V | NR,             \
	.fd = { (k) }, .nfds = 1, .ans = HX_ANS_ACK

/* Where the ring of a run_vring_addr() case is, relative to a good one */
enum hx_part {
	HX_DESC,
	HX_AVAIL,
	HX_USED,
};

struct hx_vaddr {
	enum hx_part part; /* the part moved */
	uint64_t value;	   /* its UVA if absolute, else bytes added */
	bool absolute;
	bool at_end; /* the part starts @value bytes before region 0 ends */
	uint32_t flags;
	bool no_num; /* no SET_VRING_NUM before */
	bool no_mem; /* no memory table before */
};

/**
 * run_vring_addr() - SET_VRING_ADDR with one part of the ring misplaced
 * @x:		case run
 * @arg:	struct hx_vaddr
 *
 * Return: the verdict of the acked SET_VRING_ADDR
 */
static enum hx_outcome run_vring_addr(struct hx_ctx *x, const void *arg)
{
	const struct hx_vaddr *a = arg;
	enum hx_outcome res = HX_UNEXPECTED;
	struct vhost_vring_addr addr = { .flags = a->flags };
	struct error *err = NULL;
	struct vu_frontend fe;
	struct guest_ram ram;
	uint64_t base, *part;
	int r;

	vu_init(&fe);
	if (!hx_session(x, &fe, a->no_mem ? HX_OWNED : HX_MEMORY, 0, &ram,
			&err) ||
	    (!a->no_num && !vu_set_vring_num(&fe, 0, 16, &err)))
		goto out;
	/* A good layout 64 KiB into region 0 */
	base = a->no_mem ? 0x7f0000000000ULL
			 : (uintptr_t)ram.regions[0].host + 0x10000;
	addr.desc_user_addr = base;
	addr.avail_user_addr = base + 16 * 16;
	addr.used_user_addr = base + 4096;
	part = a->part == HX_DESC    ? &addr.desc_user_addr
	       : a->part == HX_AVAIL ? &addr.avail_user_addr
				     : &addr.used_user_addr;
	if (a->absolute)
		*part = a->value;
	else if (a->at_end)
		*part = (uintptr_t)ram.regions[0].host + ram.regions[0].size -
			a->value;
	else
		*part += a->value;
	r = hx_send(&fe, VHOST_USER_SET_VRING_ADDR, V | NR, sizeof(addr), &addr,
		    sizeof(addr), NULL, 0, &err);
	res = hx_sent(x, &fe, r, VHOST_USER_SET_VRING_ADDR, HX_ANS_ACK);
out:
	res = hx_done(x, &fe, res, err);
	guest_ram_cleanup(&ram);
	return res;
}

/**
 * run_kick_before_addr() - a kick, and a request, before the ring's
 * addresses: nothing may happen until SET_VRING_ADDR
 * @x:		case run
 * @arg:	unused
 *
 * Return: HX_ACCEPTED if the request waited for the addresses
 */
static enum hx_outcome run_kick_before_addr(struct hx_ctx *x, const void *arg)
{
	const struct hx_dev_opts o = { .rx_buffers = 4, .addr_last = true };
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct hx_ring *r;
	struct hx_dev d;
	unsigned int i;

	(void)arg;
	if (!hx_dev_start(x, &d, &o, &err) || !hx_post_good(x, &d, &err))
		goto out;
	r = hx_req_ring(&d);
	if (hx_wait_used(x, r, 1, 300)) {
		hx_note(x, "a ring without addresses was processed");
		goto out;
	}
	for (i = 0; i < d.nrings; i++) {
		if (!hx_ring_addr(&d, &d.ring[i], &err))
			goto out;
	}
	if (hx_wait_used(x, r, 1, x->timeout_ms)) {
		hx_note(x, "processed once the addresses came");
		res = HX_ACCEPTED;
	} else {
		hx_note(x, "not processed after SET_VRING_ADDR either");
	}
out:
	return hx_dev_done(x, &d, res, err);
}

/* A kick, call or error fd of some kind for the request ring */
struct hx_ringfd {
	uint32_t request;
	enum hx_fd_kind kind;
	bool own_kick; /* the ring's own kick eventfd instead */
};

/**
 * use_ring_fd() - make the back-end use the fd just installed
 * @x:		case run
 * @d:		started device
 * @request:	which fd it was
 *
 * A kick fd is read at once (it is readable, or never); a call fd is
 * written when a request completes; an error fd when the queue breaks.
 *
 * Return: the outcome
 */
static enum hx_outcome use_ring_fd(struct hx_ctx *x, struct hx_dev *d,
				   uint32_t request)
{
	struct hx_ring *r = hx_req_ring(d);
	struct error *err = NULL;

	switch (request) {
	case VHOST_USER_SET_VRING_KICK:
		return hx_wait_broken(x, d, NULL);
	case VHOST_USER_SET_VRING_CALL:
		if (!hx_post_good(x, d, &err))
			return hx_fail(x, err);
		if (!hx_wait_used(x, r, 1, x->timeout_ms)) {
			hx_note(x, "the request did not complete");
			return HX_UNEXPECTED;
		}
		hx_note(x, "the request completed");
		return HX_ACCEPTED;
	default:
		/* A descriptor that loops onto itself breaks the queue */
		hx_desc(r->vr.desc, 0, d->hdr_gpa, 16, VRING_DESC_F_NEXT, 0);
		hx_avail(r, 0);
		if (!hx_publish(r, &err))
			return hx_fail(x, err);
		return hx_wait_broken(x, d, NULL);
	}
}

/**
 * run_ring_fd() - give the request ring a kick, call or error fd of a kind
 * that is no eventfd, while it runs
 * @x:		case run
 * @arg:	struct hx_ringfd
 *
 * Return: the outcome of the request, or of its use
 */
static enum hx_outcome run_ring_fd(struct hx_ctx *x, const void *arg)
{
	const struct hx_ringfd *f = arg;
	const struct hx_dev_opts o = { .rx_buffers = 4 };
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct hx_dev d;
	uint64_t u64;
	int fd = -1, r;

	if (!hx_dev_start(x, &d, &o, &err))
		goto out;
	fd = f->own_kick ? dup(hx_req_ring(&d)->kick)
			 : hx_fd_make(f->kind, 4096, &err);
	if (fd < 0) {
		if (!err)
			error_setg_errno(&err, errno, "dup");
		goto out;
	}
	u64 = hx_req_ring(&d)->index;
	r = hx_send(&d.fe, f->request, V | NR, 8, &u64, 8, &fd, 1, &err);
	hx_close_fds(&fd, 1);
	res = hx_sent(x, &d.fe, r, f->request, HX_ANS_ACK);
	if (res == HX_ACCEPTED)
		res = use_ring_fd(x, &d, f->request);
out:
	return hx_dev_done(x, &d, res, err);
}

#define VADDR(...) (&(const struct hx_vaddr){ __VA_ARGS__ })
#define RINGFD(r, k)                                                           \
	(&(const struct hx_ringfd){ .request = VHOST_USER_SET_VRING_##r,       \
				    .kind = (k) })

const struct hx_case hx_vring_cases[] = {
	/* Ring size and index */
	{ "vring-num-0", "vring", HX_ANY, HX_CLOSED,
	  "queue 0: size 0 is not a power of two", "a ring of size 0",
	  hx_run_raw, RAW(STATE(VHOST_USER_SET_VRING_NUM, 0, 0)) },
	{ "vring-num-3", "vring", HX_ANY, HX_CLOSED,
	  "queue 0: size 3 is not a power of two", "a ring of size 3",
	  hx_run_raw, RAW(STATE(VHOST_USER_SET_VRING_NUM, 0, 3)) },
	{ "vring-num-1000", "vring", HX_ANY, HX_CLOSED,
	  "queue 0: size 1000 is not a power of two", "a ring of size 1000",
	  hx_run_raw, RAW(STATE(VHOST_USER_SET_VRING_NUM, 0, 1000)) },
	{ "vring-num-2048", "vring", HX_ANY, HX_CLOSED,
	  "queue 0: size 2048 exceeds the maximum 1024",
	  "a ring larger than the back-end's --queue-size", hx_run_raw,
	  RAW(STATE(VHOST_USER_SET_VRING_NUM, 0, 2048)) },
	{ "vring-num-65536", "vring", HX_ANY, HX_CLOSED,
	  "queue 0: size 65536 exceeds the maximum",
	  "a ring larger than split rings can be", hx_run_raw,
	  RAW(STATE(VHOST_USER_SET_VRING_NUM, 0, 65536)) },
	{ "vring-num-2g", "vring", HX_ANY, HX_CLOSED,
	  "queue 0: size 2147483648 exceeds the maximum", "a ring of 2^31",
	  hx_run_raw, RAW(STATE(VHOST_USER_SET_VRING_NUM, 0, 0x80000000u)) },
	{ "vring-index-1-blk", "vring", HX_BLK, HX_CLOSED,
	  "SET_VRING_NUM: queue index 1 out of range (device has 1 queues)",
	  "ring 1 of a one-queue block device", hx_run_raw,
	  RAW(STATE(VHOST_USER_SET_VRING_NUM, 1, 16)) },
	{ "vring-index-3-net", "vring", HX_NET, HX_CLOSED,
	  "SET_VRING_NUM: queue index 3 out of range (device has 3 queues)",
	  "ring 3 of a one-pair net device (RX, TX, control)", hx_run_raw,
	  RAW(STATE(VHOST_USER_SET_VRING_NUM, 3, 16)) },
	{ "vring-index-max", "vring", HX_ANY, HX_CLOSED,
	  "SET_VRING_NUM: queue index 4294967295 out of range", "ring 2^32 - 1",
	  hx_run_raw, RAW(STATE(VHOST_USER_SET_VRING_NUM, UINT32_MAX, 16)) },
	{ "vring-base-high-bits", "vring", HX_ANY, HX_CLOSED,
	  "num 0x10000: bits 16-31 must be 0",
	  "SET_VRING_BASE above 16 bits on a split ring", hx_run_raw,
	  RAW(STATE(VHOST_USER_SET_VRING_BASE, 0, 0x10000)) },
	{ "vring-enable-2", "vring", HX_ANY, HX_CLOSED,
	  "queue 0: num 2 must be 0 or 1", "SET_VRING_ENABLE 2", hx_run_raw,
	  RAW(STATE(VHOST_USER_SET_VRING_ENABLE, 0, 2)) },
	{ "vring-enable-index-past", "vring", HX_ANY, HX_CLOSED,
	  "SET_VRING_ENABLE: queue index 64 out of range",
	  "SET_VRING_ENABLE of ring 64", hx_run_raw,
	  RAW(STATE(VHOST_USER_SET_VRING_ENABLE, 64, 1)) },
	{ "get-vring-base-index-past", "vring", HX_ANY, HX_CLOSED,
	  "GET_VRING_BASE: queue index 64 out of range",
	  "GET_VRING_BASE of ring 64", hx_run_raw,
	  RAW(STATE(VHOST_USER_GET_VRING_BASE, 64, 0)) },
	{ "get-vring-base-unstarted", "vring", HX_ANY, HX_ACCEPTED,
	  "GET_VRING_BASE (size 8, 0 fds)",
	  "GET_VRING_BASE of a ring never set up: answered", hx_run_raw,
	  RAW(STATE(VHOST_USER_GET_VRING_BASE, 0, 0), .ans = HX_ANS_REPLY) },
	{ "kick-index-past", "vring", HX_ANY, HX_CLOSED,
	  "SET_VRING_KICK: queue index 64 out of range",
	  "SET_VRING_KICK of ring 64 with an eventfd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_KICK, 8),
	      .payload.u64 = 64, .nfds = 1) },
	{ "err-index-past", "vring", HX_ANY, HX_CLOSED,
	  "SET_VRING_ERR: queue index 255 out of range",
	  "SET_VRING_ERR of ring 255, NOFD", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_ERR, 8),
	      .payload.u64 = 0xff | VHOST_USER_VRING_NOFD_MASK) },

	/* Ring addresses */
	{ "addr-before-num", "vring-addr", HX_ANY, HX_CLOSED,
	  "queue 0: size not set (SET_VRING_NUM first)",
	  "SET_VRING_ADDR before SET_VRING_NUM", run_vring_addr,
	  VADDR(.no_num = true) },
	{ "addr-before-memory", "vring-addr", HX_ANY, HX_CLOSED,
	  "queue 0: no guest memory mapped",
	  "SET_VRING_ADDR before SET_MEM_TABLE (rings before memory)",
	  run_vring_addr, VADDR(.no_mem = true) },
	{ "addr-desc-outside", "vring-addr", HX_ANY, HX_CLOSED,
	  "desc_user_addr 0x10000: 256 bytes not in mapped memory",
	  "a descriptor table outside guest memory", run_vring_addr,
	  VADDR(.part = HX_DESC, .absolute = true, .value = HX_HOLE_UVA) },
	{ "addr-avail-outside", "vring-addr", HX_ANY, HX_CLOSED,
	  "avail_user_addr 0x10000: 38 bytes not in mapped memory",
	  "an avail ring outside guest memory", run_vring_addr,
	  VADDR(.part = HX_AVAIL, .absolute = true, .value = HX_HOLE_UVA) },
	{ "addr-used-outside", "vring-addr", HX_ANY, HX_CLOSED,
	  "used_user_addr 0x10000: 134 bytes not in mapped memory",
	  "a used ring outside guest memory", run_vring_addr,
	  VADDR(.part = HX_USED, .absolute = true, .value = HX_HOLE_UVA) },
	{ "addr-desc-across-end", "vring-addr", HX_ANY, HX_CLOSED,
	  "desc_user_addr", "a descriptor table running past its region",
	  run_vring_addr,
	  VADDR(.part = HX_DESC, .at_end = true, .value = 128) },
	{ "addr-used-across-end", "vring-addr", HX_ANY, HX_CLOSED,
	  "used_user_addr", "a used ring running past its region",
	  run_vring_addr, VADDR(.part = HX_USED, .at_end = true, .value = 64) },
	{ "addr-desc-wrap", "vring-addr", HX_ANY, HX_CLOSED,
	  "desc_user_addr 0xffffffffffffff80: 256 bytes not in mapped memory",
	  "a descriptor table wrapping past 2^64", run_vring_addr,
	  VADDR(.part = HX_DESC, .absolute = true,
		.value = 0xffffffffffffff80ULL) },
	{ "addr-desc-misaligned", "vring-addr", HX_ANY, HX_CLOSED,
	  "not 16-byte aligned", "a descriptor table 8 bytes off alignment",
	  run_vring_addr, VADDR(.part = HX_DESC, .value = 8) },
	{ "addr-avail-odd", "vring-addr", HX_ANY, HX_CLOSED,
	  "not 2-byte aligned", "an avail ring at an odd address",
	  run_vring_addr, VADDR(.part = HX_AVAIL, .value = 1) },
	{ "addr-used-misaligned", "vring-addr", HX_ANY, HX_CLOSED,
	  "not 4-byte aligned", "a used ring 2 bytes off alignment",
	  run_vring_addr, VADDR(.part = HX_USED, .value = 2) },
	{ "addr-log-flag", "vring-addr", HX_ANY, HX_CLOSED,
	  "VHOST_VRING_F_LOG set, but LOG_ALL is never offered",
	  "SET_VRING_ADDR asking for used-ring logging", run_vring_addr,
	  VADDR(.flags = 1) },
	{ "addr-unknown-flags", "vring-addr", HX_ANY, HX_CLOSED,
	  "flags 0x10: unknown bits", "SET_VRING_ADDR with flag bit 4",
	  run_vring_addr, VADDR(.flags = 0x10) },
	{ "kick-before-addr", "vring-addr", HX_ANY, HX_ACCEPTED,
	  "started at avail index 0",
	  "kick, enable and a request before SET_VRING_ADDR: processed only "
	  "after it",
	  run_kick_before_addr, NULL },

	/* Ring eventfds that are no eventfds */
	{ "kick-pipe-eof", "vring-fd", HX_ANY, HX_BROKEN,
	  "is not a usable eventfd (end of file)",
	  "a kick fd that is a pipe whose writer is gone", run_ring_fd,
	  RINGFD(KICK, HX_FD_PIPE_EOF) },
	{ "kick-socket-eof", "vring-fd", HX_ANY, HX_BROKEN,
	  "is not a usable eventfd (end of file)",
	  "a kick fd that is a socket whose peer is gone", run_ring_fd,
	  RINGFD(KICK, HX_FD_SOCK_EOF) },
	{ "kick-socket-short", "vring-fd", HX_ANY, HX_BROKEN,
	  "is not a usable eventfd (short read)",
	  "a kick fd that reads 3 bytes", run_ring_fd,
	  RINGFD(KICK, HX_FD_SOCK_SHORT) },
	{ "kick-pipe-write-end", "vring-fd", HX_ANY, HX_CLOSED,
	  "is not open for reading",
	  "a kick fd that is the write end of a pipe", run_ring_fd,
	  RINGFD(KICK, HX_FD_PIPE_W) },
	{ "kick-regular-file", "vring-fd", HX_ANY, HX_NACK,
	  "cannot watch kick fd",
	  "a kick fd that is a regular file: the queue cannot start",
	  run_ring_fd, RINGFD(KICK, HX_FD_FILE) },
	{ "kick-directory", "vring-fd", HX_ANY, HX_NACK, "cannot watch kick fd",
	  "a kick fd that is a directory", run_ring_fd,
	  RINGFD(KICK, HX_FD_DIR) },
	{ "kick-dev-null", "vring-fd", HX_ANY, HX_NACK, "cannot watch kick fd",
	  "a kick fd that is /dev/null", run_ring_fd,
	  RINGFD(KICK, HX_FD_DEVNULL) },
	{ "kick-o-path", "vring-fd", HX_ANY, HX_CLOSED, "cannot set O_NONBLOCK",
	  "a kick fd opened with O_PATH", run_ring_fd,
	  RINGFD(KICK, HX_FD_OPATH) },
	{ "call-read-only-file", "vring-fd", HX_ANY, HX_CLOSED,
	  "is not open for writing", "a call fd opened read-only", run_ring_fd,
	  RINGFD(CALL, HX_FD_FILE_RO) },
	{ "call-directory", "vring-fd", HX_ANY, HX_CLOSED,
	  "is not open for writing", "a call fd that is a directory",
	  run_ring_fd, RINGFD(CALL, HX_FD_DIR) },
	{ "call-o-path", "vring-fd", HX_ANY, HX_CLOSED, "cannot set O_NONBLOCK",
	  "a call fd opened with O_PATH", run_ring_fd,
	  RINGFD(CALL, HX_FD_OPATH) },
	{ "call-pipe-reader-gone", "vring-fd", HX_ANY, HX_ACCEPTED,
	  "cannot signal the call eventfd: Broken pipe",
	  "a call fd whose reader is gone: requests complete, logged once",
	  run_ring_fd, RINGFD(CALL, HX_FD_PIPE_W) },
	{ "call-is-kick", "vring-fd", HX_ANY, HX_ACCEPTED,
	  "SET_VRING_CALL (size 8, 1 fds)",
	  "the ring's kick eventfd as its call eventfd: no feedback loop",
	  run_ring_fd,
	  (&(const struct hx_ringfd){ VHOST_USER_SET_VRING_CALL, HX_FD_EVENTFD,
				      true }) },
	{ "err-pipe-reader-gone", "vring-fd", HX_ANY, HX_BROKEN,
	  "cannot signal the error eventfd: Broken pipe",
	  "an error fd whose reader is gone, then a broken queue", run_ring_fd,
	  RINGFD(ERR, HX_FD_PIPE_W) },
	{ "err-pipe-read-end", "vring-fd", HX_ANY, HX_CLOSED,
	  "is not open for writing", "an error fd that is a pipe's read end",
	  run_ring_fd, RINGFD(ERR, HX_FD_PIPE_EOF) },

	/* Config space */
	{ "config-read-past-end", "config", HX_ANY, HX_EMPTY,
	  "config read of 8 bytes at offset 200 is outside",
	  "GET_CONFIG at offset 200", hx_run_raw,
	  RAW(CONFIG(VHOST_USER_GET_CONFIG, 200, 8, 0), .flags = V,
	      .ans = HX_ANS_REPLY) },
	{ "config-read-offset-wrap", "config", HX_ANY, HX_EMPTY,
	  "config read of 16 bytes at offset 4294967288 is outside",
	  "GET_CONFIG whose offset + size wraps 32 bits", hx_run_raw,
	  RAW(CONFIG(VHOST_USER_GET_CONFIG, 0xfffffff8u, 16, 0), .flags = V,
	      .ans = HX_ANS_REPLY) },
	{ "config-read-too-long", "config", HX_ANY, HX_EMPTY,
	  "config read of 200 bytes at offset 0 is outside",
	  "GET_CONFIG of 200 bytes, more than the device has", hx_run_raw,
	  RAW(CONFIG(VHOST_USER_GET_CONFIG, 0, 200, 0), .flags = V,
	      .ans = HX_ANS_REPLY) },
	{ "config-write-bad-flags", "config", HX_ANY, HX_CLOSED,
	  "SET_CONFIG: flags 2: expected 0 or 1", "SET_CONFIG with flags 2",
	  hx_run_raw, RAW(CONFIG(VHOST_USER_SET_CONFIG, 0, 1, 2), .flags = V) },
	{ "config-write-capacity", "config", HX_BLK, HX_NACK,
	  "only writeback (1 byte at offset 32) is writable",
	  "SET_CONFIG of the capacity", hx_run_raw,
	  RAW(CONFIG(VHOST_USER_SET_CONFIG, 0, 8, 0), .flags = V | NR,
	      .ans = HX_ANS_ACK) },
	{ "config-write-wce", "config", HX_BLK, HX_NACK,
	  "VIRTIO_BLK_F_CONFIG_WCE not negotiated",
	  "SET_CONFIG of writeback without CONFIG_WCE", hx_run_raw,
	  RAW(CONFIG(VHOST_USER_SET_CONFIG, 32, 1, 0), .flags = V | NR,
	      .ans = HX_ANS_ACK) },
	{ "config-write-status", "config", HX_NET, HX_NACK,
	  "only mac (6 bytes at offset 0) is writable",
	  "SET_CONFIG of the link status", hx_run_raw,
	  RAW(CONFIG(VHOST_USER_SET_CONFIG, 6, 2, 0), .flags = V | NR,
	      .ans = HX_ANS_ACK) },
	{ "config-write-offset-wrap", "config", HX_ANY, HX_NACK,
	  "config write of 2 bytes at offset 4294967295",
	  "SET_CONFIG whose offset + size wraps 32 bits", hx_run_raw,
	  RAW(CONFIG(VHOST_USER_SET_CONFIG, UINT32_MAX, 2, 0), .flags = V | NR,
	      .ans = HX_ANS_ACK) },

	/* Device status */
	{ "status-wide", "status", HX_ANY, HX_CLOSED,
	  "status 0x100 does not fit in 8 bits", "SET_STATUS 0x100", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_STATUS, 8),
	      .payload.u64 = 0x100) },
	{ "status-all-ones", "status", HX_ANY, HX_CLOSED,
	  "status 0xffffffffffffffff does not fit in 8 bits",
	  "SET_STATUS with every bit", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_STATUS, 8),
	      .payload.u64 = UINT64_MAX) },
	{ "status-get-with-payload", "status", HX_ANY, HX_CLOSED,
	  "GET_STATUS: payload size 8, expected 0", "GET_STATUS with a payload",
	  hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_GET_STATUS, 8)) },

	/* The back-end channel */
	{ "backend-req-pipe", "backend-channel", HX_ANY, HX_NACK,
	  "is not a socket", "SET_BACKEND_REQ_FD with a pipe", hx_run_raw,
	  RAW(BACKEND_FD(HX_FD_PIPE_W)) },
	{ "backend-req-directory", "backend-channel", HX_ANY, HX_NACK,
	  "is not a socket", "SET_BACKEND_REQ_FD with a directory", hx_run_raw,
	  RAW(BACKEND_FD(HX_FD_DIR)) },
};

const unsigned int hx_vring_count =
	sizeof(hx_vring_cases) / sizeof(hx_vring_cases[0]);
