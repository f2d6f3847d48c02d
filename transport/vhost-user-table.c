/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vhost-user request table and the checks it drives before dispatch.
 *
 * One entry per request says everything the transport enforces about it, so
 * the rules can be read (and reviewed) in one place instead of being spread
 * over the handlers. Requests without an entry are violations, including those
 * whose protocol feature we never offer.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <stddef.h>

#include "transport/vhost-user-session.h"
#include "transport/vhost-user-table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define U64_SIZE   ((uint32_t)sizeof(uint64_t))
#define STATE_SIZE ((uint32_t)sizeof(struct vhost_vring_state))
#define ADDR_SIZE  ((uint32_t)sizeof(struct vhost_vring_addr))
#define REG_SIZE   ((uint32_t)sizeof(struct vhost_user_mem_reg))

/* Size of a memory table message with @n regions */
#define MEM_TABLE_SIZE(n)                                                      \
	((uint32_t)(offsetof(struct vhost_user_memory, regions) +              \
		    (n) * sizeof(struct vhost_user_memory_region)))

static const struct vu_request_desc vu_requests[] = {
	[VHOST_USER_GET_FEATURES] = {
		.handle = vu_handle_get_features,
		.size = 0,
		.protocol_feature = -1,
		.phase = VU_PHASE_HANDSHAKE,
		.reply = true,
	},
	[VHOST_USER_SET_FEATURES] = {
		.handle = vu_handle_set_features,
		.size = U64_SIZE,
		.protocol_feature = -1,
		.phase = VU_PHASE_HANDSHAKE,
	},
	[VHOST_USER_SET_OWNER] = {
		.handle = vu_handle_set_owner,
		.size = 0,
		.protocol_feature = -1,
		.phase = VU_PHASE_HANDSHAKE,
	},
	[VHOST_USER_RESET_OWNER] = {
		.handle = vu_handle_reset_owner,
		.size = 0,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_MEM_TABLE] = {
		.handle = vu_handle_set_mem_table,
		.size_rule = VU_SIZE_MEM_TABLE,
		.fd_rule = VU_FDS_PER_REGION,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_VRING_NUM] = {
		.handle = vu_handle_set_vring_num,
		.size = STATE_SIZE,
		.queue = VU_QUEUE_STATE,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_VRING_ADDR] = {
		.handle = vu_handle_set_vring_addr,
		.size = ADDR_SIZE,
		.queue = VU_QUEUE_ADDR,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_VRING_BASE] = {
		.handle = vu_handle_set_vring_base,
		.size = STATE_SIZE,
		.queue = VU_QUEUE_STATE,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_GET_VRING_BASE] = {
		.handle = vu_handle_get_vring_base,
		.size = STATE_SIZE,
		.queue = VU_QUEUE_STATE,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
		.reply = true,
	},
	[VHOST_USER_SET_VRING_KICK] = {
		.handle = vu_handle_set_vring_kick,
		.size = U64_SIZE,
		.fd_rule = VU_FDS_NOFD_BIT,
		.queue = VU_QUEUE_U64,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_VRING_CALL] = {
		.handle = vu_handle_set_vring_call,
		.size = U64_SIZE,
		.fd_rule = VU_FDS_NOFD_BIT,
		.queue = VU_QUEUE_U64,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_VRING_ERR] = {
		.handle = vu_handle_set_vring_err,
		.size = U64_SIZE,
		.fd_rule = VU_FDS_NOFD_BIT,
		.queue = VU_QUEUE_U64,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_GET_PROTOCOL_FEATURES] = {
		.handle = vu_handle_get_protocol_features,
		.size = 0,
		.protocol_feature = -1,
		.phase = VU_PHASE_HANDSHAKE,
		.reply = true,
	},
	[VHOST_USER_SET_PROTOCOL_FEATURES] = {
		.handle = vu_handle_set_protocol_features,
		.size = U64_SIZE,
		.protocol_feature = -1,
		.phase = VU_PHASE_HANDSHAKE,
	},
	[VHOST_USER_SEND_RARP] = {
		.handle = vu_handle_device_request,
		.size = U64_SIZE,
		.protocol_feature = VHOST_USER_PROTOCOL_F_RARP,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_NET_SET_MTU] = {
		.handle = vu_handle_device_request,
		.size = U64_SIZE,
		.protocol_feature = VHOST_USER_PROTOCOL_F_NET_MTU,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_GET_QUEUE_NUM] = {
		.handle = vu_handle_get_queue_num,
		.size = 0,
		.protocol_feature = VHOST_USER_PROTOCOL_F_MQ,
		.phase = VU_PHASE_HANDSHAKE,
		.reply = true,
	},
	[VHOST_USER_SET_VRING_ENABLE] = {
		.handle = vu_handle_set_vring_enable,
		.size = STATE_SIZE,
		.queue = VU_QUEUE_STATE,
		.protocol_feature = -1,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_BACKEND_REQ_FD] = {
		.handle = vu_handle_set_backend_req_fd,
		.size = 0,
		.min_fds = 1,
		.max_fds = 1,
		.protocol_feature = VHOST_USER_PROTOCOL_F_BACKEND_REQ,
		.phase = VU_PHASE_HANDSHAKE,
	},
	[VHOST_USER_GET_CONFIG] = {
		.handle = vu_handle_get_config,
		.size_rule = VU_SIZE_CONFIG,
		.protocol_feature = VHOST_USER_PROTOCOL_F_CONFIG,
		.phase = VU_PHASE_OWNED,
		.reply = true,
	},
	[VHOST_USER_SET_CONFIG] = {
		.handle = vu_handle_set_config,
		.size_rule = VU_SIZE_CONFIG,
		.protocol_feature = VHOST_USER_PROTOCOL_F_CONFIG,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_RESET_DEVICE] = {
		.handle = vu_handle_reset_device,
		.size = 0,
		.protocol_feature = VHOST_USER_PROTOCOL_F_RESET_DEVICE,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_GET_MAX_MEM_SLOTS] = {
		.handle = vu_handle_get_max_mem_slots,
		.size = 0,
		.protocol_feature = VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS,
		.phase = VU_PHASE_HANDSHAKE,
		.reply = true,
	},
	[VHOST_USER_ADD_MEM_REG] = {
		.handle = vu_handle_add_mem_reg,
		.size = REG_SIZE,
		.min_fds = 1,
		.max_fds = 1,
		.protocol_feature = VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_REM_MEM_REG] = {
		.handle = vu_handle_rem_mem_reg,
		.size = REG_SIZE,
		.min_fds = 0,
		.max_fds = 1, /* QEMU sends the region's fd along */
		.protocol_feature = VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_SET_STATUS] = {
		.handle = vu_handle_set_status,
		.size = U64_SIZE,
		.protocol_feature = VHOST_USER_PROTOCOL_F_STATUS,
		.phase = VU_PHASE_OWNED,
	},
	[VHOST_USER_GET_STATUS] = {
		.handle = vu_handle_get_status,
		.size = 0,
		.protocol_feature = VHOST_USER_PROTOCOL_F_STATUS,
		.phase = VU_PHASE_OWNED,
		.reply = true,
	},
};

