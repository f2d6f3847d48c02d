/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk wire format (VIRTIO 1.2 section 5.2): feature bits, config space
 * layout, request header, status codes and discard/write-zeroes segments.
 *
 * Shared by the device model and its tests. All multi-byte fields are
 * little-endian; like the rest of qemu-dev this assumes a little-endian host
 * (the VIRTIO ring header checks it at build time).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_BLK_VIRTIO_BLK_PROTO_H
#define QD_DEVICES_BLK_VIRTIO_BLK_PROTO_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/virtio-ring.h"

/* Device feature bits (BARRIER and SCSI are legacy only) */
#define VIRTIO_BLK_F_BARRIER	  0
#define VIRTIO_BLK_F_SIZE_MAX	  1
#define VIRTIO_BLK_F_SEG_MAX	  2
#define VIRTIO_BLK_F_GEOMETRY	  4
#define VIRTIO_BLK_F_RO		  5
#define VIRTIO_BLK_F_BLK_SIZE	  6
#define VIRTIO_BLK_F_SCSI	  7
#define VIRTIO_BLK_F_FLUSH	  9
#define VIRTIO_BLK_F_TOPOLOGY	  10
#define VIRTIO_BLK_F_CONFIG_WCE	  11
#define VIRTIO_BLK_F_MQ		  12
#define VIRTIO_BLK_F_DISCARD	  13
#define VIRTIO_BLK_F_WRITE_ZEROES 14
#define VIRTIO_BLK_F_LIFETIME	  15
#define VIRTIO_BLK_F_SECURE_ERASE 16
#define VIRTIO_BLK_F_ZONED	  17

/* Request types */
#define VIRTIO_BLK_T_IN		  0
#define VIRTIO_BLK_T_OUT	  1
#define VIRTIO_BLK_T_FLUSH	  4
#define VIRTIO_BLK_T_GET_ID	  8
#define VIRTIO_BLK_T_DISCARD	  11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

/* Status byte values */
#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

/* Sectors are always 512 bytes on the wire, whatever blk_size says */
#define VIRTIO_BLK_SECTOR_SHIFT 9
#define VIRTIO_BLK_SECTOR_SIZE	(1U << VIRTIO_BLK_SECTOR_SHIFT)

/* Discard / write-zeroes segment flags: only bit 0 is defined */
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1U

/* struct virtio_blk_outhdr - device-readable header of every request */
struct virtio_blk_outhdr {
	uint32_t type;	   /* VIRTIO_BLK_T_* */
	uint32_t reserved; /* ioprio in legacy headers, ignored */
	uint64_t sector;   /* 512-byte units */
};

/* struct virtio_blk_discard_write_zeroes - one DISCARD/WRITE_ZEROES segment */
struct virtio_blk_discard_write_zeroes {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

/* struct virtio_blk_config - configuration space, 96 bytes */
struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
	uint32_t max_secure_erase_sectors;
	uint32_t max_secure_erase_seg;
	uint32_t secure_erase_sector_alignment;
	uint32_t zone_sectors;
	uint32_t max_open_zones;
	uint32_t max_active_zones;
	uint32_t max_append_sectors;
	uint32_t write_granularity;
	uint8_t zoned_model;
	uint8_t unused2[3];
} __attribute__((packed));

static_assert(sizeof(struct virtio_blk_outhdr) == 16, "virtio_blk_outhdr");
static_assert(sizeof(struct virtio_blk_discard_write_zeroes) == 16,
	      "virtio_blk_discard_write_zeroes");
static_assert(sizeof(struct virtio_blk_config) == 96, "virtio_blk_config");
static_assert(offsetof(struct virtio_blk_config, writeback) == 32,
	      "virtio_blk_config.writeback");
static_assert(offsetof(struct virtio_blk_config, num_queues) == 34,
	      "virtio_blk_config.num_queues");
static_assert(offsetof(struct virtio_blk_config, max_discard_sectors) == 36,
	      "virtio_blk_config.max_discard_sectors");
static_assert(offsetof(struct virtio_blk_config, write_zeroes_may_unmap) == 56,
	      "virtio_blk_config.write_zeroes_may_unmap");

#endif /* QD_DEVICES_BLK_VIRTIO_BLK_PROTO_H */
