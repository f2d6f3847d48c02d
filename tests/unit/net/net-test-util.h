/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net unit test helpers: a fake netdev the test controls, the device
 * over it driven through the in-process transport, and the driver's side of
 * receive, transmit and control queues.
 *
 * The fake netdev records every frame sent, can refuse sends (-EAGAIN or an
 * error), and delivers injected frames to the device on the pair's worker
 * thread, as a real netdev does from its fd callbacks: each queue has an
 * eventfd watched through the port, which the test signals.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_NET_TEST_UTIL_H
#define QD_TESTS_UNIT_NET_TEST_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/net/netdev.h"
#include "devices/net/virtio-net-proto.h"
#include "devices/net/virtio-net.h"
#include "devices/virtio/virtio-ring.h"
#include "tests/unit/inproc/inproc-transport.h"

#define NET_TEST_TIMEOUT_MS 5000
#define NET_TEST_QUIET_MS   200 /* how long "nothing happens" is watched */
#define NBIT(n)		    (1ULL << (n))
#define FAKE_MAX_QUEUES	    4

struct fake_queue {
	struct fake_netdev *fake;
	unsigned int q;
	int efd;		  /* signalled by the test */
	struct netdev_port *port; /* while attached (worker only) */
	GQueue inject;		  /* GBytes frames for the guest, locked */
	bool held;		  /* receive() said -EAGAIN (worker only) */
	bool tx_ready_pending;	  /* locked */
	unsigned int rx_resumes;  /* locked */
	unsigned int eagains;	  /* receive() returned -EAGAIN, locked */
	unsigned int taken;	  /* receive() returned 0, locked */
	bool attached;		  /* locked */
};

struct fake_netdev {
	struct netdev nd;
	struct netdev_ops ops;
	GMutex lock;
	struct fake_queue qs[FAKE_MAX_QUEUES];
	bool can_wait; /* frames are offered with can_wait */
	/* send(): refuse with this (-EAGAIN, -EIO) while nonzero */
	int send_error;
	size_t refuse_len; /* -EAGAIN for frames of this length, 0: none */
	/* send(): hand each frame taken back to the queue's port, on the
	 * worker, as the loopback netdev does (set before the first send) */
	bool loopback;
	GPtrArray *sent; /* GBytes, in order */
	GArray *sent_q;	 /* unsigned int: netdev queue of each */
	unsigned int attach_calls, detach_calls;
	/* set_vnet_hdr */
	unsigned int set_hdr_calls, set_hdr_len, set_offloads;
};

struct net_fixture_opts {
	unsigned int pairs;	 /* 0: 1 */
	unsigned int nd_queues;	 /* 0: pairs */
	unsigned int queue_size; /* 0: 64 */
	unsigned int mtu;
	bool vnet_hdr;
	unsigned int offloads;	/* NETDEV_OFFLOAD_* of a vnet_hdr netdev */
	bool no_set_vnet_hdr;	/* the netdev has no set_vnet_hdr */
	unsigned int fixed_hdr; /* its hdr_len then */
	bool can_wait;
	uint64_t features; /* negotiated; 0: the whole offer */
	uint64_t drop_features;
	bool start_ctrl;
	bool no_start; /* negotiate, start nothing */
};

struct net_fixture {
	struct fake_netdev *fake;
	struct virtio_device *dev;
	struct inproc *ip;
	unsigned int pairs;
	unsigned int qsize;
	size_t hdr_len;
	unsigned int config_changes; /* atomic */
	bool config_notify_fails;    /* atomic: config_notify says false */
	GPtrArray *tokens;	     /* struct rx_buf, freed at teardown */
};

/* A receive buffer posted by the test: the token of its chain */
struct rx_buf {
	uint64_t gpa;
	uint32_t size;
};

/* The fake: created by the fixture, or by tests that need it alone */
struct fake_netdev *fake_netdev_new(unsigned int queues, bool vnet_hdr,
				    unsigned int offloads);
void fake_inject(struct fake_netdev *fake, unsigned int q, const void *frame,
		 size_t len);
void fake_tx_ready(struct fake_netdev *fake, unsigned int q);
void fake_set_send_error(struct fake_netdev *fake, int err);
/* Refuse frames of @len bytes with -EAGAIN (0: take all again) */
void fake_refuse_len(struct fake_netdev *fake, size_t len);
unsigned int fake_sent_count(struct fake_netdev *fake);
/* The @i-th frame sent (a new reference) and its netdev queue */
GBytes *fake_sent(struct fake_netdev *fake, unsigned int i, unsigned int *q);
/* Wait until @n frames were sent; false on timeout */
bool fake_wait_sent(struct fake_netdev *fake, unsigned int n);
/* A locked counter of queue @q, by offset (FAKE_Q(field)) */
unsigned int fake_q_get(struct fake_netdev *fake, unsigned int q,
			size_t offset);
/* Wait until that counter reaches @n; false on timeout */
bool fake_wait_q(struct fake_netdev *fake, unsigned int q, size_t offset,
		 unsigned int n);

#define FAKE_Q(field) offsetof(struct fake_queue, field)

void net_fixture_setup(struct net_fixture *f, gconstpointer data);
void net_fixture_teardown(struct net_fixture *f, gconstpointer data);
/* net_test_add() - register test @name with a fresh net_fixture */
void net_test_add(const char *name,
		  void (*fn)(struct net_fixture *f, gconstpointer data));
void net_fixture_start(struct net_fixture *f, const struct net_fixture_opts *o);
void net_start_queue(struct net_fixture *f, unsigned int idx);
uint64_t net_features(const struct net_fixture *f);

/* Receive side */
void net_post_rx(struct net_fixture *f, unsigned int pair, uint32_t size,
		 unsigned int n);
/*
 * Collect the next frame of @pair: header plus frame as written across
 * num_buffers chains (one without MRG_RXBUF). Return: the bytes, NULL on
 * timeout; *@nbufs set to the chains used.
 */
GBytes *net_recv(struct net_fixture *f, unsigned int pair, unsigned int *nbufs);
/* True if no receive chain is used within NET_TEST_QUIET_MS */
bool net_rx_quiet(struct net_fixture *f, unsigned int pair);

/* Transmit side: header and frame in @pieces descriptors; the used length */
uint32_t net_tx(struct net_fixture *f, unsigned int pair, const void *hdr,
		size_t hdr_len, const void *frame, size_t len,
		unsigned int pieces);
/* A frame with a zeroed header of the negotiated length */
uint32_t net_tx_plain(struct net_fixture *f, unsigned int pair,
		      const void *frame, size_t len);

/* Control queue: the ack, or -1 if the chain was not answered */
int net_ctrl(struct net_fixture *f, uint8_t class, uint8_t cmd,
	     const void *data, size_t len);

struct virtio_net_pair_stats net_stats(struct net_fixture *f,
				       unsigned int pair);
/* Wait until the counter at @offset of @pair's stats reaches @n */
bool net_wait_stat(struct net_fixture *f, unsigned int pair, size_t offset,
		   uint64_t n);
void net_read_config(struct net_fixture *f, struct virtio_net_config *cfg);

/* A recognisable Ethernet frame of @len bytes (>= 14) */
void net_frame(uint8_t *buf, size_t len, uint8_t seed);

#define NET_STAT(field) offsetof(struct virtio_net_pair_stats, field)

#endif /* QD_TESTS_UNIT_NET_TEST_UTIL_H */
