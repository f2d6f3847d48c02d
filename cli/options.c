/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Declarative command-line options: parsing and checking with getopt_long.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"

#define CLI_MAX_OPTIONS 64

/* Long-only options get getopt values above any char */
#define CLI_LONG_BASE 256

static unsigned int cli_count(const struct cli_option *opts)
{
	unsigned int n = 0;

	while (opts[n].name)
		n++;
	return n;
}

/**
 * cli_parse_uint() - Parse a decimal unsigned number within bounds
 * @opt:	option description
 * @arg:	text given on the command line
 * @val:	result
 * @errp:	error naming the option and the value
 *
 * Return: true on success
 */
static bool cli_parse_uint(const struct cli_option *opt, const char *arg,
			   unsigned long *val, struct error **errp)
{
	char *end;

	errno = 0;
	*val = strtoul(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] == '-' || *val < opt->min ||
	    *val > opt->max) {
		error_setg(errp, "--%s: '%s' is not a number in %u..%u",
			   opt->name, arg, opt->min, opt->max);
		return false;
	}
	if (opt->power_of_two && (*val & (*val - 1))) {
		error_setg(errp, "--%s: %lu is not a power of two", opt->name,
			   *val);
		return false;
	}
	return true;
}

/**
 * cli_bad_choice() - Report a value that is not among the choices, listing them
 * @opt:	option description
 * @arg:	text given on the command line
 * @errp:	error to set
 */
static void cli_bad_choice(const struct cli_option *opt, const char *arg,
			   struct error **errp)
{
	char list[256] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; opt->choices[i] && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
				i ? ", " : "", opt->choices[i]);
	error_setg(errp, "--%s: '%s' is not one of: %s", opt->name, arg, list);
}

/**
 * cli_store() - Check and store the value of one option
 * @opt:	option description
 * @arg:	its argument, NULL for flags
 * @errp:	error naming the option
 *
 * Return: true on success
 */
static bool cli_store(const struct cli_option *opt, const char *arg,
		      struct error **errp)
{
	unsigned long val;
	unsigned int i;

	switch (opt->arg) {
	case CLI_ARG_NONE:
		*(bool *)opt->dest = true;
		return true;
	case CLI_ARG_STRING:
		if (!*arg) {
			error_setg(errp, "--%s: empty value", opt->name);
			return false;
		}
		*(const char **)opt->dest = arg;
		return true;
	case CLI_ARG_UINT:
		if (!cli_parse_uint(opt, arg, &val, errp))
			return false;
		*(unsigned int *)opt->dest = val;
		return true;
	case CLI_ARG_FD: {
		struct cli_option fd_opt = *opt;

		fd_opt.min = 0;
		fd_opt.max = INT_MAX;
		if (!cli_parse_uint(&fd_opt, arg, &val, errp))
			return false;
		*(int *)opt->dest = val;
		return true;
	}
	case CLI_ARG_LIST: {
		struct cli_list *list = opt->dest;

		if (!*arg) {
			error_setg(errp, "--%s: empty value", opt->name);
			return false;
		}
		if (list->n >= CLI_LIST_MAX) {
			error_setg(errp, "--%s given more than %d times",
				   opt->name, CLI_LIST_MAX);
			return false;
		}
		list->values[list->n++] = arg;
		return true;
	}
	case CLI_ARG_CHOICE:
		for (i = 0; opt->choices[i]; i++) {
			if (!strcmp(opt->choices[i], arg)) {
				*(int *)opt->dest = i;
				return true;
			}
		}
		cli_bad_choice(opt, arg, errp);
		return false;
	}
	error_setg(errp, "--%s: internal error: bad option kind", opt->name);
	return false;
}

/**
 * cli_unknown() - Describe an option getopt did not recognise
 * @argv:	arguments
 * @bad:	index of the offending argument
 * @code:	what getopt_long returned ('?' or ':')
 * @errp:	error to set
 */
