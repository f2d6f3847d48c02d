/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd-frontend hostile: the catalogue of hostile front-end and guest inputs.
 *
 * Runs cases against a vhost-user-blk or vhost-user-net back-end, one
 * session per case, and prints one JSON line per case:
 *
 *   {"case": NAME, "area": AREA, "device": "blk"|"net", "expect": OUTCOME,
 *    "observed": OUTCOME, "result": "pass"|"fail", "log": SUBSTRING,
 *    "ms": DURATION, "detail": WHAT WAS SEEN}
 *
 * --list prints the catalogue instead (name, area, devices, expected
 * outcome, the substring the back-end must log, what the case does). The
 * log itself is the caller's to check: it owns the back-end's stderr.
 * Exit status 0 if every case run had its expected outcome, 1 if not, 2 on
 * bad usage.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tests/frontend/commands.h"
#include "tests/frontend/hostile.h"
#include "util/log.h"

struct hostile_args {
	const char *socket;
	unsigned int device; /* HX_BLK, HX_NET, 0: not given */
	bool list;
	bool all;
	const char *cases[64]; /* --case, repeatable */
	unsigned int ncases;
	int timeout_ms;
};

/* The catalogue, area by area */
static const struct {
	const struct hx_case *cases;
	const unsigned int *count;
} tables[] = {
	{ hx_proto_cases, &hx_proto_count },
	{ hx_mem_cases, &hx_mem_count },
	{ hx_vring_cases, &hx_vring_count },
	{ hx_ring_cases, &hx_ring_count },
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

enum {
	OPT_SOCKET = 256,
	OPT_DEVICE,
	OPT_LIST,
	OPT_CASE,
	OPT_ALL,
	OPT_TIMEOUT,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option hostile_opts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "case", required_argument, NULL, OPT_CASE },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/**
 * hostile_usage() - print the help text of the hostile command
 * @f:		stream
 */
static void hostile_usage(FILE *f)
{
	fputs("Usage: qd-frontend hostile --socket PATH --device blk|net "
	      "--all|--case NAME...\n"
	      "       qd-frontend hostile --list [--device blk|net]\n"
	      "Hostile front-end and guest inputs; the back-end must refuse "
	      "each and go on.\n"
	      "One JSON line per case; exit 0 if every case had its expected "
	      "outcome.\n"
	      "\n"
	      "  --socket PATH     back-end socket\n"
	      "  --device blk|net  the device behind it\n"
	      "  --list            list the cases (of --device) as JSON lines\n"
	      "  --case NAME       run this case (repeatable)\n"
	      "  --all             run every case of --device\n"
	      "  --timeout MS      bound of every wait (default 5000)\n"
	      "  --verbose         debug messages\n",
	      f);
}

/**
 * parse_device() - --device blk|net
 * @arg:	option argument
 * @device:	set to HX_BLK or HX_NET
 *
 * Return: true if valid
 */
static bool parse_device(const char *arg, unsigned int *device)
{
	if (!strcmp(arg, "blk"))
		*device = HX_BLK;
	else if (!strcmp(arg, "net"))
		*device = HX_NET;
	else
		return false;
	return true;
}

/**
 * hostile_parse_value() - store one option
 * @a:		arguments
 * @opt:	option id
 * @arg:	its argument (NULL for flags)
 *
 * Return: true if valid
 */
static bool hostile_parse_value(struct hostile_args *a, int opt,
				const char *arg)
{
	uint64_t v;

	switch (opt) {
	case OPT_SOCKET:
		a->socket = arg;
		return true;
	case OPT_DEVICE:
		if (parse_device(arg, &a->device))
			return true;
		fprintf(stderr,
			"qd-frontend: --device: expected blk or net, got "
			"'%s'\n",
			arg);
		return false;
	case OPT_LIST:
		a->list = true;
		return true;
	case OPT_ALL:
		a->all = true;
		return true;
	case OPT_CASE:
		if (a->ncases == sizeof(a->cases) / sizeof(a->cases[0])) {
			fprintf(stderr, "qd-frontend: too many --case\n");
			return false;
		}
		a->cases[a->ncases++] = arg;
		return true;
	case OPT_TIMEOUT:
		if (!fe_parse_uint(arg, 100, 600000, "timeout", &v))
			return false;
		a->timeout_ms = (int)v;
		return true;
	case OPT_VERBOSE:
		log_init("qd-frontend", LOG_LEVEL_DEBUG);
		return true;
	}
	return false;
}

/**
 * hostile_parse_args() - parse the options of the hostile command
 * @argc:	argument count, argv[0] being the sub-command
 * @argv:	arguments
 * @a:		result
 *
 * Return: -1 if parsed, else the exit status to leave with
 */
static int hostile_parse_args(int argc, char **argv, struct hostile_args *a)
{
	int opt;

	memset(a, 0, sizeof(*a));
	a->timeout_ms = 5000;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", hostile_opts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			hostile_usage(stdout);
			return FE_EXIT_OK;
		}
		if (!hostile_parse_value(a, opt, optarg))
			return FE_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "qd-frontend: unexpected argument '%s'\n",
			argv[optind]);
		return FE_EXIT_USAGE;
	}
	if (a->list)
		return -1;
	if (!a->socket || !a->device || (!a->all && !a->ncases)) {
		fprintf(stderr, "qd-frontend: hostile needs --socket, --device "
				"and --all or --case\n");
		return FE_EXIT_USAGE;
	}
	return -1;
}

