/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the vhost-user request table and message reading: every
 * malformed or out-of-place request is refused with a message that names the
 * request and the field, and no received fd stays open.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "tests/unit/transport/vu-test-util.h"
#include "transport/vhost-user-session.h"
#include "transport/vhost-user-socket.h"
#include "transport/vhost-user-table.h"

#define ALL_FEATURES VU_COMMON_PROTOCOL_FEATURES

static const struct vu_check_ctx owned_ctx = {
	.owner = true,
	.protocol_features = ALL_FEATURES,
	.num_queues = 2,
};

/**
 * msg_new() - A zeroed request with version flags
 * @request:	request id
 * @size:	payload size
 *
 * Return: the message (g_free)
 */
static struct vhost_user_msg *msg_new(uint32_t request, uint32_t size)
{
	struct vhost_user_msg *msg = g_new0(struct vhost_user_msg, 1);
	unsigned int i;

	msg->hdr.request = request;
	msg->hdr.flags = VHOST_USER_VERSION;
	msg->hdr.size = size;
	for (i = 0; i < VHOST_USER_MAX_FDS; i++)
		msg->fds[i] = -1;
	return msg;
}

/**
 * expect_reject() - Check that @msg is refused with both substrings
 * @ctx:	session state
 * @msg:	request
 * @what1:	substring expected (the request name)
 * @what2:	substring expected (the field), may be NULL
 */
static void expect_reject(const struct vu_check_ctx *ctx,
			  const struct vhost_user_msg *msg, const char *what1,
			  const char *what2)
{
	struct error *err = NULL;

	g_assert_null(vu_msg_check(ctx, msg, &err));
	g_assert_nonnull(err);
	if (g_test_verbose())
		g_test_message("%s", error_get_pretty(err));
	g_assert_nonnull(strstr(error_get_pretty(err), what1));
	if (what2)
		g_assert_nonnull(strstr(error_get_pretty(err), what2));
	error_free(err);
}

/**
 * expect_accept() - Check that @msg passes the table
 * @ctx:	session state
 * @msg:	request
 */
static void expect_accept(const struct vu_check_ctx *ctx,
			  const struct vhost_user_msg *msg)
{
	struct error *err = NULL;
	const struct vu_request_desc *d = vu_msg_check(ctx, msg, &err);

	if (err)
		g_test_message("%s", error_get_pretty(err));
	g_assert_nonnull(d);
	g_assert_null(err);
}

/* Requests with a fixed payload size: the right one and a wrong one */
static const struct {
	uint32_t request;
	uint32_t size;
	uint32_t fds;
} fixed_sizes[] = {
	{ VHOST_USER_GET_FEATURES, 0, 0 },
	{ VHOST_USER_SET_FEATURES, 8, 0 },
	{ VHOST_USER_SET_OWNER, 0, 0 },
	{ VHOST_USER_RESET_OWNER, 0, 0 },
	{ VHOST_USER_SET_VRING_NUM, 8, 0 },
	{ VHOST_USER_SET_VRING_ADDR, 40, 0 },
	{ VHOST_USER_SET_VRING_BASE, 8, 0 },
	{ VHOST_USER_GET_VRING_BASE, 8, 0 },
	{ VHOST_USER_SET_VRING_KICK, 8, 1 },
	{ VHOST_USER_SET_VRING_CALL, 8, 1 },
	{ VHOST_USER_SET_VRING_ERR, 8, 1 },
	{ VHOST_USER_GET_PROTOCOL_FEATURES, 0, 0 },
	{ VHOST_USER_SET_PROTOCOL_FEATURES, 8, 0 },
	{ VHOST_USER_GET_QUEUE_NUM, 0, 0 },
	{ VHOST_USER_SET_VRING_ENABLE, 8, 0 },
	{ VHOST_USER_SET_BACKEND_REQ_FD, 0, 1 },
	{ VHOST_USER_RESET_DEVICE, 0, 0 },
	{ VHOST_USER_GET_MAX_MEM_SLOTS, 0, 0 },
	{ VHOST_USER_ADD_MEM_REG, 40, 1 },
	{ VHOST_USER_REM_MEM_REG, 40, 0 },
	{ VHOST_USER_SET_STATUS, 8, 0 },
	{ VHOST_USER_GET_STATUS, 0, 0 },
};

