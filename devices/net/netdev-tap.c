/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tap netdev: frames through a host tap interface, one fd per queue pair.
 *
 * The tap is created (or a persistent one attached) by name with TUNSETIFF,
 * or its fds come already opened from a manager such as libvirt (fd=, fds=).
 * Nothing here runs scripts or sets addresses: the manager or the
 * administrator configures the interface, as with QEMU's script=no.
 *
 * With IFF_VNET_HDR every frame carries a virtio_net_hdr, so the guest's
 * checksum and segmentation offloads go through untouched in both directions;
 * TUNSETOFFLOAD states which of them the kernel may hand us.
 *
 * Each queue's fd is watched on its pair's worker: EPOLLIN while the guest
 * takes frames, EPOLLOUT while a send() waits for room. A frame the guest has
 * no buffers for stays in the queue's buffer until ops->rx_resume.
 *
 * With several queues, the kernel spreads the frames it transmits over the
 * queues attached to the interface. A queue whose pair is not running (the
 * guest uses fewer pairs) is detached (TUNSETQUEUE), as QEMU does, so no
 * frame waits there for a reader that never comes; queue 0 always stays.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "devices/net/netdev-int.h"
#include "util/log.h"

#define TAP_DEV "/dev/net/tun"
/* Frames read and offered to the guest before the worker does other work */
#define TAP_RX_BURST 64
/* Messages per second and queue about failed sends or reads */
#define TAP_LOG_PER_SEC 5
/* The header the kernel assumes until told otherwise */
#define TAP_DEFAULT_HDR_LEN 10

/* nd->offloads and set_vnet_hdr() pass TUN_F_* values through unchanged */
_Static_assert(NETDEV_OFFLOAD_CSUM == TUN_F_CSUM, "TUN_F_CSUM");
_Static_assert(NETDEV_OFFLOAD_TSO4 == TUN_F_TSO4, "TUN_F_TSO4");
_Static_assert(NETDEV_OFFLOAD_TSO6 == TUN_F_TSO6, "TUN_F_TSO6");
_Static_assert(NETDEV_OFFLOAD_ECN == TUN_F_TSO_ECN, "TUN_F_TSO_ECN");
_Static_assert(NETDEV_OFFLOAD_UFO == TUN_F_UFO, "TUN_F_UFO");

struct tap;

/* One queue: an fd of the tap and its receive state */
struct tap_queue {
	struct tap *tap;
	unsigned int index;
	int fd;
	struct netdev_port *port; /* while attached */
	uint32_t events;	  /* what the watch asks for now */
	bool rx_held;	 /* receive() said -EAGAIN: buf holds a frame */
	bool tx_blocked; /* send() saw EAGAIN: waiting for EPOLLOUT */
	bool dead;	 /* the tap went away: no longer watched */
	bool detached;	 /* IFF_DETACH_QUEUE: the kernel sends it nothing */
	size_t held_len; /* length of the held frame */
	uint8_t *buf;	 /* NETDEV_MAX_FRAME bytes */
	time_t log_sec;	 /* rate limit of messages: current second */
	unsigned int log_count; /* ... and messages in it */
};

struct tap {
	struct netdev nd;
	char ifname[IFNAMSIZ];
	struct tap_queue *q; /* nd.queues of them */
};

/* Options of one tap netdev, as given */
struct tap_opts {
	const char *ifname;
	const char *fd;
	const char *fds;
	bool vnet_hdr_given;
	bool vnet_hdr;
};

/**
 * tap_log_ok() - Rate limit of messages about one queue's I/O
 * @q:		queue
 *
 * Return: true if a message may be logged now
 */
static bool tap_log_ok(struct tap_queue *q)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	if (ts.tv_sec != q->log_sec) {
		q->log_sec = ts.tv_sec;
		q->log_count = 0;
	}
	return q->log_count++ < TAP_LOG_PER_SEC;
}

