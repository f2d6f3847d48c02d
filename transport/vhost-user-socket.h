/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user messages on a UNIX stream socket: receive with fds, send replies.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TRANSPORT_VHOST_USER_SOCKET_H
#define QD_TRANSPORT_VHOST_USER_SOCKET_H

#include <stdbool.h>
#include <stdint.h>

#include "transport/vhost-user-proto.h"
#include "util/error.h"

/* Wait at most this long for the rest of a message, or to send one */
#define VU_SOCKET_TIMEOUT_MS 5000

/*
 * vu_socket_recv_msg() - read one request: header and fds, then the payload;
 * once its first byte is read, the rest must come within VU_SOCKET_TIMEOUT_MS.
 * Return: 1 with @msg filled, 0 on EOF before the first byte, -1 on error
 * (*errp set; no fds left open).
 */
int vu_socket_recv_msg(int fd, int abort_fd, struct vhost_user_msg *msg,
		       struct error **errp);
/* vu_socket_send() - send a header and its payload, without fds */
bool vu_socket_send(int fd, const struct vhost_user_header *hdr,
		    const void *payload, struct error **errp);
/* vu_socket_send_reply() - send a reply: flags VERSION|REPLY, @size bytes */
bool vu_socket_send_reply(int fd, uint32_t request, const void *payload,
			  uint32_t size, struct error **errp);
/*
 * vu_socket_recv_ack() - wait up to @timeout_ms for the whole u64 reply to
 * @request (back-end channel acks) and store it in *@ack
 */
bool vu_socket_recv_ack(int fd, uint32_t request, int timeout_ms, uint64_t *ack,
			struct error **errp);
/* vu_msg_close_fds() - close the fds a handler left in @msg */
void vu_msg_close_fds(struct vhost_user_msg *msg);

#endif /* QD_TRANSPORT_VHOST_USER_SOCKET_H */
