/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd-frontend net-*: send and receive checked frames through virtio-net.
 *
 * net-send puts --count frames on the TX rings, spread over the pairs in
 * turn; net-recv collects --count frames from the RX rings; net-xfer does
 * both at once (with a loopback peer, the frames sent come back); net-info
 * shows what the back-end offers and starts and stops one pair.
 *
 * Every frame is recognisable and checked on its own. Layout (multi-byte
 * fields little-endian unless said otherwise):
 *
 *    0  6  destination MAC (--dst-mac, default broadcast)
 *    6  6  source MAC 02:71:64:00:00:<source id>
 *   12  2  EtherType 0x88b5 (local experimental), big-endian
 *   14  4  magic "QDNF"
 *   18  4  sequence number, 0 .. count - 1
 *   22  2  frame length
 *   24  2  source id (--src-id: who made it)
 *   26  4  CRC-32 (zlib's) of the bytes from 30 to the end
 *   30  .  bytes of a table of pseudo-random bytes made from the seed,
 *          starting at (seq * 131 + source id * 17) % 4096
 *
 * Frame sizes come from --size MIN[-MAX]: frame seq is MIN + h % (MAX - MIN
 * + 1) bytes, with h = mix(seq * 2654435761 + seed). A peer written in any
 * language can build and check the same frames; tests/integration/
 * test_net_frontend.py does.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/frontend/commands.h"
#include "tests/frontend/net-client.h"
#include "tests/frontend/pattern.h"
#include "util/log.h"

#define FRAME_HDR	   30
#define FRAME_ETHERTYPE	   0x88b5
#define FRAME_MAGIC	   "QDNF"
#define FRAME_TABLE_START  4096
#define FRAME_TABLE_SIZE   (FRAME_TABLE_START + NET_MAX_FRAME)
#define FRAME_DEFAULT_SIZE 1514 /* largest frame at the default MTU */
#define REPORT_MAX	   5	/* bad frames described on stderr */

enum net_cmd {
	NET_INFO,
	NET_SEND,
	NET_RECV,
	NET_XFER,
};

struct net_args {
	enum net_cmd cmd;
	const char *name;
	struct net_client_opts o;
	uint64_t count;	     /* frames to send (recv: to receive) */
	uint64_t recv_count; /* xfer: frames to receive */
	unsigned int size_min, size_max;
	uint64_t seed;
	uint64_t window; /* frames sent and not received, 0: no limit */
	bool window_set;
	unsigned int src_id; /* source id of the frames we send */
	unsigned int rx_src; /* accepted source id, 0: any */
	uint8_t dst_mac[6];
	unsigned int linger_ms;
	uint64_t rate; /* frames per second sent at most, 0: no limit */
	const char *ready_file;
};

struct net_run {
	const struct net_args *a;
	struct net_client c;
	uint8_t *table; /* pattern table of the seed */
	uint8_t *frame; /* frame being built */
	uint8_t *seen;	/* bitmap of sequence numbers received */
	uint64_t sent, sent_bytes, tx_crc_sum;
	uint64_t received, received_bytes, rx_crc_sum;
	uint64_t rx_bad, rx_dup, rx_foreign;
	unsigned int reported;
	uint64_t start_ns; /* when the transfer began, for --rate */
};

enum {
	OPT_SOCKET = 256,
	OPT_PAIRS,
	OPT_QUEUE_SIZE,
	OPT_MEM,
	OPT_TIMEOUT,
	OPT_MRG,
	OPT_LEGACY,
	OPT_NO_EVENT_IDX,
	OPT_NO_INDIRECT,
	OPT_RX_BUF,
	OPT_COUNT,
	OPT_RECV_COUNT,
	OPT_SIZE,
	OPT_SEED,
	OPT_TX_SEGS,
	OPT_WINDOW,
	OPT_SRC_ID,
	OPT_RX_SRC,
	OPT_DST_MAC,
	OPT_LINGER,
	OPT_READY_FILE,
	OPT_LAX_NUM_BUFFERS,
	OPT_EXTRA_FEATURES,
	OPT_RATE,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option net_opts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "pairs", required_argument, NULL, OPT_PAIRS },
	{ "queue-size", required_argument, NULL, OPT_QUEUE_SIZE },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "mrg", required_argument, NULL, OPT_MRG },
	{ "legacy", no_argument, NULL, OPT_LEGACY },
	{ "no-event-idx", no_argument, NULL, OPT_NO_EVENT_IDX },
	{ "no-indirect", no_argument, NULL, OPT_NO_INDIRECT },
	{ "rx-buf", required_argument, NULL, OPT_RX_BUF },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "recv-count", required_argument, NULL, OPT_RECV_COUNT },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "tx-segs", required_argument, NULL, OPT_TX_SEGS },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "src-id", required_argument, NULL, OPT_SRC_ID },
	{ "rx-src", required_argument, NULL, OPT_RX_SRC },
	{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
	{ "linger", required_argument, NULL, OPT_LINGER },
	{ "ready-file", required_argument, NULL, OPT_READY_FILE },
	{ "lax-num-buffers", no_argument, NULL, OPT_LAX_NUM_BUFFERS },
	{ "extra-features", required_argument, NULL, OPT_EXTRA_FEATURES },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/**
 * net_usage() - print the help text of the net commands
 * @f:	stream
 */
static void net_usage(FILE *f)
{
	fputs("Usage: qd-frontend net-send|net-recv|net-xfer|net-info "
	      "--socket PATH [OPTIONS]\n"
	      "A vhost-user-net front-end that sends and receives checked "
	      "frames.\n"
	      "\n"
	      "  net-send   send --count frames, spread over the pairs\n"
	      "  net-recv   receive --count frames (sequence 0..count-1)\n"
	      "  net-xfer   send --count and receive --recv-count at once\n"
	      "  net-info   print offered features, start and stop a pair\n"
	      "\n"
	      "  --socket PATH       back-end socket (required)\n"
	      "  --pairs N           queue pairs to use (default 1)\n"
	      "  --queue-size N      ring size (default 256)\n"
	      "  --mem MIB           guest RAM per region (default 64)\n"
	      "  --timeout MS        bound of every wait, and longest time "
	      "without\n"
	      "                      progress (default 5000)\n"
	      "  --mrg on|off        negotiate MRG_RXBUF (default on)\n"
	      "  --legacy            no VERSION_1: 10-byte header unless "
	      "--mrg on\n"
	      "  --no-event-idx      do not negotiate EVENT_IDX\n"
	      "  --no-indirect       do not negotiate INDIRECT_DESC\n"
	      "  --rx-buf BYTES      RX buffer size with the header (default: "
	      "1526\n"
	      "                      with MRG_RXBUF, else header + largest "
	      "frame)\n"
	      "  --count K           frames to send (net-recv: to receive; "
	      "default 1000)\n"
	      "  --recv-count M      net-xfer: frames to receive (default "
	      "K)\n"
	      "  --size B|MIN-MAX    frame bytes (default 60-1514)\n"
	      "  --seed S            pattern and size seed (default 1)\n"
	      "  --tx-segs N         buffers per TX chain: 1 header and "
	      "frame, 2\n"
	      "                      header apart, 3-4 cut anywhere "
	      "(default 1)\n"
	      "  --window W          net-xfer: most frames sent and not yet "
	      "received\n"
	      "                      (default: what one RX ring holds; 0: no "
	      "limit)\n"
	      "  --src-id ID         source id of the frames sent (default "
	      "1)\n"
	      "  --rx-src ID         accept only frames of this source "
	      "(default any)\n"
	      "  --dst-mac MAC       destination MAC of the frames sent\n"
	      "  --rate FPS          send at most FPS frames per second "
	      "(default: as\n"
	      "                      fast as the rings take them)\n"
	      "  --linger MS         keep receiving after the last frame, to "
	      "catch\n"
	      "                      duplicates and strays (default 0)\n"
	      "  --ready-file PATH   created once the RX rings are filled and "
	      "enabled\n"
	      "  --lax-num-buffers   accept num_buffers 0 without MRG_RXBUF "
	      "(DPDK 22.11)\n"
	      "  --extra-features F  acknowledge these feature bits too, e.g. "
	      "0x200000\n"
	      "                      (GUEST_ANNOUNCE, which QEMU passes "
	      "on)\n"
	      "  --verbose           debug messages\n"
	      "Prints one JSON line; exit status 0 only if every frame arrived "
	      "intact.\n",
	      f);
}

/**
 * net_opt_name() - long name of an option
 * @opt:	option id
 *
 * Return: its name without dashes
 */
static const char *net_opt_name(int opt)
{
	const struct option *o;

	for (o = net_opts; o->name; o++) {
		if (o->val == opt)
			return o->name;
	}
	return "?";
}

/**
 * parse_num() - parse a number within bounds
 * @s:		text
 * @min:	smallest accepted
 * @max:	largest accepted
 * @opt:	option id, for the message
 * @val:	result
 *
 * Return: true if valid
 */
static bool parse_num(const char *s, uint64_t min, uint64_t max, int opt,
		      uint64_t *val)
{
	return fe_parse_uint(s, min, max, net_opt_name(opt), val);
}

/**
 * parse_size() - parse --size B or MIN-MAX
 * @a:		arguments
 * @s:		text
 *
 * Return: true if valid
 */
static bool parse_size(struct net_args *a, const char *s)
{
	unsigned long lo, hi;
	char *end;

	errno = 0;
	lo = hi = strtoul(s, &end, 10);
	if (*end == '-' && end != s)
		hi = strtoul(end + 1, &end, 10);
	if (errno || end == s || *end || !isdigit((unsigned char)*s) ||
	    strchr(s, '+') || strstr(s, "--") || lo < FRAME_HDR || hi < lo ||
	    hi > NET_MAX_FRAME) {
		fprintf(stderr,
			"qd-frontend: --size: expected B or MIN-MAX with "
			"%u <= MIN <= MAX <= %u, got '%s'\n",
			FRAME_HDR, NET_MAX_FRAME, s);
		return false;
	}
	a->size_min = (unsigned int)lo;
	a->size_max = (unsigned int)hi;
	return true;
}

/**
 * parse_mac() - parse a MAC address xx:xx:xx:xx:xx:xx
 * @s:		text
 * @mac:	result
 *
 * Return: true if valid
 */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char extra;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &extra) != 6) {
		fprintf(stderr, "qd-frontend: --dst-mac: bad MAC '%s'\n", s);
		return false;
	}
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff) {
			fprintf(stderr,
				"qd-frontend: --dst-mac: bad MAC '%s'\n", s);
			return false;
		}
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

