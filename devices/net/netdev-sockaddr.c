/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket addresses of the stream and dgram netdevs, and their socket chores.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/net/netdev-sockaddr.h"

/* The options of one address, by their full names */
struct netdev_sa_keys {
	char type[64], host[64], port[64], path[64], str[64];
};

/**
 * netdev_sa_keys_init() - Build the option names under @prefix
 * @k:		names to fill
 * @prefix:	"addr", "local" or "remote"
 */
static void netdev_sa_keys_init(struct netdev_sa_keys *k, const char *prefix)
{
	snprintf(k->type, sizeof(k->type), "%s.type", prefix);
	snprintf(k->host, sizeof(k->host), "%s.host", prefix);
	snprintf(k->port, sizeof(k->port), "%s.port", prefix);
	snprintf(k->path, sizeof(k->path), "%s.path", prefix);
	snprintf(k->str, sizeof(k->str), "%s.str", prefix);
}

/**
 * netdev_sockaddr_format() - Text of a raw socket address, for messages
 * @sa:		address
 * @len:	its length
 * @buf:	output
 * @size:	size of @buf
 */
void netdev_sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf,
			    size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else if (sa->sa_family == AF_UNIX &&
		   len > offsetof(struct sockaddr_un, sun_path)) {
		const struct sockaddr_un *un = (const void *)sa;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		snprintf(buf, size, "%.*s", (int)n, un->sun_path);
	} else if (sa->sa_family == AF_UNIX) {
		snprintf(buf, size, "(unnamed)");
	} else {
		snprintf(buf, size, "(address family %u)", sa->sa_family);
	}
}

/**
 * netdev_sa_refuse() - Refuse options that do not apply to a type
 * @args:	arguments
 * @k:		option names
 * @type:	the address type given
 * @host_port:	whether host and port apply
 * @path:	whether path applies
 * @str:	whether str applies
 * @errp:	error, names the first stray option
 *
 * Return: true if none was given
 */
static bool netdev_sa_refuse(struct netdev_args *args,
			     const struct netdev_sa_keys *k, const char *type,
			     bool host_port, bool path, bool str,
			     struct error **errp)
{
	const char *stray = NULL;

	if (!host_port && netdev_arg_get(args, k->host))
		stray = k->host;
	else if (!host_port && netdev_arg_get(args, k->port))
		stray = k->port;
	else if (!path && netdev_arg_get(args, k->path))
		stray = k->path;
	else if (!str && netdev_arg_get(args, k->str))
		stray = k->str;
	if (stray) {
		error_setg(errp, "%s does not apply to %s=%s", stray, k->type,
			   type);
		return false;
	}
	return true;
}

/**
 * netdev_sa_inet() - Resolve PREFIX.host and PREFIX.port
 * @args:	arguments
 * @k:		option names
 * @passive:	the address is bound: an empty host means 0.0.0.0
 * @sa:		filled
 * @errp:	error, names the option
 *
 * Return: true on success
 */
static bool netdev_sa_inet(struct netdev_args *args,
			   const struct netdev_sa_keys *k, bool passive,
			   struct netdev_sockaddr *sa, struct error **errp)
{
	const char *host = netdev_arg_get(args, k->host);
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	char name[256];
	uint64_t port;
	size_t len;
	int rc;

	if (!netdev_arg_uint(args, k->port, 1, 65535, 0, &port, errp))
		return false;
	if (!port) {
		error_setg(errp, "%s is missing (1 to 65535)", k->port);
		return false;
	}
	if (!host) {
		error_setg(errp, "%s is missing", k->host);
		return false;
	}
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof(name)) {
		error_setg(errp, "%s: host name too long", k->host);
		return false;
	}
	memcpy(name, host, len);
	name[len] = '\0';
	if (!*name && !passive) {
		error_setg(errp, "%s is empty", k->host);
		return false;
	}
	if (!*name)
		snprintf(name, sizeof(name), "0.0.0.0");
	/* Literals first: no resolver involved for the usual case */
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc == EAI_NONAME) {
		hints.ai_flags = 0;
		rc = getaddrinfo(name, NULL, &hints, &res);
	}
	if (rc) {
		error_setg(errp, "%s=%s: cannot resolve: %s", k->host, host,
			   rc == EAI_SYSTEM ? strerror(errno)
					    : gai_strerror(rc));
		return false;
	}
	if (res->ai_addrlen > sizeof(sa->ss) ||
	    (res->ai_family != AF_INET && res->ai_family != AF_INET6)) {
		freeaddrinfo(res);
		error_setg(errp, "%s=%s: not an IPv4 or IPv6 address", k->host,
			   host);
		return false;
	}
	memcpy(&sa->ss, res->ai_addr, res->ai_addrlen);
	sa->len = res->ai_addrlen;
	freeaddrinfo(res);
	if (sa->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&sa->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&sa->ss)->sin6_port = htons(port);
	netdev_sockaddr_format((struct sockaddr *)&sa->ss, sa->len, sa->text,
			       sizeof(sa->text));
	return true;
}