/**
 * tap_update_watch() - Ask the worker for the events the queue needs now
 * @q:		attached queue
 *
 * EPOLLIN unless a frame is held or the tap is gone, EPOLLOUT while a send
 * waits for room.
 */
static void tap_update_watch(struct tap_queue *q)
{
	uint32_t events = 0;
	struct error *err = NULL;

	if (!q->port || q->dead)
		return;
	if (!q->rx_held)
		events |= EPOLLIN;
	if (q->tx_blocked)
		events |= EPOLLOUT;
	if (events == q->events)
		return;
	if (!q->port->watch_modify(q->port, q->fd, events, &err)) {
		error_prepend(&err,
			      "netdev %s: tap %s queue %u: ", q->tap->nd.id,
			      q->tap->ifname, q->index);
		error_report_err(err);
		return;
	}
	q->events = events;
}

/**
 * tap_set_dead() - Stop watching a queue whose tap went away
 * @q:		attached queue
 * @err:	errno of the failed read, 0 for a hang-up
 *
 * The interface was deleted under us: its fd reports errors forever, so
 * watching it would spin. Sends keep failing with the kernel's error.
 */
static void tap_set_dead(struct tap_queue *q, int err)
{
	log_err("netdev %s: tap %s queue %u: %s%s, no longer receiving",
		q->tap->nd.id, q->tap->ifname, q->index,
		err ? "read failed: " : "interface went away",
		err ? strerror(err) : "");
	q->dead = true;
	q->port->unwatch(q->port, q->fd);
	q->events = 0;
}

/**
 * tap_rx_burst() - Read frames and offer them to the guest, a burst at most
 * @q:		attached queue
 *
 * A held frame goes first. When the guest has no buffers the frame stays
 * held and reading pauses until rx_resume. The guest is notified once.
 */
static void tap_rx_burst(struct tap_queue *q)
{
	unsigned int n, taken = 0;
	struct iovec iov;
	ssize_t len;
	int r;

	for (n = 0; n < TAP_RX_BURST && !q->dead; n++) {
		if (!q->rx_held) {
			len = read(q->fd, q->buf, NETDEV_MAX_FRAME);
			if (len < 0 && errno == EINTR)
				continue;
			if (len < 0 && errno == EAGAIN)
				break;
			if (len < 0 && (errno == EBADFD || errno == EIO)) {
				tap_set_dead(q, errno);
				break;
			}
			if (len < 0) {
				if (tap_log_ok(q))
					log_warn("netdev %s: tap %s queue %u: "
						 "read failed: %s",
						 q->tap->nd.id, q->tap->ifname,
						 q->index, strerror(errno));
				break;
			}
			q->held_len = (size_t)len;
		}
		iov.iov_base = q->buf;
		iov.iov_len = q->held_len;
		r = q->port->receive(q->port, &iov, 1, true);
		if (r == -EAGAIN) {
			q->rx_held = true;
			break;
		}
		q->rx_held = false;
		taken++;
	}
	tap_update_watch(q);
	if (taken)
		q->port->receive_done(q->port);
}

/**
 * tap_event() - The worker saw events on a queue's fd
 * @opaque:	queue
 * @revents:	ready epoll events
 */
static void tap_event(void *opaque, uint32_t revents)
{
	struct tap_queue *q = opaque;

	if (!q->port || q->dead)
		return;
	if (revents & (EPOLLERR | EPOLLHUP)) {
		tap_set_dead(q, 0);
		if (q->tx_blocked) {
			/* The retry gets the kernel's error */
			q->tx_blocked = false;
			q->port->tx_ready(q->port);
		}
		return;
	}
	if ((revents & EPOLLOUT) && q->tx_blocked) {
		q->tx_blocked = false;
		tap_update_watch(q);
		q->port->tx_ready(q->port);
	}
	if ((revents & EPOLLIN) && !q->rx_held && q->port)
		tap_rx_burst(q);
}

