/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd-frontend info: what the back-end offers, its config space, start/stop.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <stdio.h>

#include "tests/frontend/commands.h"

static const char *const blk_feature_names[64] = {
	[VIRTIO_BLK_F_SIZE_MAX] = "SIZE_MAX",
	[VIRTIO_BLK_F_SEG_MAX] = "SEG_MAX",
	[VIRTIO_BLK_F_GEOMETRY] = "GEOMETRY",
	[VIRTIO_BLK_F_RO] = "RO",
	[VIRTIO_BLK_F_BLK_SIZE] = "BLK_SIZE",
	[VIRTIO_BLK_F_FLUSH] = "FLUSH",
	[VIRTIO_BLK_F_TOPOLOGY] = "TOPOLOGY",
	[VIRTIO_BLK_F_CONFIG_WCE] = "CONFIG_WCE",
	[VIRTIO_BLK_F_MQ] = "MQ",
	[VIRTIO_BLK_F_DISCARD] = "DISCARD",
	[VIRTIO_BLK_F_WRITE_ZEROES] = "WRITE_ZEROES",
	[VIRTIO_BLK_F_SECURE_ERASE] = "SECURE_ERASE",
	[VIRTIO_F_NOTIFY_ON_EMPTY] = "NOTIFY_ON_EMPTY",
	[VHOST_F_LOG_ALL] = "LOG_ALL",
	[VIRTIO_F_ANY_LAYOUT] = "ANY_LAYOUT",
	[VIRTIO_RING_F_INDIRECT_DESC] = "INDIRECT_DESC",
	[VIRTIO_RING_F_EVENT_IDX] = "EVENT_IDX",
	[VHOST_USER_F_PROTOCOL_FEATURES] = "PROTOCOL_FEATURES",
	[VIRTIO_F_VERSION_1] = "VERSION_1",
	[VIRTIO_F_ACCESS_PLATFORM] = "ACCESS_PLATFORM",
	[VIRTIO_F_RING_PACKED] = "RING_PACKED",
	[VIRTIO_F_IN_ORDER] = "IN_ORDER",
};

/**
 * virtio_feature_name() - name of a virtio-blk or transport feature bit
 * @bit:	bit number
 *
 * Return: name, NULL if unknown
 */
static const char *virtio_feature_name(unsigned int bit)
{
	return bit < 64 ? blk_feature_names[bit] : NULL;
}

/**
 * print_bits() - print a feature word with the names of its bits
 * @label:	line label
 * @bits:	feature word
 * @name:	name of a bit, NULL for unnamed bits (printed by number)
 */
static void print_bits(const char *label, uint64_t bits,
		       const char *(*name)(unsigned int bit))
{
	unsigned int i;

	printf("%-20s 0x%016" PRIx64 " ", label, bits);
	for (i = 0; i < 64; i++) {
		if (!(bits & (1ULL << i)))
			continue;
		if (name(i))
			printf(" %s", name(i));
		else
			printf(" bit%u", i);
	}
	printf("\n");
}

/**
 * print_config() - print the config fields the offered features make valid
 * @c:	connected client
 */
static void print_config(const struct blk_client *c)
{
	const struct virtio_blk_config *cfg = &c->cfg;

	printf("%-20s %u bytes\n", "config size", c->cfg_size);
	printf("%-20s %llu sectors (%llu bytes)\n", "capacity",
	       (unsigned long long)cfg->capacity,
	       (unsigned long long)cfg->capacity * BLK_SECTOR_SIZE);
	if (blk_offered(c, VIRTIO_BLK_F_SIZE_MAX))
		printf("%-20s %u\n", "size_max", cfg->size_max);
	if (blk_offered(c, VIRTIO_BLK_F_SEG_MAX))
		printf("%-20s %u\n", "seg_max", cfg->seg_max);
	if (blk_offered(c, VIRTIO_BLK_F_BLK_SIZE))
		printf("%-20s %u\n", "blk_size", cfg->blk_size);
	if (blk_offered(c, VIRTIO_BLK_F_TOPOLOGY))
		printf("%-20s exp %u align %u min_io %u opt_io %u\n",
		       "topology", cfg->physical_block_exp,
		       cfg->alignment_offset, cfg->min_io_size,
		       cfg->opt_io_size);
	if (blk_offered(c, VIRTIO_BLK_F_CONFIG_WCE))
		printf("%-20s %u\n", "writeback", cfg->wce);
	if (blk_offered(c, VIRTIO_BLK_F_MQ))
		printf("%-20s %u\n", "num_queues", cfg->num_queues);
	printf("%-20s %s\n", "read-only",
	       blk_offered(c, VIRTIO_BLK_F_RO) ? "yes" : "no");
}

/**
 * print_json() - the same facts as one JSON line, for scripts
 * @c:	connected client
 */
static void print_json(const struct blk_client *c)
{
	printf("{\"features\": %" PRIu64 ", \"protocol_features\": %" PRIu64
	       ", \"acked_protocol_features\": %" PRIu64
	       ", \"queue_num\": %" PRIu64 ", \"max_queues\": %u"
	       ", \"capacity\": %llu, \"ro\": %s, \"seg_max\": %u"
	       ", \"size_max\": %u, \"blk_size\": %u, \"num_queues\": %u"
	       ", \"acked_features\": %" PRIu64 "}\n",
	       c->fe.features, c->fe.protocol_features, c->fe.acked_protocol,
	       c->fe.queue_num, c->max_queues,
	       (unsigned long long)c->cfg.capacity,
	       blk_offered(c, VIRTIO_BLK_F_RO) ? "true" : "false",
	       blk_offered(c, VIRTIO_BLK_F_SEG_MAX) ? c->cfg.seg_max : 0,
	       blk_offered(c, VIRTIO_BLK_F_SIZE_MAX) ? c->cfg.size_max : 0,
	       blk_offered(c, VIRTIO_BLK_F_BLK_SIZE) ? c->cfg.blk_size : 0,
	       blk_offered(c, VIRTIO_BLK_F_MQ) ? c->cfg.num_queues : 0,
	       c->features);
}

/**
 * cmd_info() - negotiate, print what was offered, start and stop the device
 * @a:	arguments
 *
 * Return: exit status
 */
int cmd_info(const struct fe_args *a)
{
	struct error *err = NULL;
	struct blk_client c;
	int rc = FE_EXIT_FAIL;

	if (!blk_client_connect(&c, &a->blk, &err))
		goto out;
	print_bits("features", c.fe.features, virtio_feature_name);
	print_bits("protocol features", c.fe.protocol_features,
		   vhost_user_protocol_feature_name);
	print_bits("acked protocol", c.fe.acked_protocol,
		   vhost_user_protocol_feature_name);
	printf("%-20s %u\n", "max queues", c.max_queues);
	print_config(&c);

	if (!blk_client_start(&c, &a->blk, &err) || !blk_client_stop(&c, &err))
		goto out;
	print_bits("acked features", c.features, virtio_feature_name);
	printf("%-20s ok (%u queues of %u)\n", "start/stop", c.num_queues,
	       c.queue_size);
	print_json(&c);
	rc = FE_EXIT_OK;
out:
	if (err) {
		error_prepend(&err, "info: ");
		error_report_err(err);
	}
	blk_client_close(&c);
	return rc;
}