/**
 * vu_msg_check_header() - Check a request header before reading its payload
 * @hdr:	header as received
 * @errp:	set on failure, naming the request and the field
 *
 * Return: true if the version is 1, no reply or unknown flag is set and the
 * payload is within VHOST_USER_MAX_PAYLOAD
 */
bool vu_msg_check_header(const struct vhost_user_header *hdr,
			 struct error **errp)
{
	const char *name = vhost_user_request_name(hdr->request);
	uint32_t known = VHOST_USER_VERSION_MASK | VHOST_USER_NEED_REPLY_MASK;

	if ((hdr->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION) {
		error_setg(errp, "%s: flags 0x%x: version %u, expected %u",
			   name, hdr->flags,
			   hdr->flags & VHOST_USER_VERSION_MASK,
			   VHOST_USER_VERSION);
		return false;
	}
	if (hdr->flags & VHOST_USER_REPLY_MASK) {
		error_setg(errp, "%s: flags 0x%x: REPLY flag set on a request",
			   name, hdr->flags);
		return false;
	}
	if (hdr->flags & ~known) {
		error_setg(errp, "%s: flags 0x%x: unknown flag bits 0x%x", name,
			   hdr->flags, hdr->flags & ~known);
		return false;
	}
	if (hdr->size > VHOST_USER_MAX_PAYLOAD) {
		error_setg(errp, "%s: payload size %u exceeds the limit of %u",
			   name, hdr->size, VHOST_USER_MAX_PAYLOAD);
		return false;
	}
	return true;
}

/**
 * vu_check_size() - Check the payload size against the entry's rule
 * @d:		table entry
 * @msg:	request, payload fully read
 * @name:	request name for the error
 * @errp:	set on failure
 *
 * Return: true if the size is right for this request
 */
static bool vu_check_size(const struct vu_request_desc *d,
			  const struct vhost_user_msg *msg, const char *name,
			  struct error **errp)
{
	uint32_t size = msg->hdr.size;
	uint32_t n;

