/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VIRTIO 1.2 constants and split-ring layouts shared by devices and transports.
 *
 * All ring fields are little-endian (VIRTIO_F_VERSION_1); the code only runs on
 * little-endian hosts (checked at build time), so they are used as-is.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_VIRTIO_RING_H
#define QD_DEVICES_VIRTIO_RING_H

#include <stdint.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "qemu-dev assumes a little-endian host (VIRTIO 1.x rings are LE)"
#endif

/* Reserved (transport) feature bits, VIRTIO 1.2 section 6 */
#define VIRTIO_F_NOTIFY_ON_EMPTY    24
#define VIRTIO_F_ANY_LAYOUT	    27
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX	    29
#define VIRTIO_F_VERSION_1	    32
#define VIRTIO_F_ACCESS_PLATFORM    33
#define VIRTIO_F_RING_PACKED	    34
#define VIRTIO_F_IN_ORDER	    35
#define VIRTIO_F_ORDER_PLATFORM	    36
#define VIRTIO_F_SR_IOV		    37
#define VIRTIO_F_NOTIFICATION_DATA  38
#define VIRTIO_F_NOTIF_CONFIG_DATA  39
#define VIRTIO_F_RING_RESET	    40
#define VIRTIO_F_ADMIN_VQ	    41

/* Device status bits, VIRTIO 1.2 section 2.1 */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER	    2
#define VIRTIO_CONFIG_S_DRIVER_OK   4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED	    0x80

/* Largest queue size a driver may ask for (VIRTIO 1.2: 32768 for split rings)
 */
#define VIRTQUEUE_MAX_SIZE 32768

#define VRING_DESC_F_NEXT     1
#define VRING_DESC_F_WRITE    2
#define VRING_DESC_F_INDIRECT 4

#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY	   1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* [num], then used_event with EVENT_IDX */
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem
		ring[]; /* [num], then avail_event with EVENT_IDX */
};

/* vring_need_event() - VIRTIO 1.2 2.7.10: must the other side be notified? */
static inline int vring_need_event(uint16_t event_idx, uint16_t new_idx,
				   uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) <
	       (uint16_t)(new_idx - old_idx);
}

#define VRING_DESC_TABLE_SIZE(num) (16ULL * (num))
#define VRING_AVAIL_SIZE(num)	   (6ULL + 2ULL * (num))
#define VRING_USED_SIZE(num)	   (6ULL + 8ULL * (num))

#endif /* QD_DEVICES_VIRTIO_RING_H */
