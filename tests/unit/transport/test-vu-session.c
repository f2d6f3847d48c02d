/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of vhost-user sessions: a raw front-end drives a toy device over
 * a socketpair through the QEMU-like handshake, ring set-up, I/O, stop and
 * reset, and a series of violations that must end the session cleanly.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "tests/frontend/vring-driver.h"
#include "tests/unit/transport/vu-test-util.h"
#include "transport/vhost-user-session.h"
#include "transport/vhost-user-socket.h"

#define V     VHOST_USER_VERSION
#define V_ACK (VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK)
#define BIT30 (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)

#define RING_NUM 16
/* Rings live in region 1 (one page each), buffers in region 0 */
#define RING_GPA(i) (TM_GPA1 + 0x10000ULL * (i))
#define BUF_GPA(i)  (TM_GPA0 + 0x1000ULL * (i))

struct fixture {
	unsigned int fds_before;
	struct toy_dev *toy;
	struct vu_session *s;
	int fe; /* our end of the connection */
	struct test_mem mem;
	char *err; /* message of the last failed request */
	struct vring_driver drv[TOY_NUM_QUEUES];
	bool drv_init[TOY_NUM_QUEUES];
	int kick[TOY_NUM_QUEUES], call[TOY_NUM_QUEUES];
};

/**
 * fx_connect() - Attach a new socketpair to the session
 * @f:		fixture
 */
static void fx_connect(struct fixture *f)
{
	struct error *err = NULL;
	int sv[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			==, 0);
	f->fe = sv[0];
	g_assert_true(vu_session_attach(f->s, sv[1], &err));
}

/**
 * fx_init() - Toy device, session, connection, guest memory
 * @f:		fixture
 */
static void fx_init(struct fixture *f)
{
	struct error *err = NULL;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->fds_before = count_open_fds();
	f->toy = toy_dev_new();
	f->s = vu_session_new(&f->toy->vdev, 0, &err);
	g_assert_nonnull(f->s);
	fx_connect(f);
	test_mem_init(&f->mem);
	for (i = 0; i < TOY_NUM_QUEUES; i++) {
		f->kick[i] = new_eventfd();
		f->call[i] = new_eventfd();
	}
}

/**
 * fx_cleanup() - Tear everything down and check no fd leaked
 * @f:		fixture
 */
static void fx_cleanup(struct fixture *f)
{
	unsigned int i;

	vu_session_free(f->s);
	toy_dev_free(f->toy);
	close(f->fe);
	for (i = 0; i < TOY_NUM_QUEUES; i++) {
		if (f->drv_init[i])
			vring_driver_cleanup(&f->drv[i]);
		close(f->kick[i]);
		close(f->call[i]);
	}
	test_mem_cleanup(&f->mem);
	g_free(f->err);
	g_assert_cmpuint(count_open_fds(), ==, f->fds_before);
}

/**
 * fx_req() - Send a request and let the session handle it
 * @f:		fixture; f->err is set if the session must end
 * @request:	request id
 * @flags:	header flags
 * @payload:	payload
 * @size:	payload size
 * @fds:	fds to attach (the session gets duplicates)
 * @nfds:	how many
 *
 * Return: whether the session goes on
 */
static bool fx_req(struct fixture *f, uint32_t request, uint32_t flags,
		   const void *payload, uint32_t size, const int *fds,
		   unsigned int nfds)
{
	struct error *err = NULL;
	bool ok;

	fe_send(f->fe, request, flags, payload, size, fds, nfds);
	ok = vu_session_process(f->s, &err);
	g_free(f->err);
	f->err = NULL;
	if (err) {
		f->err = g_strdup(error_get_pretty(err));
		if (g_test_verbose())
			g_test_message("%s", f->err);
		error_free(err);
	}
	return ok;
}

/**
 * fx_ok() - A request that must succeed
 * @f:		fixture
 * @request:	request id
 * @flags:	header flags
 * @payload:	payload
 * @size:	payload size
 */
static void fx_ok(struct fixture *f, uint32_t request, uint32_t flags,
		  const void *payload, uint32_t size)
{
	if (!fx_req(f, request, flags, payload, size, NULL, 0))
		g_error("%s failed: %s", vhost_user_request_name(request),
			f->err ? f->err : "EOF");
}

/**
 * fx_violation() - The session must end with an error containing @what
 * @f:		fixture, after a failed fx_req()
 * @what:	expected substring
 *
 * The session is ended and a fresh connection attached.
 */
static void fx_violation(struct fixture *f, const char *what)
{
	g_assert_nonnull(f->err);
	if (!strstr(f->err, what))
		g_error("expected '%s' in '%s'", what, f->err);
	vu_session_end(f->s);
	g_assert_true(fe_peer_closed(f->fe, 1000));
	close(f->fe);
	fx_connect(f);
}

/**
 * fx_u64() - A u64 request without reply
 * @f:		fixture
 * @request:	request id
 * @value:	payload
 */
static void fx_u64(struct fixture *f, uint32_t request, uint64_t value)
{
	fx_ok(f, request, V, &value, sizeof(value));
}

/**
 * fx_get_u64() - A request answered with a u64
 * @f:		fixture
 * @request:	request id
 *
 * Return: the reply
 */
static uint64_t fx_get_u64(struct fixture *f, uint32_t request)
{
	fx_ok(f, request, V, NULL, 0);
	return fe_recv_u64(f->fe, request);
}

/**
 * fx_state() - A vring state request, optionally with NEED_REPLY (ack 0)
 * @f:		fixture
 * @request:	request id
 * @index:	queue
 * @num:	value
 * @ack:	set NEED_REPLY and expect ack 0
 */
static void fx_state(struct fixture *f, uint32_t request, uint32_t index,
		     uint32_t num, bool ack)
{
	struct vhost_vring_state st = { index, num };

	fx_ok(f, request, ack ? V_ACK : V, &st, sizeof(st));
	if (ack)
		g_assert_cmpuint(fe_recv_u64(f->fe, request), ==, 0);
}

/**
 * fx_fd() - SET_VRING_KICK/CALL/ERR with an fd, or NOFD if @fd is -1
 * @f:		fixture
 * @request:	request id
 * @index:	queue
 * @fd:		eventfd or -1
 */
static void fx_fd(struct fixture *f, uint32_t request, uint32_t index, int fd)
{
	uint64_t v = index | (fd < 0 ? VHOST_USER_VRING_NOFD_MASK : 0);

	if (!fx_req(f, request, V, &v, sizeof(v), &fd, fd < 0 ? 0 : 1))
		g_error("%s failed: %s", vhost_user_request_name(request),
			f->err);
}

/**
 * fx_handshake() - What QEMU does before starting the device
 * @f:		fixture
 * @protocol:	protocol features to negotiate
 */