/**
 * outcome_name() - how an outcome is printed
 * @o:		outcome
 *
 * Return: e.g. "closed"
 */
static const char *outcome_name(enum hx_outcome o)
{
	static const char *const names[] = {
		[HX_CLOSED] = "closed",	     [HX_NACK] = "nack",
		[HX_BROKEN] = "broken",	     [HX_IOERR] = "io-error",
		[HX_UNSUPP] = "unsupported", [HX_DROPPED] = "dropped",
		[HX_CTRL_ERR] = "ctrl-err",  [HX_EMPTY] = "empty-reply",
		[HX_ACCEPTED] = "accepted",  [HX_UNEXPECTED] = "unexpected",
	};

	return o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

/**
 * json_string() - print a JSON string, escaped
 * @s:		the string, NULL for null
 */
static void json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/**
 * json_field() - print ', "key": "value"' (or the first field without ',')
 * @key:	field name
 * @value:	string value, NULL for null
 * @first:	no leading comma
 */
static void json_field(const char *key, const char *value, bool first)
{
	printf("%s\"%s\": ", first ? "" : ", ", key);
	json_string(value);
}

/**
 * list_case() - print one case of the catalogue
 * @c:		case
 */
static void list_case(const struct hx_case *c)
{
	putchar('{');
	json_field("case", c->name, true);
	json_field("area", c->area, false);
	printf(", \"devices\": [%s%s%s]", c->devices & HX_BLK ? "\"blk\"" : "",
	       c->devices == HX_ANY ? ", " : "",
	       c->devices & HX_NET ? "\"net\"" : "");
	json_field("expect", outcome_name(c->expect), false);
	json_field("log", c->log, false);
	json_field("what", c->what, false);
	puts("}");
}

/**
 * run_case() - run one case and print its line
 * @a:		arguments
 * @c:		case, for a->device
 *
 * Return: true if it had its expected outcome
 */
static bool run_case(const struct hostile_args *a, const struct hx_case *c)
{
	struct hx_ctx x = {
		.socket = a->socket,
		.device = a->device,
		.timeout_ms = a->timeout_ms,
	};
	uint64_t t0 = hx_now_ms();
	enum hx_outcome got = c->run(&x, c->arg);
	bool pass = got == c->expect;

	putchar('{');
	json_field("case", c->name, true);
	json_field("area", c->area, false);
	json_field("device", a->device == HX_BLK ? "blk" : "net", false);
	json_field("expect", outcome_name(c->expect), false);
	json_field("observed", outcome_name(got), false);
	json_field("result", pass ? "pass" : "fail", false);
	json_field("log", c->log, false);
	printf(", \"ms\": %llu", (unsigned long long)(hx_now_ms() - t0));
	json_field("detail", x.detail, false);
	puts("}");
	fflush(stdout);
	return pass;
}

/**
 * find_case() - the case of a name
 * @name:	case name
 *
 * Return: the case, NULL if there is none
 */
static const struct hx_case *find_case(const char *name)
{
	for (unsigned int t = 0; t < NTABLES; t++) {
		for (unsigned int i = 0; i < *tables[t].count; i++) {
			if (!strcmp(tables[t].cases[i].name, name))
				return &tables[t].cases[i];
		}
	}
	return NULL;
}

/**
 * cmd_hostile() - list or run hostile cases
 * @argc:	argument count, argv[0] being "hostile"
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_hostile(int argc, char **argv)
{
	struct hostile_args a;
	unsigned int t, i, failed = 0;
	int rc = hostile_parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	for (i = 0; i < a.ncases; i++) {
		const struct hx_case *c = find_case(a.cases[i]);

		if (!c || (a.device && !(c->devices & a.device))) {
			fprintf(stderr,
				"qd-frontend: no case '%s'%s (see --list)\n",
				a.cases[i], c ? " for this device" : "");
			return FE_EXIT_USAGE;
		}
		if (a.list)
			list_case(c);
		else if (!run_case(&a, c))
			failed++;
	}
	for (t = 0; t < NTABLES && (a.all || a.list) && !a.ncases; t++) {
		for (i = 0; i < *tables[t].count; i++) {
			const struct hx_case *c = &tables[t].cases[i];

			if (a.device && !(c->devices & a.device))
				continue;
			if (a.list)
				list_case(c);
			else if (!run_case(&a, c))
				failed++;
		}
	}
	return failed ? FE_EXIT_FAIL : FE_EXIT_OK;
}