	switch (d->size_rule) {
	case VU_SIZE_EXACT:
		if (size != d->size) {
			error_setg(errp, "%s: payload size %u, expected %u",
				   name, size, d->size);
			return false;
		}
		return true;
	case VU_SIZE_CONFIG:
		if (size < VHOST_USER_CONFIG_HDR_SIZE) {
			error_setg(errp,
				   "%s: payload size %u is smaller than the "
				   "config header (%u)",
				   name, size, VHOST_USER_CONFIG_HDR_SIZE);
			return false;
		}
		n = msg->payload.config.size;
		if (n > VHOST_USER_MAX_CONFIG_SIZE) {
			error_setg(errp, "%s: config size %u exceeds %u", name,
				   n, VHOST_USER_MAX_CONFIG_SIZE);
			return false;
		}
		if (size != VHOST_USER_CONFIG_HDR_SIZE + n) {
			error_setg(errp,
				   "%s: payload size %u, expected %u for "
				   "config size %u",
				   name, size, VHOST_USER_CONFIG_HDR_SIZE + n,
				   n);
			return false;
		}
		return true;
	case VU_SIZE_MEM_TABLE:
		if (size < MEM_TABLE_SIZE(0)) {
			error_setg(errp,
				   "%s: payload size %u, expected at "
				   "least %u",
				   name, size, MEM_TABLE_SIZE(0));
			return false;
		}
		n = msg->payload.memory.nregions;
		if (n < 1 || n > VHOST_MEMORY_BASELINE_NREGIONS) {
			error_setg(errp, "%s: nregions %u not in 1..%u", name,
				   n, VHOST_MEMORY_BASELINE_NREGIONS);
			return false;
		}
		if (size != MEM_TABLE_SIZE(n)) {
			error_setg(errp,
				   "%s: payload size %u, expected %u for %u "
				   "regions",
				   name, size, MEM_TABLE_SIZE(n), n);
			return false;
		}
		return true;
	}
	error_setg(errp, "%s: no size rule", name);
	return false;
}

/**
 * vu_check_fds() - Check the number of attached fds against the entry's rule
 * @d:		table entry
 * @msg:	request, size already checked
 * @name:	request name for the error
 * @errp:	set on failure
 *
 * Return: true if the request carries as many fds as it must
 */
static bool vu_check_fds(const struct vu_request_desc *d,
			 const struct vhost_user_msg *msg, const char *name,
			 struct error **errp)
{
	unsigned int n = msg->fd_num;
	unsigned int want;
	bool nofd;

