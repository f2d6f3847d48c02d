/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd-frontend: a vhost-user-blk front-end for tests and benchmarks.
 *
 * Plays QEMU's part against any vhost-user-blk back-end: "info" shows what
 * was negotiated, "verify" checks that data written comes back, "bench"
 * measures IOPS and latency; "net-*" do the same for vhost-user-net,
 * "watch-config" reports the config changes of either, and "hostile" runs
 * the catalogue of hostile inputs against either. Exit status 0 only if
 * everything was as expected, 1 on any failure, 2 on bad usage.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/frontend/commands.h"
#include "util/log.h"

/* Which sub-commands accept an option */
#define FOR_INFO   1u
#define FOR_VERIFY 2u
#define FOR_BENCH  4u
#define FOR_ALL	   (FOR_INFO | FOR_VERIFY | FOR_BENCH)

enum {
	OPT_SOCKET = 256,
	OPT_QUEUES,
	OPT_QUEUE_SIZE,
	OPT_MEM,
	OPT_TIMEOUT,
	OPT_NO_EVENT_IDX,
	OPT_NO_INDIRECT,
	OPT_IODEPTH,
	OPT_SEED,
	OPT_EXPECT_RO,
	OPT_EXPECT_ID,
	OPT_MAP,
	OPT_OPS,
	OPT_MAX_SECTORS,
	OPT_MAX_SEGS,
	OPT_BYTE_SPLIT,
	OPT_SPAN_MIB,
	OPT_SPAN_CRC,
	OPT_RW,
	OPT_BS,
	OPT_RUNTIME,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "queue-size", required_argument, NULL, OPT_QUEUE_SIZE },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "no-event-idx", no_argument, NULL, OPT_NO_EVENT_IDX },
	{ "no-indirect", no_argument, NULL, OPT_NO_INDIRECT },
	{ "iodepth", required_argument, NULL, OPT_IODEPTH },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "expect-ro", no_argument, NULL, OPT_EXPECT_RO },
	{ "expect-id", required_argument, NULL, OPT_EXPECT_ID },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "ops", required_argument, NULL, OPT_OPS },
	{ "max-sectors", required_argument, NULL, OPT_MAX_SECTORS },
	{ "max-segs", required_argument, NULL, OPT_MAX_SEGS },
	{ "byte-split", no_argument, NULL, OPT_BYTE_SPLIT },
	{ "span-mib", required_argument, NULL, OPT_SPAN_MIB },
	{ "span-crc", no_argument, NULL, OPT_SPAN_CRC },
	{ "rw", required_argument, NULL, OPT_RW },
	{ "bs", required_argument, NULL, OPT_BS },
	{ "runtime", required_argument, NULL, OPT_RUNTIME },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Sub-commands allowed for each option, indexed by option - OPT_SOCKET */
static const unsigned int opt_scope[] = {
	[OPT_SOCKET - OPT_SOCKET] = FOR_ALL,
	[OPT_QUEUES - OPT_SOCKET] = FOR_ALL,
	[OPT_QUEUE_SIZE - OPT_SOCKET] = FOR_ALL,
	[OPT_MEM - OPT_SOCKET] = FOR_ALL,
	[OPT_TIMEOUT - OPT_SOCKET] = FOR_ALL,
	[OPT_NO_EVENT_IDX - OPT_SOCKET] = FOR_ALL,
	[OPT_NO_INDIRECT - OPT_SOCKET] = FOR_ALL,
	[OPT_IODEPTH - OPT_SOCKET] = FOR_VERIFY | FOR_BENCH,
	[OPT_SEED - OPT_SOCKET] = FOR_VERIFY | FOR_BENCH,
	[OPT_EXPECT_RO - OPT_SOCKET] = FOR_VERIFY,
	[OPT_EXPECT_ID - OPT_SOCKET] = FOR_VERIFY,
	[OPT_MAP - OPT_SOCKET] = FOR_VERIFY,
	[OPT_OPS - OPT_SOCKET] = FOR_VERIFY,
	[OPT_MAX_SECTORS - OPT_SOCKET] = FOR_VERIFY,
	[OPT_MAX_SEGS - OPT_SOCKET] = FOR_VERIFY,
	[OPT_BYTE_SPLIT - OPT_SOCKET] = FOR_VERIFY,
	[OPT_SPAN_MIB - OPT_SOCKET] = FOR_VERIFY | FOR_BENCH,
	[OPT_SPAN_CRC - OPT_SOCKET] = FOR_VERIFY,
	[OPT_RW - OPT_SOCKET] = FOR_BENCH,
	[OPT_BS - OPT_SOCKET] = FOR_BENCH,
	[OPT_RUNTIME - OPT_SOCKET] = FOR_BENCH,
	[OPT_VERBOSE - OPT_SOCKET] = FOR_ALL,
	[OPT_HELP - OPT_SOCKET] = FOR_ALL,
};