/**
 * parse_flag() - store a flag or a string option
 * @a:		arguments
 * @opt:	option id
 * @arg:	its argument (NULL for flags)
 *
 * Return: 1 if stored, 0 if not such an option, -1 if invalid
 */
static int parse_flag(struct net_args *a, int opt, const char *arg)
{
	switch (opt) {
	case OPT_SOCKET:
		a->o.socket = arg;
		return 1;
	case OPT_MRG:
		if (strcmp(arg, "on") && strcmp(arg, "off")) {
			fprintf(stderr, "qd-frontend: --mrg: on or off\n");
			return -1;
		}
		a->o.mrg_rxbuf = !strcmp(arg, "on");
		return 1;
	case OPT_LEGACY:
		a->o.legacy = true;
		return 1;
	case OPT_NO_EVENT_IDX:
		a->o.no_event_idx = true;
		return 1;
	case OPT_NO_INDIRECT:
		a->o.no_indirect = true;
		return 1;
	case OPT_SIZE:
		return parse_size(a, arg) ? 1 : -1;
	case OPT_DST_MAC:
		return parse_mac(arg, a->dst_mac) ? 1 : -1;
	case OPT_READY_FILE:
		a->ready_file = arg;
		return 1;
	case OPT_LAX_NUM_BUFFERS:
		a->o.lax_num_buffers = true;
		return 1;
	case OPT_VERBOSE:
		log_init("qd-frontend", LOG_LEVEL_DEBUG);
		return 1;
	}
	return 0;
}

