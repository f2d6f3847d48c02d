/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One vhost-user session: the state a connected front-end set up, and the
 * interfaces between the files that handle its requests.
 *
 * A session lives from accept() to disconnect. It owns the connection, the
 * guest memory mappings, the ring fds and the back-end channel; at its end all
 * of them are released and the device is reset, so the next front-end starts
 * from scratch. Everything here runs on the server's control thread except:
 *
 * - the back-end channel, which the device may use from any thread (a config
 *   change, e.g. asked for over QMP). It has its own lock, held while waiting
 *   for the front-end's ack; the control thread takes it only to replace or
 *   close the channel, never while it handles GET_CONFIG, because QEMU sends
 *   GET_CONFIG and waits for our answer before it acks a config change.
 * - what a query reads (vu_session_query(), from any thread): the control
 *   thread copies the session's state into struct vu_session_snapshot under
 *   info_lock after attaching, after each message and after ending, holding it
 *   only for the copy. A query thus never sees a half-applied message, and
 *   never waits for a queue drain or a front-end that does not read, as it
 *   would if the lock covered the handling of a message. Queue counters,
 *   indices and the status are read live (relaxed atomics), as is whether
 *   the back-end channel is open (it may close on the sender's thread).
 *
 * Lock order: none is taken while holding another (info_lock, the channel
 * lock and the core's worker locks are leaves).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TRANSPORT_VHOST_USER_SESSION_H
#define QD_TRANSPORT_VHOST_USER_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/guest-memory.h"
#include "devices/virtio/virtio-device.h"
#include "transport/vhost-user-proto.h"
#include "transport/vhost-user-server.h"
#include "transport/vhost-user-table.h"
#include "util/error.h"

/* Protocol features every device gets (vu_server_options adds more) */
#define VU_COMMON_PROTOCOL_FEATURES                                            \
	((1ULL << VHOST_USER_PROTOCOL_F_MQ) |                                  \
	 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |                           \
	 (1ULL << VHOST_USER_PROTOCOL_F_BACKEND_REQ) |                         \
	 (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |                              \
	 (1ULL << VHOST_USER_PROTOCOL_F_RESET_DEVICE) |                        \
	 (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |                 \
	 (1ULL << VHOST_USER_PROTOCOL_F_STATUS))
/* Protocol features the transport implements, offered or not */
/* Also offered when the program gives a device request for them */
#define VU_DEVICE_REQUEST_PROTOCOL_FEATURES                                    \
	((1ULL << VHOST_USER_PROTOCOL_F_RARP) |                                \
	 (1ULL << VHOST_USER_PROTOCOL_F_NET_MTU))
#define VU_SUPPORTED_PROTOCOL_FEATURES                                         \
	(VU_COMMON_PROTOCOL_FEATURES | VU_DEVICE_REQUEST_PROTOCOL_FEATURES)

/* Wait at most this long for the front-end's ack on the back-end channel */
#define VU_BACKEND_ACK_TIMEOUT_MS 2000

/* What the front-end told us about one ring (vhost-user.rst "Ring states") */
struct vu_ring {
	unsigned int num; /* 0: no SET_VRING_NUM yet */
	bool addr_set;
	uint64_t desc_uva, avail_uva, used_uva;
	uint16_t base; /* next avail index; updated when the queue stops */
	int kick_fd, call_fd, err_fd;
	bool started; /* SET_VRING_KICK received (fd or NOFD) */
	bool enabled;
};

/* The back-end channel (SET_BACKEND_REQ_FD): used from any thread */
struct vu_backend_chan {
	pthread_mutex_t lock;
	int fd; /* -1: none; written under the lock, read atomically anywhere */
	bool reply_ack;
};

/* What a query reads: the control thread's copy after each message */
struct vu_ring_snapshot {
	bool enabled;
	bool started; /* a worker serves it */
	unsigned int size;
};

struct vu_session_snapshot {
	bool connected;
	uint64_t features;	    /* as the front-end set them, bit 30 too */
	uint64_t protocol_features; /* negotiated */
	struct vu_ring_snapshot *rings; /* [dev->num_queues] */
};

struct vu_session {
	struct virtio_device *dev;
	int fd;	      /* connected front-end, -1 between sessions */
	int abort_fd; /* readable when the program stops, or -1 */
	bool owner;
	uint64_t protocol_offer;
	uint64_t protocol_features; /* negotiated */
	uint64_t features; /* SET_FEATURES word, 0 again when the device resets
			    */
	struct guest_memory *mem; /* NULL until the first table */
	struct vu_ring *rings;	  /* [dev->num_queues] */
	struct vu_backend_chan backend;
	struct vhost_user_msg msg; /* the request being handled */
	/* Requests the device gives meaning to (vu_server_options) */
	const struct vu_device_request *device_requests;
	unsigned int n_device_requests;
	uint64_t queue_num; /* GET_QUEUE_NUM answer, 0: dev->num_queues */
	/* Published for queries from other threads (see the top) */
	pthread_mutex_t info_lock;
	struct vu_session_snapshot pub;
};

/* Session life cycle and dispatch (vhost-user-session.c) */
struct vu_session *vu_session_new(struct virtio_device *dev,
				  uint64_t extra_protocol_features,
				  struct error **errp);
void vu_session_free(struct vu_session *s);
bool vu_session_attach(struct vu_session *s, int fd, struct error **errp);
bool vu_session_active(const struct vu_session *s);
bool vu_session_process(struct vu_session *s, struct error **errp);
void vu_session_end(struct vu_session *s);
bool vu_session_connected(struct vu_session *s);
bool vu_session_query(struct vu_session *s, struct vu_server_info *info,
		      struct error **errp);

/* Rings (vhost-user-rings.c) */
void vu_ring_init(struct vu_ring *ring);
void vu_ring_forget(struct vu_session *s, unsigned int idx);
void vu_rings_stop_all(struct vu_session *s);
bool vu_rings_update_all(struct vu_session *s, struct error **errp);
bool vu_ring_update(struct vu_session *s, unsigned int idx,
		    struct error **errp);

/* Guest memory (vhost-user-mem.c) */
void vu_mem_free(struct guest_memory *mem);

/* Back-end channel (vhost-user-backend.c) */
void vu_backend_chan_init(struct vu_backend_chan *c);
void vu_backend_chan_destroy(struct vu_backend_chan *c);
void vu_backend_chan_set(struct vu_backend_chan *c, int fd);
void vu_backend_chan_set_reply_ack(struct vu_backend_chan *c, bool reply_ack);
void vu_backend_chan_close(struct vu_backend_chan *c);
bool vu_backend_chan_open(const struct vu_backend_chan *c);
bool vu_backend_chan_config_changed(struct vu_backend_chan *c, bool wait_ack,
				    struct error **errp);

/* Handlers, referenced by the request table: device requests
 * (vhost-user-device.c), rings (vhost-user-rings.c), memory (vhost-user-mem.c)
 */
vu_handler vu_handle_get_features;
vu_handler vu_handle_set_features;
vu_handler vu_handle_set_owner;
vu_handler vu_handle_reset_owner;
vu_handler vu_handle_get_protocol_features;
vu_handler vu_handle_set_protocol_features;
vu_handler vu_handle_get_queue_num;
vu_handler vu_handle_device_request;
vu_handler vu_handle_set_backend_req_fd;
vu_handler vu_handle_get_config;
vu_handler vu_handle_set_config;
vu_handler vu_handle_reset_device;
vu_handler vu_handle_set_status;
vu_handler vu_handle_get_status;
vu_handler vu_handle_set_mem_table;
vu_handler vu_handle_get_max_mem_slots;
vu_handler vu_handle_add_mem_reg;
vu_handler vu_handle_rem_mem_reg;
vu_handler vu_handle_set_vring_num;
vu_handler vu_handle_set_vring_addr;
vu_handler vu_handle_set_vring_base;
vu_handler vu_handle_get_vring_base;
vu_handler vu_handle_set_vring_kick;
vu_handler vu_handle_set_vring_call;
vu_handler vu_handle_set_vring_err;
vu_handler vu_handle_set_vring_enable;

#endif /* QD_TRANSPORT_VHOST_USER_SESSION_H */
