/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the vhost-user socket protocol of a real device.
 *
 * Each input is a sequence of messages a front-end sends, with their fds,
 * written on one end of a socketpair; the other end is a vu_session of the
 * device this target is linked with (virtio-blk or virtio-net), which reads,
 * checks and dispatches every message exactly as the server's control thread
 * does. At the end of the input the session ends, and the target checks that
 * the device is reset, every queue stopped and no fd left open (memory:
 * LeakSanitizer).
 *
 * Input format, little-endian, one record per message until fewer than 13
 * bytes are left:
 *
 *   u8   ctl       bits 0-3: number of fds; bit 4: the fds come with the
 *                  payload instead of the header; bit 5: the header is
 *                  sent in two writes (4 + 8 bytes); bit 6: cut (below)
 *   u32  request   \
 *   u32  flags      > the header as sent
 *   u32  size      /
 *   u16  cut       only with bit 6: send only this many bytes of the
 *                  message, then shut the connection (the last record)
 *   fd recipes     one per fd (fuzz-vu-fds.h)
 *   payload        size bytes if size <= VHOST_USER_MAX_PAYLOAD, else none
 *                  (the back-end refuses the header first); zeros past the
 *                  end of the input
 *
 * tests/fuzz/record-vhost-user.py writes QEMU's messages in this format.
 *
 * Queue workers are threads: a ring that starts gets a first look from its
 * worker (the ring may hold buffers), concurrently with the next message. To
 * keep the target deterministic, the device's queue hooks are wrapped and
 * the target waits after each message until every started queue had that
 * first look, and every kick another thread asked for (a RARP) ran. Guest
 * memory is all zeros, so nothing else happens on a worker: the rings are
 * the ring targets' business, the state machine around them is ours.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/protocol/fuzz-util.h"
#include "tests/fuzz/protocol/fuzz-vu-device.h"
#include "tests/fuzz/protocol/fuzz-vu-fds.h"
#include "transport/vhost-user-session.h"
#include "util/log.h"

/* ctl bits of a record */
#define REC_NFDS	   0x0fu
#define REC_FDS_ON_PAYLOAD 0x10u
#define REC_SPLIT_HEADER   0x20u
#define REC_CUT		   0x40u
#define REC_MIN_BYTES	   13
#define REC_SPLIT_AT	   4
#define REC_MAX_FDS	   15

/* Bound of the wait for a worker's first look at a ring */
#define WORKER_SYNC_TIMEOUT_S 10

static struct {
	struct virtio_device *dev;
	const struct virtio_device_ops *real_ops;
	struct virtio_device_ops ops; /* real_ops, queue hooks wrapped */
	struct vu_session *s;

	/* Worker synchronisation, per queue, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool *fresh;	       /* started, first look not taken yet */
	unsigned int *in_kick; /* queue_kick running */
} fz = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/**
 * fuzz_queue_start() - Wrapped queue_start: the first look is due
 * @dev:	device
 * @vq:		queue
 * @errp:	the device's error
 *
 * Return: what the device's hook returned
 */
static bool fuzz_queue_start(struct virtio_device *dev, struct virtqueue *vq,
			     struct error **errp)
{
	pthread_mutex_lock(&fz.lock);
	fz.fresh[vq->index] = true;
	pthread_mutex_unlock(&fz.lock);
	if (!fz.real_ops->queue_start)
		return true;
	return fz.real_ops->queue_start(dev, vq, errp);
}

/**
 * fuzz_queue_kick() - Wrapped queue_kick: record that it ran
 * @dev:	device
 * @vq:		queue
 */
static void fuzz_queue_kick(struct virtio_device *dev, struct virtqueue *vq)
{
	pthread_mutex_lock(&fz.lock);
	fz.in_kick[vq->index]++;
	pthread_mutex_unlock(&fz.lock);
	fz.real_ops->queue_kick(dev, vq);
	pthread_mutex_lock(&fz.lock);
	fz.in_kick[vq->index]--;
	fz.fresh[vq->index] = false;
	pthread_cond_broadcast(&fz.cond);
	pthread_mutex_unlock(&fz.lock);
}