/**
 * opt_name() - long name of an option
 * @opt:	option id
 *
 * Return: its name without dashes
 */
static const char *opt_name(int opt)
{
	const struct option *o;

	for (o = long_opts; o->name; o++) {
		if (o->val == opt)
			return o->name;
	}
	return "?";
}

/**
 * usage() - print the help text
 * @f:	stream
 */
static void usage(FILE *f)
{
	fputs("Usage: qd-frontend COMMAND --socket PATH [OPTIONS]\n"
	      "A vhost-user-blk front-end that speaks the protocol as QEMU "
	      "does.\n"
	      "\n"
	      "Commands:\n"
	      "  info     negotiate, print features and config, start and "
	      "stop\n"
	      "  verify   random writes and reads, compare, FLUSH, GET_ID\n"
	      "  bench    measure IOPS and latency\n"
	      "  net-send, net-recv, net-xfer, net-info\n"
	      "           vhost-user-net: checked frames (see net-send "
	      "--help)\n"
	      "  watch-config\n"
	      "           blk or net: report config-change messages (see "
	      "watch-config --help)\n"
	      "  hostile  blk or net: the catalogue of hostile inputs (see "
	      "hostile --help)\n"
	      "\n"
	      "Common options:\n"
	      "  --socket PATH       back-end socket (required)\n"
	      "  --queues N          request queues to use (default 1)\n"
	      "  --queue-size N      ring size (default 256)\n"
	      "  --mem MIB           guest RAM per region (default 64, 2 "
	      "regions)\n"
	      "  --timeout MS        bound of every wait (default 5000)\n"
	      "  --no-event-idx      do not negotiate VIRTIO_RING_F_EVENT_IDX\n"
	      "  --no-indirect       do not negotiate "
	      "VIRTIO_RING_F_INDIRECT_DESC\n"
	      "  --verbose           debug messages\n"
	      "verify:\n"
	      "  --iodepth N         requests in flight per queue (default "
	      "16)\n"
	      "  --seed S            random seed (default 1)\n"
	      "  --ops N             random reads and writes (default 2000)\n"
	      "  --max-sectors N     largest request in sectors (default 128)\n"
	      "  --max-segs N        data buffers per request (default 4, max "
	      "8)\n"
	      "  --byte-split        split data buffers at any byte, not "
	      "sectors\n"
	      "  --span-mib N        use only the first N MiB of the disk "
	      "(default:\n"
	      "                      all of it, at most 8 GiB)\n"
	      "  --span-crc          finally read the whole span, print its "
	      "CRC-32\n"
	      "  --expect-ro         the disk must be read-only: writes fail\n"
	      "  --expect-id STR     GET_ID must return STR\n"
	      "  --map FILE          write the written extents and their "
	      "CRC-32 "
	      "as JSON\n"
	      "bench:\n"
	      "  --rw randread|randwrite  (default randread)\n"
	      "  --bs BYTES          request size, multiple of 512 (default "
	      "4096)\n"
	      "  --iodepth N         requests in flight per queue (default 1)\n"
	      "  --runtime SEC       duration (default 5)\n"
	      "  --span-mib N        use only the first N MiB of the disk\n",
	      f);
}