/**
 * tap_set_queue() - Attach a queue to the interface or detach it
 * @q:		queue (a no-op unless the tap has several, or its fd came
 * detached)
 * @attach:	attach (the kernel may send frames to it) or detach
 * @errp:	error
 *
 * Return: true if done
 */
static bool tap_set_queue(struct tap_queue *q, bool attach, struct error **errp)
{
	struct ifreq ifr = { 0 };

	if (q->detached != attach)
		return true;
	ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(q->fd, TUNSETQUEUE, &ifr) < 0) {
		error_setg_errno(errp, errno, "tap %s queue %u: cannot %s it",
				 q->tap->ifname, q->index,
				 attach ? "attach" : "detach");
		return false;
	}
	q->detached = !attach;
	return true;
}

/**
 * tap_attach() - Queue @qi's receive side starts: watch its fd
 * @nd:		tap netdev
 * @qi:		queue
 * @port:	the device's port for that pair
 * @errp:	error
 *
 * Return: true if watched
 */
static bool tap_attach(struct netdev *nd, unsigned int qi,
		       struct netdev_port *port, struct error **errp)
{
	struct tap *t = (struct tap *)nd;
	struct tap_queue *q = &t->q[qi];

	if (q->dead) {
		error_setg(errp, "netdev %s: tap %s queue %u went away", nd->id,
			   t->ifname, qi);
		return false;
	}
	if (!tap_set_queue(q, true, errp)) {
		error_prepend(errp, "netdev %s: ", nd->id);
		return false;
	}
	if (!port->watch(port, q->fd, EPOLLIN, tap_event, q, errp)) {
		error_prepend(errp, "netdev %s: tap %s queue %u: ", nd->id,
			      t->ifname, qi);
		if (qi)
			tap_set_queue(q, false, NULL);
		return false;
	}
	q->port = port;
	q->events = EPOLLIN;
	return true;
}

/**
 * tap_detach() - Queue @qi's receive side stopped: forget its port
 * @nd:		tap netdev
 * @qi:		queue
 *
 * A held frame is dropped: the guest may come back with other buffers, or
 * reset, and a network may lose frames. Queues other than 0 are detached
 * from the interface until their pair runs again.
 */
static void tap_detach(struct netdev *nd, unsigned int qi)
{
	struct tap_queue *q = &((struct tap *)nd)->q[qi];
	struct error *err = NULL;

	if (qi && !q->dead && !tap_set_queue(q, false, &err)) {
		error_prepend(&err, "netdev %s: ", nd->id);
		error_report_err(err);
	}

	q->port = NULL;
	q->events = 0;
	q->rx_held = false;
	q->tx_blocked = false;
}

/**
 * tap_rx_resume() - The guest posted buffers: offer the held frame, read on
 * @nd:		tap netdev
 * @qi:		queue
 */
static void tap_rx_resume(struct netdev *nd, unsigned int qi)
{
	struct tap_queue *q = &((struct tap *)nd)->q[qi];

	if (q->port && q->rx_held && !q->dead)
		tap_rx_burst(q);
}

/**
 * tap_send() - Write one frame to queue @qi's fd
 * @nd:		tap netdev
 * @qi:		queue
 * @iov:	frame (with its header if nd->vnet_hdr)
 * @cnt:	number of elements in @iov
 *
 * Return: 0 if written, -EAGAIN if the tap has no room (tx_ready follows
 * while attached), another -errno if dropped
 */
static int tap_send(struct netdev *nd, unsigned int qi, const struct iovec *iov,
		    unsigned int cnt)
{
	struct tap_queue *q = &((struct tap *)nd)->q[qi];
	ssize_t r;

	/* A detached queue still takes frames: only the kernel's are steered */
	do {
		r = writev(q->fd, iov, (int)cnt);
	} while (r < 0 && errno == EINTR);
	if (r >= 0)
		return 0;
	if (errno == EAGAIN) {
		if (q->port && !q->dead) {
			q->tx_blocked = true;
			tap_update_watch(q);
		}
		return -EAGAIN;
	}
	if (tap_log_ok(q))
		log_warn("netdev %s: tap %s queue %u: write failed: %s", nd->id,
			 q->tap->ifname, qi, strerror(errno));
	return -errno;
}