/**
 * fuzz_queue_busy() - Whether a queue's worker still has to act
 * @idx:	queue index; fz.lock held
 *
 * Return: true if the queue runs and its first look, a wake-up asked for or
 * a kick is pending
 */
static bool fuzz_queue_busy(unsigned int idx)
{
	const struct virtqueue *vq = &fz.dev->vqs[idx];

	if (!virtio_queue_running(fz.dev, idx))
		return false;
	if (__atomic_load_n(&vq->broken, __ATOMIC_ACQUIRE) && !fz.in_kick[idx])
		return false; /* the worker never looks at it again */
	return fz.fresh[idx] || fz.in_kick[idx] ||
	       __atomic_load_n(&vq->wake_pending, __ATOMIC_ACQUIRE);
}

/**
 * fuzz_workers_settle() - Wait until no worker has anything left to do
 *
 * Called on the control thread between messages, when no queue starts or
 * stops: what the workers did is then what any run of this input does.
 */
static void fuzz_workers_settle(void)
{
	struct timespec deadline;
	unsigned int i;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WORKER_SYNC_TIMEOUT_S;
	pthread_mutex_lock(&fz.lock);
	for (i = 0; i < fz.dev->num_queues; i++) {
		while (fuzz_queue_busy(i)) {
			if (pthread_cond_timedwait(&fz.cond, &fz.lock,
						   &deadline) == ETIMEDOUT &&
			    fuzz_queue_busy(i))
				fuzz_fail("queue %u: its worker did not take "
					  "its first look or a wake-up within "
					  "%d s",
					  i, WORKER_SYNC_TIMEOUT_S);
		}
	}
	pthread_mutex_unlock(&fz.lock);
}

/**
 * fuzz_vu_real_ops() - The device's own ops, for calls that check them
 * @dev:	the device
 *
 * Return: the ops virtio_*_new() installed
 */
const struct virtio_device_ops *fuzz_vu_real_ops(struct virtio_device *dev)
{
	return fz.real_ops;
}

/**
 * LLVMFuzzerInitialize() - The device and its session, once per process
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct error *err = NULL;
	unsigned int n;

	fuzz_log_init(fuzz_vu_device.name);
	/* As the programs do: a front-end that vanishes is no signal */
	signal(SIGPIPE, SIG_IGN);
	fz.dev = fuzz_vu_device.create();
	n = fz.dev->num_queues;
	fz.fresh = calloc(n, sizeof(*fz.fresh));
	fz.in_kick = calloc(n, sizeof(*fz.in_kick));
	if (!fz.fresh || !fz.in_kick)
		fuzz_fail("out of memory");
	fz.real_ops = fz.dev->ops;
	fz.ops = *fz.real_ops;
	fz.ops.queue_start = fuzz_queue_start;
	fz.ops.queue_kick = fuzz_queue_kick;
	fz.dev->ops = &fz.ops;

	fz.s = vu_session_new(fz.dev, fuzz_vu_device.extra_protocol_features,
			      &err);
	if (!fz.s)
		fuzz_fail("%s", error_get_pretty(err));
	fz.s->device_requests = fuzz_vu_device.requests;
	fz.s->n_device_requests = fuzz_vu_device.n_requests;
	fz.s->queue_num = fuzz_vu_device.queue_num;
	return 0;
}

/**
 * fuzz_send() - Write part of a message, with fds or none
 * @fd:		our end of the connection
 * @buf:	bytes
 * @len:	how many, may be 0 (nothing is sent)
 * @fds:	fds to attach
 * @nfds:	how many, may be 0
 *
 * Return: false if the socket refused (the back-end closed its end)
 */
static bool fuzz_send(int fd, const void *buf, size_t len, const int *fds,
		      unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * REC_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (!len)
		return true;
	if (nfds) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len;
}

