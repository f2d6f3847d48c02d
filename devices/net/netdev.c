/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Creation of netdevs by type name, among the types compiled in.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/netdev-int.h"

/* The types this program was built with (Kconfig NETDEV_*), in help order */
static const struct netdev_type *const netdev_type_table[] = {
#ifdef CONFIG_NETDEV_TAP
	&netdev_type_tap,
#endif
#ifdef CONFIG_NETDEV_USER
	&netdev_type_user,
#endif
#ifdef CONFIG_NETDEV_STREAM
	&netdev_type_stream,
#endif
#ifdef CONFIG_NETDEV_DGRAM
	&netdev_type_dgram,
#endif
#ifdef CONFIG_NETDEV_NULL
	&netdev_type_null,
#endif
#ifdef CONFIG_NETDEV_LOOPBACK
	&netdev_type_loopback,
#endif
	NULL
};

#define NETDEV_NTYPES                                                          \
	(sizeof(netdev_type_table) / sizeof(netdev_type_table[0]) - 1)

static const char *netdev_type_names[NETDEV_NTYPES + 1];

/**
 * netdev_types_fill() - Collect the names of the types compiled in, once
 */
static void netdev_types_fill(void)
{
	for (size_t i = 0; i < NETDEV_NTYPES; i++)
		netdev_type_names[i] = netdev_type_table[i]->name;
}

/**
 * netdev_types() - Names of the types compiled in
 *
 * Return: a NULL-terminated static array
 */
const char *const *netdev_types(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, netdev_types_fill);
	return netdev_type_names;
}

/**
 * netdev_find_type() - Look up a type compiled in
 * @name:	type name
 *
 * Return: the type, or NULL
 */
static const struct netdev_type *netdev_find_type(const char *name)
{
	for (size_t i = 0; i < NETDEV_NTYPES; i++)
		if (!strcmp(netdev_type_table[i]->name, name))
			return netdev_type_table[i];
	return NULL;
}

/**
 * netdev_unknown_type() - Report a type this program does not have
 * @args:	arguments, with the type
 * @errp:	error, lists the types available
 */
static void netdev_unknown_type(const struct netdev_args *args,
				struct error **errp)
{
	char list[256] = "";
	size_t len = 0;

	for (size_t i = 0; i < NETDEV_NTYPES && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "",
					netdev_type_table[i]->name);
	error_setg(errp, "netdev %s: unknown type '%s' (available: %s)",
		   args->id, args->type, NETDEV_NTYPES ? list : "none");
}

/**
 * netdev_prepend_id() - Put "netdev ID: " in front of an error from create()
 * @errp:	error, may be unset
 * @id:		netdev id
 *
 * A type may already have named the netdev itself: no second prefix then.
 */
static void netdev_prepend_id(struct error **errp, const char *id)
{
	char prefix[128];

	if (!errp || !*errp)
		return;
	snprintf(prefix, sizeof(prefix), "netdev %s: ", id);
	if (strncmp(error_get_pretty(*errp), prefix, strlen(prefix)))
		error_prepend(errp, "%s", prefix);
}

/**
 * netdev_new() - Create a netdev from its specification
 * @spec:	QEMU -netdev syntax, "TYPE,id=ID,key=value,..."
 * @queue_pairs: queue pairs of the device, >= 1
 * @errp:	error, starts with "netdev ID: " once the id is known
 *
 * Return: the netdev, or NULL
 */
struct netdev *netdev_new(const char *spec, unsigned int queue_pairs,
			  struct error **errp)
{
	const struct netdev_type *type;
	struct netdev_args args;
	struct netdev *nd = NULL;