/**
 * tap_set_vnet_hdr() - Header length and offloads negotiated with the guest
 * @nd:		tap netdev with vnet_hdr
 * @hdr_len:	10 or 12
 * @offloads:	NETDEV_OFFLOAD_* the guest takes, a subset of nd->offloads
 * @errp:	error
 *
 * Return: true if every fd was set
 */
static bool tap_set_vnet_hdr(struct netdev *nd, unsigned int hdr_len,
			     unsigned int offloads, struct error **errp)
{
	struct tap *t = (struct tap *)nd;
	int len = (int)hdr_len;

	if (!nd->vnet_hdr) {
		error_setg(errp,
			   "netdev %s: tap %s has no vnet header "
			   "(vnet_hdr=off)",
			   nd->id, t->ifname);
		return false;
	}
	if (hdr_len != 10 && hdr_len != 12) {
		error_setg(errp,
			   "netdev %s: tap %s: unsupported vnet header "
			   "length %u",
			   nd->id, t->ifname, hdr_len);
		return false;
	}
	if (offloads & ~nd->offloads) {
		error_setg(errp,
			   "netdev %s: tap %s: offloads 0x%x not "
			   "supported (kernel takes 0x%x)",
			   nd->id, t->ifname, offloads, nd->offloads);
		return false;
	}
	for (unsigned int i = 0; i < nd->queues; i++) {
		if (ioctl(t->q[i].fd, TUNSETVNETHDRSZ, &len) < 0) {
			error_setg_errno(errp, errno,
					 "netdev %s: tap %s queue "
					 "%u: TUNSETVNETHDRSZ %u",
					 nd->id, t->ifname, i, hdr_len);
			return false;
		}
		if (ioctl(t->q[i].fd, TUNSETOFFLOAD, (unsigned long)offloads) <
		    0) {
			error_setg_errno(errp, errno,
					 "netdev %s: tap %s queue "
					 "%u: TUNSETOFFLOAD 0x%x",
					 nd->id, t->ifname, i, offloads);
			return false;
		}
	}
	nd->hdr_len = hdr_len;
	return true;
}

/**
 * tap_free() - Close every fd and free the netdev
 * @nd:		tap netdev
 *
 * A tap we created without TUNSETPERSIST disappears with its last fd.
 */
static void tap_free(struct netdev *nd)
{
	struct tap *t = (struct tap *)nd;

	for (unsigned int i = 0; t->q && i < nd->queues; i++) {
		if (t->q[i].fd >= 0)
			close(t->q[i].fd);
		free(t->q[i].buf);
	}
	free(t->q);
	netdev_fini(nd);
	free(t);
}

static const struct netdev_ops tap_ops = {
	.type = "tap",
	.set_vnet_hdr = tap_set_vnet_hdr,
	.attach = tap_attach,
	.detach = tap_detach,
	.send = tap_send,
	.rx_resume = tap_rx_resume,
	.free = tap_free,
};

/**
 * tap_kernel_has_vnet_hdr() - Whether the kernel's tun driver offers
 * IFF_VNET_HDR
 * @fd:		an open /dev/net/tun fd (attached or not)
 *
 * Return: true if TUNGETFEATURES lists it
 */
static bool tap_kernel_has_vnet_hdr(int fd)
{
	unsigned int features = 0;

	return !ioctl(fd, TUNGETFEATURES, &features) &&
	       (features & IFF_VNET_HDR);
}

/**
 * tap_open_hint() - Why TUNSETIFF may have failed, for the error message
 * @err:	errno
 * @mq:		multiqueue was asked for
 *
 * Return: a parenthesised hint, or ""
 */
