/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test fixtures for the vhost-user transport: toy device, memfd guest memory,
 * raw front-end.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "devices/virtio/virtqueue.h"
#include "tests/unit/transport/vu-test-util.h"

/**
 * toy_get_features() - Features of the toy device
 * @dev:	device
 *
 * Return: TOY_FEATURES
 */
static uint64_t toy_get_features(struct virtio_device *dev)
{
	return TOY_FEATURES;
}

/**
 * toy_get_config() - Read the toy config space
 * @dev:	device
 * @offset:	first byte
 * @buf:	destination
 * @len:	bytes
 * @errp:	set if out of range
 *
 * Return: true if in range
 */
static bool toy_get_config(struct virtio_device *dev, uint32_t offset,
			   void *buf, uint32_t len, struct error **errp)
{
	struct toy_dev *toy = (struct toy_dev *)dev;

	if ((uint64_t)offset + len > TOY_CONFIG_SIZE) {
		error_setg(errp, "config [%u, +%u) out of range", offset, len);
		return false;
	}
	memcpy(buf, toy->config + offset, len);
	return true;
}

/**
 * toy_set_config() - Write the toy config space (bytes 4..7 only)
 * @dev:	device
 * @offset:	first byte
 * @buf:	source
 * @len:	bytes
 * @errp:	set if out of range or read-only
 *
 * Return: true if written
 */
static bool toy_set_config(struct virtio_device *dev, uint32_t offset,
			   const void *buf, uint32_t len, struct error **errp)
{
	struct toy_dev *toy = (struct toy_dev *)dev;

	if (offset < TOY_CONFIG_RW_OFF ||
	    (uint64_t)offset + len > TOY_CONFIG_SIZE) {
		error_setg(errp, "config [%u, +%u) is read-only", offset, len);
		return false;
	}
	memcpy(toy->config + offset, buf, len);
	return true;
}

/**
 * toy_reset() - Count resets
 * @dev:	device
 */
static void toy_reset(struct virtio_device *dev)
{
	struct toy_dev *toy = (struct toy_dev *)dev;

	__atomic_fetch_add(&toy->resets, 1, __ATOMIC_SEQ_CST);
}

/**
 * toy_queue_start() - Count queue starts
 * @dev:	device
 * @vq:		queue
 * @errp:	unused
 *
 * Return: true
 */
static bool toy_queue_start(struct virtio_device *dev, struct virtqueue *vq,
			    struct error **errp)
{
	struct toy_dev *toy = (struct toy_dev *)dev;

	__atomic_fetch_add(&toy->starts, 1, __ATOMIC_SEQ_CST);
	return true;
}

/**
 * toy_queue_kick() - Complete every available chain: fill writable buffers
 * with 0x5a
 * @dev:	device
 * @vq:		queue
 */
static void toy_queue_kick(struct virtio_device *dev, struct virtqueue *vq)
{
	struct toy_dev *toy = (struct toy_dev *)dev;
	struct error *err = NULL;
	struct vq_elem *elem;
	int r;

	do {
		vq_disable_notification(vq);
		while ((r = vq_pop(vq, &elem, &err)) == 1) {
			unsigned int i;

			for (i = 0; i < elem->in_num; i++)
				memset(elem->in_sg[i].iov_base, 0x5a,
				       elem->in_sg[i].iov_len);
			vq_push(vq, elem, elem->in_len);
			__atomic_fetch_add(&toy->requests, 1, __ATOMIC_SEQ_CST);
		}
		error_free(err);
		err = NULL;
		vq_notify(vq);
	} while (r == 0 && vq_enable_notification(vq));
}

/**
 * toy_queue_stop() - Count queue stops
 * @dev:	device
 * @vq:		queue
 */
static void toy_queue_stop(struct virtio_device *dev, struct virtqueue *vq)
{
	struct toy_dev *toy = (struct toy_dev *)dev;

	__atomic_fetch_add(&toy->stops, 1, __ATOMIC_SEQ_CST);
}

static const struct virtio_device_ops toy_ops = {
	.name = "toy",
	.device_id = 0x7f,
	.get_features = toy_get_features,
	.get_config = toy_get_config,
	.set_config = toy_set_config,
	.reset = toy_reset,
	.queue_start = toy_queue_start,
	.queue_kick = toy_queue_kick,
	.queue_stop = toy_queue_stop,
};