	if (!netdev_args_parse(spec, &args, errp))
		goto out;
	type = netdev_find_type(args.type);
	if (!type) {
		netdev_unknown_type(&args, errp);
		goto out;
	}
	if (!queue_pairs) {
		error_setg(errp, "netdev %s: no queue pairs", args.id);
		goto out;
	}
	nd = type->create(&args, queue_pairs, errp);
	/* create() should have refused leftovers itself; make sure */
	if (nd && !netdev_args_finish(&args, errp)) {
		netdev_free(nd);
		nd = NULL;
	}
	if (!nd)
		netdev_prepend_id(errp, args.id);
out:
	netdev_args_free(&args);
	return nd;
}

/**
 * netdev_free() - Close and free a netdev
 * @nd:		netdev, or NULL
 */
void netdev_free(struct netdev *nd)
{
	if (nd)
		nd->ops->free(nd);
}

/**
 * netdev_copy_opts() - Keep the options a netdev was created with
 * @nd:		netdev being created, opts empty
 * @args:	its parsed specification
 *
 * Every option but id=, in the order given (a repeated key stays repeated).
 *
 * Return: false if out of memory; netdev_fini() frees what was copied
 */
static bool netdev_copy_opts(struct netdev *nd, const struct netdev_args *args)
{
	if (!args->n)
		return true;
	nd->opts = calloc(args->n, sizeof(*nd->opts));
	if (!nd->opts)
		return false;
	for (unsigned int i = 0; i < args->n; i++) {
		struct netdev_opt *o = &nd->opts[nd->n_opts];

		if (!strcmp(args->v[i].key, "id"))
			continue;
		o->key = strdup(args->v[i].key);
		o->value = strdup(args->v[i].value);
		nd->n_opts++;
		if (!o->key || !o->value)
			return false;
	}
	return true;
}

/**
 * netdev_init() - Fill the common part of a netdev
 * @nd:		netdev being created
 * @ops:	its operations
 * @args:	its arguments (for the id)
 * @queues:	queue pairs it serves, >= 1
 * @errp:	error
 *
 * Return: true on success; netdev_fini() undoes it
 */
bool netdev_init(struct netdev *nd, const struct netdev_ops *ops,
		 const struct netdev_args *args, unsigned int queues,
		 struct error **errp)
{
	memset(nd, 0, sizeof(*nd));
	nd->ops = ops;
	nd->queues = queues ? queues : 1;
	nd->id = strdup(args->id ? args->id : "");
	if (!nd->id || !netdev_copy_opts(nd, args)) {
		netdev_fini(nd);
		error_setg(errp, "out of memory");
		return false;
	}
	return true;
}

/**
 * netdev_fini() - Free what netdev_init() allocated
 * @nd:		netdev
 */
void netdev_fini(struct netdev *nd)
{
	for (unsigned int i = 0; i < nd->n_opts; i++) {
		free(nd->opts[i].key);
		free(nd->opts[i].value);
	}
	free(nd->opts);
	nd->opts = NULL;
	nd->n_opts = 0;
	free(nd->id);
	nd->id = NULL;
}

/**
 * netdev_id() - The id= of a netdev
 * @nd:		netdev
 *
 * Return: its id
 */
const char *netdev_id(const struct netdev *nd)
{
	return nd->id;
}

/**
 * netdev_type_name() - The type of a netdev
 * @nd:		netdev
 *
 * Return: "tap", "user", "stream", "dgram", "null" or "loopback"
 */
const char *netdev_type_name(const struct netdev *nd)
{
	return nd->ops->type;
}

/**
 * netdev_n_options() - Number of options besides the type and id=
 * @nd:		netdev
 *
 * Return: the count
 */
unsigned int netdev_n_options(const struct netdev *nd)
{
	return nd->n_opts;
}

/**
 * netdev_option() - One option of a netdev's specification
 * @nd:		netdev
 * @i:		index, in the order given
 * @key:	set to its key
 * @value:	set to its value
 *
 * Return: false if @i is not below netdev_n_options()
 */
bool netdev_option(const struct netdev *nd, unsigned int i, const char **key,
		   const char **value)
{
	if (i >= nd->n_opts)
		return false;
	*key = nd->opts[i].key;
	*value = nd->opts[i].value;
	return true;
}