/**
 * fuzz_check_replies() - Read what the back-end answered to one request
 * @fd:		our end of the connection
 * @hdr:	the request's header as sent
 * @goes_on:	whether the session survived the request
 *
 * Every reply must be VERSION|REPLY, name the request and carry a payload
 * within bounds; there is at most one, and exactly one when the front-end
 * asked for it (NEED_REPLY) and the session goes on.
 */
static void fuzz_check_replies(int fd, const struct vhost_user_header *hdr,
			       bool goes_on)
{
	static uint8_t buf[2 * (sizeof(*hdr) + VHOST_USER_MAX_PAYLOAD)];
	const uint32_t want = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK;
	unsigned int replies = 0;
	size_t len = 0, off = 0;
	ssize_t n;

	while (len < sizeof(buf) &&
	       (n = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT)) > 0)
		len += n;
	while (off < len) {
		struct vhost_user_header r;

		if (len - off < sizeof(r))
			fuzz_fail("%s: a reply of %zu bytes, shorter than its "
				  "header",
				  vhost_user_request_name(hdr->request),
				  len - off);
		memcpy(&r, buf + off, sizeof(r));
		if (r.flags != want || r.request != hdr->request ||
		    r.size > VHOST_USER_MAX_PAYLOAD ||
		    r.size > len - off - sizeof(r))
			fuzz_fail("%s: bad reply: request %u flags 0x%x size "
				  "%u (%zu bytes read)",
				  vhost_user_request_name(hdr->request),
				  r.request, r.flags, r.size, len - off);
		off += sizeof(r) + r.size;
		replies++;
	}
	if (replies > 1)
		fuzz_fail("%s: %u replies",
			  vhost_user_request_name(hdr->request), replies);
	if (goes_on && (hdr->flags & VHOST_USER_NEED_REPLY_MASK) && !replies)
		fuzz_fail("%s: NEED_REPLY set, no reply",
			  vhost_user_request_name(hdr->request));
}

/* One message as decoded from the input */
struct fuzz_record {
	uint8_t ctl;
	struct vhost_user_header hdr;
	uint8_t msg[sizeof(struct vhost_user_header) + VHOST_USER_MAX_PAYLOAD];
	size_t len; /* bytes of msg sent: all, or fewer when cut */
	int fds[REC_MAX_FDS];
	unsigned int nfds;
};

/**
 * fuzz_decode() - Read one record and make its fds
 * @in:		input
 * @fds:	the fds made for this input
 * @rec:	filled
 */
static void fuzz_decode(struct fuzz_input *in, struct fuzz_fds *fds,
			struct fuzz_record *rec)
{
	unsigned int i, n;
	size_t plen, cut;
	int fd;

	rec->ctl = fuzz_u8(in);
	rec->hdr.request = fuzz_u32(in);
	rec->hdr.flags = fuzz_u32(in);
	rec->hdr.size = fuzz_u32(in);
	cut = rec->ctl & REC_CUT ? fuzz_u16(in) : SIZE_MAX;
	n = rec->ctl & REC_NFDS;
	rec->nfds = 0;
	for (i = 0; i < n; i++) {
		fd = fuzz_fd_make(fds, in);
		if (fd >= 0)
			rec->fds[rec->nfds++] = fd;
	}
	plen = rec->hdr.size <= VHOST_USER_MAX_PAYLOAD ? rec->hdr.size : 0;
	memcpy(rec->msg, &rec->hdr, sizeof(rec->hdr));
	fuzz_bytes(in, rec->msg + sizeof(rec->hdr), plen);
	rec->len = sizeof(rec->hdr) + plen;
	if (rec->len > cut)
		rec->len = cut;
}

/**
 * fuzz_write_record() - Write a record's bytes and fds as it asks
 * @fe:		our end of the connection
 * @rec:	the record
 */