/**
 * parse_value() - store the value of one numeric option
 * @a:		arguments
 * @opt:	option id
 * @arg:	its argument
 *
 * Return: true if valid
 */
static bool parse_value(struct net_args *a, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case OPT_PAIRS:
		if (!parse_num(arg, 1, 0x8000, opt, &v))
			return false;
		a->o.pairs = (unsigned int)v;
		return true;
	case OPT_QUEUE_SIZE:
		if (!parse_num(arg, 2, 32768, opt, &v))
			return false;
		a->o.queue_size = (unsigned int)v;
		return true;
	case OPT_MEM:
		if (!parse_num(arg, 1, 2048, opt, &v))
			return false;
		a->o.ram_size = v << 20;
		return true;
	case OPT_TIMEOUT:
		if (!parse_num(arg, 1, 3600000, opt, &v))
			return false;
		a->o.timeout_ms = (int)v;
		return true;
	case OPT_RX_BUF:
		if (!parse_num(arg, 64, NET_MAX_FRAME + 12, opt, &v))
			return false;
		a->o.rx_buf_size = (unsigned int)v;
		return true;
	case OPT_TX_SEGS:
		if (!parse_num(arg, 1, NET_TX_MAX_SEGS, opt, &v))
			return false;
		a->o.tx_segs = (unsigned int)v;
		return true;
	case OPT_COUNT:
		return parse_num(arg, 0, 1ULL << 40, opt, &a->count);
	case OPT_RECV_COUNT:
		return parse_num(arg, 0, 1ULL << 40, opt, &a->recv_count);
	case OPT_SEED:
		return parse_num(arg, 0, UINT64_MAX, opt, &a->seed);
	case OPT_WINDOW:
		a->window_set = true;
		return parse_num(arg, 0, 1ULL << 40, opt, &a->window);
	case OPT_SRC_ID:
		if (!parse_num(arg, 1, 0xffff, opt, &v))
			return false;
		a->src_id = (unsigned int)v;
		return true;
	case OPT_RX_SRC:
		if (!parse_num(arg, 0, 0xffff, opt, &v))
			return false;
		a->rx_src = (unsigned int)v;
		return true;
	case OPT_RATE:
		return parse_num(arg, 0, 100000000, opt, &a->rate);
	case OPT_EXTRA_FEATURES:
		return parse_num(arg, 0, UINT64_MAX, opt, &a->o.extra_features);
	case OPT_LINGER:
		if (!parse_num(arg, 0, 600000, opt, &v))
			return false;
		a->linger_ms = (unsigned int)v;
		return true;
	}
	return false;
}