static void fx_handshake(struct fixture *f, uint64_t protocol)
{
	g_assert_cmphex(fx_get_u64(f, VHOST_USER_GET_FEATURES), ==,
			TOY_FEATURES | BIT30);
	g_assert_cmphex(fx_get_u64(f, VHOST_USER_GET_PROTOCOL_FEATURES), ==,
			VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(f, VHOST_USER_SET_PROTOCOL_FEATURES, protocol);
	if (protocol & (1ULL << VHOST_USER_PROTOCOL_F_MQ))
		g_assert_cmpuint(fx_get_u64(f, VHOST_USER_GET_QUEUE_NUM), ==,
				 TOY_NUM_QUEUES);
	if (protocol & (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))
		g_assert_cmpuint(fx_get_u64(f, VHOST_USER_GET_MAX_MEM_SLOTS),
				 ==, GUEST_MEMORY_MAX_REGIONS);
	fx_ok(f, VHOST_USER_SET_OWNER, V, NULL, 0);
	g_assert_cmphex(fx_get_u64(f, VHOST_USER_GET_FEATURES), ==,
			TOY_FEATURES | BIT30);
}

/**
 * fx_mem_table() - SET_MEM_TABLE with the two test regions
 * @f:		fixture
 */
static void fx_mem_table(struct fixture *f)
{
	struct vhost_user_memory table = { .nregions = 2 };
	int fds[2] = { f->mem.fd, f->mem.fd };

	table.regions[0] = f->mem.regions[0];
	table.regions[1] = f->mem.regions[1];
	if (!fx_req(f, VHOST_USER_SET_MEM_TABLE, V, &table, 8 + 2 * 32, fds, 2))
		g_error("SET_MEM_TABLE: %s", f->err);
}

/**
 * fx_addr() - The SET_VRING_ADDR payload for ring @i laid out by the driver
 * @f:		fixture
 * @i:		queue
 *
 * Return: the payload
 */
static struct vhost_vring_addr fx_addr(struct fixture *f, unsigned int i)
{
	struct vring_driver *d = &f->drv[i];

	return (struct vhost_vring_addr){
		.index = i,
		.desc_user_addr = test_mem_uva(&f->mem, d->desc_gpa),
		.avail_user_addr = test_mem_uva(&f->mem, d->avail_gpa),
		.used_user_addr = test_mem_uva(&f->mem, d->used_gpa),
	};
}

/**
 * fx_ring() - Lay out ring @i and configure it like QEMU: NUM, BASE, ADDR,
 * KICK, CALL, ENABLE(1) with an ack
 * @f:		fixture
 * @i:		queue
 * @nofd_kick:	send the kick with NOFD (the back-end polls)
 */
static void fx_ring(struct fixture *f, unsigned int i, bool nofd_kick)
{
	struct vhost_vring_addr a;

	if (!f->drv_init[i]) {
		g_assert_true(vring_driver_init(
			&f->drv[i], test_mem_host(&f->mem, RING_GPA(i)),
			RING_GPA(i), RING_NUM, true, 0));
		f->drv_init[i] = true;
	}
	fx_state(f, VHOST_USER_SET_VRING_NUM, i, RING_NUM, false);
	fx_state(f, VHOST_USER_SET_VRING_BASE, i, 0, false);
	a = fx_addr(f, i);
	fx_ok(f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a));
	fx_fd(f, VHOST_USER_SET_VRING_KICK, i, nofd_kick ? -1 : f->kick[i]);
	fx_fd(f, VHOST_USER_SET_VRING_CALL, i, f->call[i]);
	fx_state(f, VHOST_USER_SET_VRING_ENABLE, i, 1, true);
}

/**
 * fx_io() - One request on queue @i: a 64-byte writable buffer, filled by
 * the toy device
 * @f:		fixture
 * @i:		queue
 * @slot:	which buffer page to use
 */
static void fx_io(struct fixture *f, unsigned int i, unsigned int slot)
{
	struct vring_buf in = { BUF_GPA(slot), 64 };
	uint8_t *buf = test_mem_host(&f->mem, in.gpa);
	static const uint64_t one = 1;
	struct pollfd pfd = { .fd = f->call[i], .events = POLLIN };
	uint32_t len = 0;
	void *token = NULL;
	unsigned int k;

	memset(buf, 0, 64);
	g_assert_cmpint(vring_driver_add(&f->drv[i], NULL, 0, &in, 1, f), >=,
			0);
	vring_driver_publish(&f->drv[i]);
	g_assert_cmpint(write(f->kick[i], &one, sizeof(one)), ==, 8);
	/* Calls may be spurious: wait until the used entry shows up */
	for (k = 0; k < 50; k++) {
		token = vring_driver_get_used(&f->drv[i], &len);
		if (token)
			break;
		if (poll(&pfd, 1, 100) == 1)
			eventfd_read(f->call[i], &(eventfd_t){ 0 });
	}
	g_assert_true(token == f);
	g_assert_cmpuint(len, ==, 64);
	for (k = 0; k < 64; k++)
		g_assert_cmphex(buf[k], ==, 0x5a);
}

/**
 * test_handshake_and_io() - The full QEMU-like life cycle of a session
 */
static void test_handshake_and_io(void)
{
	struct fixture f;
	struct vhost_user_config cfgv = { 0 }, *cfg = &cfgv;
	struct vhost_vring_state st = { 0, 0 };
	int chan[2];

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);

	/* The back-end channel, then early CALL fds, as QEMU does */
	g_assert_cmpint(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan), ==,
		0);
	g_assert_true(fx_req(&f, VHOST_USER_SET_BACKEND_REQ_FD, V_ACK, NULL, 0,
			     &chan[1], 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_SET_BACKEND_REQ_FD), ==,
			 0);
	close(chan[1]);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, f.call[0]);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 1, f.call[1]);

	/* vhost-user-blk realize reads the config space */
	cfg->size = TOY_CONFIG_SIZE;
	fx_ok(&f, VHOST_USER_GET_CONFIG, V, cfg, 12 + TOY_CONFIG_SIZE);
	g_assert_cmpuint(
		fe_recv_reply(f.fe, VHOST_USER_GET_CONFIG, cfg, sizeof(*cfg)),
		==, 12 + TOY_CONFIG_SIZE);
	g_assert_cmpuint(cfg->region[0], ==, 0x10);
	g_assert_cmpuint(cfg->region[7], ==, 0x17);

	/* Start */
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	g_assert_cmphex(f.toy->vdev.features, ==, TOY_FEATURES);
	g_assert_cmpuint(fx_get_u64(&f, VHOST_USER_GET_STATUS), ==, 0);
	fx_u64(&f, VHOST_USER_SET_STATUS,
	       VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		       VIRTIO_CONFIG_S_FEATURES_OK);
	fx_mem_table(&f);
	fx_ring(&f, 0, false);
	fx_ring(&f, 1, true);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	g_assert_true(virtio_queue_running(&f.toy->vdev, 1));
	fx_u64(&f, VHOST_USER_SET_STATUS, 0xf);
	g_assert_cmpuint(fx_get_u64(&f, VHOST_USER_GET_STATUS), ==, 0xf);

	fx_io(&f, 0, 0);
	fx_io(&f, 0, 1);
	fx_io(&f, 1, 2);

	/* Stop, as QEMU 7.2 does: status 0, disable, GET_VRING_BASE */
	fx_u64(&f, VHOST_USER_SET_STATUS, 0);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	fx_state(&f, VHOST_USER_SET_VRING_ENABLE, 0, 0, true);
	fx_state(&f, VHOST_USER_SET_VRING_ENABLE, 1, 0, true);
	st.index = 0;
	fx_ok(&f, VHOST_USER_GET_VRING_BASE, V, &st, sizeof(st));
	g_assert_cmpuint(
		fe_recv_reply(f.fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st)),
		==, sizeof(st));
	g_assert_cmpuint(st.index, ==, 0);
	g_assert_cmpuint(st.num, ==, 2);
	g_assert_cmpint(f.s->rings[0].kick_fd, ==, -1);
	st.index = 1;
	fx_ok(&f, VHOST_USER_GET_VRING_BASE, V, &st, sizeof(st));
	fe_recv_reply(f.fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st));
	g_assert_cmpuint(st.num, ==, 1);

	/* Restart queue 0 where it stopped */
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_state(&f, VHOST_USER_SET_VRING_BASE, 0, 2, false);
	fx_fd(&f, VHOST_USER_SET_VRING_KICK, 0, f.kick[0]);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	fx_state(&f, VHOST_USER_SET_VRING_ENABLE, 0, 1, true);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	fx_io(&f, 0, 3);
	g_assert_cmpuint(__atomic_load_n(&f.toy->requests, __ATOMIC_SEQ_CST),
			 ==, 4);

	close(chan[0]);
	fx_cleanup(&f);
}