static const char *tap_open_hint(int err, bool mq)
{
	switch (err) {
	case EPERM:
		return " (needs CAP_NET_ADMIN, or a persistent tap owned by "
		       "this user)";
	case EBUSY:
		return " (in use by another process)";
	case EINVAL:
		return mq ? " (exists but is not a tap, or was created "
			    "without multiqueue)"
			  : " (exists but is not a tap, or was created "
			    "with multiqueue: set the device's queue pairs)";
	default:
		return "";
	}
}

/**
 * tap_open_one() - Create, or attach to, tap @t->ifname for queue @qi
 * @t:		tap; ifname empty lets the kernel choose (tapN), set on return
 * @qi:		queue
 * @opts:	options (vnet_hdr wanted or not, given or not)
 * @errp:	error naming the interface and the reason
 *
 * Return: true with t->q[qi].fd open, non-blocking
 */
static bool tap_open_one(struct tap *t, unsigned int qi,
			 const struct tap_opts *opts, struct error **errp)
{
	bool mq = t->nd.queues > 1;
	struct ifreq ifr;
	int fd;

	fd = open(TAP_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		error_setg_errno(errp, errno, "cannot open " TAP_DEV);
		return false;
	}
	if (qi == 0) {
		bool has = tap_kernel_has_vnet_hdr(fd);

		if (opts->vnet_hdr_given && opts->vnet_hdr && !has) {
			error_setg(errp, "vnet_hdr=on: the kernel's tap driver "
					 "has no IFF_VNET_HDR");
			close(fd);
			return false;
		}
		t->nd.vnet_hdr = opts->vnet_hdr_given ? opts->vnet_hdr : has;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (t->nd.vnet_hdr)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (mq)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	memcpy(ifr.ifr_name, t->ifname, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = errno;

		if (mq)
			error_setg(errp, "cannot create tap %s queue %u: %s%s",
				   t->ifname[0] ? t->ifname : "(any)", qi,
				   strerror(err), tap_open_hint(err, mq));
		else
			error_setg(errp, "cannot create tap %s: %s%s",
				   t->ifname[0] ? t->ifname : "(any)",
				   strerror(err), tap_open_hint(err, mq));
		close(fd);
		return false;
	}
	memcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname));
	t->ifname[IFNAMSIZ - 1] = '\0';
	t->q[qi].fd = fd;
	return true;
}

/**
 * tap_parse_fd() - One decimal fd number of fd= or fds=
 * @s:		text, up to @end
 * @end:	one past the number
 * @out:	the number
 *
 * Return: true if @s..@end is a number in [0, INT_MAX]
 */
static bool tap_parse_fd(const char *s, const char *end, int *out)
{
	unsigned long v = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > INT_MAX)
			return false;
	}
	*out = (int)v;
	return true;
}

/**
 * tap_check_fd() - Validate a tap fd given by a manager and take it
 * @t:		tap
 * @qi:		queue the fd serves
 * @fd:		fd number
 * @opts:	options (vnet_hdr expectation)
 * @errp:	error naming the fd
 *
 * The fd must be an attached tap (not tun) without packet information, on
 * the same interface as queue 0's. Its IFF_VNET_HDR cannot change: vnet_hdr=
 * may only confirm it.
 *
 * Return: true with t->q[qi].fd set, made non-blocking
 */