/**
 * test_payload_size() - Every fixed-size request: right size passes, size+4
 * and (where possible) size-4 are refused naming "payload size"
 */
static void test_payload_size(void)
{
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(fixed_sizes); i++) {
		const char *name =
			vhost_user_request_name(fixed_sizes[i].request);
		struct vhost_user_msg *msg =
			msg_new(fixed_sizes[i].request, fixed_sizes[i].size);

		msg->fd_num = fixed_sizes[i].fds;
		expect_accept(&owned_ctx, msg);
		msg->hdr.size = fixed_sizes[i].size + 4;
		expect_reject(&owned_ctx, msg, name, "payload size");
		if (fixed_sizes[i].size) {
			msg->hdr.size = fixed_sizes[i].size - 4;
			expect_reject(&owned_ctx, msg, name, "payload size");
		}
		g_free(msg);
	}
}

/**
 * test_config_size() - GET/SET_CONFIG: 12 + config.size, config.size <= 256
 */
static void test_config_size(void)
{
	uint32_t reqs[] = { VHOST_USER_GET_CONFIG, VHOST_USER_SET_CONFIG };
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(reqs); i++) {
		const char *name = vhost_user_request_name(reqs[i]);
		struct vhost_user_msg *msg = msg_new(reqs[i], 12 + 8);

		msg->payload.config.size = 8;
		expect_accept(&owned_ctx, msg);
		msg->hdr.size = 12 + 7;
		expect_reject(&owned_ctx, msg, name, "payload size 19");
		msg->hdr.size = 8;
		expect_reject(&owned_ctx, msg, name, "config header");
		msg->payload.config.size = 257;
		msg->hdr.size = 12 + 257;
		expect_reject(&owned_ctx, msg, name, "config size 257");
		msg->payload.config.size = 256;
		msg->hdr.size = 12 + 256;
		expect_accept(&owned_ctx, msg);
		g_free(msg);
	}
}

/**
 * test_mem_table_size() - SET_MEM_TABLE: nregions 1..8, size 8 + 32 * n,
 * one fd per region
 */
static void test_mem_table_size(void)
{
	struct vhost_user_msg *msg = msg_new(VHOST_USER_SET_MEM_TABLE, 8 + 64);

	msg->payload.memory.nregions = 2;
	msg->fd_num = 2;
	expect_accept(&owned_ctx, msg);
	msg->hdr.size = 8 + 32;
	expect_reject(&owned_ctx, msg, "SET_MEM_TABLE", "payload size 40");
	msg->hdr.size = 4;
	expect_reject(&owned_ctx, msg, "SET_MEM_TABLE", "payload size 4");
	msg->payload.memory.nregions = 0;
	msg->hdr.size = 8;
	msg->fd_num = 0;
	expect_reject(&owned_ctx, msg, "SET_MEM_TABLE", "nregions 0");
	msg->payload.memory.nregions = 9;
	msg->hdr.size = 8 + 9 * 32;
	msg->fd_num = 8;
	expect_reject(&owned_ctx, msg, "SET_MEM_TABLE", "nregions 9");
	msg->payload.memory.nregions = 2;
	msg->hdr.size = 8 + 64;
	msg->fd_num = 1;
	expect_reject(&owned_ctx, msg, "SET_MEM_TABLE", "1 fds attached");
	msg->fd_num = 3;
	expect_reject(&owned_ctx, msg, "SET_MEM_TABLE", "3 fds attached");
	g_free(msg);
}

/**
 * test_fd_count() - Requests refuse fds they do not take, and need those
 * they do
 */
