/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vhost-user request table: what each request may carry, and its handler.
 *
 * Every message is checked against its entry before dispatch: payload size,
 * number of fds, queue index, the protocol feature it needs and whether the
 * session is owned yet. Handlers can then rely on a well-formed message and
 * only check the values they interpret.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TRANSPORT_VHOST_USER_TABLE_H
#define QD_TRANSPORT_VHOST_USER_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "transport/vhost-user-proto.h"
#include "util/error.h"

struct vu_session;

/* What a handler made of a request */
enum vu_result {
	VU_OK,	      /* done; REPLY_ACK ack 0 */
	VU_FAILED,    /* refused, the session goes on; REPLY_ACK ack 1 */
	VU_VIOLATION, /* protocol violation: the session ends */
};

/*
 * A handler consumes the fds it keeps (sets msg->fds[i] to -1); the caller
 * closes the rest. Requests with a reply fill msg->hdr.size and the payload.
 */
typedef enum vu_result vu_handler(struct vu_session *s,
				  struct vhost_user_msg *msg,
				  struct error **errp);

/* How the payload size is checked */
enum vu_size_rule {
	VU_SIZE_EXACT,	   /* size == entry size */
	VU_SIZE_CONFIG,	   /* 12 + config.size, config.size <= 256 */
	VU_SIZE_MEM_TABLE, /* 8 + 32 * nregions, nregions in 1..8 */
};

/* How the number of fds is checked */
enum vu_fd_rule {
	VU_FDS_RANGE,	   /* min_fds..max_fds */
	VU_FDS_NOFD_BIT,   /* 1, or 0 when the u64 has the NOFD bit */
	VU_FDS_PER_REGION, /* one per memory table region */
};

/* Where the queue index is */
enum vu_queue_field {
	VU_QUEUE_NONE,
	VU_QUEUE_STATE, /* state.index */
	VU_QUEUE_ADDR,	/* addr.index */
	VU_QUEUE_U64,	/* u64 & VHOST_USER_VRING_IDX_MASK */
};

/* When the request is allowed */
enum vu_phase {
	VU_PHASE_HANDSHAKE, /* also before SET_OWNER */
	VU_PHASE_OWNED,	    /* only after SET_OWNER */
};

struct vu_request_desc {
	vu_handler *handle; /* NULL: not supported */
	enum vu_size_rule size_rule;
	uint32_t size; /* VU_SIZE_EXACT */
	enum vu_fd_rule fd_rule;
	uint8_t min_fds, max_fds; /* VU_FDS_RANGE */
	enum vu_queue_field queue;
	int8_t protocol_feature; /* needed, negotiated; -1: none */
	enum vu_phase phase;
	bool reply; /* has its own reply (no REPLY_ACK ack) */
};

/* The session state the checks depend on */
struct vu_check_ctx {
	bool owner;		    /* SET_OWNER received */
	uint64_t protocol_features; /* negotiated */
	unsigned int num_queues;    /* of the device */
};

/*
 * vu_msg_check_header() - check a request header before its payload is read:
 * version 1, no REPLY or unknown flag bits, size within the payload bound.
 */
bool vu_msg_check_header(const struct vhost_user_header *hdr,
			 struct error **errp);
/*
 * vu_msg_check() - check a whole request against its table entry.
 * Return: the entry, or NULL with *errp naming the request and the field.
 */
const struct vu_request_desc *vu_msg_check(const struct vu_check_ctx *ctx,
					   const struct vhost_user_msg *msg,
					   struct error **errp);

#endif /* QD_TRANSPORT_VHOST_USER_TABLE_H */