static bool tap_check_fd(struct tap *t, unsigned int qi, int fd,
			 const struct tap_opts *opts, struct error **errp)
{
	struct ifreq ifr;
	bool vh;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0) {
		error_setg_errno(errp, errno, "fd %d", fd);
		return false;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		error_setg_errno(errp, errno,
				 "fd %d is not an attached tap "
				 "fd",
				 fd);
		return false;
	}
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	if (!(ifr.ifr_flags & IFF_TAP) || !(ifr.ifr_flags & IFF_NO_PI)) {
		error_setg(errp, "fd %d: %s is %s", fd, ifr.ifr_name,
			   (ifr.ifr_flags & IFF_TAP)
				   ? "a tap with packet information (no "
				     "IFF_NO_PI)"
				   : "not a tap (tun?)");
		return false;
	}
	vh = ifr.ifr_flags & IFF_VNET_HDR;
	if (qi == 0) {
		memcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname));
		if (opts->vnet_hdr_given && opts->vnet_hdr != vh) {
			error_setg(errp,
				   "fd %d: tap %s was opened %s "
				   "IFF_VNET_HDR, vnet_hdr=%s cannot apply",
				   fd, t->ifname, vh ? "with" : "without",
				   opts->vnet_hdr ? "on" : "off");
			return false;
		}
		t->nd.vnet_hdr = vh;
	} else if (strcmp(t->ifname, ifr.ifr_name) || vh != t->nd.vnet_hdr) {
		error_setg(errp, "fd %d: %s%s differs from the first fd's %s",
			   fd, ifr.ifr_name, vh ? " with vnet header" : "",
			   t->ifname);
		return false;
	}
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		error_setg_errno(errp, errno, "fd %d: O_NONBLOCK", fd);
		return false;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	t->q[qi].fd = fd;
	t->q[qi].detached = ifr.ifr_flags & IFF_DETACH_QUEUE;
	return true;
}

/**
 * tap_take_fds() - Use the fds of fd= or fds= (N:M:...), one per queue
 * @t:		tap with nd.queues set
 * @list:	fd= or fds= value
 * @key:	"fd" or "fds", for messages
 * @opts:	options
 * @errp:	error
 *
 * The fds are ours once they pass the checks: freed netdevs close them.
 *
 * Return: true if every queue got its fd
 */
static bool tap_take_fds(struct tap *t, const char *list, const char *key,
			 const struct tap_opts *opts, struct error **errp)
{
	unsigned int n = 1, i;
	const char *s = list, *end;

	for (const char *p = list; *p; p++)
		n += *p == ':';
	if (n != t->nd.queues) {
		error_setg(errp, "%s=%s: %u fd%s for %u queue pair%s%s", key,
			   list, n, n == 1 ? "" : "s", t->nd.queues,
			   t->nd.queues == 1 ? "" : "s",
			   t->nd.queues > 1 && n == 1 ? " (use fds=N:M:...)"
						      : "");
		return false;
	}
	/* All numbers first: a typo is reported as one, not as a bad fd */
	for (i = 0; i < n; i++, s = end + 1) {
		end = strchr(s, ':');
		if (!end)
			end = s + strlen(s);
		if (!tap_parse_fd(s, end, &t->q[i].fd)) {
			error_setg(errp, "%s=%s: bad fd number '%.*s'", key,
				   list, (int)(end - s), s);
			return false;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (t->q[j].fd == t->q[i].fd) {
				error_setg(errp, "%s=%s: fd %d given twice",
					   key, list, t->q[i].fd);
				return false;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (!tap_check_fd(t, i, t->q[i].fd, opts, errp)) {
			error_prepend(errp, "%s=%s: ", key, list);
			return false;
		}
	}
	return true;
}

/**
 * tap_probe_offloads() - Find which TUN_F_* offloads the kernel accepts
 * @t:		tap with vnet_hdr
 *
 * TSO and UFO need CSUM, ECN needs TSO: each is tried with what it needs.
 * The caller leaves the tap with no offloads until the guest's are known.
 *
 * Return: the accepted NETDEV_OFFLOAD_* (equal to TUN_F_*)
 */
static unsigned int tap_probe_offloads(struct tap *t)
{
	unsigned int ok = 0, tso;
	int fd = t->q[0].fd;

	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)TUN_F_CSUM) < 0)
		return 0;
	ok = TUN_F_CSUM;
	if (!ioctl(fd, TUNSETOFFLOAD, (unsigned long)(ok | TUN_F_TSO4)))
		ok |= TUN_F_TSO4;
	if (!ioctl(fd, TUNSETOFFLOAD, (unsigned long)(ok | TUN_F_TSO6)))
		ok |= TUN_F_TSO6;
	tso = ok & (TUN_F_TSO4 | TUN_F_TSO6);
	if (tso &&
	    !ioctl(fd, TUNSETOFFLOAD, (unsigned long)(ok | TUN_F_TSO_ECN)))
		ok |= TUN_F_TSO_ECN;
	if (!ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_UFO)))
		ok |= TUN_F_UFO;
	return ok;
}