static void test_fd_count(void)
{
	struct vhost_user_msg *msg;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(fixed_sizes); i++) {
		const char *name =
			vhost_user_request_name(fixed_sizes[i].request);

		msg = msg_new(fixed_sizes[i].request, fixed_sizes[i].size);
		msg->fd_num = fixed_sizes[i].fds + 2;
		expect_reject(&owned_ctx, msg, name, "fds attached");
		if (fixed_sizes[i].fds) {
			msg->fd_num = 0;
			if (fixed_sizes[i].request !=
				    VHOST_USER_SET_VRING_KICK &&
			    fixed_sizes[i].request !=
				    VHOST_USER_SET_VRING_CALL &&
			    fixed_sizes[i].request != VHOST_USER_SET_VRING_ERR)
				expect_reject(&owned_ctx, msg, name,
					      "0 fds attached");
		}
		g_free(msg);
	}

	/* KICK/CALL/ERR: 1 fd, or 0 with the NOFD bit */
	msg = msg_new(VHOST_USER_SET_VRING_KICK, 8);
	msg->payload.u64 = 1;
	msg->fd_num = 0;
	expect_reject(&owned_ctx, msg, "SET_VRING_KICK", "NOFD bit clear");
	msg->payload.u64 = 1 | VHOST_USER_VRING_NOFD_MASK;
	expect_accept(&owned_ctx, msg);
	msg->fd_num = 1;
	expect_reject(&owned_ctx, msg, "SET_VRING_KICK", "NOFD bit set");
	g_free(msg);

	/* REM_MEM_REG tolerates the fd QEMU sends along */
	msg = msg_new(VHOST_USER_REM_MEM_REG, 40);
	msg->fd_num = 1;
	expect_accept(&owned_ctx, msg);
	g_free(msg);
}

/**
 * test_queue_index() - Queue indexes in state, addr and u64 are bounded
 */
static void test_queue_index(void)
{
	static const uint32_t state_reqs[] = {
		VHOST_USER_SET_VRING_NUM,
		VHOST_USER_SET_VRING_BASE,
		VHOST_USER_GET_VRING_BASE,
		VHOST_USER_SET_VRING_ENABLE,
	};
	static const uint32_t u64_reqs[] = {
		VHOST_USER_SET_VRING_KICK,
		VHOST_USER_SET_VRING_CALL,
		VHOST_USER_SET_VRING_ERR,
	};
	struct vhost_user_msg *msg;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(state_reqs); i++) {
		msg = msg_new(state_reqs[i], 8);
		msg->payload.state.index = 1;
		expect_accept(&owned_ctx, msg);
		msg->payload.state.index = 7;
		expect_reject(&owned_ctx, msg,
			      vhost_user_request_name(state_reqs[i]),
			      "queue index 7 out of range (device has 2 "
			      "queues)");
		msg->payload.state.index = UINT32_MAX;
		expect_reject(&owned_ctx, msg, "queue index 4294967295", NULL);
		g_free(msg);
	}

	msg = msg_new(VHOST_USER_SET_VRING_ADDR, 40);
	msg->payload.addr.index = 2;
	expect_reject(&owned_ctx, msg, "SET_VRING_ADDR", "queue index 2");
	g_free(msg);

	for (i = 0; i < G_N_ELEMENTS(u64_reqs); i++) {
		const char *name = vhost_user_request_name(u64_reqs[i]);

		msg = msg_new(u64_reqs[i], 8);
		msg->payload.u64 = 0xff | VHOST_USER_VRING_NOFD_MASK;
		expect_reject(&owned_ctx, msg, name, "queue index 255");
		msg->payload.u64 = 1 | (1ULL << 9);
		msg->fd_num = 1;
		expect_reject(&owned_ctx, msg, name, "unknown bits");
		g_free(msg);
	}
}

/**
 * test_protocol_feature() - Requests gated by a protocol feature need it
 * negotiated
 */
static void test_protocol_feature(void)
{
	static const struct {
		uint32_t request;
		uint32_t size;
		uint32_t fds;
		const char *feature;
	} gated[] = {
		{ VHOST_USER_GET_QUEUE_NUM, 0, 0, "MQ" },
		{ VHOST_USER_SET_BACKEND_REQ_FD, 0, 1, "BACKEND_REQ" },
		{ VHOST_USER_GET_CONFIG, 12, 0, "CONFIG" },
		{ VHOST_USER_SET_CONFIG, 12, 0, "CONFIG" },
		{ VHOST_USER_RESET_DEVICE, 0, 0, "RESET_DEVICE" },
		{ VHOST_USER_GET_MAX_MEM_SLOTS, 0, 0, "CONFIGURE_MEM_SLOTS" },
		{ VHOST_USER_ADD_MEM_REG, 40, 1, "CONFIGURE_MEM_SLOTS" },
		{ VHOST_USER_REM_MEM_REG, 40, 0, "CONFIGURE_MEM_SLOTS" },
		{ VHOST_USER_SET_STATUS, 8, 0, "STATUS" },
		{ VHOST_USER_GET_STATUS, 0, 0, "STATUS" },
	};
	struct vu_check_ctx ctx = owned_ctx;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(gated); i++) {
		struct vhost_user_msg *msg =
			msg_new(gated[i].request, gated[i].size);
		char *want = g_strdup_printf("protocol feature %s not "
					     "negotiated",
					     gated[i].feature);

		msg->fd_num = gated[i].fds;
		ctx.protocol_features = 0;
		expect_reject(&ctx, msg,
			      vhost_user_request_name(gated[i].request), want);
		ctx.protocol_features = ALL_FEATURES;
		expect_accept(&ctx, msg);
		g_free(want);
		g_free(msg);
	}
}

