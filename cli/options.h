/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Declarative command-line options: one table drives parsing, checking and
 * --help.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_CLI_OPTIONS_H
#define QD_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"

enum cli_arg {
	CLI_ARG_NONE,	/* flag: dest is bool */
	CLI_ARG_STRING, /* dest is const char * */
	CLI_ARG_UINT,	/* dest is unsigned int, within [min, max] */
	CLI_ARG_FD,	/* dest is int, a file descriptor number */
	CLI_ARG_CHOICE, /* dest is int: index into choices */
	CLI_ARG_LIST,	/* dest is struct cli_list: repeatable, in order */
};

/* Values of a repeatable option (CLI_ARG_LIST), such as --chardev */
#define CLI_LIST_MAX 16
struct cli_list {
	const char *values[CLI_LIST_MAX];
	unsigned int n;
};

struct cli_option {
	const char *name; /* long name, without "--" */
	char short_name;  /* 0 if none */
	enum cli_arg arg;
	const char *metavar; /* argument name in --help */
	const char *help;    /* one line */
	void *dest;
	unsigned int min, max;	    /* CLI_ARG_UINT bounds */
	const char *const *choices; /* CLI_ARG_CHOICE, NULL-terminated */
	bool power_of_two;	    /* CLI_ARG_UINT: must be a power of two */
};

/*
 * cli_parse() - parse @argv against @opts (terminated by an entry with a NULL
 * name). Errors name the option and the value, e.g.
 * "--num-queues: '0' is not a number in 1..64". An option given twice
 * (except a CLI_ARG_LIST one, up to CLI_LIST_MAX times) and any positional
 * argument are errors too.
 */
bool cli_parse(int argc, char **argv, const struct cli_option *opts,
	       struct error **errp);
/* cli_has_flag() - whether --@name (or -@short_name) appears anywhere in @argv
 */
bool cli_has_flag(int argc, char **argv, const char *name, char short_name);
/* cli_print_help() - usage line, @summary and one line per option */
void cli_print_help(FILE *out, const char *prog, const char *summary,
		    const struct cli_option *opts);

#endif /* QD_CLI_OPTIONS_H */
