/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespaces and the empty root the serving process ends up in.
 *
 * As virtiofsd and passt do: new mount, IPC, UTS and PID namespaces (and a
 * user namespace where we are not privileged), later a new network
 * namespace, and the root moved onto an empty read-only tmpfs, the old one
 * detached. Without namespaces, chroot into an empty directory that no
 * longer exists.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox-config.h"
#include "sandbox/sandbox-int.h"
#include "util/unix-socket.h"

/* Where the empty tmpfs is mounted before it becomes the root */
#define SANDBOX_ROOT_DIR "/tmp"
/*
 * Options of that tmpfs: no data, a few inodes: the root, a directory per
 * socket file (vhost-user, monitors, a netdev), /proc in sanitizer builds
 */
#define SANDBOX_ROOT_OPTS  "nr_inodes=64,nr_blocks=0,mode=0555"
#define SANDBOX_ROOT_FLAGS (MS_NODEV | MS_NOEXEC | MS_NOSUID)
/* Where the directory of socket file N appears in it */
#define SANDBOX_SOCKET_DIR "socket-dir-%u"

/* Numbering the directories of socket files, twice in the same order */
struct sandbox_dirs {
	unsigned int n;
	struct error **errp;
};

/**
 * sandbox_write_file() - Write a short text to a /proc file
 * @path:	file
 * @text:	contents
 * @errp:	set on failure, naming the file
 *
 * Return: true on success
 */
static bool sandbox_write_file(const char *path, const char *text,
			       struct error **errp)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0) {
		error_setg_errno(errp, errno, "open %s", path);
		return false;
	}
	ok = write(fd, text, len) == (ssize_t)len;
	if (!ok)
		error_setg_errno(errp, errno, "write %s", path);
	close(fd);
	return ok;
}

/**
 * sandbox_map_ids() - Keep our user and group ids in a new user namespace
 * @uid:	effective user id outside
 * @gid:	effective group id outside
 * @errp:	set on failure
 *
 * Files we create (socket files) need an id that maps outside.
 *
 * Return: true on success
 */
static bool sandbox_map_ids(uid_t uid, gid_t gid, struct error **errp)
{
	char map[64];

	if (!sandbox_write_file("/proc/self/setgroups", "deny", errp))
		return false;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned int)uid,
		 (unsigned int)uid);
	if (!sandbox_write_file("/proc/self/uid_map", map, errp))
		return false;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned int)gid,
		 (unsigned int)gid);
	return sandbox_write_file("/proc/self/gid_map", map, errp);
}

/**
 * sandbox_ns_unshare() - New mount, IPC, UTS and PID namespaces
 * @unshare_err:	set to unshare()'s errno if it failed (nothing changed:
 *		the caller may go on without namespaces), else 0
 * @errp:	set for a failure after the namespaces exist
 *
 * Without CAP_SYS_ADMIN, a user namespace of our own gives it, where the
 * kernel allows unprivileged ones. Mounts are made private so that nothing
 * we mount propagates to the host. Only children enter the PID namespace:
 * the caller forks next.
 *
 * Return: false if the namespaces exist but cannot be used
 */
bool sandbox_ns_unshare(int *unshare_err, struct error **errp)
{
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID;
	bool userns = !sandbox_has_cap(CAP_SYS_ADMIN);
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (userns)
		flags |= CLONE_NEWUSER;
	*unshare_err = unshare(flags) < 0 ? errno : 0;
	if (*unshare_err)
		return true;
	if (userns && !sandbox_map_ids(uid, gid, errp)) {
		error_prepend(errp, "user namespace: ");
		return false;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		error_setg_errno(errp, errno, "cannot make the mounts private");
		return false;
	}
	return true;
}

/**
 * sandbox_threads() - How many threads this process has
 *
 * Return: the count from /proc/self/status, 0 if unknown
 */
unsigned int sandbox_threads(void)
{
	unsigned int n = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %u", &n) == 1)
			break;
	fclose(f);
	return n;
}

/**
 * sandbox_ns_net() - A new network namespace, empty but for a loopback
 * @errp:	set on failure
 *
 * unshare() moves the calling thread only, so there must be no other.
 * Sockets opened before keep their namespace: a tap, a bound or connected
 * socket, the listening UNIX sockets all still work.
 *
 * Return: true on success
 */
bool sandbox_ns_net(struct error **errp)
{
	unsigned int n = sandbox_threads();

	if (n != 1) {
		error_setg(errp, "network namespace: %u threads run already",
			   n);
		return false;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		error_setg_errno(errp, errno, "network namespace");
		return false;
	}
	return true;
}

/**
 * sandbox_bind_proc() - Keep /proc in the new root (sanitizer builds)
 * @errp:	set on failure
 *
 * LeakSanitizer reads /proc/self/maps and /proc/self/task at exit. Called
 * in the new root's directory, before it becomes the root.
 *
 * Return: true on success
 */
