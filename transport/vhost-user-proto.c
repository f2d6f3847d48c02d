/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user request and protocol feature names, for log records and errors.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stddef.h>

#include "transport/vhost-user-proto.h"

static const char *const vhost_user_request_names[VHOST_USER_MAX_REQUEST] = {
	[VHOST_USER_NONE] = "NONE",
	[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	[VHOST_USER_SET_OWNER] = "SET_OWNER",
	[VHOST_USER_RESET_OWNER] = "RESET_OWNER",
	[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHOST_USER_SET_LOG_BASE] = "SET_LOG_BASE",
	[VHOST_USER_SET_LOG_FD] = "SET_LOG_FD",
	[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
	[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[VHOST_USER_SEND_RARP] = "SEND_RARP",
	[VHOST_USER_NET_SET_MTU] = "NET_SET_MTU",
	[VHOST_USER_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[VHOST_USER_IOTLB_MSG] = "IOTLB_MSG",
	[VHOST_USER_SET_VRING_ENDIAN] = "SET_VRING_ENDIAN",
	[VHOST_USER_GET_CONFIG] = "GET_CONFIG",
	[VHOST_USER_SET_CONFIG] = "SET_CONFIG",
	[VHOST_USER_CREATE_CRYPTO_SESSION] = "CREATE_CRYPTO_SESSION",
	[VHOST_USER_CLOSE_CRYPTO_SESSION] = "CLOSE_CRYPTO_SESSION",
	[VHOST_USER_POSTCOPY_ADVISE] = "POSTCOPY_ADVISE",
	[VHOST_USER_POSTCOPY_LISTEN] = "POSTCOPY_LISTEN",
	[VHOST_USER_POSTCOPY_END] = "POSTCOPY_END",
	[VHOST_USER_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
	[VHOST_USER_SET_INFLIGHT_FD] = "SET_INFLIGHT_FD",
	[VHOST_USER_GPU_SET_SOCKET] = "GPU_SET_SOCKET",
	[VHOST_USER_RESET_DEVICE] = "RESET_DEVICE",
	[VHOST_USER_VRING_KICK] = "VRING_KICK",
	[VHOST_USER_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
	[VHOST_USER_ADD_MEM_REG] = "ADD_MEM_REG",
	[VHOST_USER_REM_MEM_REG] = "REM_MEM_REG",
	[VHOST_USER_SET_STATUS] = "SET_STATUS",
	[VHOST_USER_GET_STATUS] = "GET_STATUS",
	[VHOST_USER_GET_SHARED_OBJECT] = "GET_SHARED_OBJECT",
	[VHOST_USER_SET_DEVICE_STATE_FD] = "SET_DEVICE_STATE_FD",
	[VHOST_USER_CHECK_DEVICE_STATE] = "CHECK_DEVICE_STATE",
};

/* Full names, as in the specification; the short names skip the prefix */
#define PROTOCOL_FEATURE_PREFIX "VHOST_USER_PROTOCOL_F_"
#define PROTOCOL_FEATURE(name)                                                 \
	[VHOST_USER_PROTOCOL_F_##name] = PROTOCOL_FEATURE_PREFIX #name
static const char
	*const vhost_user_protocol_feature_names[VHOST_USER_PROTOCOL_F_MAX] = {
		PROTOCOL_FEATURE(MQ),
		PROTOCOL_FEATURE(LOG_SHMFD),
		PROTOCOL_FEATURE(RARP),
		PROTOCOL_FEATURE(REPLY_ACK),
		PROTOCOL_FEATURE(NET_MTU),
		PROTOCOL_FEATURE(BACKEND_REQ),
		PROTOCOL_FEATURE(CROSS_ENDIAN),
		PROTOCOL_FEATURE(CRYPTO_SESSION),
		PROTOCOL_FEATURE(PAGEFAULT),
		PROTOCOL_FEATURE(CONFIG),
		PROTOCOL_FEATURE(BACKEND_SEND_FD),
		PROTOCOL_FEATURE(HOST_NOTIFIER),
		PROTOCOL_FEATURE(INFLIGHT_SHMFD),
		PROTOCOL_FEATURE(RESET_DEVICE),
		PROTOCOL_FEATURE(INBAND_NOTIFICATIONS),
		PROTOCOL_FEATURE(CONFIGURE_MEM_SLOTS),
		PROTOCOL_FEATURE(STATUS),
		PROTOCOL_FEATURE(XEN_MMAP),
		PROTOCOL_FEATURE(SHARED_OBJECT),
		PROTOCOL_FEATURE(DEVICE_STATE),
	};

/**
 * vhost_user_request_name() - Name of a front-end request, as in the spec
 * @request:	request id from a message header
 *
 * Return: "SET_MEM_TABLE" etc., "UNKNOWN" for ids the protocol does not define
 */
const char *vhost_user_request_name(uint32_t request)
{
	if (request >= VHOST_USER_MAX_REQUEST ||
	    !vhost_user_request_names[request])
		return "UNKNOWN";
	return vhost_user_request_names[request];
}

/**
 * vhost_user_protocol_feature_full_name() - Full name of a protocol feature bit
 * @bit:	bit number in the protocol feature word
 *
 * Return: "VHOST_USER_PROTOCOL_F_REPLY_ACK" etc., NULL for bits the protocol
 * does not define here
 */
const char *vhost_user_protocol_feature_full_name(unsigned int bit)
{
	if (bit >= VHOST_USER_PROTOCOL_F_MAX)
		return NULL;
	return vhost_user_protocol_feature_names[bit];
}

/**
 * vhost_user_protocol_feature_name() - Short name of a protocol feature bit
 * @bit:	bit number in the protocol feature word
 *
 * Return: "REPLY_ACK" etc., NULL for bits the protocol does not define here
 */
const char *vhost_user_protocol_feature_name(unsigned int bit)
{
	const char *name = vhost_user_protocol_feature_full_name(bit);

	return name ? name + sizeof(PROTOCOL_FEATURE_PREFIX) - 1 : NULL;
}