/**
 * set_defaults() - option defaults
 * @a:		arguments
 * @cmd:	sub-command
 * @name:	its name
 */
static void set_defaults(struct net_args *a, enum net_cmd cmd, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->name = name;
	a->o.pairs = 1;
	a->o.queue_size = 256;
	a->o.ram_size = 64ULL << 20;
	a->o.timeout_ms = 5000;
	a->o.mrg_rxbuf = true;
	a->o.tx_segs = 1;
	a->count = 1000;
	a->recv_count = UINT64_MAX;
	a->size_min = 60;
	a->size_max = FRAME_DEFAULT_SIZE;
	a->seed = 1;
	a->src_id = 1;
	memset(a->dst_mac, 0xff, sizeof(a->dst_mac));
}

/**
 * finish_args() - derive the settings that depend on several options
 * @a:	parsed arguments
 *
 * Return: true if consistent
 */
static bool finish_args(struct net_args *a)
{
	unsigned int hdr = a->o.legacy && !a->o.mrg_rxbuf
				   ? VIRTIO_NET_HDR_LEN_LEGACY
				   : VIRTIO_NET_HDR_LEN_V1;
	unsigned int biggest = a->size_max > FRAME_DEFAULT_SIZE
				       ? a->size_max
				       : FRAME_DEFAULT_SIZE;

	if (!a->o.socket) {
		fprintf(stderr, "qd-frontend: --socket PATH is required\n");
		return false;
	}
	if (a->o.queue_size & (a->o.queue_size - 1)) {
		fprintf(stderr, "qd-frontend: --queue-size must be a power of "
				"two\n");
		return false;
	}
	if (a->recv_count != UINT64_MAX && a->cmd != NET_XFER) {
		fprintf(stderr, "qd-frontend: --recv-count applies to "
				"net-xfer only\n");
		return false;
	}
	switch (a->cmd) {
	case NET_INFO:
		a->count = a->recv_count = 0;
		break;
	case NET_SEND:
		a->recv_count = 0;
		break;
	case NET_RECV:
		a->recv_count = a->count;
		a->count = 0;
		break;
	case NET_XFER:
		if (a->recv_count == UINT64_MAX)
			a->recv_count = a->count;
		break;
	}
	if (!a->o.rx_buf_size)
		a->o.rx_buf_size = a->o.mrg_rxbuf ? 1526 : hdr + biggest;
	a->o.max_frame = a->size_max;
	return true;
}

/**
 * parse_net_args() - parse the options of a net sub-command
 * @argc:	argument count, argv[0] being the sub-command
 * @argv:	arguments
 * @a:		result
 *
 * Return: -1 if parsed, else the exit status to leave with
 */
static int parse_net_args(int argc, char **argv, struct net_args *a)
{
	static const struct {
		const char *name;
		enum net_cmd cmd;
	} cmds[] = {
		{ "net-info", NET_INFO },
		{ "net-send", NET_SEND },
		{ "net-recv", NET_RECV },
		{ "net-xfer", NET_XFER },
	};
	unsigned int i;
	int opt, rc;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[0], cmds[i].name))
			break;
	}
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		fprintf(stderr, "qd-frontend: unknown command '%s'\n", argv[0]);
		return FE_EXIT_USAGE;
	}
	set_defaults(a, cmds[i].cmd, cmds[i].name);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", net_opts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			net_usage(stdout);
			return FE_EXIT_OK;
		}
		if (opt < OPT_SOCKET || opt > OPT_HELP)
			return FE_EXIT_USAGE;
		rc = parse_flag(a, opt, optarg);
		if (rc < 0 || (!rc && !parse_value(a, opt, optarg)))
			return FE_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "qd-frontend: unexpected argument '%s'\n",
			argv[optind]);
		return FE_EXIT_USAGE;
	}
	return finish_args(a) ? -1 : FE_EXIT_USAGE;
}

/**
 * table_fill() - the pseudo-random byte table frames take their payload from
 * @t:		FRAME_TABLE_SIZE bytes
 * @seed:	run seed
 *
 * xorshift64* output, little-endian, eight bytes per step.
 */