/**
 * test_config() - GET_CONFIG/SET_CONFIG, including refused accesses
 */
static void test_config(void)
{
	struct fixture f;
	struct vhost_user_config cfgv = { 0 }, *cfg = &cfgv;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);

	/* Partial read */
	cfg->offset = 2;
	cfg->size = 4;
	fx_ok(&f, VHOST_USER_GET_CONFIG, V, cfg, 12 + 4);
	g_assert_cmpuint(
		fe_recv_reply(f.fe, VHOST_USER_GET_CONFIG, cfg, sizeof(*cfg)),
		==, 12 + 4);
	g_assert_cmpuint(cfg->region[0], ==, 0x12);
	g_assert_cmpuint(cfg->region[3], ==, 0x15);

	/* Out of range: a zero-size reply, the session goes on */
	cfg->offset = 4;
	cfg->size = 8;
	fx_ok(&f, VHOST_USER_GET_CONFIG, V_ACK, cfg, 12 + 8);
	g_assert_cmpuint(
		fe_recv_reply(f.fe, VHOST_USER_GET_CONFIG, cfg, sizeof(*cfg)),
		==, 0);

	/* Writable bytes: ack 0; read-only ones: ack 1 */
	cfg->offset = 4;
	cfg->size = 2;
	cfg->flags = VHOST_SET_CONFIG_TYPE_FRONTEND;
	cfg->region[0] = 0xaa;
	cfg->region[1] = 0xbb;
	fx_ok(&f, VHOST_USER_SET_CONFIG, V_ACK, cfg, 12 + 2);
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_SET_CONFIG), ==, 0);
	g_assert_cmpuint(f.toy->config[4], ==, 0xaa);
	g_assert_cmpuint(f.toy->config[5], ==, 0xbb);
	cfg->offset = 0;
	fx_ok(&f, VHOST_USER_SET_CONFIG, V_ACK, cfg, 12 + 2);
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_SET_CONFIG), ==, 1);
	g_assert_cmpuint(f.toy->config[0], ==, 0x10);

	/* Unknown flags are a violation */
	cfg->offset = 4;
	cfg->flags = 2;
	g_assert_false(
		fx_req(&f, VHOST_USER_SET_CONFIG, V, cfg, 12 + 2, NULL, 0));
	fx_violation(&f, "SET_CONFIG: flags 2");

	/* CONFIG not negotiated: GET_CONFIG is a violation */
	fx_handshake(&f, 1ULL << VHOST_USER_PROTOCOL_F_MQ);
	cfg->offset = 0;
	cfg->size = 8;
	g_assert_false(
		fx_req(&f, VHOST_USER_GET_CONFIG, V, cfg, 12 + 8, NULL, 0));
	fx_violation(&f, "GET_CONFIG: protocol feature CONFIG not negotiated");
	fx_cleanup(&f);
}

/**
 * test_mem_table_refused() - Overlapping regions, regions beyond the file
 */
static void test_mem_table_refused(void)
{
	struct vhost_user_memory table = { .nregions = 2 };
	struct fixture f;
	int fds[2];

	fx_init(&f);
	fds[0] = fds[1] = f.mem.fd;

	/* Overlap in guest physical space */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	table.regions[0] = f.mem.regions[0];
	table.regions[1] = f.mem.regions[1];
	table.regions[1].guest_phys_addr = TM_GPA0 + 0x1000;
	g_assert_false(fx_req(&f, VHOST_USER_SET_MEM_TABLE, V, &table, 8 + 64,
			      fds, 2));
	fx_violation(&f, "SET_MEM_TABLE: region 1");

	/* Overlap in front-end virtual space */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	table.regions[1] = f.mem.regions[1];
	table.regions[1].userspace_addr = TM_UVA0 + 0x2000;
	g_assert_false(fx_req(&f, VHOST_USER_SET_MEM_TABLE, V, &table, 8 + 64,
			      fds, 2));
	fx_violation(&f, "SET_MEM_TABLE: region 1");

	/* Past the end of the memfd */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	table.regions[1] = f.mem.regions[1];
	table.regions[1].mmap_offset = TM_REGION_SIZE + 0x1000;
	g_assert_false(fx_req(&f, VHOST_USER_SET_MEM_TABLE, V, &table, 8 + 64,
			      fds, 2));
	fx_violation(&f, "exceeds the file size");

	/* Empty and wrapping regions */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	table.regions[1] = f.mem.regions[1];
	table.regions[1].memory_size = 0;
	g_assert_false(fx_req(&f, VHOST_USER_SET_MEM_TABLE, V, &table, 8 + 64,
			      fds, 2));
	fx_violation(&f, "region 1: memory_size is 0");
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	table.regions[1] = f.mem.regions[1];
	table.regions[1].mmap_offset = UINT64_MAX - 0x10;
	g_assert_false(fx_req(&f, VHOST_USER_SET_MEM_TABLE, V, &table, 8 + 64,
			      fds, 2));
	fx_violation(&f, "overflows");

	/* A good table after all that */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_mem_table(&f);
	g_assert_cmpuint(f.s->mem->nregions, ==, 2);
	fx_cleanup(&f);
}

/**
 * test_ring_outside_memory() - Ring addresses must translate in full
 */
