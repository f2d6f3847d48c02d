/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user wire protocol: message header, request ids, payloads, feature
 * bits.
 *
 * The one definition of the protocol, shared by the back-end transport and by
 * the test front-end (tests/frontend), so the two cannot drift apart.
 * Layouts follow docs/interop/vhost-user.rst; sizes are checked below.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TRANSPORT_VHOST_USER_PROTO_H
#define QD_TRANSPORT_VHOST_USER_PROTO_H

#include <assert.h>
#include <stdint.h>

/* Front-end -> back-end requests */
enum vhost_user_request {
	VHOST_USER_NONE = 0,
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_SEND_RARP = 19,
	VHOST_USER_NET_SET_MTU = 20,
	VHOST_USER_SET_BACKEND_REQ_FD = 21,
	VHOST_USER_IOTLB_MSG = 22,
	VHOST_USER_SET_VRING_ENDIAN = 23,
	VHOST_USER_GET_CONFIG = 24,
	VHOST_USER_SET_CONFIG = 25,
	VHOST_USER_CREATE_CRYPTO_SESSION = 26,
	VHOST_USER_CLOSE_CRYPTO_SESSION = 27,
	VHOST_USER_POSTCOPY_ADVISE = 28,
	VHOST_USER_POSTCOPY_LISTEN = 29,
	VHOST_USER_POSTCOPY_END = 30,
	VHOST_USER_GET_INFLIGHT_FD = 31,
	VHOST_USER_SET_INFLIGHT_FD = 32,
	VHOST_USER_GPU_SET_SOCKET = 33,
	VHOST_USER_RESET_DEVICE = 34,
	VHOST_USER_VRING_KICK = 35,
	VHOST_USER_GET_MAX_MEM_SLOTS = 36,
	VHOST_USER_ADD_MEM_REG = 37,
	VHOST_USER_REM_MEM_REG = 38,
	VHOST_USER_SET_STATUS = 39,
	VHOST_USER_GET_STATUS = 40,
	VHOST_USER_GET_SHARED_OBJECT = 41,
	VHOST_USER_SET_DEVICE_STATE_FD = 42,
	VHOST_USER_CHECK_DEVICE_STATE = 43,
	VHOST_USER_MAX_REQUEST
};

/* Back-end -> front-end requests (back-end channel) */
enum vhost_user_backend_request {
	VHOST_USER_BACKEND_NONE = 0,
	VHOST_USER_BACKEND_IOTLB_MSG = 1,
	VHOST_USER_BACKEND_CONFIG_CHANGE_MSG = 2,
	VHOST_USER_BACKEND_VRING_HOST_NOTIFIER_MSG = 3,
	VHOST_USER_BACKEND_MAX_REQUEST
};

/* Header flags */
#define VHOST_USER_VERSION_MASK	   0x3u
#define VHOST_USER_VERSION	   0x1u
#define VHOST_USER_REPLY_MASK	   (1u << 2)
#define VHOST_USER_NEED_REPLY_MASK (1u << 3)

/* Bit 30 of the virtio feature word: GET/SET_PROTOCOL_FEATURES are available */
#define VHOST_USER_F_PROTOCOL_FEATURES 30
/* Bit 26: dirty page logging (migration) */
#define VHOST_F_LOG_ALL 26

/* Protocol feature bits */
enum vhost_user_protocol_feature {
	VHOST_USER_PROTOCOL_F_MQ = 0,
	VHOST_USER_PROTOCOL_F_LOG_SHMFD = 1,
	VHOST_USER_PROTOCOL_F_RARP = 2,
	VHOST_USER_PROTOCOL_F_REPLY_ACK = 3,
	VHOST_USER_PROTOCOL_F_NET_MTU = 4,
	VHOST_USER_PROTOCOL_F_BACKEND_REQ = 5,
	VHOST_USER_PROTOCOL_F_CROSS_ENDIAN = 6,
	VHOST_USER_PROTOCOL_F_CRYPTO_SESSION = 7,
	VHOST_USER_PROTOCOL_F_PAGEFAULT = 8,
	VHOST_USER_PROTOCOL_F_CONFIG = 9,
	VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD = 10,
	VHOST_USER_PROTOCOL_F_HOST_NOTIFIER = 11,
	VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD = 12,
	VHOST_USER_PROTOCOL_F_RESET_DEVICE = 13,
	VHOST_USER_PROTOCOL_F_INBAND_NOTIFICATIONS = 14,
	VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15,
	VHOST_USER_PROTOCOL_F_STATUS = 16,
	VHOST_USER_PROTOCOL_F_XEN_MMAP = 17,
	VHOST_USER_PROTOCOL_F_SHARED_OBJECT = 18,
	VHOST_USER_PROTOCOL_F_DEVICE_STATE = 19,
	VHOST_USER_PROTOCOL_F_MAX
};