static void cli_unknown(char **argv, int bad, int code, struct error **errp)
{
	const char *word = argv[bad] ? argv[bad] : "";

	if (code == ':')
		error_setg(errp, "%s: missing argument", word);
	else if (optopt && strncmp(word, "--", 2))
		error_setg(errp, "unknown option '-%c'", optopt);
	else
		error_setg(errp, "unknown option '%s'", word);
}

/**
 * cli_parse() - Parse the command line against an option table
 * @argc:	argument count
 * @argv:	arguments
 * @opts:	table, ended by an entry with a NULL name
 * @errp:	error naming the option at fault
 *
 * Return: true if every argument was a known option with a valid value
 */
bool cli_parse(int argc, char **argv, const struct cli_option *opts,
	       struct error **errp)
{
	struct option longopts[CLI_MAX_OPTIONS + 1] = { 0 };
	char shortopts[2 * CLI_MAX_OPTIONS + 2] = ":";
	bool seen[CLI_MAX_OPTIONS] = { false };
	unsigned int n = cli_count(opts), i;
	size_t s = 1;
	int c;

	if (n > CLI_MAX_OPTIONS) {
		error_setg(errp, "internal error: too many options");
		return false;
	}
	for (i = 0; i < n; i++) {
		bool has_arg = opts[i].arg != CLI_ARG_NONE;

		longopts[i].name = opts[i].name;
		longopts[i].has_arg = has_arg ? required_argument : no_argument;
		longopts[i].val = CLI_LONG_BASE + i;
		if (opts[i].short_name) {
			shortopts[s++] = opts[i].short_name;
			if (has_arg)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';

	opterr = 0;
	optind = 1;
	for (;;) {
		int before = optind;

		optopt = 0;
		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			cli_unknown(argv, before < argc ? before : argc - 1, c,
				    errp);
			return false;
		}
		if (c >= CLI_LONG_BASE) {
			i = c - CLI_LONG_BASE;
		} else {
			for (i = 0; i < n && opts[i].short_name != c; i++)
				;
		}
		if (i >= n) {
			error_setg(errp, "internal error: option %d", c);
			return false;
		}
		if (seen[i] && opts[i].arg != CLI_ARG_LIST) {
			error_setg(errp, "--%s given more than once",
				   opts[i].name);
			return false;
		}
		seen[i] = true;
		if (!cli_store(&opts[i], optarg, errp))
			return false;
	}
	if (optind < argc) {
		error_setg(errp, "unexpected argument '%s'", argv[optind]);
		return false;
	}
	return true;
}

/**
 * cli_has_flag() - Look for a flag before (or without) parsing
 * @argc:	argument count
 * @argv:	arguments
 * @name:	long name without "--"
 * @short_name:	short form, 0 if none
 *
 * Return: true if the flag appears as its own argument
 */
bool cli_has_flag(int argc, char **argv, const char *name, char short_name)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], "--", 2) && !strcmp(argv[i] + 2, name))
			return true;
		if (short_name && argv[i][0] == '-' &&
		    argv[i][1] == short_name && !argv[i][2])
			return true;
	}
	return false;
}

/**
 * cli_print_help() - Print usage generated from the option table
 * @out:	stream
 * @prog:	program name
 * @summary:	one paragraph about the program
 * @opts:	option table
 */
void cli_print_help(FILE *out, const char *prog, const char *summary,
		    const struct cli_option *opts)
{
	unsigned int i;

	fprintf(out, "Usage: %s [OPTION]...\n%s\n\nOptions:\n", prog, summary);
	for (i = 0; opts[i].name; i++) {
		char left[64];

		if (opts[i].arg == CLI_ARG_NONE)
			snprintf(left, sizeof(left), "--%s", opts[i].name);
		else
			snprintf(left, sizeof(left), "--%s=%s", opts[i].name,
				 opts[i].metavar ? opts[i].metavar : "VALUE");
		if (opts[i].short_name)
			fprintf(out, "  -%c, %-28s %s\n", opts[i].short_name,
				left, opts[i].help);
		else
			fprintf(out, "      %-28s %s\n", left, opts[i].help);
	}
}