static void test_ring_outside_memory(void)
{
	struct vhost_vring_addr a;
	struct fixture f;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_mem_table(&f);
	g_assert_true(vring_driver_init(&f.drv[0],
					test_mem_host(&f.mem, RING_GPA(0)),
					RING_GPA(0), RING_NUM, true, 0));
	f.drv_init[0] = true;

	/* Addresses before the size */
	a = fx_addr(&f, 0);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a),
			      NULL, 0));
	fx_violation(&f, "SET_VRING_ADDR: queue 0: size not set");

	/* Descriptor table not mapped at all */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_mem_table(&f);
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, RING_NUM, false);
	a.desc_user_addr = 0x1000;
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a),
			      NULL, 0));
	fx_violation(&f, "SET_VRING_ADDR: queue 0: desc_user_addr 0x1000");

	/* Used ring straddling the end of region 1 */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_mem_table(&f);
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, RING_NUM, false);
	a = fx_addr(&f, 0);
	a.used_user_addr = TM_UVA1 + TM_REGION_SIZE - 8;
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a),
			      NULL, 0));
	fx_violation(&f, "used_user_addr");

	/* Misaligned descriptor table */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_mem_table(&f);
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, RING_NUM, false);
	a = fx_addr(&f, 0);
	a.desc_user_addr += 8;
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a),
			      NULL, 0));
	fx_violation(&f, "not 16-byte aligned");

	/* The LOG flag: we never offer LOG_ALL */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_mem_table(&f);
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, RING_NUM, false);
	a = fx_addr(&f, 0);
	a.flags = 1;
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a),
			      NULL, 0));
	fx_violation(&f, "VHOST_VRING_F_LOG");

	/*
	 * A size that no longer fits the addresses given is accepted (new
	 * addresses may follow), but the ring does not run with them
	 */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_mem_table(&f);
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, RING_NUM, false);
	a = fx_addr(&f, 0);
	a.used_user_addr = TM_UVA1 + TM_REGION_SIZE - VRING_USED_SIZE(RING_NUM);
	a.used_user_addr &= ~3ULL;
	fx_ok(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a));
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, 256, true);
	fx_fd(&f, VHOST_USER_SET_VRING_KICK, 0, -1);
	fx_state(&f, VHOST_USER_SET_VRING_ENABLE, 0, 1, true);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	vu_session_end(f.s);
	close(f.fe);
	fx_connect(&f);

	/* Bad sizes */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_NUM, V,
			      &(struct vhost_vring_state){ 1, 3 }, 8, NULL, 0));
	fx_violation(&f,
		     "SET_VRING_NUM: queue 1: size 3 is not a power of two");
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_NUM, V,
			      &(struct vhost_vring_state){ 1, 512 }, 8, NULL,
			      0));
	fx_violation(&f, "size 512 exceeds the maximum 256");
	fx_cleanup(&f);
}

/**
 * test_nofd_kick() - A ring kicked with NOFD runs (polling)
 */
static void test_nofd_kick(void)
{
	struct fixture f;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_mem_table(&f);
	fx_ring(&f, 0, true);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	g_assert_true(f.s->rings[0].started);
	g_assert_cmpint(f.s->rings[0].kick_fd, ==, -1);
	fx_io(&f, 0, 0);
	fx_cleanup(&f);
}

/**
 * test_reply_ack() - NEED_REPLY: an ack for requests without a reply, none
 * extra for those with one, ack 1 for refused requests
 */
static void test_reply_ack(void)
{
	struct vhost_user_mem_reg reg = { 0 };
	struct fixture f;
	uint64_t v;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, 64, true);
	fx_state(&f, VHOST_USER_SET_VRING_BASE, 1, 7, true);

	/* GET_FEATURES has its own reply: exactly one message comes back */
	fx_ok(&f, VHOST_USER_GET_FEATURES, V_ACK, NULL, 0);
	g_assert_cmphex(fe_recv_u64(f.fe, VHOST_USER_GET_FEATURES), ==,
			TOY_FEATURES | BIT30);
	g_assert_cmpuint(fx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), ==, 2);

	/* Removing a region that is not there is refused, not fatal */
	reg.region = f.mem.regions[0];
	fx_ok(&f, VHOST_USER_REM_MEM_REG, V_ACK, &reg, sizeof(reg));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_REM_MEM_REG), ==, 1);

	v = TOY_FEATURES | BIT30;
	fx_ok(&f, VHOST_USER_SET_FEATURES, V_ACK, &v, sizeof(v));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_SET_FEATURES), ==, 0);

	/* Without REPLY_ACK, NEED_REPLY is a violation */
	vu_session_end(f.s);
	close(f.fe);
	fx_connect(&f);
	fx_handshake(&f, 1ULL << VHOST_USER_PROTOCOL_F_MQ);
	v = TOY_FEATURES;
	g_assert_false(
		fx_req(&f, VHOST_USER_SET_FEATURES, V_ACK, &v, 8, NULL, 0));
	fx_violation(&f, "SET_FEATURES: flags 0x9: NEED_REPLY set but "
			 "REPLY_ACK not negotiated");
	fx_cleanup(&f);
}

static uint64_t rarp_payload; /* last SEND_RARP payload the device got */

/**
 * toy_send_rarp() - device request handler: record the payload
 * @dev:	device
 * @payload:	u64 of the request
 * @errp:	unused
 *
 * Return: true
 */
static bool toy_send_rarp(struct virtio_device *dev, uint64_t payload,
			  struct error **errp)
{
	rarp_payload = payload;
	return true;
}

/**
 * toy_set_mtu() - device request handler: refuse MTUs below 68
 * @dev:	device
 * @payload:	MTU
 * @errp:	why it was refused
 *
 * Return: true if accepted
 */
static bool toy_set_mtu(struct virtio_device *dev, uint64_t payload,
			struct error **errp)
{
	if (payload < 68) {
		error_setg(errp, "MTU %llu below 68",
			   (unsigned long long)payload);
		return false;
	}
	return true;
}

/**
 * test_device_requests() - SEND_RARP and NET_SET_MTU reach the program's
 * handlers only when their protocol features were negotiated
 */
static void test_device_requests(void)
{
	static const struct vu_device_request reqs[] = {
		{ VHOST_USER_SEND_RARP, VHOST_USER_PROTOCOL_F_RARP,
		  toy_send_rarp },
		{ VHOST_USER_NET_SET_MTU, VHOST_USER_PROTOCOL_F_NET_MTU,
		  toy_set_mtu },
	};
	const uint64_t extra = VU_DEVICE_REQUEST_PROTOCOL_FEATURES;
	const uint8_t mac[8] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct error *err = NULL;
	struct fixture f;
	uint64_t v;

	fx_init(&f);
	vu_session_free(f.s);
	f.s = vu_session_new(&f.toy->vdev, extra, &err);
	g_assert_nonnull(f.s);
	f.s->device_requests = reqs;
	f.s->n_device_requests = 2;
	close(f.fe);
	fx_connect(&f);

	g_assert_cmphex(fx_get_u64(&f, VHOST_USER_GET_PROTOCOL_FEATURES), ==,
			VU_COMMON_PROTOCOL_FEATURES | extra);
	/* NET_MTU left out: its request is refused by the table */
	fx_u64(&f, VHOST_USER_SET_PROTOCOL_FEATURES,
	       VU_COMMON_PROTOCOL_FEATURES |
		       (1ULL << VHOST_USER_PROTOCOL_F_RARP));
	fx_ok(&f, VHOST_USER_SET_OWNER, V, NULL, 0);

	/* The program's GET_QUEUE_NUM answer (net: pairs) wins */
	g_assert_cmpuint(fx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), ==,
			 TOY_NUM_QUEUES);
	f.s->queue_num = 1;
	g_assert_cmpuint(fx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), ==, 1);

	memcpy(&v, mac, sizeof(v));
	fx_ok(&f, VHOST_USER_SEND_RARP, V_ACK, &v, sizeof(v));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_SEND_RARP), ==, 0);
	g_assert_cmpmem(&rarp_payload, 6, mac, 6);

	v = 1500;
	g_assert_false(fx_req(&f, VHOST_USER_NET_SET_MTU, V_ACK, &v, sizeof(v),
			      NULL, 0));
	fx_violation(&f, "NET_SET_MTU");

	/* Negotiated: the handler decides */
	fx_u64(&f, VHOST_USER_SET_PROTOCOL_FEATURES,
	       VU_COMMON_PROTOCOL_FEATURES | extra);
	fx_ok(&f, VHOST_USER_SET_OWNER, V, NULL, 0);
	v = 1500;
	fx_ok(&f, VHOST_USER_NET_SET_MTU, V_ACK, &v, sizeof(v));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_NET_SET_MTU), ==, 0);
	v = 20;
	fx_ok(&f, VHOST_USER_NET_SET_MTU, V_ACK, &v, sizeof(v));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_NET_SET_MTU), ==, 1);
	g_assert_true(vu_session_active(f.s));
	fx_cleanup(&f);
}