/**
 * test_need_reply() - NEED_REPLY needs REPLY_ACK
 */
static void test_need_reply(void)
{
	struct vhost_user_msg *msg = msg_new(VHOST_USER_SET_VRING_NUM, 8);
	struct vu_check_ctx ctx = owned_ctx;

	msg->hdr.flags |= VHOST_USER_NEED_REPLY_MASK;
	expect_accept(&ctx, msg);
	ctx.protocol_features &= ~(1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK);
	expect_reject(&ctx, msg, "SET_VRING_NUM", "REPLY_ACK not negotiated");
	g_free(msg);
}

/**
 * test_before_owner() - Only the handshake is allowed before SET_OWNER
 */
static void test_before_owner(void)
{
	static const uint32_t handshake[] = {
		VHOST_USER_GET_FEATURES,  VHOST_USER_GET_PROTOCOL_FEATURES,
		VHOST_USER_GET_QUEUE_NUM, VHOST_USER_GET_MAX_MEM_SLOTS,
		VHOST_USER_SET_OWNER,
	};
	static const struct {
		uint32_t request;
		uint32_t size;
		uint32_t fds;
	} owned[] = {
		{ VHOST_USER_RESET_OWNER, 0, 0 },
		{ VHOST_USER_SET_VRING_NUM, 8, 0 },
		{ VHOST_USER_SET_VRING_ADDR, 40, 0 },
		{ VHOST_USER_GET_VRING_BASE, 8, 0 },
		{ VHOST_USER_SET_VRING_CALL, 8, 1 },
		{ VHOST_USER_SET_VRING_ENABLE, 8, 0 },
		{ VHOST_USER_GET_CONFIG, 12, 0 },
		{ VHOST_USER_RESET_DEVICE, 0, 0 },
		{ VHOST_USER_ADD_MEM_REG, 40, 1 },
		{ VHOST_USER_SET_STATUS, 8, 0 },
	};
	struct vu_check_ctx ctx = owned_ctx;
	struct vhost_user_msg *msg;
	unsigned int i;

	ctx.owner = false;
	for (i = 0; i < G_N_ELEMENTS(handshake); i++) {
		msg = msg_new(handshake[i], 0);
		expect_accept(&ctx, msg);
		g_free(msg);
	}
	msg = msg_new(VHOST_USER_SET_PROTOCOL_FEATURES, 8);
	expect_accept(&ctx, msg);
	g_free(msg);

	for (i = 0; i < G_N_ELEMENTS(owned); i++) {
		msg = msg_new(owned[i].request, owned[i].size);
		msg->fd_num = owned[i].fds;
		expect_reject(&ctx, msg,
			      vhost_user_request_name(owned[i].request),
			      "not allowed before SET_OWNER");
		g_free(msg);
	}
	msg = msg_new(VHOST_USER_SET_MEM_TABLE, 8 + 32);
	msg->payload.memory.nregions = 1;
	msg->fd_num = 1;
	expect_reject(&ctx, msg, "SET_MEM_TABLE", "before SET_OWNER");
	g_free(msg);
}

/**
 * test_unknown_requests() - Unknown ids and requests we never offer
 */