/**
 * tap_init_vnet_hdr() - Start every fd with the default header, no offloads
 * @t:		tap with vnet_hdr
 * @errp:	error
 *
 * Return: true if the kernel took the settings
 */
static bool tap_init_vnet_hdr(struct tap *t, struct error **errp)
{
	int len = TAP_DEFAULT_HDR_LEN;

	t->nd.offloads = tap_probe_offloads(t);
	for (unsigned int i = 0; i < t->nd.queues; i++) {
		int fd = t->q[i].fd;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		int le = 1;

		/* VIRTIO 1.0 headers are little-endian */
		if (ioctl(fd, TUNSETVNETLE, &le) < 0) {
			error_setg_errno(errp, errno, "queue %u: TUNSETVNETLE",
					 i);
			return false;
		}
#endif
		if (ioctl(fd, TUNSETVNETHDRSZ, &len) < 0 ||
		    ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
			error_setg_errno(errp, errno,
					 "queue %u: cannot set "
					 "vnet header",
					 i);
			return false;
		}
	}
	t->nd.hdr_len = TAP_DEFAULT_HDR_LEN;
	return true;
}

/**
 * tap_refuse_qemu_opts() - Handle QEMU tap options that do not apply here
 * @args:	options
 * @pairs:	the device's queue pairs
 * @errp:	error
 *
 * script=no/downscript=no and vhost=off are accepted (common in QEMU
 * command lines); scripts and vhost-net are refused, queues= must match.
 *
 * Return: true if nothing given conflicts
 */
static bool tap_refuse_qemu_opts(struct netdev_args *args, unsigned int pairs,
				 struct error **errp)
{
	static const char *const scripts[] = { "script", "downscript" };
	uint64_t queues;
	bool vhost;

	for (unsigned int i = 0; i < 2; i++) {
		const char *v = netdev_arg_get(args, scripts[i]);

		if (v && strcmp(v, "no") && strcmp(v, "")) {
			error_setg(errp,
				   "%s=%s: scripts are not run: the "
				   "manager or the administrator configures "
				   "the interface (use %s=no)",
				   scripts[i], v, scripts[i]);
			return false;
		}
	}
	if (!netdev_arg_bool(args, "vhost", false, &vhost, errp))
		return false;
	if (vhost) {
		error_setg(errp, "vhost=on: vhost-net does not apply, this "
				 "program is the vhost-user back-end");
		return false;
	}
	if (!netdev_arg_uint(args, "queues", 1, UINT32_MAX, pairs, &queues,
			     errp))
		return false;
	if (queues != pairs) {
		error_setg(errp,
			   "queues=%llu differs from the device's %u "
			   "queue pairs",
			   (unsigned long long)queues, pairs);
		return false;
	}
	return true;
}

/**
 * tap_parse() - Take the tap options
 * @args:	options
 * @pairs:	the device's queue pairs
 * @o:		filled
 * @errp:	error
 *
 * Return: true if they are consistent
 */