static void table_fill(uint8_t *t, uint64_t seed)
{
	uint64_t x = seed ^ 0x9e3779b97f4a7c15ULL;
	size_t off;

	if (!x)
		x = 1;
	for (off = 0; off < FRAME_TABLE_SIZE; off += 8) {
		uint64_t v;
		unsigned int i;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v = x * 0x2545f4914f6cdd1dULL;
		for (i = 0; i < 8 && off + i < FRAME_TABLE_SIZE; i++)
			t[off + i] = (uint8_t)(v >> (8 * i));
	}
}

/**
 * frame_mix() - the hash that picks a frame's size and TX layout
 * @seed:	run seed
 * @seq:	sequence number
 *
 * Return: 32 mixed bits
 */
static uint32_t frame_mix(uint64_t seed, uint64_t seq)
{
	uint32_t h = (uint32_t)(seq * 2654435761u + (uint32_t)seed);

	h ^= h >> 16;
	h *= 0x45d9f3bu;
	h ^= h >> 16;
	return h;
}

/**
 * frame_size() - length of frame @seq
 * @a:		arguments
 * @seq:	sequence number
 *
 * Return: bytes, in --size
 */
static uint32_t frame_size(const struct net_args *a, uint64_t seq)
{
	uint32_t span = a->size_max - a->size_min + 1;

	return a->size_min + frame_mix(a->seed, seq) % span;
}

/**
 * put_le16() - store a little-endian u16
 * @p:	destination
 * @v:	value
 */
static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/**
 * put_le32() - store a little-endian u32
 * @p:	destination
 * @v:	value
 */
static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/**
 * get_le16() - load a little-endian u16
 * @p:	source
 *
 * Return: value
 */
static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/**
 * get_le32() - load a little-endian u32
 * @p:	source
 *
 * Return: value
 */
static uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

/**
 * frame_payload() - where the payload of a frame starts in the table
 * @r:		run
 * @seq:	sequence number
 * @src:	source id
 *
 * Return: pointer into the table
 */
static const uint8_t *frame_payload(const struct net_run *r, uint32_t seq,
				    unsigned int src)
{
	return r->table + ((uint64_t)seq * 131 + src * 17) % FRAME_TABLE_START;
}

/**
 * frame_build() - build frame @seq of our source into r->frame
 * @r:		run
 * @seq:	sequence number
 *
 * Return: its length
 */
static uint32_t frame_build(struct net_run *r, uint64_t seq)
{
	const struct net_args *a = r->a;
	uint32_t len = frame_size(a, seq);
	uint8_t *f = r->frame;

	memcpy(f, a->dst_mac, 6);
	memcpy(f + 6, "\x02\x71\x64\x00\x00", 5);
	f[11] = (uint8_t)a->src_id;
	f[12] = FRAME_ETHERTYPE >> 8;
	f[13] = FRAME_ETHERTYPE & 0xff;
	memcpy(f + 14, FRAME_MAGIC, 4);
	put_le32(f + 18, (uint32_t)seq);
	put_le16(f + 22, (uint16_t)len);
	put_le16(f + 24, (uint16_t)a->src_id);
	memcpy(f + FRAME_HDR, frame_payload(r, (uint32_t)seq, a->src_id),
	       len - FRAME_HDR);
	put_le32(f + 26, crc32_update(0, f + FRAME_HDR, len - FRAME_HDR));
	return len;
}

/**
 * report_frame() - describe an unexpected frame on stderr, a few times
 * @r:		run
 * @pair:	pair it arrived on
 * @f:		frame
 * @len:	its length
 * @why:	what is wrong
 */
static void report_frame(struct net_run *r, unsigned int pair, const uint8_t *f,
			 uint32_t len, const char *why)
{
	if (r->reported++ >= REPORT_MAX)
		return;
	fprintf(stderr,
		"qd-frontend: pair %u: frame of %u bytes: %s (starts %02x%02x"
		"%02x%02x%02x%02x %02x%02x%02x%02x%02x%02x %02x%02x)\n",
		pair, len, why, len > 0 ? f[0] : 0, len > 1 ? f[1] : 0,
		len > 2 ? f[2] : 0, len > 3 ? f[3] : 0, len > 4 ? f[4] : 0,
		len > 5 ? f[5] : 0, len > 6 ? f[6] : 0, len > 7 ? f[7] : 0,
		len > 8 ? f[8] : 0, len > 9 ? f[9] : 0, len > 10 ? f[10] : 0,
		len > 11 ? f[11] : 0, len > 12 ? f[12] : 0,
		len > 13 ? f[13] : 0);
}

/**
 * frame_is_ours() - does a frame have our layout (EtherType and magic)?
 * @f:		frame
 * @len:	its length
 *
 * Return: true if it does
 */