/**
 * test_vring_base() - GET_VRING_BASE returns the base; reserved bits refused
 */
static void test_vring_base(void)
{
	struct vhost_vring_state st = { 1, 0 };
	struct fixture f;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_state(&f, VHOST_USER_SET_VRING_BASE, 1, 42, false);
	fx_ok(&f, VHOST_USER_GET_VRING_BASE, V, &st, sizeof(st));
	fe_recv_reply(f.fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st));
	g_assert_cmpuint(st.index, ==, 1);
	g_assert_cmpuint(st.num, ==, 42);

	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_BASE, V,
			      &(struct vhost_vring_state){ 0, 0x10000 }, 8,
			      NULL, 0));
	fx_violation(&f, "SET_VRING_BASE: queue 0: num 0x10000: bits 16-31");
	fx_cleanup(&f);
}

/**
 * test_reset_device() - RESET_DEVICE stops and forgets rings; the session
 * stays
 */
static void test_reset_device(void)
{
	struct vhost_vring_state st = { 0, 0 };
	struct fixture f;
	unsigned int resets;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_mem_table(&f);
	fx_ring(&f, 0, false);
	fx_io(&f, 0, 0);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	resets = f.toy->resets;

	fx_ok(&f, VHOST_USER_RESET_DEVICE, V_ACK, NULL, 0);
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_RESET_DEVICE), ==, 0);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	g_assert_cmpuint(f.toy->resets, ==, resets + 1);
	g_assert_cmphex(f.toy->vdev.features, ==, 0);
	g_assert_cmpint(f.s->rings[0].kick_fd, ==, -1);
	g_assert_cmpint(f.s->rings[0].call_fd, ==, -1);
	fx_ok(&f, VHOST_USER_GET_VRING_BASE, V, &st, sizeof(st));
	fe_recv_reply(f.fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st));
	g_assert_cmpuint(st.num, ==, 0);

	/* Still owned, memory still mapped: the device can start again */
	g_assert_cmphex(fx_get_u64(&f, VHOST_USER_GET_FEATURES), ==,
			TOY_FEATURES | BIT30);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	vring_driver_cleanup(&f.drv[0]);
	f.drv_init[0] = false;
	memset(test_mem_host(&f.mem, RING_GPA(0)), 0, 0x10000);
	fx_ring(&f, 0, false);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	fx_io(&f, 0, 1);

	/* RESET_OWNER only disables */
	fx_ok(&f, VHOST_USER_RESET_OWNER, V, NULL, 0);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	g_assert_cmpint(f.s->rings[0].kick_fd, >=, 0);
	fx_cleanup(&f);
}

/**
 * test_new_session_after_violation() - A violation ends the session; the
 * next one starts from scratch
 */
static void test_new_session_after_violation(void)
{
	struct fixture f;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_mem_table(&f);
	fx_ring(&f, 0, false);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));

	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_NUM, V,
			      &(struct vhost_vring_state){ 7, 16 }, 8, NULL,
			      0));
	fx_violation(&f, "SET_VRING_NUM: queue index 7 out of range (device "
			 "has 2 queues)");
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	g_assert_null(f.s->mem);
	g_assert_false(f.s->owner);

	/* Fresh session: SET_OWNER again, rings from scratch */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_mem_table(&f);
	vring_driver_cleanup(&f.drv[0]);
	f.drv_init[0] = false;
	memset(test_mem_host(&f.mem, RING_GPA(0)), 0, 0x10000);
	fx_ring(&f, 0, false);
	fx_io(&f, 0, 0);

	/* Requests before SET_OWNER on a fresh session */
	vu_session_end(f.s);
	close(f.fe);
	fx_connect(&f);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_NUM, V,
			      &(struct vhost_vring_state){ 0, 16 }, 8, NULL,
			      0));
	fx_violation(&f, "SET_VRING_NUM: not allowed before SET_OWNER");
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_OWNER, V, NULL, 0, NULL, 0));
	fx_violation(&f, "SET_OWNER: the session already has an owner");
	fx_cleanup(&f);
}

/**
 * test_wrong_fds_closed() - fds of refused requests are closed
 */
static void test_wrong_fds_closed(void)
{
	struct vhost_user_memory table = { .nregions = 2 };
	struct fixture f;
	unsigned int before;
	int fds[3];

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fds[0] = new_eventfd();
	fds[1] = new_eventfd();
	fds[2] = new_eventfd();
	before = count_open_fds();
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_NUM, V,
			      &(struct vhost_vring_state){ 0, 16 }, 8, fds, 2));
	g_assert_cmpuint(count_open_fds(), ==, before);
	fx_violation(&f, "SET_VRING_NUM: 2 fds attached, expected 0");

	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	table.regions[0] = f.mem.regions[0];
	table.regions[1] = f.mem.regions[1];
	g_assert_false(fx_req(&f, VHOST_USER_SET_MEM_TABLE, V, &table, 8 + 64,
			      fds, 3));
	g_assert_cmpuint(count_open_fds(), ==, before);
	fx_violation(&f, "SET_MEM_TABLE: 3 fds attached, expected one per "
			 "region (2)");

	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_KICK, V,
			      &(uint64_t){ 0 | VHOST_USER_VRING_NOFD_MASK }, 8,
			      fds, 1));
	g_assert_cmpuint(count_open_fds(), ==, before);
	fx_violation(&f, "SET_VRING_KICK: 1 fds attached, expected 0");

	/* Replaced fds are closed too */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, fds[0]);
	g_assert_cmpuint(count_open_fds(), ==, before + 1);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, fds[1]);
	g_assert_cmpuint(count_open_fds(), ==, before + 1);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, -1);
	g_assert_cmpuint(count_open_fds(), ==, before);

	close(fds[0]);
	close(fds[1]);
	close(fds[2]);
	fx_cleanup(&f);
}

/**
 * test_ring_fd_direction() - a kick fd must be open for reading, a call or
 * error fd for writing: the wrong end of a pipe ends the session, and the
 * fd is closed
 */
