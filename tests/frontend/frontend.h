/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user client (front-end side) of the test front-end.
 *
 * Sends the requests QEMU sends, in QEMU's order, and checks every reply:
 * request id, flags (exactly VERSION|REPLY), payload size, no stray fds.
 * Every wait on the socket is bounded by fe->timeout_ms.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_FRONTEND_H
#define QD_TESTS_FRONTEND_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>

#include "transport/vhost-user-proto.h"
#include "tests/frontend/guest-ram.h"
#include "util/error.h"

struct vu_frontend {
	int sock;
	int backend_fd;		    /* our end of the back-end channel, -1 */
	int timeout_ms;		    /* bound of every wait for a reply */
	uint64_t features;	    /* GET_FEATURES answer */
	uint64_t protocol_features; /* GET_PROTOCOL_FEATURES answer */
	uint64_t acked_protocol;    /* what SET_PROTOCOL_FEATURES sent */
	uint64_t queue_num;	    /* GET_QUEUE_NUM answer, 0 without MQ */
	unsigned int requests;	    /* messages sent, for statistics */
};

/**
 * vu_has_protocol() - was a protocol feature acknowledged?
 * @fe:		front-end after vu_handshake()
 * @bit:	VHOST_USER_PROTOCOL_F_* bit
 *
 * Return: true if SET_PROTOCOL_FEATURES had @bit set
 */
static inline bool vu_has_protocol(const struct vu_frontend *fe,
				   unsigned int bit)
{
	return fe->acked_protocol & (1ULL << bit);
}

/* vu_request_name() - "SET_MEM_TABLE" etc., "request N" if unknown */
const char *vu_request_name(uint32_t req, char *buf, unsigned int size);

void vu_init(struct vu_frontend *fe);
bool vu_connect(struct vu_frontend *fe, const char *path, int timeout_ms,
		struct error **errp);
void vu_close(struct vu_frontend *fe);

/*
 * vu_handshake() - GET_FEATURES .. SET_OWNER; acks @want_protocol & offered.
 * With BACKEND_REQ acked, the back-end channel is set up (fe->backend_fd).
 */
bool vu_handshake(struct vu_frontend *fe, uint64_t want_protocol,
		  struct error **errp);
bool vu_get_config(struct vu_frontend *fe, void *buf, uint32_t size,
		   struct error **errp);
bool vu_set_features(struct vu_frontend *fe, uint64_t features,
		     struct error **errp);
bool vu_set_mem_table(struct vu_frontend *fe, const struct guest_ram *ram,
		      struct error **errp);
bool vu_set_vring_num(struct vu_frontend *fe, unsigned int index,
		      unsigned int num, struct error **errp);
bool vu_set_vring_base(struct vu_frontend *fe, unsigned int index,
		       unsigned int base, struct error **errp);
bool vu_set_vring_addr(struct vu_frontend *fe, unsigned int index,
		       uint64_t desc_uva, uint64_t avail_uva, uint64_t used_uva,
		       struct error **errp);
bool vu_set_vring_fd(struct vu_frontend *fe, uint32_t req, unsigned int index,
		     int fd, struct error **errp);
bool vu_set_vring_enable(struct vu_frontend *fe, unsigned int index,
			 bool enable, struct error **errp);
bool vu_get_vring_base(struct vu_frontend *fe, unsigned int index,
		       unsigned int *base, struct error **errp);
bool vu_set_status(struct vu_frontend *fe, uint8_t status, struct error **errp);

/* The back-end channel: requests from the back-end, our replies */
bool vu_backend_recv(struct vu_frontend *fe, struct vhost_user_header *hdr,
		     void *payload, uint32_t size, struct error **errp);
bool vu_backend_reply(struct vu_frontend *fe, uint32_t request, uint64_t status,
		      struct error **errp);

#endif /* QD_TESTS_FRONTEND_FRONTEND_H */