static bool frame_is_ours(const uint8_t *f, uint32_t len)
{
	return len >= FRAME_HDR && f[12] == FRAME_ETHERTYPE >> 8 &&
	       f[13] == (FRAME_ETHERTYPE & 0xff) &&
	       !memcmp(f + 14, FRAME_MAGIC, 4);
}

/**
 * frame_intact() - check length, source, CRC and payload of one of our
 * frames
 * @r:		run
 * @f:		frame
 * @len:	its length
 *
 * Return: NULL if intact, else what is wrong
 */
static const char *frame_intact(const struct net_run *r, const uint8_t *f,
				uint32_t len)
{
	uint32_t seq = get_le32(f + 18);
	unsigned int src = get_le16(f + 24);

	if (get_le16(f + 22) != len)
		return "length field differs from the received length";
	if (memcmp(f + 6, "\x02\x71\x64\x00\x00", 5) || f[11] != (uint8_t)src)
		return "source MAC does not match the source id";
	if (get_le32(f + 26) != crc32_update(0, f + FRAME_HDR, len - FRAME_HDR))
		return "CRC-32 mismatch";
	if (memcmp(f + FRAME_HDR, frame_payload(r, seq, src), len - FRAME_HDR))
		return "payload differs from the pattern";
	return NULL;
}

/**
 * on_frame() - check a received frame and account for it
 * @opaque:	the run
 * @pair:	pair it arrived on
 * @f:		frame without virtio_net_hdr
 * @len:	its length
 * @errp:	unused: bad frames are counted, not fatal, so that the summary
 *		tells how many there were
 *
 * Return: true
 */
static bool on_frame(void *opaque, unsigned int pair, const uint8_t *f,
		     uint32_t len, struct error **errp)
{
	struct net_run *r = opaque;
	const char *why;
	uint32_t seq;

	if (!frame_is_ours(f, len) ||
	    (r->a->rx_src && get_le16(f + 24) != r->a->rx_src)) {
		r->rx_foreign++;
		report_frame(r, pair, f, len, "not one of ours");
		return true;
	}
	why = frame_intact(r, f, len);
	seq = get_le32(f + 18);
	if (!why && seq >= r->a->recv_count)
		why = "sequence number beyond --count";
	if (why) {
		r->rx_bad++;
		report_frame(r, pair, f, len, why);
		return true;
	}
	if (r->seen[seq / 8] & (1u << (seq % 8))) {
		r->rx_dup++;
		report_frame(r, pair, f, len, "duplicate");
		return true;
	}
	r->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	r->received++;
	r->received_bytes += len;
	r->rx_crc_sum += crc32_update(0, f, len);
	return true;
}

/**
 * window_open() - may another frame be sent now?
 * @r:		run
 * @window:	most frames sent and not yet received (intact or not), 0 for
 *		no limit
 *
 * Return: true if so
 */
static bool window_open(const struct net_run *r, uint64_t window)
{
	uint64_t seen = r->received + r->rx_bad + r->rx_dup + r->rx_foreign;

	return !window || r->sent < seen || r->sent - seen < window;
}

/**
 * rate_allows() - may frame r->sent go out now under --rate?
 * @r:	run
 *
 * Return: true if there is no rate or its time has come
 */
static bool rate_allows(const struct net_run *r)
{
	uint64_t due;

	if (!r->a->rate)
		return true;
	due = r->start_ns + r->sent * 1000000000ULL / r->a->rate;
	return net_now_ns() >= due;
}

/**
 * wait_ms() - how long to sleep for calls before sending again
 * @r:	run, after send_some()
 *
 * Return: milliseconds, at most 50; until the next frame is due under --rate
 */
static int wait_ms(const struct net_run *r)
{
	uint64_t due, now;

	if (!r->a->rate || r->sent >= r->a->count)
		return 50;
	due = r->start_ns + r->sent * 1000000000ULL / r->a->rate;
	now = net_now_ns();
	/* Due already: a full ring or the window held it back, not the rate */
	if (now >= due)
		return 50;
	return due - now > 50000000 ? 50 : (int)((due - now) / 1000000);
}

/**
 * send_some() - put frames on the TX rings while there is room
 * @r:		run
 * @window:	see window_open()
 * @errp:	error on failure
 *
 * Frame seq goes to pair seq % pairs; a full ring stops the round.
 *
 * Return: true on success
 */
static bool send_some(struct net_run *r, uint64_t window, struct error **errp)
{
	while (r->sent < r->a->count && window_open(r, window) &&
	       rate_allows(r)) {
		unsigned int pair = (unsigned int)(r->sent % r->c.npairs);
		uint32_t len;

		if (!net_tx_room(&r->c, pair))
			break;
		len = frame_build(r, r->sent);
		if (!net_send(&r->c, pair, r->frame, len,
			      frame_mix(r->a->seed, r->sent), errp))
			return false;
		r->sent++;
		r->sent_bytes += len;
		r->tx_crc_sum += crc32_update(0, r->frame, len);
	}
	return net_kick(&r->c, errp);
}

