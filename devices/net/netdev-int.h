/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What netdev implementations share: option parsing and the type table.
 *
 * netdev_new() splits the QEMU-style specification into a type and key=value
 * pairs, finds the type among those compiled in (Kconfig NETDEV_*), and calls
 * its create(). Each create() takes the options it knows with the getters
 * below and ends with netdev_args_finish(), which refuses any key nobody
 * took: a typo is an error, never silently ignored.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_NET_NETDEV_INT_H
#define QD_DEVICES_NET_NETDEV_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/net/netdev.h"
#include "util/error.h"

struct netdev_arg {
	char *key;
	char *value;
	bool used;
};

struct netdev_args {
	char *type;
	char *id; /* required: "id=" */
	struct netdev_arg *v;
	unsigned int n;
};

/* netdev_args_parse() - split @spec; false (with the offending part) if bad */
bool netdev_args_parse(const char *spec, struct netdev_args *args,
		       struct error **errp);
void netdev_args_free(struct netdev_args *args);
/* netdev_arg_get() - the value of @key (last one given) or NULL; marks used */
const char *netdev_arg_get(struct netdev_args *args, const char *key);
/*
 * netdev_arg_next() - iterate over every value of a repeatable @key
 * (hostfwd=): *@pos starts at 0. Return: the next value or NULL.
 */
const char *netdev_arg_next(struct netdev_args *args, const char *key,
			    unsigned int *pos);
/* netdev_arg_bool() - on|off|yes|no|true|false; @def if absent */
bool netdev_arg_bool(struct netdev_args *args, const char *key, bool def,
		     bool *out, struct error **errp);
/* netdev_arg_uint() - decimal in [@min, @max]; @def if absent */
bool netdev_arg_uint(struct netdev_args *args, const char *key, uint64_t min,
		     uint64_t max, uint64_t def, uint64_t *out,
		     struct error **errp);
/* netdev_args_finish() - refuse keys no getter took */
bool netdev_args_finish(struct netdev_args *args, struct error **errp);

/*
 * netdev_init() - fill the common part (ops, copies of args->id and of the
 * other options, queues); vnet_hdr/offloads/hdr_len start off.
 */
bool netdev_init(struct netdev *nd, const struct netdev_ops *ops,
		 const struct netdev_args *args, unsigned int queues,
		 struct error **errp);
/* netdev_fini() - free what netdev_init() allocated */
void netdev_fini(struct netdev *nd);

struct netdev_type {
	const char *name;
	/*
	 * Create from @args (type and id already taken) for a device with
	 * @queue_pairs pairs; nd->queues may be fewer (1 for a single socket).
	 */
	struct netdev *(*create)(struct netdev_args *args,
				 unsigned int queue_pairs, struct error **errp);
};

extern const struct netdev_type netdev_type_tap;
extern const struct netdev_type netdev_type_user;
extern const struct netdev_type netdev_type_stream;
extern const struct netdev_type netdev_type_dgram;
extern const struct netdev_type netdev_type_null;
extern const struct netdev_type netdev_type_loopback;

#endif /* QD_DEVICES_NET_NETDEV_INT_H */