static void fuzz_write_record(int fe, const struct fuzz_record *rec)
{
	size_t split = rec->len;
	bool ok;

	/* Where the first write ends: the fds go with the first byte of it */
	if (rec->ctl & REC_SPLIT_HEADER)
		split = REC_SPLIT_AT;
	else if (rec->ctl & REC_FDS_ON_PAYLOAD)
		split = sizeof(rec->hdr);
	if (split > rec->len)
		split = rec->len;
	if (rec->ctl & REC_FDS_ON_PAYLOAD && split < rec->len)
		ok = fuzz_send(fe, rec->msg, split, NULL, 0) &&
		     fuzz_send(fe, rec->msg + split, rec->len - split, rec->fds,
			       rec->nfds);
	else
		ok = fuzz_send(fe, rec->msg, split, rec->fds, rec->nfds) &&
		     fuzz_send(fe, rec->msg + split, rec->len - split, NULL, 0);
	if (!ok)
		fuzz_fail("%s: the back-end did not take the message: %s",
			  vhost_user_request_name(rec->hdr.request),
			  strerror(errno));
	if (rec->ctl & REC_CUT)
		shutdown(fe, SHUT_WR);
}

/**
 * fuzz_message() - Decode one record, send it and let the session handle it
 * @fe:		our end of the connection
 * @fds:	the fds made for this input
 * @in:		input
 *
 * Return: true if the session goes on
 */
static bool fuzz_message(int fe, struct fuzz_fds *fds, struct fuzz_input *in)
{
	static struct fuzz_record rec;
	struct error *err = NULL;
	bool ok;

	fuzz_decode(in, fds, &rec);
	fuzz_write_record(fe, &rec);
	ok = vu_session_process(fz.s, &err);
	if (err)
		log_debug("session ends: %s", error_get_pretty(err));
	error_free(err);
	fuzz_check_replies(fe, &rec.hdr, ok);
	fuzz_workers_settle();
	return ok && !(rec.ctl & REC_CUT);
}

/**
 * fuzz_check_ended() - After the session: device reset, queues stopped
 */
static void fuzz_check_ended(void)
{
	struct vu_server_info info;
	struct error *err = NULL;
	unsigned int i;

	if (!vu_session_query(fz.s, &info, &err))
		fuzz_fail("query: %s", error_get_pretty(err));
	if (info.connected || info.features || info.protocol_features)
		fuzz_fail("ended session still shows connected %d features "
			  "0x%llx protocol features 0x%llx",
			  info.connected, (unsigned long long)info.features,
			  (unsigned long long)info.protocol_features);
	free(info.queues);
	if (virtio_device_get_status(fz.dev))
		fuzz_fail("status 0x%x after the session ended",
			  virtio_device_get_status(fz.dev));
	for (i = 0; i < fz.dev->num_queues; i++)
		if (virtio_queue_running(fz.dev, i))
			fuzz_fail("queue %u still runs after the session ended",
				  i);
}

/**
 * LLVMFuzzerTestOneInput() - One front-end connection
 * @data:	the messages (see the top of this file)
 * @size:	their size
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { .p = data, .left = size };
	unsigned int fds_before = fuzz_count_fds();
	struct vu_server_info info;
	struct error *err = NULL;
	struct fuzz_fds fds;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		fuzz_fail("socketpair: %s", strerror(errno));
	if (!vu_session_attach(fz.s, sv[1], &err))
		fuzz_fail("attach: %s", error_get_pretty(err));
	fuzz_fds_init(&fds);
	while (in.left >= REC_MIN_BYTES && fuzz_message(sv[0], &fds, &in))
		;
	/* What a monitor would read, then the end a disconnect causes */
	if (vu_session_query(fz.s, &info, NULL))
		free(info.queues);
	vu_session_end(fz.s);
	fuzz_check_ended();
	close(sv[0]);
	fuzz_fds_close(&fds);
	if (fuzz_count_fds() != fds_before)
		fuzz_fail("%u fds open before the input, %u after", fds_before,
			  fuzz_count_fds());
	return 0;
}