/**
 * xfer_done() - has everything been sent, completed and received?
 * @r:	run
 *
 * Return: true if so
 */
static bool xfer_done(const struct net_run *r)
{
	return r->sent == r->a->count && !net_tx_in_flight(&r->c) &&
	       r->received >= r->a->recv_count;
}

/**
 * default_window() - frames one RX ring can hold at the largest size
 * @r:	run with a started client
 *
 * With a loopback peer every frame sent comes back; sending no more than
 * the RX ring holds means none is dropped for want of a buffer.
 *
 * Return: window for window_open()
 */
static uint64_t default_window(const struct net_run *r)
{
	unsigned int per = net_rx_buffers_per_frame(&r->c, r->a->size_max);
	uint64_t w = r->a->o.queue_size / per;

	return w ? w : 1;
}

/**
 * xfer() - send and receive until done, or until nothing moved for the
 * timeout
 * @r:		run with a started client
 * @errp:	error on failure or timeout
 *
 * Return: true if everything was sent and completed and the expected
 * number of frames arrived
 */
static bool xfer(struct net_run *r, struct error **errp)
{
	const struct net_args *a = r->a;
	uint64_t window = a->window_set	       ? a->window
			  : a->cmd == NET_XFER ? default_window(r)
					       : 0;
	uint64_t last = net_now_ns(), now;
	int n;

	r->start_ns = last;
	while (!xfer_done(r)) {
		if (!send_some(r, window, errp))
			return false;
		n = net_poll(&r->c, on_frame, r, errp);
		if (n < 0)
			return false;
		now = net_now_ns();
		if (n > 0) {
			last = now;
			continue;
		}
		if (now - last > (uint64_t)a->o.timeout_ms * 1000000) {
			error_setg(errp,
				   "nothing moved for %d ms: sent %" PRIu64
				   " of %" PRIu64 " (%u not completed), "
				   "received %" PRIu64 " of %" PRIu64,
				   a->o.timeout_ms, r->sent, a->count,
				   net_tx_in_flight(&r->c), r->received,
				   a->recv_count);
			return false;
		}
		if (!net_wait(&r->c, wait_ms(r), errp))
			return false;
	}
	return true;
}

/**
 * linger() - keep collecting frames for a while after the run
 * @r:		run
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool linger(struct net_run *r, struct error **errp)
{
	uint64_t end = net_now_ns() + (uint64_t)r->a->linger_ms * 1000000;

	while (net_now_ns() < end) {
		if (net_poll(&r->c, on_frame, r, errp) < 0)
			return false;
		if (!net_wait(&r->c, 20, errp))
			return false;
	}
	return net_poll(&r->c, on_frame, r, errp) >= 0;
}

/**
 * write_ready_file() - tell a waiting test that the RX rings are ready
 * @path:	file to create
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool write_ready_file(const char *path, struct error **errp)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		error_setg_errno(errp, errno, "create %s", path);
		return false;
	}
	if (write(fd, "ready\n", 6) != 6) {
		error_setg_errno(errp, errno, "write %s", path);
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

/**
 * print_json_string() - print "key": "value", with the value escaped
 * @key:	member name
 * @value:	text
 */
