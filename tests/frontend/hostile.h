/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hostile catalogue of qd-frontend: cases, outcomes and their helpers.
 *
 * Each case plays a front-end (or a guest driver) that breaks the rules in
 * one precise way, and observes how the back-end refuses it: it ends the
 * session, answers REPLY_ACK with a failure, marks the queue broken
 * (NEEDS_RESET and the error eventfd), completes the request with an error
 * status, or drops the frame. A case names the outcome it expects and a
 * substring the back-end must have logged; qd-frontend compares the first,
 * the test suite (which owns the back-end's log) the second.
 *
 * The areas live in their own files: the wire format and the message table
 * (hostile-proto.c), memory tables and the kinds of fd (hostile-mem.c), ring
 * set-up, config space, status and back-end channel (hostile-vring.c), and
 * descriptor chains and requests (hostile-rings.c). The helpers below are in
 * hostile-io.c (raw messages, verdicts), hostile-fds.c (fds of every kind)
 * and hostile-dev.c (a started device whose rings a case writes by hand).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_HOSTILE_H
#define QD_TESTS_FRONTEND_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/frontend/frontend.h"
#include "tests/frontend/guest-ram.h"
#include "tests/frontend/vring-driver.h"
#include "util/error.h"

/* Devices a case applies to */
#define HX_BLK 1u
#define HX_NET 2u
#define HX_ANY (HX_BLK | HX_NET)

/* What the back-end did with the hostile input */
enum hx_outcome {
	HX_CLOSED,   /* ended the session */
	HX_NACK,     /* REPLY_ACK status non-zero, the session goes on */
	HX_BROKEN,   /* queue broken: NEEDS_RESET and the error eventfd */
	HX_IOERR,    /* blk request completed with VIRTIO_BLK_S_IOERR */
	HX_UNSUPP,   /* blk request completed with VIRTIO_BLK_S_UNSUPP */
	HX_DROPPED,  /* net frame dropped, its chain completed */
	HX_CTRL_ERR, /* net control command answered VIRTIO_NET_ERR */
	HX_EMPTY,    /* GET_CONFIG answered with an empty payload */
	HX_ACCEPTED, /* allowed by the protocol; the case checked the effect */
	HX_UNEXPECTED, /* anything else (the detail says what) */
};

/* One run of one case */
struct hx_ctx {
	const char *socket;
	unsigned int device; /* HX_BLK or HX_NET */
	int timeout_ms;	     /* bound of every wait */
	char detail[512];    /* what was seen, for the report */
	/* The payload of the last reply hx_verdict() read */
	union vhost_user_payload reply;
	uint32_t reply_size;
};

struct hx_case {
	const char *name;
	const char *area;
	unsigned int devices; /* HX_BLK, HX_NET or both */
	enum hx_outcome expect;
	const char *log; /* the back-end must log this substring */
	const char *what;
	enum hx_outcome (*run)(struct hx_ctx *x, const void *arg);
	const void *arg;
};

/* The catalogue, one table per area */
extern const struct hx_case hx_proto_cases[];
extern const unsigned int hx_proto_count;
extern const struct hx_case hx_mem_cases[];
extern const unsigned int hx_mem_count;
extern const struct hx_case hx_vring_cases[];
extern const unsigned int hx_vring_count;
extern const struct hx_case hx_ring_cases[];
extern const unsigned int hx_ring_count;

/* Kinds of fd a case can pass (hx_fd_make()) */
enum hx_fd_kind {
	HX_FD_EVENTFD,
	HX_FD_MEMFD,	  /* memfd of the given size */
	HX_FD_PIPE_EOF,	  /* read end of a pipe whose writer is gone */
	HX_FD_PIPE_W,	  /* write end of a pipe whose reader is gone */
	HX_FD_FILE,	  /* regular file, read-write, of the given size */
	HX_FD_FILE_RO,	  /* regular file opened read-only, of the size */
	HX_FD_DIR,	  /* a directory */
	HX_FD_SOCK_EOF,	  /* stream socket whose peer is gone */
	HX_FD_SOCK_SHORT, /* stream socket with 3 bytes to read */
	HX_FD_OPATH,	  /* an O_PATH fd */
	HX_FD_DEVNULL,	  /* /dev/null */
	HX_FD_SEALED,	  /* memfd of the size, sealed against writing */
};

/* What a request answers (hx_verdict()) */
enum hx_answer {
	HX_ANS_NONE,  /* nothing: only the probe tells */
	HX_ANS_ACK,   /* a REPLY_ACK u64 (NEED_REPLY was set) */
	HX_ANS_REPLY, /* its own reply, any size */
};

/* How far a session is set up before the hostile message */
enum hx_phase {
	HX_FRESH,    /* just connected */
	HX_FEATURES, /* GET_FEATURES, GET/SET_PROTOCOL_FEATURES */
	HX_OWNED,    /* and SET_OWNER */
	HX_MEMORY,   /* and SET_FEATURES, SET_MEM_TABLE */
};

/* struct hx_raw fields of a well-framed message: @n payload bytes, sent */
#define HX_MSG(req, n)                                                         \
	.request = (req), .flags = VHOST_USER_VERSION, .size = (n), .len = (n)

/* Protocol features a session asks for unless a case says otherwise */
#define HX_PROTOCOL                                                            \
	((1ULL << VHOST_USER_PROTOCOL_F_MQ) |                                  \
	 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |                           \
	 (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |                              \
	 (1ULL << VHOST_USER_PROTOCOL_F_STATUS) |                              \
	 (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))
/* Or'ed into a case's mask: take it as it is (0 alone means HX_PROTOCOL) */
#define HX_PROTOCOL_NONE (1ULL << 63)

/* Bytes of each guest RAM region of a session */
#define HX_RAM_SIZE (4ULL << 20)
/* A guest address in the hole between the two regions */
#define HX_HOLE_GPA 0x10000000ULL
/* A front-end address no region has */
#define HX_HOLE_UVA 0x10000ULL

/* A payload as a case writes it: big enough for every fixed layout */
union hx_payload {
	uint64_t u64;
	struct vhost_vring_state state;
	struct vhost_vring_addr addr;
	struct vhost_user_config config;
	struct vhost_user_memory memory;
	struct vhost_user_mem_reg mem_reg;
	uint8_t raw[320];
};

/* A message sent as described, on a session set up to a phase */
struct hx_raw {
	enum hx_phase phase;
	uint64_t protocol; /* see hx_session() */
	uint32_t request;
	uint32_t flags; /* the whole word: VERSION is not added */
	uint32_t size;	/* as the header says */
	uint32_t len;	/* payload bytes sent */
	union hx_payload payload;
	enum hx_fd_kind fd[32]; /* fds sent with the message */
	unsigned int nfds;
	enum hx_answer ans; /* what it answers if the session goes on */
	bool shut;	    /* then shut our side down: no probe */
};

/* Fds (hostile-fds.c), raw messages and verdicts (hostile-io.c) */
struct hx_chunk {
	const void *buf;
	size_t len;
	const int *fds; /* sent with the chunk's first byte */
	unsigned int nfds;
	int delay_ms; /* pause before the chunk */
};

/* Bytes written on a fresh connection, then a wait for the close */
struct hx_stream {
	const struct hx_chunk *c;
	unsigned int n;
	bool shut;   /* then shut our side down */
	int wait_ms; /* longest wait for the close; 0: the case's bound */
};

void hx_note(struct hx_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum hx_outcome hx_fail(struct hx_ctx *x, struct error *err);
int hx_fd_make(enum hx_fd_kind kind, uint64_t size, struct error **errp);
const char *hx_fd_kind_name(enum hx_fd_kind kind);
void hx_close_fds(int *fds, unsigned int n);
bool hx_connect(struct hx_ctx *x, struct vu_frontend *fe, struct error **errp);
int hx_write(struct vu_frontend *fe, const struct hx_chunk *c, unsigned int n,
	     struct error **errp);
int hx_send(struct vu_frontend *fe, uint32_t req, uint32_t flags, uint32_t size,
	    const void *payload, uint32_t len, const int *fds,
	    unsigned int nfds, struct error **errp);
bool hx_ask(struct hx_ctx *x, struct vu_frontend *fe, uint32_t req,
	    const void *payload, uint32_t size, void *reply,
	    uint32_t reply_size, struct error **errp);
bool hx_expect_reply(struct hx_ctx *x, struct vu_frontend *fe, uint32_t req,
		     void *reply, uint32_t reply_size, struct error **errp);
bool hx_session(struct hx_ctx *x, struct vu_frontend *fe, enum hx_phase phase,
		uint64_t protocol, struct guest_ram *ram, struct error **errp);
enum hx_outcome hx_verdict(struct hx_ctx *x, struct vu_frontend *fe,
			   uint32_t req, enum hx_answer ans);
enum hx_outcome hx_probe(struct hx_ctx *x, struct vu_frontend *fe);
enum hx_outcome hx_wait_closed(struct hx_ctx *x, struct vu_frontend *fe,
			       int timeout_ms);
enum hx_outcome hx_sent(struct hx_ctx *x, struct vu_frontend *fe, int sent,
			uint32_t req, enum hx_answer ans);
enum hx_outcome hx_run_raw(struct hx_ctx *x, const void *arg);
enum hx_outcome hx_run_stream(struct hx_ctx *x, const void *arg);
void hx_end(struct hx_ctx *x, struct vu_frontend *fe);
enum hx_outcome hx_done(struct hx_ctx *x, struct vu_frontend *fe,
			enum hx_outcome res, struct error *err);
uint64_t hx_now_ms(void);
void hx_sleep_ms(int ms);

/* A started device whose rings a case writes by hand (hostile-dev.c) */
#define HX_MAX_RINGS	3
#define HX_RX		0 /* net: receive ring of pair 0 */
#define HX_TX		1 /* net: transmit ring of pair 0 */
#define HX_CTRL		2 /* net: control ring (one pair) */
#define HX_BUF_HDR_SIZE 64
#define HX_BUF_DATA	(70u * 1024) /* room for a frame above 65535 */
#define HX_IND_ENTRIES	512	     /* descriptors per indirect table */

struct hx_ring {
	unsigned int index;
	struct vring_driver vr;
	int kick, call, err;
};

struct hx_dev_opts {
	unsigned int num;	 /* ring size, 0: 16 */
	bool no_indirect;	 /* do not negotiate INDIRECT_DESC */
	bool ctrl;		 /* net: negotiate CTRL_VQ, set up ring 2 */
	bool no_enable;		 /* leave the rings disabled */
	bool addr_last;		 /* no SET_VRING_ADDR (hx_ring_addr() later) */
	unsigned int rx_buffers; /* net: RX buffers posted at start */
	uint64_t extra_features; /* acknowledge these too */
};

struct hx_dev {
	struct vu_frontend fe;
	struct guest_ram ram;
	uint64_t features;
	uint64_t capacity;    /* blk: sectors */
	unsigned int hdr_len; /* net: virtio_net_hdr bytes */
	unsigned int nrings;
	struct hx_ring ring[HX_MAX_RINGS];
	/* Guest buffers: a header, data, a status byte, two indirect tables,
	 * and the RX buffers of a net device (2048 bytes each) */
	uint8_t *hdr, *data, *status, *rxbufs;
	struct vring_desc *ind, *ind2;
	uint64_t hdr_gpa, data_gpa, status_gpa, rxbufs_gpa, ind_gpa, ind2_gpa;
};

bool hx_dev_start(struct hx_ctx *x, struct hx_dev *d,
		  const struct hx_dev_opts *o, struct error **errp);
void hx_dev_end(struct hx_ctx *x, struct hx_dev *d);
enum hx_outcome hx_dev_done(struct hx_ctx *x, struct hx_dev *d,
			    enum hx_outcome res, struct error *err);
struct hx_ring *hx_req_ring(struct hx_dev *d);
bool hx_ring_addr(struct hx_dev *d, struct hx_ring *r, struct error **errp);
bool hx_post_good(struct hx_ctx *x, struct hx_dev *d, struct error **errp);
void hx_desc(struct vring_desc *table, unsigned int i, uint64_t addr,
	     uint32_t len, uint16_t flags, uint16_t next);
void hx_avail(struct hx_ring *r, uint16_t head);
bool hx_publish(struct hx_ring *r, struct error **errp);
uint16_t hx_used_idx(const struct hx_ring *r);
bool hx_wait_used(struct hx_ctx *x, const struct hx_ring *r, uint16_t idx,
		  int timeout_ms);
bool hx_status(struct hx_ctx *x, struct hx_dev *d, uint8_t *status,
	       struct error **errp);
enum hx_outcome hx_wait_broken(struct hx_ctx *x, struct hx_dev *d,
			       struct hx_ring *r);
void hx_net_frame(uint8_t *frame, uint32_t len);
bool hx_net_send(struct hx_dev *d, uint16_t desc, uint32_t frame_len,
		 struct error **errp);
void hx_net_post_rx(struct hx_dev *d, unsigned int count);
enum hx_outcome hx_net_delivered(struct hx_ctx *x, struct hx_dev *d,
				 uint16_t rx_before, bool probe);

#endif /* QD_TESTS_FRONTEND_HOSTILE_H */