	switch (d->fd_rule) {
	case VU_FDS_RANGE:
		if (n >= d->min_fds && n <= d->max_fds)
			return true;
		if (d->min_fds == d->max_fds)
			error_setg(errp, "%s: %u fds attached, expected %u",
				   name, n, d->min_fds);
		else
			error_setg(errp,
				   "%s: %u fds attached, expected %u to %u",
				   name, n, d->min_fds, d->max_fds);
		return false;
	case VU_FDS_NOFD_BIT:
		nofd = msg->payload.u64 & VHOST_USER_VRING_NOFD_MASK;
		want = nofd ? 0 : 1;
		if (n == want)
			return true;
		error_setg(errp,
			   "%s: %u fds attached, expected %u (NOFD bit %s)",
			   name, n, want, nofd ? "set" : "clear");
		return false;
	case VU_FDS_PER_REGION:
		want = msg->payload.memory.nregions;
		if (n == want)
			return true;
		error_setg(errp,
			   "%s: %u fds attached, expected one per region "
			   "(%u)",
			   name, n, want);
		return false;
	}
	error_setg(errp, "%s: no fd rule", name);
	return false;
}

/**
 * vu_check_queue() - Check the queue index the request names
 * @d:		table entry
 * @ctx:	session state (number of queues)
 * @msg:	request, size already checked
 * @name:	request name for the error
 * @errp:	set on failure
 *
 * Return: true if the request names no queue or an existing one
 */
static bool vu_check_queue(const struct vu_request_desc *d,
			   const struct vu_check_ctx *ctx,
			   const struct vhost_user_msg *msg, const char *name,
			   struct error **errp)
{
	uint64_t known = VHOST_USER_VRING_IDX_MASK | VHOST_USER_VRING_NOFD_MASK;
	uint32_t idx;

	switch (d->queue) {
	case VU_QUEUE_NONE:
		return true;
	case VU_QUEUE_STATE:
		idx = msg->payload.state.index;
		break;
	case VU_QUEUE_ADDR:
		idx = msg->payload.addr.index;
		break;
	case VU_QUEUE_U64:
		if (msg->payload.u64 & ~known) {
			error_setg(errp, "%s: u64 0x%" PRIx64 ": unknown bits",
				   name, msg->payload.u64);
			return false;
		}
		idx = msg->payload.u64 & VHOST_USER_VRING_IDX_MASK;
		break;
	default:
		error_setg(errp, "%s: no queue rule", name);
		return false;
	}
	if (idx >= ctx->num_queues) {
		error_setg(errp,
			   "%s: queue index %u out of range (device has %u "
			   "queues)",
			   name, idx, ctx->num_queues);
		return false;
	}
	return true;
}

/**
 * vu_msg_check() - Check a whole request against its table entry
 * @ctx:	session state the rules depend on
 * @msg:	request with its payload and fds
 * @errp:	set on failure, naming the request and the field at fault
 *
 * Return: the table entry, or NULL if the request is unknown, not allowed now,
 * or malformed
 */
const struct vu_request_desc *vu_msg_check(const struct vu_check_ctx *ctx,
					   const struct vhost_user_msg *msg,
					   struct error **errp)
{
	uint32_t req = msg->hdr.request;
	const char *name = vhost_user_request_name(req);
	const struct vu_request_desc *d;
	const char *feature;

	if (!vu_msg_check_header(&msg->hdr, errp))
		return NULL;
	if (req >= ARRAY_SIZE(vu_requests) || !vu_requests[req].handle) {
		error_setg(errp, "%s (%u): request not supported", name, req);
		return NULL;
	}
	d = &vu_requests[req];
	if (d->phase == VU_PHASE_OWNED && !ctx->owner) {
		error_setg(errp, "%s: not allowed before SET_OWNER", name);
		return NULL;
	}
	if (d->protocol_feature >= 0 &&
	    !(ctx->protocol_features & (1ULL << d->protocol_feature))) {
		feature = vhost_user_protocol_feature_name(d->protocol_feature);
		error_setg(errp, "%s: protocol feature %s not negotiated", name,
			   feature);
		return NULL;
	}
	if ((msg->hdr.flags & VHOST_USER_NEED_REPLY_MASK) &&
	    !(ctx->protocol_features &
	      (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK))) {
		error_setg(errp,
			   "%s: flags 0x%x: NEED_REPLY set but REPLY_ACK not "
			   "negotiated",
			   name, msg->hdr.flags);
		return NULL;
	}
	if (!vu_check_size(d, msg, name, errp) ||
	    !vu_check_fds(d, msg, name, errp) ||
	    !vu_check_queue(d, ctx, msg, name, errp))
		return NULL;
	return d;
}