static void print_json_string(const char *key, const char *value)
{
	const unsigned char *p;

	printf("\"%s\": \"", key);
	for (p = (const unsigned char *)value; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	printf("\", ");
}

/**
 * print_pairs() - the per-pair part of the summary
 * @c:	client
 */
static void print_pairs(const struct net_client *c)
{
	unsigned int i;

	printf("\"per_pair\": [");
	for (i = 0; i < c->npairs; i++) {
		const struct net_pair *p = &c->pairs[i];

		printf("%s{\"tx\": %" PRIu64 ", \"rx\": %" PRIu64
		       ", \"rx_buffers\": %" PRIu64 ", \"rx_merged\": %" PRIu64
		       ", \"tx_kicks\": %" PRIu64 ", \"rx_kicks\": %" PRIu64
		       ", \"tx_calls\": %" PRIu64 ", \"rx_calls\": %" PRIu64
		       "}",
		       i ? ", " : "", p->tx_frames, p->rx_frames, p->rx_buffers,
		       p->rx_merged, p->tx.kicks, p->rx.kicks, p->tx.calls,
		       p->rx.calls);
	}
	printf("]");
}

/**
 * print_summary() - one JSON line with what happened
 * @r:		run
 * @ok:		overall result
 * @secs:	duration of the transfer
 * @err:	error that ended the run, or NULL
 */
static void print_summary(const struct net_run *r, bool ok, double secs,
			  const struct error *err)
{
	const struct net_client *c = &r->c;
	uint64_t missing = r->a->recv_count > r->received
				   ? r->a->recv_count - r->received
				   : 0;

	printf("{\"command\": \"%s\", \"result\": \"%s\", ", r->a->name,
	       ok ? "ok" : "failed");
	if (err)
		print_json_string("error", error_get_pretty(err));
	printf("\"features\": %" PRIu64 ", \"acked_features\": %" PRIu64
	       ", \"protocol_features\": %" PRIu64
	       ", \"acked_protocol_features\": %" PRIu64
	       ", \"max_pairs\": %u, \"pairs\": %u, \"hdr_len\": %u"
	       ", \"mrg_rxbuf\": %s, \"event_idx\": %s, \"rx_buf_size\": %u"
	       ", \"tx_segs\": %u, ",
	       c->fe.features, c->features, c->fe.protocol_features,
	       c->fe.acked_protocol, c->max_pairs, c->npairs, c->hdr_len,
	       net_acked(c, VIRTIO_NET_F_MRG_RXBUF) ? "true" : "false",
	       net_acked(c, VIRTIO_RING_F_EVENT_IDX) ? "true" : "false",
	       r->a->o.rx_buf_size, c->tx_segs);
	printf("\"sent\": %" PRIu64 ", \"sent_bytes\": %" PRIu64
	       ", \"tx_crc_sum\": %" PRIu64 ", \"received\": %" PRIu64
	       ", \"received_bytes\": %" PRIu64 ", \"rx_crc_sum\": %" PRIu64
	       ", \"rx_bad\": %" PRIu64 ", \"rx_dup\": %" PRIu64
	       ", \"rx_foreign\": %" PRIu64 ", \"rx_missing\": %" PRIu64
	       ", \"seconds\": %.3f, ",
	       r->sent, r->sent_bytes, r->tx_crc_sum, r->received,
	       r->received_bytes, r->rx_crc_sum, r->rx_bad, r->rx_dup,
	       r->rx_foreign, missing, secs);
	if (c->pairs)
		print_pairs(c);
	else
		printf("\"per_pair\": []");
	printf("}\n");
}

/**
 * run_setup() - allocate the run's buffers
 * @r:		run
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool run_setup(struct net_run *r, struct error **errp)
{
	uint64_t bits = r->a->recv_count ? r->a->recv_count : 1;

	r->table = malloc(FRAME_TABLE_SIZE);
	r->frame = malloc(NET_MAX_FRAME);
	r->seen = calloc(1, (size_t)(bits + 7) / 8);
	if (!r->table || !r->frame || !r->seen) {
		error_setg(errp, "out of memory");
		return false;
	}
	table_fill(r->table, r->a->seed);
	return true;
}

/**
 * run_cleanup() - free the run's buffers and close the client
 * @r:	run
 */
static void run_cleanup(struct net_run *r)
{
	net_client_close(&r->c);
	free(r->table);
	free(r->frame);
	free(r->seen);
}

/**
 * run() - connect, start, transfer, stop
 * @r:		run
 * @secs:	set to the duration of the transfer
 * @errp:	error on failure
 *
 * Return: true if the transfer and the stop succeeded
 */
static bool run(struct net_run *r, double *secs, struct error **errp)
{
	const struct net_args *a = r->a;
	uint64_t t0;
	bool ok;

	*secs = 0;
	if (!run_setup(r, errp) || !net_client_connect(&r->c, &a->o, errp) ||
	    !net_client_start(&r->c, &a->o, errp))
		return false;
	if (a->ready_file && !write_ready_file(a->ready_file, errp))
		return false;
	t0 = net_now_ns();
	ok = xfer(r, errp) && linger(r, errp);
	*secs = (double)(net_now_ns() - t0) / 1e9;
	if (!ok)
		return false;
	return net_client_stop(&r->c, errp);
}

/**
 * cmd_net() - run a net-* sub-command
 * @argc:	argument count, argv[0] being the sub-command
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_net(int argc, char **argv)
{
	struct net_run r = { 0 };
	struct net_args a;
	struct error *err = NULL;
	double secs;
	bool ok;
	int rc;

	rc = parse_net_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	r.a = &a;
	vu_init(&r.c.fe);
	r.c.ram.fd = -1;
	ok = run(&r, &secs, &err);
	if (r.rx_bad || r.rx_dup || r.rx_foreign || r.received < a.recv_count)
		ok = false;
	print_summary(&r, ok, secs, err);
	fflush(stdout);
	if (err)
		error_report_err(err);
	run_cleanup(&r);
	return ok ? FE_EXIT_OK : FE_EXIT_FAIL;
}