/**
 * fe_parse_uint() - parse a number (decimal, 0x hex) within bounds
 * @s:		text
 * @min:	smallest accepted
 * @max:	largest accepted
 * @name:	option name for the message
 * @val:	result
 *
 * Return: true if valid
 */
bool fe_parse_uint(const char *s, uint64_t min, uint64_t max, const char *name,
		   uint64_t *val)
{
	char *end;

	errno = 0;
	*val = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || *val < min ||
	    *val > max) {
		fprintf(stderr,
			"qd-frontend: --%s: expected a number in %" PRIu64
			"..%" PRIu64 ", got '%s'\n",
			name, min, max, s);
		return false;
	}
	return true;
}

/**
 * set_defaults() - option defaults for a sub-command
 * @a:		arguments
 * @scope:	FOR_INFO, FOR_VERIFY or FOR_BENCH
 */
static void set_defaults(struct fe_args *a, unsigned int scope)
{
	memset(a, 0, sizeof(*a));
	a->blk.num_queues = 1;
	a->blk.queue_size = 256;
	a->blk.ram_size = 64ULL << 20;
	a->blk.timeout_ms = 5000;
	a->iodepth = scope == FOR_BENCH ? 1 : 16;
	a->seed = 1;
	a->ops = 2000;
	a->max_sectors = 128;
	a->max_segs = 4;
	a->rw = FE_RW_RANDREAD;
	a->bs = 4096;
	a->runtime = 5;
}

/**
 * parse_value() - store the value of one option
 * @a:		arguments
 * @opt:	option id
 * @arg:	its argument (NULL for flags)
 *
 * Return: true if valid
 */
static bool parse_value(struct fe_args *a, int opt, const char *arg)
{
	const char *name = opt_name(opt);
	uint64_t v;

	switch (opt) {
	case OPT_SOCKET:
		a->blk.socket = arg;
		return true;
	case OPT_NO_EVENT_IDX:
		a->blk.no_event_idx = true;
		return true;
	case OPT_NO_INDIRECT:
		a->blk.no_indirect = true;
		return true;
	case OPT_EXPECT_RO:
		a->expect_ro = true;
		return true;
	case OPT_EXPECT_ID:
		a->expect_id = arg;
		return true;
	case OPT_MAP:
		a->map_path = arg;
		return true;
	case OPT_BYTE_SPLIT:
		a->byte_split = true;
		return true;
	case OPT_SPAN_CRC:
		a->span_crc = true;
		return true;
	case OPT_VERBOSE:
		log_init("qd-frontend", LOG_LEVEL_DEBUG);
		return true;
	case OPT_RW:
		if (!strcmp(arg, "randread"))
			a->rw = FE_RW_RANDREAD;
		else if (!strcmp(arg, "randwrite"))
			a->rw = FE_RW_RANDWRITE;
		else {
			fprintf(stderr,
				"qd-frontend: --rw: expected randread "
				"or randwrite, got '%s'\n",
				arg);
			return false;
		}
		return true;
	case OPT_RUNTIME:
		a->runtime = strtod(arg, NULL);
		if (a->runtime <= 0 || a->runtime > 3600) {
			fprintf(stderr, "qd-frontend: --runtime: expected "
					"seconds in (0, 3600]\n");
			return false;
		}
		return true;
	case OPT_SEED:
		if (!fe_parse_uint(arg, 0, UINT64_MAX, name, &a->seed))
			return false;
		return true;
	case OPT_SPAN_MIB:
		if (!fe_parse_uint(arg, 1, 1ULL << 40, name, &v))
			return false;
		a->span_sectors = v << 11;
		return true;
	case OPT_MEM:
		if (!fe_parse_uint(arg, 1, 2048, name, &v))
			return false;
		a->blk.ram_size = v << 20;
		return true;
	}

	/* The rest are plain numbers */
	switch (opt) {
	case OPT_QUEUES:
		if (!fe_parse_uint(arg, 1, 64, name, &v))
			return false;
		a->blk.num_queues = (unsigned int)v;
		return true;
	case OPT_QUEUE_SIZE:
		if (!fe_parse_uint(arg, 1, 32768, name, &v))
			return false;
		a->blk.queue_size = (unsigned int)v;
		return true;
	case OPT_TIMEOUT:
		if (!fe_parse_uint(arg, 1, 3600000, name, &v))
			return false;
		a->blk.timeout_ms = (int)v;
		return true;
	case OPT_IODEPTH:
		if (!fe_parse_uint(arg, 1, 1024, name, &v))
			return false;
		a->iodepth = (unsigned int)v;
		return true;
	case OPT_OPS:
		if (!fe_parse_uint(arg, 1, 100000000, name, &v))
			return false;
		a->ops = (unsigned int)v;
		return true;
	case OPT_MAX_SECTORS:
		if (!fe_parse_uint(arg, 1, 8192, name, &v))
			return false;
		a->max_sectors = (unsigned int)v;
		return true;
	case OPT_MAX_SEGS:
		if (!fe_parse_uint(arg, 1, BLK_MAX_SEGS, name, &v))
			return false;
		a->max_segs = (unsigned int)v;
		return true;
	case OPT_BS:
		if (!fe_parse_uint(arg, BLK_SECTOR_SIZE, 1 << 20, name, &v))
			return false;
		if (v % BLK_SECTOR_SIZE) {
			fprintf(stderr, "qd-frontend: --bs must be a multiple "
					"of 512\n");
			return false;
		}
		a->bs = (unsigned int)v;
		return true;
	}
	return false;
}

