/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net driver of the test front-end: queue pairs, RX buffers, frames.
 *
 * net_client_connect() negotiates and asks for the number of queue pairs,
 * net_client_start() sets up guest RAM and the RX/TX rings of the pairs it
 * uses (RX 2i, TX 2i+1) the way QEMU's vhost-user netdev does, and enables
 * them; net_client_stop() disables and stops them with GET_VRING_BASE.
 * Frames go out with net_send() and come back through the callback of
 * net_poll(), which reassembles frames spread over several buffers
 * (VIRTIO_NET_F_MRG_RXBUF) and checks every virtio_net_hdr the device wrote.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_NET_CLIENT_H
#define QD_TESTS_FRONTEND_NET_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/net/virtio-net-proto.h"
#include "tests/frontend/frontend.h"
#include "tests/frontend/guest-ram.h"
#include "tests/frontend/vring-driver.h"
#include "util/error.h"

/* Largest frame the client sends or reassembles (no TSO: the MTU limits) */
#define NET_MAX_FRAME 65535
/* Descriptors one TX chain may have: the header and up to 3 frame pieces */
#define NET_TX_MAX_SEGS 4

struct net_client_opts {
	const char *socket;
	unsigned int pairs;	  /* queue pairs to set up and enable */
	unsigned int queue_size;  /* ring size of every ring */
	uint64_t ram_size;	  /* bytes per guest RAM region */
	bool mrg_rxbuf;		  /* negotiate VIRTIO_NET_F_MRG_RXBUF */
	bool legacy;		  /* do not negotiate VIRTIO_F_VERSION_1 */
	bool no_event_idx;	  /* do not negotiate EVENT_IDX */
	bool no_indirect;	  /* do not negotiate INDIRECT_DESC */
	unsigned int rx_buf_size; /* bytes per RX buffer, header included */
	unsigned int max_frame;	  /* largest frame that will be sent */
	unsigned int tx_segs;	  /* buffers per TX chain, see net_send() */
	bool lax_num_buffers;	  /* accept num_buffers 0 without MRG_RXBUF */
	uint64_t extra_features;  /* acknowledge these too (must be offered) */
	int timeout_ms;		  /* bound of every wait */
	/*
	 * Protocol features asked for besides MQ and REPLY_ACK (e.g. CONFIG,
	 * BACKEND_REQ, STATUS), and those not asked for
	 */
	uint64_t protocol_add;
	uint64_t protocol_drop;
};

struct net_queue {
	unsigned int index; /* ring index */
	struct vring_driver vr;
	int kick_fd;
	int call_fd;
	uint8_t *bufs;	   /* one buffer per slot, host address */
	uint64_t bufs_gpa; /* guest address of slot 0 */
	uint32_t buf_size;
	uint16_t *free_slots; /* stack of unused buffer slots */
	unsigned int nfree;
	unsigned int in_flight;
	unsigned int unpublished;
	uint64_t kicks;
	uint64_t calls;
};

struct net_pair {
	struct net_queue rx;
	struct net_queue tx;
	uint64_t tx_frames;
	uint64_t rx_frames;
	uint64_t rx_buffers; /* used RX buffers, > rx_frames when merging */
	uint64_t rx_merged;  /* frames that took more than one buffer */
};

struct net_client {
	struct vu_frontend fe;
	struct guest_ram ram;
	uint64_t features;	/* acknowledged virtio features */
	unsigned int max_pairs; /* GET_QUEUE_NUM, 1 without MQ */
	unsigned int npairs;	/* pairs set up and enabled */
	unsigned int hdr_len;	/* 10 or 12 bytes */
	unsigned int tx_segs;	/* descriptors per TX chain */
	bool lax_num_buffers;	/* see struct net_client_opts */
	struct net_pair *pairs;
	uint8_t *frame; /* reassembly buffer, NET_MAX_FRAME bytes */
	int timeout_ms;
	bool started;
};

/*
 * A received frame: @frame/@len exclude the virtio_net_hdr. Return false to
 * stop net_poll() with the error the callback set.
 */
typedef bool (*net_rx_fn)(void *opaque, unsigned int pair, const uint8_t *frame,
			  uint32_t len, struct error **errp);

/**
 * net_offered() - did the back-end offer a virtio feature?
 * @c:		client after net_client_connect()
 * @bit:	feature bit
 *
 * Return: true if GET_FEATURES had @bit set
 */
static inline bool net_offered(const struct net_client *c, unsigned int bit)
{
	return c->fe.features & (1ULL << bit);
}

/**
 * net_acked() - did we acknowledge a virtio feature?
 * @c:		client after net_client_start()
 * @bit:	feature bit
 *
 * Return: true if SET_FEATURES had @bit set
 */
static inline bool net_acked(const struct net_client *c, unsigned int bit)
{
	return c->features & (1ULL << bit);
}

uint64_t net_now_ns(void);

bool net_client_connect(struct net_client *c, const struct net_client_opts *o,
			struct error **errp);
bool net_client_start(struct net_client *c, const struct net_client_opts *o,
		      struct error **errp);
bool net_client_stop(struct net_client *c, struct error **errp);
void net_client_close(struct net_client *c);

unsigned int net_rx_buffers_per_frame(const struct net_client *c,
				      uint32_t frame_len);
bool net_tx_room(const struct net_client *c, unsigned int pair);
bool net_send(struct net_client *c, unsigned int pair, const uint8_t *frame,
	      uint32_t len, uint32_t split_seed, struct error **errp);
bool net_kick(struct net_client *c, struct error **errp);
int net_poll(struct net_client *c, net_rx_fn fn, void *opaque,
	     struct error **errp);
bool net_wait(struct net_client *c, int timeout_ms, struct error **errp);
unsigned int net_tx_in_flight(const struct net_client *c);

#endif /* QD_TESTS_FRONTEND_NET_CLIENT_H */
