/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing of netdev specifications in QEMU's -netdev syntax.
 *
 * "TYPE,id=ID,key=value,..." where ",," stands for a literal comma. The type
 * may also be given as "type=TYPE" in first place. Every other element must
 * be key=value (the value may be empty); a key given twice keeps the last
 * value, except for the repeatable keys a type reads with netdev_arg_next().
 * Messages name the offending element; netdev_new() puts the netdev's id in
 * front of them.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/netdev-int.h"

/**
 * netdev_name_ok() - Whether @s is a well-formed type or option name
 * @s:		name
 *
 * Return: true for a non-empty run of letters, digits, '-', '_' and '.'
 */
static bool netdev_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

/**
 * netdev_id_ok() - Whether @id is a well-formed netdev id (as QEMU's)
 * @id:		id
 *
 * Return: true for a letter followed by letters, digits, '-', '_' and '.'
 */
static bool netdev_id_ok(const char *id)
{
	return isalpha((unsigned char)*id) && netdev_name_ok(id);
}

/**
 * netdev_next_elem() - Copy the next comma-separated element of a spec
 * @p:		position in the spec, advanced past the element and its comma
 * @end_seen:	set when the element ended the spec
 *
 * ",," inside an element stands for one comma.
 *
 * Return: the element (malloc'ed), or NULL if out of memory
 */