/**
 * toy_dev_new() - A toy device with config bytes 0..7 = 0x10..0x17
 *
 * Return: the device
 */
struct toy_dev *toy_dev_new(void)
{
	struct toy_dev *toy = g_new0(struct toy_dev, 1);
	struct error *err = NULL;
	unsigned int i;

	g_assert_true(virtio_device_init(&toy->vdev, &toy_ops, TOY_NUM_QUEUES,
					 TOY_MAX_QUEUE, &err));
	for (i = 0; i < TOY_CONFIG_SIZE; i++)
		toy->config[i] = 0x10 + i;
	return toy;
}

/**
 * toy_dev_free() - Free a toy device
 * @toy:	device
 */
void toy_dev_free(struct toy_dev *toy)
{
	virtio_device_free(&toy->vdev);
	g_free(toy);
}

/**
 * test_mem_init() - A memfd with two regions, mapped here too
 * @m:		filled
 */
void test_mem_init(struct test_mem *m)
{
	m->fd = memfd_create("vu-test", MFD_CLOEXEC);
	g_assert_cmpint(m->fd, >=, 0);
	g_assert_cmpint(ftruncate(m->fd, 2 * TM_REGION_SIZE), ==, 0);
	m->host = mmap(NULL, 2 * TM_REGION_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, m->fd, 0);
	g_assert_true(m->host != MAP_FAILED);
	m->regions[0] = (struct vhost_user_memory_region){
		.guest_phys_addr = TM_GPA0,
		.memory_size = TM_REGION_SIZE,
		.userspace_addr = TM_UVA0,
		.mmap_offset = 0,
	};
	m->regions[1] = (struct vhost_user_memory_region){
		.guest_phys_addr = TM_GPA1,
		.memory_size = TM_REGION_SIZE,
		.userspace_addr = TM_UVA1,
		.mmap_offset = TM_REGION_SIZE,
	};
}

/**
 * test_mem_cleanup() - Unmap and close
 * @m:		memory
 */
void test_mem_cleanup(struct test_mem *m)
{
	munmap(m->host, 2 * TM_REGION_SIZE);
	close(m->fd);
}

/**
 * test_mem_region() - Region holding a GPA
 * @m:		memory
 * @gpa:	guest physical address
 *
 * Return: index of the region
 */
static unsigned int test_mem_region(const struct test_mem *m, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct vhost_user_memory_region *r = &m->regions[i];

		if (gpa >= r->guest_phys_addr &&
		    gpa - r->guest_phys_addr < r->memory_size)
			return i;
	}
	g_assert_not_reached();
	return 0;
}

/**
 * test_mem_host() - Our pointer for a GPA
 * @m:		memory
 * @gpa:	guest physical address
 *
 * Return: host pointer
 */
void *test_mem_host(const struct test_mem *m, uint64_t gpa)
{
	const struct vhost_user_memory_region *r =
		&m->regions[test_mem_region(m, gpa)];

	return m->host + r->mmap_offset + (gpa - r->guest_phys_addr);
}

/**
 * test_mem_uva() - The front-end virtual address of a GPA
 * @m:		memory
 * @gpa:	guest physical address
 *
 * Return: UVA as the back-end sees it
 */
uint64_t test_mem_uva(const struct test_mem *m, uint64_t gpa)
{
	const struct vhost_user_memory_region *r =
		&m->regions[test_mem_region(m, gpa)];

	return r->userspace_addr + (gpa - r->guest_phys_addr);
}

/**
 * fe_send() - Send a message exactly as given
 * @fd:		socket
 * @request:	request id
 * @flags:	header flags (version included by the caller)
 * @payload:	payload
 * @size:	header size field, also the number of payload bytes sent
 * @fds:	fds to attach
 * @nfds:	how many
 */
void fe_send(int fd, uint32_t request, uint32_t flags, const void *payload,
	     uint32_t size, const int *fds, unsigned int nfds)
{
	struct vhost_user_header hdr = { request, flags, size };
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = size },
	};
	char cbuf[CMSG_SPACE(sizeof(int) * 16)];
	struct msghdr mh = {
		.msg_iov = iov,
		.msg_iovlen = size ? 2 : 1,
	};
	ssize_t n;

	g_assert_cmpuint(nfds, <=, 16);
	if (nfds) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	g_assert_cmpint(n, ==, (ssize_t)(sizeof(hdr) + size));
}