static void test_unknown_requests(void)
{
	static const struct {
		uint32_t request;
		const char *what;
	} unknown[] = {
		{ 0, "NONE (0): request not supported" },
		{ 44, "UNKNOWN (44): request not supported" },
		{ 1000, "UNKNOWN (1000): request not supported" },
		{ VHOST_USER_SET_LOG_BASE, "SET_LOG_BASE (6)" },
		{ VHOST_USER_SET_LOG_FD, "SET_LOG_FD (7)" },
		{ VHOST_USER_GET_INFLIGHT_FD, "GET_INFLIGHT_FD (31)" },
		{ VHOST_USER_IOTLB_MSG, "IOTLB_MSG (22)" },
		{ VHOST_USER_VRING_KICK, "VRING_KICK (35)" },
		{ VHOST_USER_CHECK_DEVICE_STATE, "CHECK_DEVICE_STATE (43)" },
	};
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(unknown); i++) {
		struct vhost_user_msg *msg = msg_new(unknown[i].request, 0);

		expect_reject(&owned_ctx, msg, unknown[i].what, NULL);
		g_free(msg);
	}
}

/**
 * test_header() - Version, REPLY, unknown flags and oversized payloads
 */
static void test_header(void)
{
	struct vhost_user_msg *msg = msg_new(VHOST_USER_SET_VRING_NUM, 8);

	msg->hdr.flags = 0;
	expect_reject(&owned_ctx, msg, "SET_VRING_NUM", "version 0");
	msg->hdr.flags = 2;
	expect_reject(&owned_ctx, msg, "SET_VRING_NUM", "version 2");
	msg->hdr.flags = 3;
	expect_reject(&owned_ctx, msg, "SET_VRING_NUM", "version 3");
	msg->hdr.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK;
	expect_reject(&owned_ctx, msg, "SET_VRING_NUM", "REPLY flag");
	msg->hdr.flags = VHOST_USER_VERSION | 0x100;
	expect_reject(&owned_ctx, msg, "SET_VRING_NUM", "unknown flag bits");
	msg->hdr.flags = VHOST_USER_VERSION;
	msg->hdr.size = VHOST_USER_MAX_PAYLOAD + 1;
	expect_reject(&owned_ctx, msg, "SET_VRING_NUM", "payload size 4097");
	g_free(msg);
}

/**
 * test_socket_too_many_fds() - More than 8 fds: error, none left open
 */
static void test_socket_too_many_fds(void)
{
	struct vhost_user_msg *msg = g_new0(struct vhost_user_msg, 1);
	struct error *err = NULL;
	int sv[2], fds[9], i;
	unsigned int before;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	for (i = 0; i < 9; i++)
		fds[i] = new_eventfd();
	before = count_open_fds();
	fe_send(sv[0], VHOST_USER_GET_FEATURES, 1, NULL, 0, fds, 9);
	g_assert_cmpint(vu_socket_recv_msg(sv[1], -1, msg, &err), ==, -1);
	g_assert_nonnull(strstr(error_get_pretty(err), "more than 8 fds"));
	error_free(err);
	g_assert_cmpuint(count_open_fds(), ==, before);

	/* Eight are fine and all arrive */
	fe_send(sv[0], VHOST_USER_GET_FEATURES, 1, NULL, 0, fds, 8);
	g_assert_cmpint(vu_socket_recv_msg(sv[1], -1, msg, NULL), ==, 1);
	g_assert_cmpuint(msg->fd_num, ==, 8);
	g_assert_cmpuint(count_open_fds(), ==, before + 8);
	vu_msg_close_fds(msg);
	g_assert_cmpuint(count_open_fds(), ==, before);

	for (i = 0; i < 9; i++)
		close(fds[i]);
	close(sv[0]);
	close(sv[1]);
	g_free(msg);
}

/**
 * test_socket_bad_header() - A bad header is refused before its payload is
 * read, and its fds are closed
 */
static void test_socket_bad_header(void)
{
	struct vhost_user_msg *msg = g_new0(struct vhost_user_msg, 1);
	struct error *err = NULL;
	struct vhost_user_header big = { VHOST_USER_SET_FEATURES, 1, 1u << 20 };
	int sv[2], efd = new_eventfd();
	unsigned int before;
	uint64_t v = 0;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	before = count_open_fds();
	fe_send(sv[0], VHOST_USER_SET_VRING_CALL, 2, &v, 8, &efd, 1);
	g_assert_cmpint(vu_socket_recv_msg(sv[1], -1, msg, &err), ==, -1);
	g_assert_nonnull(strstr(error_get_pretty(err), "SET_VRING_CALL"));
	g_assert_nonnull(strstr(error_get_pretty(err), "version 2"));
	error_free(err);
	err = NULL;
	g_assert_cmpuint(count_open_fds(), ==, before);
	close(sv[0]);
	close(sv[1]);

	/* Oversized: refused from the header alone */
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	g_assert_cmpint(send(sv[0], &big, sizeof(big), 0), ==, sizeof(big));
	g_assert_cmpint(vu_socket_recv_msg(sv[1], -1, msg, &err), ==, -1);
	g_assert_nonnull(strstr(error_get_pretty(err), "SET_FEATURES"));
	g_assert_nonnull(strstr(error_get_pretty(err), "exceeds the limit"));
	error_free(err);
	close(sv[0]);
	close(sv[1]);
	close(efd);
	g_free(msg);
}

