/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sub-commands of qd-frontend and the options they share.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_COMMANDS_H
#define QD_TESTS_FRONTEND_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/frontend/blk-client.h"

/* Exit codes */
#define FE_EXIT_OK    0
#define FE_EXIT_FAIL  1 /* protocol error, bad data, unexpected status */
#define FE_EXIT_USAGE 2

enum fe_rw {
	FE_RW_RANDREAD,
	FE_RW_RANDWRITE,
};

struct fe_args {
	struct blk_client_opts blk;
	unsigned int iodepth; /* requests in flight per queue */
	uint64_t seed;
	bool expect_ro;
	const char *expect_id;	  /* verify: GET_ID must return this */
	const char *map_path;	  /* verify: write the written-extents map */
	unsigned int ops;	  /* verify: random operations */
	unsigned int max_sectors; /* verify: largest request */
	unsigned int max_segs;	  /* verify: data buffers per request */
	bool byte_split;	  /* verify: split data at any byte */
	bool span_crc;		  /* verify: read the span, print its CRC-32 */
	uint64_t span_sectors;	  /* verify/bench: sectors used, 0 = all */
	enum fe_rw rw;		  /* bench */
	unsigned int bs;	  /* bench: bytes per request */
	double runtime;		  /* bench: seconds */
};

/*
 * fe_parse_uint() - a number within [@min, @max] for option --@name; prints
 * "qd-frontend: --NAME: expected a number in MIN..MAX, got 'S'" if not
 */
bool fe_parse_uint(const char *s, uint64_t min, uint64_t max, const char *name,
		   uint64_t *val);

int cmd_info(const struct fe_args *a);
int cmd_verify(const struct fe_args *a);
int cmd_bench(const struct fe_args *a);
/* cmd_net() - net-info, net-send, net-recv, net-xfer: own options (argv[0]
 * is the sub-command) */
int cmd_net(int argc, char **argv);
/* cmd_watch() - watch-config: own options (argv[0] is the sub-command) */
int cmd_watch(int argc, char **argv);
/* cmd_hostile() - hostile: own options (argv[0] is the sub-command) */
int cmd_hostile(int argc, char **argv);

#endif /* QD_TESTS_FRONTEND_COMMANDS_H */