/**
 * netdev_sa_unix() - Take PREFIX.path
 * @args:	arguments
 * @k:		option names
 * @sa:		filled
 * @errp:	error, names the option
 *
 * Return: true on success
 */
static bool netdev_sa_unix(struct netdev_args *args,
			   const struct netdev_sa_keys *k,
			   struct netdev_sockaddr *sa, struct error **errp)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&sa->ss;
	const char *path = netdev_arg_get(args, k->path);

	if (!path || !*path) {
		error_setg(errp, "%s is missing", k->path);
		return false;
	}
	if (strlen(path) >= sizeof(un->sun_path)) {
		error_setg(errp, "%s=%s: longer than %zu bytes", k->path, path,
			   sizeof(un->sun_path) - 1);
		return false;
	}
	un->sun_family = AF_UNIX;
	strcpy(un->sun_path, path);
	sa->len = sizeof(*un);
	snprintf(sa->text, sizeof(sa->text), "%s", path);
	return true;
}

/**
 * netdev_sa_fd() - Take PREFIX.str, an inherited file descriptor number
 * @args:	arguments
 * @k:		option names
 * @sa:		filled
 * @errp:	error, names the option
 *
 * Return: true if it names an open file descriptor
 */
static bool netdev_sa_fd(struct netdev_args *args,
			 const struct netdev_sa_keys *k,
			 struct netdev_sockaddr *sa, struct error **errp)
{
	const char *str = netdev_arg_get(args, k->str);
	uint64_t fd;

	if (!str) {
		error_setg(errp, "%s is missing (a file descriptor number)",
			   k->str);
		return false;
	}
	if (!netdev_arg_uint(args, k->str, 0, INT_MAX, 0, &fd, errp))
		return false;
	if (fcntl((int)fd, F_GETFD) < 0) {
		error_setg_errno(errp, errno, "%s=%s", k->str, str);
		return false;
	}
	sa->fd = (int)fd;
	snprintf(sa->text, sizeof(sa->text), "fd %d", sa->fd);
	return true;
}

/**
 * netdev_sockaddr_get() - Parse the address under @prefix
 * @args:	arguments
 * @prefix:	"addr", "local" or "remote"
 * @passive:	the address is bound (an empty host means any)
 * @sa:		filled
 * @present:	whether any @prefix option was given
 * @errp:	error, names the option
 *
 * Return: true if absent or well-formed
 */
bool netdev_sockaddr_get(struct netdev_args *args, const char *prefix,
			 bool passive, struct netdev_sockaddr *sa,
			 bool *present, struct error **errp)
{
	struct netdev_sa_keys k;
	const char *type;

	memset(sa, 0, sizeof(*sa));
	sa->fd = -1;
	netdev_sa_keys_init(&k, prefix);
	type = netdev_arg_get(args, k.type);
	*present = type != NULL;
	if (!type) {
		const char *given = netdev_arg_get(args, k.host)   ? k.host
				    : netdev_arg_get(args, k.port) ? k.port
				    : netdev_arg_get(args, k.path) ? k.path
				    : netdev_arg_get(args, k.str)  ? k.str
								   : NULL;

		if (given) {
			error_setg(errp, "%s needs %s (inet, unix or fd)",
				   given, k.type);
			return false;
		}
		return true;
	}
	if (!strcmp(type, "inet")) {
		sa->type = NETDEV_SOCKADDR_INET;
		return netdev_sa_refuse(args, &k, type, true, false, false,
					errp) &&
		       netdev_sa_inet(args, &k, passive, sa, errp);
	}
	if (!strcmp(type, "unix")) {
		sa->type = NETDEV_SOCKADDR_UNIX;
		return netdev_sa_refuse(args, &k, type, false, true, false,
					errp) &&
		       netdev_sa_unix(args, &k, sa, errp);
	}
	if (!strcmp(type, "fd")) {
		sa->type = NETDEV_SOCKADDR_FD;
		return netdev_sa_refuse(args, &k, type, false, false, true,
					errp) &&
		       netdev_sa_fd(args, &k, sa, errp);
	}
	error_setg(errp, "%s=%s: expected inet, unix or fd", k.type, type);
	return false;
}