/**
 * test_socket_eof() - EOF at a boundary is 0; mid-message it is an error
 */
static void test_socket_eof(void)
{
	struct vhost_user_msg *msg = g_new0(struct vhost_user_msg, 1);
	struct vhost_user_header hdr = { VHOST_USER_SET_FEATURES, 1, 8 };
	struct error *err = NULL;
	int sv[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	close(sv[0]);
	g_assert_cmpint(vu_socket_recv_msg(sv[1], -1, msg, &err), ==, 0);
	g_assert_null(err);
	close(sv[1]);

	/* Header, then 3 of 8 payload bytes */
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	g_assert_cmpint(send(sv[0], &hdr, sizeof(hdr), 0), ==, sizeof(hdr));
	g_assert_cmpint(send(sv[0], "abc", 3, 0), ==, 3);
	close(sv[0]);
	g_assert_cmpint(vu_socket_recv_msg(sv[1], -1, msg, &err), ==, -1);
	g_assert_nonnull(strstr(error_get_pretty(err), "SET_FEATURES"));
	g_assert_nonnull(strstr(error_get_pretty(err), "3 of 8 bytes"));
	error_free(err);
	err = NULL;
	close(sv[1]);

	/* Half a header */
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	g_assert_cmpint(send(sv[0], &hdr, 5, 0), ==, 5);
	close(sv[0]);
	g_assert_cmpint(vu_socket_recv_msg(sv[1], -1, msg, &err), ==, -1);
	g_assert_nonnull(strstr(error_get_pretty(err), "header"));
	error_free(err);
	close(sv[1]);
	g_free(msg);
}

/**
 * test_names() - Request and protocol feature names
 */
static void test_names(void)
{
	g_assert_cmpstr(vhost_user_request_name(5), ==, "SET_MEM_TABLE");
	g_assert_cmpstr(vhost_user_request_name(43), ==, "CHECK_DEVICE_STATE");
	g_assert_cmpstr(vhost_user_request_name(44), ==, "UNKNOWN");
	g_assert_cmpstr(vhost_user_protocol_feature_name(3), ==, "REPLY_ACK");
	g_assert_cmpstr(vhost_user_protocol_feature_name(19), ==,
			"DEVICE_STATE");
	g_assert_null(vhost_user_protocol_feature_name(40));
}

/**
 * main() - register and run the tests
 * @argc:	argument count (GTest options such as --tap)
 * @argv:	arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vhost-user/table/payload-size", test_payload_size);
	g_test_add_func("/vhost-user/table/config-size", test_config_size);
	g_test_add_func("/vhost-user/table/mem-table-size",
			test_mem_table_size);
	g_test_add_func("/vhost-user/table/fd-count", test_fd_count);
	g_test_add_func("/vhost-user/table/queue-index", test_queue_index);
	g_test_add_func("/vhost-user/table/protocol-feature",
			test_protocol_feature);
	g_test_add_func("/vhost-user/table/need-reply", test_need_reply);
	g_test_add_func("/vhost-user/table/before-owner", test_before_owner);
	g_test_add_func("/vhost-user/table/unknown", test_unknown_requests);
	g_test_add_func("/vhost-user/table/header", test_header);
	g_test_add_func("/vhost-user/socket/too-many-fds",
			test_socket_too_many_fds);
	g_test_add_func("/vhost-user/socket/bad-header",
			test_socket_bad_header);
	g_test_add_func("/vhost-user/socket/eof", test_socket_eof);
	g_test_add_func("/vhost-user/names", test_names);
	return g_test_run();
}