/* Most fds one message may carry (SET_MEM_TABLE: one per region) */
#define VHOST_USER_MAX_FDS 8
/* Regions in one SET_MEM_TABLE */
#define VHOST_MEMORY_BASELINE_NREGIONS 8
/* Largest config space transfer */
#define VHOST_USER_MAX_CONFIG_SIZE 256
/* Payload bound enforced before reading a payload (larger is a protocol error)
 */
#define VHOST_USER_MAX_PAYLOAD 4096

/* SET_VRING_KICK/CALL/ERR payload */
#define VHOST_USER_VRING_IDX_MASK  0xffu
#define VHOST_USER_VRING_NOFD_MASK (1u << 8)

/* SET_VRING_ADDR flags: bit number of "log the used ring" */
#define VHOST_VRING_F_LOG 0

/* SET_CONFIG flags */
#define VHOST_SET_CONFIG_TYPE_FRONTEND	0
#define VHOST_SET_CONFIG_TYPE_MIGRATION 1

struct vhost_user_header {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vhost_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vhost_vring_addr {
	uint32_t index;
	uint32_t flags; /* bit 0: VHOST_VRING_F_LOG */
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct vhost_user_memory_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vhost_user_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_memory_region regions[VHOST_MEMORY_BASELINE_NREGIONS];
};

struct vhost_user_mem_reg {
	uint64_t padding;
	struct vhost_user_memory_region region;
};

struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[VHOST_USER_MAX_CONFIG_SIZE];
};

#define VHOST_USER_CONFIG_HDR_SIZE 12u

struct vhost_user_log {
	uint64_t mmap_size;
	uint64_t mmap_offset;
};

struct vhost_user_inflight {
	uint64_t mmap_size;
	uint64_t mmap_offset;
	uint16_t num_queues;
	uint16_t queue_size;
};

union vhost_user_payload {
	uint64_t u64;
	struct vhost_vring_state state;
	struct vhost_vring_addr addr;
	struct vhost_user_memory memory;
	struct vhost_user_mem_reg mem_reg;
	struct vhost_user_config config;
	struct vhost_user_log log;
	struct vhost_user_inflight inflight;
	uint8_t raw[VHOST_USER_MAX_PAYLOAD];
};

/* A whole message as it is kept in memory, with the fds that came with it. */
struct vhost_user_msg {
	struct vhost_user_header hdr;
	union vhost_user_payload payload;
	int fds[VHOST_USER_MAX_FDS];
	unsigned int fd_num;
};

static_assert(sizeof(struct vhost_user_header) == 12, "header layout");
static_assert(sizeof(struct vhost_vring_state) == 8, "vring state layout");
static_assert(sizeof(struct vhost_vring_addr) == 40, "vring addr layout");
static_assert(sizeof(struct vhost_user_memory_region) == 32, "region layout");
static_assert(sizeof(struct vhost_user_mem_reg) == 40, "mem reg layout");
static_assert(sizeof(struct vhost_user_inflight) == 24, "inflight layout");
static_assert(sizeof(struct vhost_user_config) == 12 + 256, "config layout");

/* vhost_user_request_name() - "SET_MEM_TABLE" etc., "UNKNOWN" for others */
const char *vhost_user_request_name(uint32_t request);
/* vhost_user_protocol_feature_name() - "REPLY_ACK" etc., NULL for unknown bits
 */
const char *vhost_user_protocol_feature_name(unsigned int bit);
/*
 * vhost_user_protocol_feature_full_name() - "VHOST_USER_PROTOCOL_F_REPLY_ACK"
 * etc., as the specification names them; NULL for unknown bits
 */
const char *vhost_user_protocol_feature_full_name(unsigned int bit);

#endif /* QD_TRANSPORT_VHOST_USER_PROTO_H */
