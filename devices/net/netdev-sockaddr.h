/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket addresses of the stream and dgram netdevs, as QEMU spells them.
 *
 * An address is a group of options under one prefix (addr., local.,
 * remote.): PREFIX.type=inet with PREFIX.host and PREFIX.port, PREFIX.type=unix
 * with PREFIX.path, or PREFIX.type=fd with PREFIX.str, the number of a socket
 * the program inherited. Also here: the socket chores both netdevs share.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_NET_NETDEV_SOCKADDR_H
#define QD_DEVICES_NET_NETDEV_SOCKADDR_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "devices/net/netdev-int.h"
#include "util/error.h"
#include "util/unix-socket.h"

enum netdev_sockaddr_type {
	NETDEV_SOCKADDR_INET,
	NETDEV_SOCKADDR_UNIX,
	NETDEV_SOCKADDR_FD,
};

struct netdev_sockaddr {
	enum netdev_sockaddr_type type;
	struct sockaddr_storage ss; /* inet, unix */
	socklen_t len;
	int fd;		/* fd: the inherited socket */
	char text[128]; /* for messages: "127.0.0.1:5000", "/x.sock", "fd 3" */
};

/*
 * netdev_sockaddr_get() - the address given by the @prefix options.
 * @passive: the address is bound (listen, local), so an empty host means
 * any address. *@present is false if no @prefix option was given at all.
 */
bool netdev_sockaddr_get(struct netdev_args *args, const char *prefix,
			 bool passive, struct netdev_sockaddr *sa,
			 bool *present, struct error **errp);
/* netdev_sockaddr_is_multicast() - an inet multicast address */
bool netdev_sockaddr_is_multicast(const struct netdev_sockaddr *sa);
/*
 * netdev_socket_new() - a non-blocking, close-on-exec socket of @type for
 * the family of @sa (inet or unix)
 */
int netdev_socket_new(const struct netdev_sockaddr *sa, int type,
		      struct error **errp);
/*
 * netdev_socket_bind() - bind @fd to @sa; a unix path left by an earlier run
 * with nobody bound to it is replaced, a live one refused
 * (unix_socket_clear_stale()). @file records a unix path bound, so that
 * unix_socket_file_remove() removes it at the end only if it is still ours.
 */
bool netdev_socket_bind(int fd, const struct netdev_sockaddr *sa,
			struct unix_socket_file *file, struct error **errp);
/*
 * netdev_fd_adopt() - check that @sa's inherited fd is a socket of @type,
 * make it non-blocking and close-on-exec
 */
bool netdev_fd_adopt(const struct netdev_sockaddr *sa, int type,
		     struct error **errp);
/* netdev_set_nonblock() - O_NONBLOCK and FD_CLOEXEC on @fd */
bool netdev_set_nonblock(int fd, struct error **errp);
/* netdev_sockaddr_format() - "host:port" or the path of a raw address */
void netdev_sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf,
			    size_t size);

#endif /* QD_DEVICES_NET_NETDEV_SOCKADDR_H */