/**
 * parse_args() - parse the options of a sub-command
 * @argc:	argument count, argv[0] being the sub-command
 * @argv:	arguments
 * @scope:	FOR_INFO, FOR_VERIFY or FOR_BENCH
 * @a:		result
 *
 * Return: -1 if parsed, else the exit status to leave with
 */
static int parse_args(int argc, char **argv, unsigned int scope,
		      struct fe_args *a)
{
	int opt;

	set_defaults(a, scope);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			usage(stdout);
			return FE_EXIT_OK;
		}
		if (opt < OPT_SOCKET || opt > OPT_HELP)
			return FE_EXIT_USAGE;
		if (!(opt_scope[opt - OPT_SOCKET] & scope)) {
			fprintf(stderr,
				"qd-frontend: --%s does not apply to %s\n",
				opt_name(opt), argv[0]);
			return FE_EXIT_USAGE;
		}
		if (!parse_value(a, opt, optarg))
			return FE_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "qd-frontend: unexpected argument '%s'\n",
			argv[optind]);
		return FE_EXIT_USAGE;
	}
	if (!a->blk.socket) {
		fprintf(stderr, "qd-frontend: --socket PATH is required\n");
		return FE_EXIT_USAGE;
	}
	if (a->blk.queue_size & (a->blk.queue_size - 1)) {
		fprintf(stderr, "qd-frontend: --queue-size must be a power of "
				"two\n");
		return FE_EXIT_USAGE;
	}
	return -1;
}

/**
 * main() - dispatch to a sub-command
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned int scope;
		int (*run)(const struct fe_args *a);
	} cmds[] = {
		{ "info", FOR_INFO, cmd_info },
		{ "verify", FOR_VERIFY, cmd_verify },
		{ "bench", FOR_BENCH, cmd_bench },
	};
	struct fe_args a;
	unsigned int i;
	int rc;

	log_init("qd-frontend", LOG_LEVEL_INFO);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? FE_EXIT_USAGE : FE_EXIT_OK;
	}
	if (!strncmp(argv[1], "net-", 4))
		return cmd_net(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch-config"))
		return cmd_watch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "hostile"))
		return cmd_hostile(argc - 1, argv + 1);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		rc = parse_args(argc - 1, argv + 1, cmds[i].scope, &a);
		if (rc >= 0)
			return rc;
		return cmds[i].run(&a);
	}
	fprintf(stderr,
		"qd-frontend: unknown command '%s' (info, verify, "
		"bench, net-*, watch-config, hostile)\n",
		argv[1]);
	return FE_EXIT_USAGE;
}