static void test_ring_fd_direction(void)
{
	struct fixture f;
	unsigned int before;
	int p[2];

	fx_init(&f);
	g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
	before = count_open_fds();

	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_KICK, V,
			      &(uint64_t){ 0 }, 8, &p[1], 1));
	g_assert_cmpuint(count_open_fds(), ==, before);
	fx_violation(&f, "SET_VRING_KICK: queue 0: kick fd");
	g_assert_nonnull(strstr(f.err, "is not open for reading"));

	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_CALL, V,
			      &(uint64_t){ 1 }, 8, &p[0], 1));
	g_assert_cmpuint(count_open_fds(), ==, before);
	fx_violation(&f, "SET_VRING_CALL: queue 1: call fd");
	g_assert_nonnull(strstr(f.err, "is not open for writing"));

	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_VRING_ERR, V, &(uint64_t){ 0 },
			      8, &p[0], 1));
	g_assert_cmpuint(count_open_fds(), ==, before);
	fx_violation(&f, "SET_VRING_ERR: queue 0: error fd");
	g_assert_nonnull(strstr(f.err, "is not open for writing"));

	/* The right ends are taken */
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_fd(&f, VHOST_USER_SET_VRING_KICK, 0, p[0]);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, p[1]);
	close(p[0]);
	close(p[1]);
	fx_cleanup(&f);
}

/**
 * test_backend_req_fd_not_socket() - SET_BACKEND_REQ_FD with a pipe or a
 * directory is refused (ack 1), the fd closed, the session going on without
 * a channel
 */
static void test_backend_req_fd_not_socket(void)
{
	struct error *err = NULL;
	struct fixture f;
	unsigned int before;
	int p[2], dir;

	fx_init(&f);
	g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
	dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	g_assert_cmpint(dir, >=, 0);
	before = count_open_fds();
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);

	g_assert_true(fx_req(&f, VHOST_USER_SET_BACKEND_REQ_FD, V_ACK, NULL, 0,
			     &p[1], 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_SET_BACKEND_REQ_FD), ==,
			 1);
	g_assert_true(fx_req(&f, VHOST_USER_SET_BACKEND_REQ_FD, V_ACK, NULL, 0,
			     &dir, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_SET_BACKEND_REQ_FD), ==,
			 1);
	g_assert_cmpuint(count_open_fds(), ==, before);
	g_assert_false(virtio_device_config_changed(&f.toy->vdev, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "no back-end channel"));
	error_free(err);

	close(p[0]);
	close(p[1]);
	close(dir);
	fx_cleanup(&f);
}

/**
 * test_mem_regions() - ADD_MEM_REG/REM_MEM_REG with running rings
 */
static void test_mem_regions(void)
{
	struct vhost_user_mem_reg reg = { 0 };
	struct fixture f;
	int fd;

	fx_init(&f);
	fd = f.mem.fd;
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	reg.region = f.mem.regions[0];
	g_assert_true(fx_req(&f, VHOST_USER_ADD_MEM_REG, V_ACK, &reg,
			     sizeof(reg), &fd, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_ADD_MEM_REG), ==, 0);
	reg.region = f.mem.regions[1];
	g_assert_true(fx_req(&f, VHOST_USER_ADD_MEM_REG, V_ACK, &reg,
			     sizeof(reg), &fd, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_ADD_MEM_REG), ==, 0);
	fx_ring(&f, 0, false);
	fx_io(&f, 0, 0);

	/* The ring's region goes: the queue stops, the session goes on */
	g_assert_true(fx_req(&f, VHOST_USER_REM_MEM_REG, V_ACK, &reg,
			     sizeof(reg), &fd, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_REM_MEM_REG), ==, 0);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	g_assert_cmpuint(f.s->mem->nregions, ==, 1);

	/* It comes back: the queue runs again */
	g_assert_true(fx_req(&f, VHOST_USER_ADD_MEM_REG, V, &reg, sizeof(reg),
			     &fd, 1));
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	fx_io(&f, 0, 1);

	/*
	 * The same region again (QEMU 7.2 sends it once per net queue pair):
	 * counted, not an overlap; it stays until removed as often
	 */
	g_assert_true(fx_req(&f, VHOST_USER_ADD_MEM_REG, V_ACK, &reg,
			     sizeof(reg), &fd, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_ADD_MEM_REG), ==, 0);
	g_assert_cmpuint(f.s->mem->nregions, ==, 2);
	g_assert_true(fx_req(&f, VHOST_USER_REM_MEM_REG, V_ACK, &reg,
			     sizeof(reg), &fd, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_REM_MEM_REG), ==, 0);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	fx_io(&f, 0, 2);
	g_assert_true(fx_req(&f, VHOST_USER_REM_MEM_REG, V_ACK, &reg,
			     sizeof(reg), &fd, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_REM_MEM_REG), ==, 0);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));
	g_assert_true(fx_req(&f, VHOST_USER_REM_MEM_REG, V_ACK, &reg,
			     sizeof(reg), &fd, 1));
	g_assert_cmpuint(fe_recv_u64(f.fe, VHOST_USER_REM_MEM_REG), ==, 1);
	g_assert_true(fx_req(&f, VHOST_USER_ADD_MEM_REG, V, &reg, sizeof(reg),
			     &fd, 1));
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));

	/* An overlapping region is a violation */
	reg.region.guest_phys_addr += 0x1000;
	reg.region.userspace_addr = 0x1000;
	g_assert_false(fx_req(&f, VHOST_USER_ADD_MEM_REG, V, &reg, sizeof(reg),
			      &fd, 1));
	fx_violation(&f, "ADD_MEM_REG");
	fx_cleanup(&f);
}

/**
 * test_features() - Feature words must be subsets of the offer; without
 * bit 30 the rings are enabled by SET_FEATURES
 */
static void test_features(void)
{
	struct fixture f;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_false(fx_req(&f, VHOST_USER_SET_FEATURES, V,
			      &(uint64_t){ TOY_FEATURES | (1ULL << 26) }, 8,
			      NULL, 0));
	fx_violation(&f, "SET_FEATURES: features 0x");

	g_assert_false(
		fx_req(&f, VHOST_USER_SET_PROTOCOL_FEATURES, V,
		       &(uint64_t){ 1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD },
		       8, NULL, 0));
	fx_violation(&f, "SET_PROTOCOL_FEATURES: protocol features 0x2: "
			 "LOG_SHMFD (bit 1) was not offered");

	/* Legacy front-end: no bit 30, no SET_VRING_ENABLE */
	fx_ok(&f, VHOST_USER_SET_OWNER, V, NULL, 0);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES);
	fx_mem_table(&f);
	g_assert_true(vring_driver_init(&f.drv[0],
					test_mem_host(&f.mem, RING_GPA(0)),
					RING_GPA(0), RING_NUM, true, 0));
	f.drv_init[0] = true;
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, RING_NUM, false);
	{
		struct vhost_vring_addr a = fx_addr(&f, 0);

		fx_ok(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a));
	}
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, f.call[0]);
	fx_fd(&f, VHOST_USER_SET_VRING_KICK, 0, f.kick[0]);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	fx_io(&f, 0, 0);
	fx_cleanup(&f);
}

struct notify_ctx {
	struct virtio_device *dev;
	bool ok;   /* what virtio_device_config_changed() returned */
	char *err; /* its error, if any */
};

/**
 * notify_thread() - Device side: report a config change from another thread
 * @opaque:	struct notify_ctx
 *
 * Return: NULL
 */
static void *notify_thread(void *opaque)
{
	struct notify_ctx *c = opaque;

	struct error *err = NULL;

	c->ok = virtio_device_config_changed(c->dev, &err);
	if (err)
		c->err = g_strdup(error_get_pretty(err));
	error_free(err);
	return NULL;
}

