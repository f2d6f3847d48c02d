/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What QMP command handlers act on: the program's device and server.
 *
 * The program (cli/program.c) fills one qmp_target before its monitor
 * starts; handlers (qmp/commands-*.c) run on the monitor thread and reach the
 * device and the vhost-user server only through their thread-safe public
 * calls. A device-specific part may attach itself (qmp_blk_attach()): it
 * registers listeners that turn device callbacks into events.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_QMP_QMP_TARGET_H
#define QD_QMP_QMP_TARGET_H

#include <pthread.h>
#include <stdbool.h>

#include "devices/virtio/virtio-device.h"
#include "transport/vhost-user-server.h"

struct qmp_target {
	const char *program;	   /* "qemu-dev-vhost-user-blk" */
	struct virtio_device *dev; /* the device served */
	/*
	 * Set before the monitor starts, cleared (under @lock) before the
	 * server is freed: handlers use it between qmp_target_lock() and
	 * qmp_target_unlock() only.
	 */
	struct vu_server *srv;
	pthread_mutex_t lock;
	int quit_fd;	    /* eventfd: written by quit */
	bool shutting_down; /* atomic: the program is exiting */
	void *device_state; /* owned by the device's attach */
	void (*device_detach)(struct qmp_target *t);
};

/*
 * qmp_target_init() - the device-neutral part: a device listener for
 * VIRTIO_STATUS_CHANGED and the server options' session callback for
 * VHOST_USER_CONNECTED/DISCONNECTED (set in @opts before the server exists).
 */
void qmp_target_init(struct qmp_target *t, const char *program,
		     struct virtio_device *dev, int quit_fd,
		     struct vu_server_options *opts);
/* qmp_target_fini() - detach the device part */
void qmp_target_fini(struct qmp_target *t);
/* qmp_target_set_server() - @srv from now on (NULL: the server is going) */
void qmp_target_set_server(struct qmp_target *t, struct vu_server *srv);
/*
 * qmp_target_lock() - the server, held until qmp_target_unlock(); NULL with
 * *@errp set (and nothing held) once the program is shutting down
 */
struct vu_server *qmp_target_lock(struct qmp_target *t, struct error **errp);
void qmp_target_unlock(struct qmp_target *t);
/*
 * qmp_target_query() - vu_server_query() under the target lock; false with
 * *@errp set once the program is shutting down
 */
bool qmp_target_query(struct qmp_target *t, struct vu_server_info *info,
		      struct error **errp);

/*
 * qmp_blk_attach() - the block program's part (commands-blk.c): the
 * BLOCK_IO_ERROR listener. The net device has no listener: its only event
 * comes from set_link itself.
 */
bool qmp_blk_attach(struct qmp_target *t, struct error **errp);

#endif /* QD_QMP_QMP_TARGET_H */