static bool sandbox_bind_proc(struct error **errp)
{
#ifdef QD_SANITIZERS
	if (mkdir("proc", 0555) < 0 ||
	    mount("/proc", "proc", NULL, MS_BIND | MS_REC, NULL) < 0) {
		error_setg_errno(errp, errno, "empty root: /proc");
		return false;
	}
#endif
	return true;
}

/**
 * sandbox_bind_socket_dir() - Bind the directory of a socket file into the
 * new root, before it becomes the root
 * @dirfd:	the directory's O_PATH fd, kept
 * @opaque:	struct sandbox_dirs
 *
 * Return: true on success
 */
static bool sandbox_bind_socket_dir(int *dirfd, void *opaque)
{
	struct sandbox_dirs *d = opaque;
	char dir[32], src[32];

	snprintf(dir, sizeof(dir), SANDBOX_SOCKET_DIR, d->n++);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", *dirfd);
	if (mkdir(dir, 0500) < 0 || mount(src, dir, NULL, MS_BIND, NULL) < 0) {
		error_setg_errno(d->errp, errno,
				 "empty root: the directory of a socket file");
		return false;
	}
	return true;
}

/**
 * sandbox_reopen_socket_dir() - Point a socket file's directory fd at its
 * place in the new root
 * @dirfd:	replaced by an fd of the same directory, as bound there
 * @opaque:	struct sandbox_dirs
 *
 * Through the old fd, ".." led to the whole of the host's file system;
 * through the new one it ends at our empty root.
 *
 * Return: true on success
 */
static bool sandbox_reopen_socket_dir(int *dirfd, void *opaque)
{
	struct sandbox_dirs *d = opaque;
	char dir[32];
	int fd;

	snprintf(dir, sizeof(dir), "/" SANDBOX_SOCKET_DIR, d->n++);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dup3(fd, *dirfd, O_CLOEXEC) < 0) {
		error_setg_errno(d->errp, errno, "empty root: %s", dir);
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

/**
 * sandbox_ns_empty_root() - Make an empty read-only tmpfs our root
 * @errp:	set on failure
 *
 * passt's way: mount a tmpfs on a directory of our own mount namespace,
 * pivot_root() onto it with the old root stacked on the same place, and
 * detach that. Nothing of the host's file system is reachable by path; the
 * directories of our socket files are bound into it, so that we can still
 * remove those files at exit and reach nothing else.
 *
 * Return: true on success
 */
bool sandbox_ns_empty_root(struct error **errp)
{
	struct sandbox_dirs bind = { .errp = errp }, reopen = { .errp = errp };

	if (mount("", SANDBOX_ROOT_DIR, "tmpfs", SANDBOX_ROOT_FLAGS,
		  SANDBOX_ROOT_OPTS) < 0) {
		error_setg_errno(errp, errno,
				 "empty root: cannot mount a tmpfs on %s",
				 SANDBOX_ROOT_DIR);
		return false;
	}
	if (chdir(SANDBOX_ROOT_DIR) < 0) {
		error_setg_errno(errp, errno, "empty root: chdir");
		return false;
	}
	if (!sandbox_bind_proc(errp) ||
	    !unix_socket_files_foreach(sandbox_bind_socket_dir, &bind))
		return false;
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		error_setg_errno(errp, errno, "empty root: pivot_root");
		return false;
	}
	if (umount2(".", MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
		error_setg_errno(errp, errno,
				 "empty root: cannot detach the old root");
		return false;
	}
	if (chdir("/") < 0 ||
	    mount("", "/", "",
		  MS_REMOUNT | MS_BIND | MS_RDONLY | SANDBOX_ROOT_FLAGS,
		  NULL) < 0) {
		error_setg_errno(errp, errno, "empty root: read-only");
		return false;
	}
	return unix_socket_files_foreach(sandbox_reopen_socket_dir, &reopen);
}

/**
 * sandbox_chroot_empty() - chroot into an empty directory that is gone
 * @errp:	set on failure
 *
 * Without namespaces (needs CAP_SYS_CHROOT): a directory made and removed
 * at once, so nothing can ever be created in it.
 *
 * Return: true on success
 */
bool sandbox_chroot_empty(struct error **errp)
{
	char dir[] = "/tmp/qemu-dev-root-XXXXXX";
	int fd;

	if (!mkdtemp(dir)) {
		error_setg_errno(errp, errno, "chroot: cannot create %s", dir);
		return false;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	rmdir(dir);
	if (fd < 0) {
		error_setg_errno(errp, errno, "chroot: %s", dir);
		return false;
	}
	if (fchdir(fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		error_setg_errno(errp, errno, "chroot");
		close(fd);
		return false;
	}
	close(fd);
	return true;
}