/**
 * test_backend_config_change() - BACKEND_CONFIG_CHANGE_MSG on the back-end
 * channel, with and without REPLY_ACK; the error without a channel or when
 * the front-end refuses
 */
static void test_backend_config_change(void)
{
	struct vhost_user_header hdr;
	struct notify_ctx c = { 0 };
	struct error *err = NULL;
	struct fixture f;
	pthread_t th;
	uint64_t ack = 0;
	int chan[2];

	fx_init(&f);
	c.dev = &f.toy->vdev;
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);

	/* No SET_BACKEND_REQ_FD yet: the caller learns why */
	g_assert_false(virtio_device_config_changed(c.dev, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "no back-end channel"));
	error_free(err);
	err = NULL;

	g_assert_cmpint(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan), ==,
		0);
	g_assert_true(fx_req(&f, VHOST_USER_SET_BACKEND_REQ_FD, V, NULL, 0,
			     &chan[1], 1));
	close(chan[1]);

	/* REPLY_ACK: the sender waits for our ack */
	g_assert_cmpint(pthread_create(&th, NULL, notify_thread, &c), ==, 0);
	g_assert_true(fe_recv(chan[0], &hdr, &ack, sizeof(ack), 5000));
	g_assert_cmpuint(hdr.request, ==, VHOST_USER_BACKEND_CONFIG_CHANGE_MSG);
	g_assert_cmphex(hdr.flags, ==, V_ACK);
	g_assert_cmpuint(hdr.size, ==, 0);
	ack = 0;
	fe_send(chan[0], VHOST_USER_BACKEND_CONFIG_CHANGE_MSG, 0x5, &ack, 8,
		NULL, 0);
	g_assert_cmpint(pthread_join(th, NULL), ==, 0);
	g_assert_true(c.ok);
	g_assert_null(c.err);

	/* A non-zero ack is the front-end's refusal */
	g_assert_cmpint(pthread_create(&th, NULL, notify_thread, &c), ==, 0);
	g_assert_true(fe_recv(chan[0], &hdr, &ack, sizeof(ack), 5000));
	ack = 1;
	fe_send(chan[0], VHOST_USER_BACKEND_CONFIG_CHANGE_MSG, 0x5, &ack, 8,
		NULL, 0);
	g_assert_cmpint(pthread_join(th, NULL), ==, 0);
	g_assert_false(c.ok);
	g_assert_nonnull(strstr(c.err, "front-end replied 1"));
	g_clear_pointer(&c.err, g_free);

	/* Without REPLY_ACK: fire and forget */
	fx_u64(&f, VHOST_USER_SET_PROTOCOL_FEATURES,
	       1ULL << VHOST_USER_PROTOCOL_F_BACKEND_REQ);
	g_assert_true(virtio_device_config_changed(&f.toy->vdev, NULL));
	g_assert_true(fe_recv(chan[0], &hdr, &ack, sizeof(ack), 5000));
	g_assert_cmphex(hdr.flags, ==, V);

	/* The channel goes with the session */
	vu_session_end(f.s);
	g_assert_true(fe_peer_closed(chan[0], 1000));
	close(chan[0]);
	fx_cleanup(&f);
}

struct trickle {
	int fd;
	const uint8_t *buf;
	size_t len;
	unsigned int gap_ms;
};

/**
 * trickle_thread() - Front-end sending a message one byte at a time
 * @opaque:	struct trickle
 *
 * Stops at the first failed send (the session closed the connection).
 *
 * Return: NULL
 */
static void *trickle_thread(void *opaque)
{
	struct trickle *t = opaque;
	size_t i;

	for (i = 0; i < t->len; i++) {
		if (send(t->fd, t->buf + i, 1, MSG_NOSIGNAL) != 1)
			break;
		g_usleep(t->gap_ms * 1000);
	}
	return NULL;
}

/**
 * test_trickled_message() - A message sent a byte at a time, each byte well
 * within the socket timeout, must still time out as a whole: the control
 * thread is not held for the length of the message times the timeout
 */
static void test_trickled_message(void)
{
	struct {
		struct vhost_user_header hdr;
		struct vhost_vring_state st;
	} __attribute__((packed)) m = {
		{ VHOST_USER_SET_VRING_NUM, V, sizeof(m.st) },
		{ 0, RING_NUM },
	};
	struct trickle t = { .buf = (const uint8_t *)&m, .len = sizeof(m) };
	struct error *err = NULL;
	struct fixture f;
	pthread_t th;
	gint64 start, ms;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	/* 20 bytes, 700 ms apart: 14 s for the whole message */
	t.fd = f.fe;
	t.gap_ms = 700;
	g_assert_cmpint(pthread_create(&th, NULL, trickle_thread, &t), ==, 0);
	start = g_get_monotonic_time();
	g_assert_false(vu_session_process(f.s, &err));
	ms = (g_get_monotonic_time() - start) / 1000;
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(error_get_pretty(err), "timed out"));
	error_free(err);
	g_assert_cmpint(ms, <, VU_SOCKET_TIMEOUT_MS + 1500);
	vu_session_end(f.s);
	g_assert_cmpint(pthread_join(th, NULL), ==, 0);
	fx_cleanup(&f);
}

/**
 * test_backend_ack_stall() - A front-end that starts its ack on the back-end
 * channel and stops: the sender gives up within the ack timeout, and the
 * channel (and its lock) are free again for the control thread
 */
static void test_backend_ack_stall(void)
{
	struct vhost_user_header hdr;
	struct notify_ctx c = { 0 };
	struct fixture f;
	uint64_t ack = 0;
	pthread_t th;
	gint64 start, ms;
	int chan[2];

	fx_init(&f);
	c.dev = &f.toy->vdev;
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	g_assert_cmpint(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan), ==,
		0);
	g_assert_true(fx_req(&f, VHOST_USER_SET_BACKEND_REQ_FD, V, NULL, 0,
			     &chan[1], 1));
	close(chan[1]);

	g_assert_cmpint(pthread_create(&th, NULL, notify_thread, &c), ==, 0);
	g_assert_true(fe_recv(chan[0], &hdr, &ack, sizeof(ack), 5000));
	g_assert_cmphex(hdr.flags, ==, V_ACK);
	/* Four bytes of the reply header, then nothing */
	start = g_get_monotonic_time();
	g_assert_cmpint(send(chan[0], &hdr, 4, MSG_NOSIGNAL), ==, 4);
	watchdog_arm(VU_BACKEND_ACK_TIMEOUT_MS / 1000 + 10,
		     "BACKEND_CONFIG_CHANGE_MSG ack wait");
	g_assert_cmpint(pthread_join(th, NULL), ==, 0);
	watchdog_disarm();
	ms = (g_get_monotonic_time() - start) / 1000;
	g_assert_cmpint(ms, <, VU_BACKEND_ACK_TIMEOUT_MS + 1500);
	g_assert_false(c.ok);
	g_assert_nonnull(strstr(c.err, "config change"));
	g_free(c.err);
	/* The failed channel is closed: a late ack cannot be mistaken */
	g_assert_true(fe_peer_closed(chan[0], 1000));

	vu_session_end(f.s);
	close(chan[0]);
	fx_cleanup(&f);
}