/**
 * fe_read_full() - Read @len bytes, waiting at most @timeout_ms per chunk
 * @fd:		socket
 * @buf:	destination
 * @len:	bytes
 * @timeout_ms:	bound
 *
 * Return: true if all bytes were read
 */
static bool fe_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) != 1)
			return false;
		n = recv(fd, (char *)buf + done, len - done, 0);
		if (n <= 0)
			return false;
		done += n;
	}
	return true;
}

/**
 * fe_recv() - Read one message (no fds)
 * @fd:		socket
 * @hdr:	header read
 * @payload:	payload destination
 * @max:	its capacity; a larger payload fails the test
 * @timeout_ms:	bound
 *
 * Return: false on EOF or timeout
 */
bool fe_recv(int fd, struct vhost_user_header *hdr, void *payload, uint32_t max,
	     int timeout_ms)
{
	if (!fe_read_full(fd, hdr, sizeof(*hdr), timeout_ms))
		return false;
	g_assert_cmpuint(hdr->size, <=, max);
	return fe_read_full(fd, payload, hdr->size, timeout_ms);
}

/**
 * fe_recv_reply() - Read the reply to @request
 * @fd:		socket
 * @request:	request id expected
 * @payload:	payload destination
 * @max:	its capacity
 *
 * Return: payload size
 */
uint32_t fe_recv_reply(int fd, uint32_t request, void *payload, uint32_t max)
{
	struct vhost_user_header hdr;

	g_assert_true(fe_recv(fd, &hdr, payload, max, 5000));
	g_assert_cmpuint(hdr.request, ==, request);
	g_assert_cmphex(hdr.flags, ==, 0x5);
	return hdr.size;
}

/**
 * fe_recv_u64() - Read a u64 reply to @request
 * @fd:		socket
 * @request:	request id expected
 *
 * Return: the value
 */
uint64_t fe_recv_u64(int fd, uint32_t request)
{
	uint64_t v = 0;

	g_assert_cmpuint(fe_recv_reply(fd, request, &v, sizeof(v)), ==,
			 sizeof(v));
	return v;
}

/**
 * fe_peer_closed() - Whether the other end closed the connection
 * @fd:		socket
 * @timeout_ms:	bound
 *
 * Return: true on EOF (or reset) within @timeout_ms
 */
bool fe_peer_closed(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return false;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

/**
 * count_open_fds() - Number of fds this process has open
 *
 * Return: entries of /proc/self/fd, not counting the directory's own fd
 */
unsigned int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;
	struct dirent *e;

	g_assert_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/**
 * new_eventfd() - A non-blocking eventfd
 *
 * Return: the fd
 */
int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	g_assert_cmpint(fd, >=, 0);
	return fd;
}

/* The one watchdog of a test program */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool armed;
	unsigned int seconds;
	const char *what;
} watchdog = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/**
 * watchdog_thread() - Fail the test if the watchdog is not disarmed in time
 * @opaque:	unused
 *
 * Return: NULL
 */
static void *watchdog_thread(void *opaque)
{
	struct timespec ts;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += watchdog.seconds;
	pthread_mutex_lock(&watchdog.lock);
	while (watchdog.armed && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&watchdog.cond, &watchdog.lock,
					    &ts);
	if (watchdog.armed)
		g_error("%s blocked for more than %u s", watchdog.what,
			watchdog.seconds);
	pthread_mutex_unlock(&watchdog.lock);
	return NULL;
}

/**
 * watchdog_arm() - Fail the test unless watchdog_disarm() comes in time
 * @seconds:	bound
 * @what:	what would be blocked, for the failure message
 */
void watchdog_arm(unsigned int seconds, const char *what)
{
	pthread_mutex_lock(&watchdog.lock);
	g_assert_false(watchdog.armed);
	watchdog.armed = true;
	watchdog.seconds = seconds;
	watchdog.what = what;
	pthread_mutex_unlock(&watchdog.lock);
	g_assert_cmpint(
		pthread_create(&watchdog.thread, NULL, watchdog_thread, NULL),
		==, 0);
}

/**
 * watchdog_disarm() - The guarded operation returned in time
 */
void watchdog_disarm(void)
{
	pthread_mutex_lock(&watchdog.lock);
	watchdog.armed = false;
	pthread_cond_signal(&watchdog.cond);
	pthread_mutex_unlock(&watchdog.lock);
	g_assert_cmpint(pthread_join(watchdog.thread, NULL), ==, 0);
}