/**
 * netdev_sockaddr_is_multicast() - Whether @sa is an IP multicast group
 * @sa:		address
 *
 * Return: true for 224.0.0.0/4 and ff00::/8
 */
bool netdev_sockaddr_is_multicast(const struct netdev_sockaddr *sa)
{
	if (sa->type != NETDEV_SOCKADDR_INET)
		return false;
	if (sa->ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&sa->ss;

		return IN_MULTICAST(ntohl(in->sin_addr.s_addr));
	}
	return IN6_IS_ADDR_MULTICAST(
		&((const struct sockaddr_in6 *)&sa->ss)->sin6_addr);
}

/**
 * netdev_socket_new() - A non-blocking socket for the family of @sa
 * @sa:		inet or unix address
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @errp:	error
 *
 * Return: the socket, or -1
 */
int netdev_socket_new(const struct netdev_sockaddr *sa, int type,
		      struct error **errp)
{
	int fd = socket(sa->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);

	if (fd < 0)
		error_setg_errno(errp, errno, "cannot create a socket for %s",
				 sa->text);
	return fd;
}

/**
 * netdev_socket_bind() - Bind a socket to @sa
 * @fd:		socket
 * @sa:		inet or unix address
 * @file:	records the unix path bound (left empty for inet)
 * @errp:	error
 *
 * Return: true on success
 */
bool netdev_socket_bind(int fd, const struct netdev_sockaddr *sa,
			struct unix_socket_file *file, struct error **errp)
{
	const struct sockaddr_un *un = (const void *)&sa->ss;
	socklen_t len = sizeof(int);
	int one = 1, type;

	if (sa->ss.ss_family == AF_UNIX) {
		/* Probe the path with a socket of our own type */
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len)) {
			error_setg_errno(errp, errno,
					 "cannot get the type of "
					 "the socket for %s",
					 sa->text);
			return false;
		}
		if (!unix_socket_clear_stale(un->sun_path, type, errp))
			return false;
	} else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			      sizeof(one))) {
		error_setg_errno(errp, errno, "cannot set SO_REUSEADDR");
		return false;
	}
	if (bind(fd, (const struct sockaddr *)&sa->ss, sa->len)) {
		error_setg_errno(errp, errno, "cannot bind to %s", sa->text);
		return false;
	}
	if (sa->ss.ss_family == AF_UNIX &&
	    !unix_socket_file_record(file, un->sun_path, errp))
		return false;
	return true;
}

/**
 * netdev_set_nonblock() - Make @fd non-blocking and close-on-exec
 * @fd:		file descriptor
 * @errp:	error
 *
 * Return: true on success
 */
bool netdev_set_nonblock(int fd, struct error **errp)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC)) {
		error_setg_errno(errp, errno, "fd %d: cannot set O_NONBLOCK",
				 fd);
		return false;
	}
	return true;
}

/**
 * netdev_fd_adopt() - Check and prepare an inherited socket
 * @sa:		address of type fd
 * @type:	SOCK_STREAM or SOCK_DGRAM expected
 * @errp:	error, names the fd
 *
 * Return: true if it is a socket of @type, now non-blocking
 */
bool netdev_fd_adopt(const struct netdev_sockaddr *sa, int type,
		     struct error **errp)
{
	socklen_t len = sizeof(int);
	struct stat st;
	int so_type;

	if (fstat(sa->fd, &st)) {
		error_setg_errno(errp, errno, "%s", sa->text);
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		error_setg(errp, "%s is not a socket", sa->text);
		return false;
	}
	if (getsockopt(sa->fd, SOL_SOCKET, SO_TYPE, &so_type, &len)) {
		error_setg_errno(errp, errno, "%s: cannot get its type",
				 sa->text);
		return false;
	}
	if (so_type != type) {
		error_setg(errp, "%s is not a %s socket", sa->text,
			   type == SOCK_STREAM ? "stream" : "datagram");
		return false;
	}
	return netdev_set_nonblock(sa->fd, errp);
}