/**
 * blocking_eventfd() - An eventfd without EFD_NONBLOCK
 * @count:	initial counter
 *
 * Return: the fd
 */
static int blocking_eventfd(uint64_t count)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	g_assert_cmpint(fd, >=, 0);
	if (count)
		g_assert_cmpint(write(fd, &count, sizeof(count)), ==, 8);
	return fd;
}

/**
 * test_blocking_eventfds() - Ring eventfds passed in blocking mode, with a
 * call counter at its maximum: signalling must not block the worker, so
 * stopping the queue (GET_VRING_BASE) returns
 */
static void test_blocking_eventfds(void)
{
	struct vring_buf in = { BUF_GPA(0), 64 };
	struct vhost_vring_state st = { 0, 0 };
	static const uint64_t one = 1;
	struct fixture f;
	uint32_t len = 0;
	void *token = NULL;
	unsigned int k;
	int err_fd;

	fx_init(&f);
	close(f.kick[0]);
	close(f.call[0]);
	f.kick[0] = blocking_eventfd(0);
	/* A write of 1 more would block */
	f.call[0] = blocking_eventfd(UINT64_MAX - 1);
	err_fd = blocking_eventfd(0);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_mem_table(&f);
	fx_fd(&f, VHOST_USER_SET_VRING_ERR, 0, err_fd);
	fx_ring(&f, 0, false);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));

	/* The fds are shared with us: the back-end made them non-blocking */
	g_assert_true(fcntl(f.kick[0], F_GETFL) & O_NONBLOCK);
	g_assert_true(fcntl(f.call[0], F_GETFL) & O_NONBLOCK);
	g_assert_true(fcntl(err_fd, F_GETFL) & O_NONBLOCK);

	/* One request; its call cannot be delivered */
	g_assert_cmpint(vring_driver_add(&f.drv[0], NULL, 0, &in, 1, &f), >=,
			0);
	vring_driver_publish(&f.drv[0]);
	g_assert_cmpint(write(f.kick[0], &one, sizeof(one)), ==, 8);
	for (k = 0; k < 200 && !token; k++) {
		token = vring_driver_get_used(&f.drv[0], &len);
		if (!token)
			g_usleep(10000);
	}

	/* The worker must not be stuck in a write to the call eventfd */
	watchdog_arm(10, "GET_VRING_BASE");
	fx_ok(&f, VHOST_USER_GET_VRING_BASE, V, &st, sizeof(st));
	watchdog_disarm();
	fe_recv_reply(f.fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st));
	g_assert_true(token == &f);
	g_assert_cmpuint(st.num, ==, 1);
	g_assert_false(virtio_queue_running(&f.toy->vdev, 0));

	close(err_fd);
	fx_cleanup(&f);
}

/**
 * test_ring_resize_restart() - QEMU restarts a ring with SET_VRING_NUM
 * before SET_VRING_ADDR: the new size must not be checked against the
 * addresses of the previous driver, which may not hold a larger ring
 */
static void test_ring_resize_restart(void)
{
	uint64_t end = TM_UVA1 + TM_REGION_SIZE;
	struct vhost_vring_state st = { 0, 0 };
	/* A 16-entry ring in the last kilobyte of region 1 */
	struct vhost_vring_addr old = {
		.index = 0,
		.desc_user_addr = end - 0x400,
		.avail_user_addr = end - 0x300,
		.used_user_addr = end - 0x200,
	};
	struct vhost_vring_addr a;
	struct fixture f;

	fx_init(&f);
	fx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	fx_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	fx_mem_table(&f);

	/* First driver (firmware, say): 16 entries at the end of memory */
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, 16, false);
	fx_state(&f, VHOST_USER_SET_VRING_BASE, 0, 0, false);
	fx_ok(&f, VHOST_USER_SET_VRING_ADDR, V, &old, sizeof(old));
	fx_fd(&f, VHOST_USER_SET_VRING_KICK, 0, f.kick[0]);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, f.call[0]);
	fx_state(&f, VHOST_USER_SET_VRING_ENABLE, 0, 1, true);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));

	/* Stop, as QEMU does on a device reset */
	fx_state(&f, VHOST_USER_SET_VRING_ENABLE, 0, 0, true);
	fx_ok(&f, VHOST_USER_GET_VRING_BASE, V, &st, sizeof(st));
	fe_recv_reply(f.fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st));

	/* Next driver: 256 entries elsewhere; NUM comes before ADDR */
	g_assert_true(vring_driver_init(&f.drv[0],
					test_mem_host(&f.mem, RING_GPA(0)),
					RING_GPA(0), TOY_MAX_QUEUE, true, 0));
	f.drv_init[0] = true;
	fx_state(&f, VHOST_USER_SET_VRING_NUM, 0, TOY_MAX_QUEUE, true);
	fx_state(&f, VHOST_USER_SET_VRING_BASE, 0, 0, true);
	a = fx_addr(&f, 0);
	fx_ok(&f, VHOST_USER_SET_VRING_ADDR, V, &a, sizeof(a));
	fx_fd(&f, VHOST_USER_SET_VRING_KICK, 0, f.kick[0]);
	fx_fd(&f, VHOST_USER_SET_VRING_CALL, 0, f.call[0]);
	fx_state(&f, VHOST_USER_SET_VRING_ENABLE, 0, 1, true);
	g_assert_true(virtio_queue_running(&f.toy->vdev, 0));
	fx_io(&f, 0, 0);
	fx_cleanup(&f);
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
	g_test_add_func("/vhost-user/session/handshake-and-io",
			test_handshake_and_io);
	g_test_add_func("/vhost-user/session/config", test_config);
	g_test_add_func("/vhost-user/session/mem-table-refused",
			test_mem_table_refused);
	g_test_add_func("/vhost-user/session/ring-outside-memory",
			test_ring_outside_memory);
	g_test_add_func("/vhost-user/session/nofd-kick", test_nofd_kick);
	g_test_add_func("/vhost-user/session/reply-ack", test_reply_ack);
	g_test_add_func("/vhost-user/session/vring-base", test_vring_base);
	g_test_add_func("/vhost-user/session/device-requests",
			test_device_requests);
	g_test_add_func("/vhost-user/session/reset-device", test_reset_device);
	g_test_add_func("/vhost-user/session/new-session-after-violation",
			test_new_session_after_violation);
	g_test_add_func("/vhost-user/session/wrong-fds-closed",
			test_wrong_fds_closed);
	g_test_add_func("/vhost-user/session/mem-regions", test_mem_regions);
	g_test_add_func("/vhost-user/session/ring-fd-direction",
			test_ring_fd_direction);
	g_test_add_func("/vhost-user/session/backend-req-fd-not-socket",
			test_backend_req_fd_not_socket);
	g_test_add_func("/vhost-user/session/features", test_features);
	g_test_add_func("/vhost-user/session/backend-config-change",
			test_backend_config_change);
	g_test_add_func("/vhost-user/session/trickled-message",
			test_trickled_message);
	g_test_add_func("/vhost-user/session/backend-ack-stall",
			test_backend_ack_stall);
	g_test_add_func("/vhost-user/session/blocking-eventfds",
			test_blocking_eventfds);
	g_test_add_func("/vhost-user/session/ring-resize-restart",
			test_ring_resize_restart);
	return g_test_run();
}