static bool tap_parse(struct netdev_args *args, unsigned int pairs,
		      struct tap_opts *o, struct error **errp)
{
	memset(o, 0, sizeof(*o));
	o->ifname = netdev_arg_get(args, "ifname");
	o->fd = netdev_arg_get(args, "fd");
	o->fds = netdev_arg_get(args, "fds");
	o->vnet_hdr_given = netdev_arg_get(args, "vnet_hdr") != NULL;
	if (!netdev_arg_bool(args, "vnet_hdr", true, &o->vnet_hdr, errp) ||
	    !tap_refuse_qemu_opts(args, pairs, errp) ||
	    !netdev_args_finish(args, errp))
		return false;
	if ((o->fd || o->fds) && o->ifname) {
		error_setg(errp,
			   "ifname= and %s= exclude each other: the "
			   "manager's fds name the interface",
			   o->fd ? "fd" : "fds");
		return false;
	}
	if (o->fd && o->fds) {
		error_setg(errp, "fd= and fds= exclude each other");
		return false;
	}
	if (o->ifname && (!o->ifname[0] || strlen(o->ifname) >= IFNAMSIZ ||
			  strchr(o->ifname, '/') || strchr(o->ifname, ':') ||
			  strpbrk(o->ifname, " \t\n"))) {
		error_setg(errp,
			   "ifname=%s: not a valid interface name (1 to "
			   "%d characters, no '/', ':' or spaces)",
			   o->ifname, IFNAMSIZ - 1);
		return false;
	}
	return true;
}

/**
 * tap_create() - Create the tap netdev from its options
 * @args:	options (type and id taken)
 * @pairs:	the device's queue pairs: one tap queue each
 * @errp:	error naming the netdev and the interface
 *
 * Return: the netdev, or NULL
 */
static struct netdev *tap_create(struct netdev_args *args, unsigned int pairs,
				 struct error **errp)
{
	struct tap_opts o;
	struct tap *t;
	bool ok;

	if (!tap_parse(args, pairs, &o, errp))
		goto fail_args;
	t = calloc(1, sizeof(*t));
	if (!t) {
		error_setg(errp, "out of memory");
		goto fail_args;
	}
	if (!netdev_init(&t->nd, &tap_ops, args, pairs, errp)) {
		free(t);
		goto fail_args;
	}
	t->q = calloc(pairs, sizeof(*t->q));
	if (!t->q) {
		error_setg(errp, "out of memory");
		goto fail;
	}
	for (unsigned int i = 0; i < pairs; i++) {
		t->q[i] = (struct tap_queue){ .tap = t, .index = i, .fd = -1 };
		t->q[i].buf = malloc(NETDEV_MAX_FRAME);
		if (!t->q[i].buf) {
			error_setg(errp, "out of memory");
			goto fail;
		}
	}
	if (o.ifname)
		memcpy(t->ifname, o.ifname, strlen(o.ifname) + 1);
	if (o.fd || o.fds) {
		ok = tap_take_fds(t, o.fd ? o.fd : o.fds, o.fd ? "fd" : "fds",
				  &o, errp);
	} else {
		ok = true;
		for (unsigned int i = 0; ok && i < pairs; i++)
			ok = tap_open_one(t, i, &o, errp);
	}
	if (ok && t->nd.vnet_hdr && !tap_init_vnet_hdr(t, errp)) {
		error_prepend(errp, "tap %s: ", t->ifname);
		ok = false;
	}
	/* Until their pairs run: see tap_attach() */
	for (unsigned int i = 1; ok && i < pairs; i++)
		ok = tap_set_queue(&t->q[i], false, errp);
	if (!ok)
		goto fail;
	log_info("netdev %s: tap %s, %u queue%s%s", t->nd.id, t->ifname, pairs,
		 pairs == 1 ? "" : "s", t->nd.vnet_hdr ? ", vnet header" : "");
	return &t->nd;

fail:
	if (o.fd || o.fds) {
		/* A netdev that was not created leaves the caller's fds open */
		for (unsigned int i = 0; i < pairs; i++)
			t->q[i].fd = -1;
	}
	error_prepend(errp, "netdev %s: ", t->nd.id);
	tap_free(&t->nd);
	return NULL;

fail_args:
	error_prepend(errp, "netdev %s: ", args->id ? args->id : "?");
	return NULL;
}

const struct netdev_type netdev_type_tap = {
	.name = "tap",
	.create = tap_create,
};