static char *netdev_next_elem(const char **p, bool *end_seen)
{
	const char *s = *p;
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	for (;;) {
		if (*s == ',' && s[1] == ',') {
			out[n++] = ',';
			s += 2;
		} else if (*s == ',' || !*s) {
			break;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
	*end_seen = !*s;
	*p = *s ? s + 1 : s;
	return out;
}

/**
 * netdev_args_add() - Append a key=value element
 * @args:	arguments
 * @elem:	the element, taken over (split in place)
 * @errp:	error, names the element
 *
 * Return: true on success; @elem is freed on failure
 */
static bool netdev_args_add(struct netdev_args *args, char *elem,
			    struct error **errp)
{
	char *eq = strchr(elem, '=');
	struct netdev_arg *v;

	if (!eq) {
		error_setg(errp,
			   "option '%s' has no value (expected key=value)",
			   elem);
		free(elem);
		return false;
	}
	*eq = '\0';
	if (!netdev_name_ok(elem)) {
		error_setg(errp,
			   "invalid option name '%s' (letters, digits, '-', "
			   "'_' and '.')",
			   elem);
		free(elem);
		return false;
	}
	v = realloc(args->v, (args->n + 1) * sizeof(*v));
	if (!v) {
		error_setg(errp, "out of memory");
		free(elem);
		return false;
	}
	args->v = v;
	v[args->n++] = (struct netdev_arg){ .key = elem, .value = eq + 1 };
	return true;
}

/**
 * netdev_args_take_id() - Move the last "id" option into args->id
 * @args:	arguments, all elements added
 * @errp:	error
 *
 * Return: true if a well-formed id was given
 */
static bool netdev_args_take_id(struct netdev_args *args, struct error **errp)
{
	const char *id = netdev_arg_get(args, "id");

	if (!id) {
		error_setg(errp, "netdev %s: missing id= (e.g. '%s,id=n0')",
			   args->type, args->type);
		return false;
	}
	if (!netdev_id_ok(id)) {
		error_setg(errp,
			   "netdev %s: invalid id '%s' (a letter, then "
			   "letters, digits, '-', '_' or '.')",
			   args->type, id);
		return false;
	}
	args->id = strdup(id);
	if (!args->id) {
		error_setg(errp, "out of memory");
		return false;
	}
	return true;
}

/**
 * netdev_args_parse() - Split a netdev specification
 * @spec:	"TYPE,id=ID,key=value,..."
 * @args:	filled; free with netdev_args_free() even on failure
 * @errp:	error, names the offending part
 *
 * Return: true if @spec has a type, a well-formed id and only key=value
 * elements
 */
bool netdev_args_parse(const char *spec, struct netdev_args *args,
		       struct error **errp)
{
	const char *p = spec;
	bool end = false;
	char *elem;

	memset(args, 0, sizeof(*args));
	if (!*spec) {
		error_setg(errp, "empty netdev specification (expected "
				 "'TYPE,id=ID,...')");
		return false;
	}
	elem = netdev_next_elem(&p, &end);
	if (!elem) {
		error_setg(errp, "out of memory");
		return false;
	}
	if (!strncmp(elem, "type=", 5))
		memmove(elem, elem + 5, strlen(elem + 5) + 1);
	if (!netdev_name_ok(elem)) {
		error_setg(errp,
			   "netdev specification must start with its type "
			   "(e.g. 'stream,id=n0,...'), not '%s'",
			   elem);
		free(elem);
		return false;
	}
	args->type = elem;
	while (!end) {
		elem = netdev_next_elem(&p, &end);
		if (!elem) {
			error_setg(errp, "out of memory");
			return false;
		}
		if (!*elem) {
			error_setg(errp, "netdev %s: empty option in '%s'",
				   args->type, spec);
			free(elem);
			return false;
		}
		if (!netdev_args_add(args, elem, errp)) {
			error_prepend(errp, "netdev %s: ", args->type);
			return false;
		}
	}
	return netdev_args_take_id(args, errp);
}

/**
 * netdev_args_free() - Free what netdev_args_parse() allocated
 * @args:	arguments
 */
void netdev_args_free(struct netdev_args *args)
{
	for (unsigned int i = 0; i < args->n; i++)
		free(args->v[i].key); /* the value lives in the same block */
	free(args->v);
	free(args->type);
	free(args->id);
	memset(args, 0, sizeof(*args));
}

/**
 * netdev_arg_get() - Value of an option
 * @args:	arguments
 * @key:	option name
 *
 * Every occurrence of @key counts as used.
 *
 * Return: the last value given for @key, or NULL if absent
 */
const char *netdev_arg_get(struct netdev_args *args, const char *key)
{
	const char *value = NULL;

	for (unsigned int i = 0; i < args->n; i++) {
		if (!strcmp(args->v[i].key, key)) {
			args->v[i].used = true;
			value = args->v[i].value;
		}
	}
	return value;
}

/**
 * netdev_arg_next() - Iterate over every value of a repeatable option
 * @args:	arguments
 * @key:	option name
 * @pos:	iterator, 0 for the first call
 *
 * Return: the next value of @key in the order given, or NULL at the end
 */
const char *netdev_arg_next(struct netdev_args *args, const char *key,
			    unsigned int *pos)
{
	for (; *pos < args->n; (*pos)++) {
		if (!strcmp(args->v[*pos].key, key)) {
			args->v[*pos].used = true;
			return args->v[(*pos)++].value;
		}
	}
	return NULL;
}

/**
 * netdev_arg_bool() - Boolean option
 * @args:	arguments
 * @key:	option name
 * @def:	value if absent
 * @out:	the value
 * @errp:	error, names the option
 *
 * Return: true unless the value is not on|off|yes|no|true|false
 */
bool netdev_arg_bool(struct netdev_args *args, const char *key, bool def,
		     bool *out, struct error **errp)
{
	const char *v = netdev_arg_get(args, key);

	if (!v) {
		*out = def;
	} else if (!strcmp(v, "on") || !strcmp(v, "yes") ||
		   !strcmp(v, "true")) {
		*out = true;
	} else if (!strcmp(v, "off") || !strcmp(v, "no") ||
		   !strcmp(v, "false")) {
		*out = false;
	} else {
		error_setg(errp, "%s=%s: expected on or off", key, v);
		return false;
	}
	return true;
}

/**
 * netdev_arg_uint() - Unsigned decimal option within bounds
 * @args:	arguments
 * @key:	option name
 * @min:	smallest value accepted
 * @max:	largest value accepted
 * @def:	value if absent (not checked against the bounds)
 * @out:	the value
 * @errp:	error, names the option and the bounds
 *
 * Only plain decimal digits are accepted: no sign, blanks or hex prefix.
 *
 * Return: true unless the value is malformed or out of bounds
 */
bool netdev_arg_uint(struct netdev_args *args, const char *key, uint64_t min,
		     uint64_t max, uint64_t def, uint64_t *out,
		     struct error **errp)
{
	const char *v = netdev_arg_get(args, key);
	unsigned long long n;
	char *end;

	if (!v) {
		*out = def;
		return true;
	}
	if (!isdigit((unsigned char)*v)) {
		error_setg(errp,
			   "%s=%s: expected a number from %" PRIu64
			   " to %" PRIu64,
			   key, v, min, max);
		return false;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end) {
		error_setg(errp,
			   "%s=%s: expected a number from %" PRIu64
			   " to %" PRIu64,
			   key, v, min, max);
		return false;
	}
	if (errno == ERANGE || n < min || n > max) {
		error_setg(errp, "%s=%s: must be from %" PRIu64 " to %" PRIu64,
			   key, v, min, max);
		return false;
	}
	*out = n;
	return true;
}

/**
 * netdev_args_finish() - Refuse options no getter took
 * @args:	arguments
 * @errp:	error, names the first unknown option and the type
 *
 * Return: true if every option was used
 */
bool netdev_args_finish(struct netdev_args *args, struct error **errp)
{
	for (unsigned int i = 0; i < args->n; i++) {
		if (!args->v[i].used) {
			error_setg(errp, "unknown option '%s' for type %s",
				   args->v[i].key, args->type);
			return false;
		}
	}
	return true;
}
