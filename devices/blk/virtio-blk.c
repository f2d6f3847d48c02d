/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk device: construction from options, features, configuration
 * space, and the per-queue set-up behind the device interface.
 *
 * Requests themselves are handled by the request layer, host I/O by the
 * block I/O engines; what a management interface does to a live disk
 * (resizing, its description, the I/O error listener) has its own source.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/blk/virtio-blk-int.h"
#include "util/log.h"

/**
 * virtio_blk_feature_name() - Name of a virtio-blk feature bit
 * @bit:	feature bit
 *
 * Return: the name in the VIRTIO specification, NULL for bits it does not
 * define for block devices (reserved bits are the core's to name)
 */
static const char *virtio_blk_feature_name(unsigned int bit)
{
	static const char *const names[] = {
		[VIRTIO_BLK_F_BARRIER] = "VIRTIO_BLK_F_BARRIER",
		[VIRTIO_BLK_F_SIZE_MAX] = "VIRTIO_BLK_F_SIZE_MAX",
		[VIRTIO_BLK_F_SEG_MAX] = "VIRTIO_BLK_F_SEG_MAX",
		[VIRTIO_BLK_F_GEOMETRY] = "VIRTIO_BLK_F_GEOMETRY",
		[VIRTIO_BLK_F_RO] = "VIRTIO_BLK_F_RO",
		[VIRTIO_BLK_F_BLK_SIZE] = "VIRTIO_BLK_F_BLK_SIZE",
		[VIRTIO_BLK_F_SCSI] = "VIRTIO_BLK_F_SCSI",
		[VIRTIO_BLK_F_FLUSH] = "VIRTIO_BLK_F_FLUSH",
		[VIRTIO_BLK_F_TOPOLOGY] = "VIRTIO_BLK_F_TOPOLOGY",
		[VIRTIO_BLK_F_CONFIG_WCE] = "VIRTIO_BLK_F_CONFIG_WCE",
		[VIRTIO_BLK_F_MQ] = "VIRTIO_BLK_F_MQ",
		[VIRTIO_BLK_F_DISCARD] = "VIRTIO_BLK_F_DISCARD",
		[VIRTIO_BLK_F_WRITE_ZEROES] = "VIRTIO_BLK_F_WRITE_ZEROES",
		[VIRTIO_BLK_F_LIFETIME] = "VIRTIO_BLK_F_LIFETIME",
		[VIRTIO_BLK_F_SECURE_ERASE] = "VIRTIO_BLK_F_SECURE_ERASE",
		[VIRTIO_BLK_F_ZONED] = "VIRTIO_BLK_F_ZONED",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

/**
 * virtio_blk_get_features() - Features offered to the driver
 * @dev:	device
 *
 * Return: device and transport feature bits
 */
static uint64_t virtio_blk_get_features(struct virtio_device *dev)
{
	const struct virtio_blk *blk = to_blk(dev);
	uint64_t f =
		BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) | BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |
		BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) | BIT_ULL(VIRTIO_BLK_F_FLUSH) |
		BIT_ULL(VIRTIO_BLK_F_TOPOLOGY) |
		BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE) |
		/* Always: QEMU reads num_queues from the config */
		BIT_ULL(VIRTIO_BLK_F_MQ) | BIT_ULL(VIRTIO_F_VERSION_1) |
		BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |
		BIT_ULL(VIRTIO_RING_F_EVENT_IDX);

	if (blk->backing.read_only)
		f |= BIT_ULL(VIRTIO_BLK_F_RO);
	else
		f |= BIT_ULL(VIRTIO_BLK_F_DISCARD) |
		     BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

/**
 * virtio_blk_set_features() - Accept the driver's features
 * @dev:	device
 * @features:	negotiated features, a subset of the offer
 * @errp:	unused
 *
 * VIRTIO 1.2 5.2.5: with CONFIG_WCE but without FLUSH, writeback starts at 0.
 *
 * Return: true
 */
static bool virtio_blk_set_features(struct virtio_device *dev,
				    uint64_t features, struct error **errp)
{
	struct virtio_blk *blk = to_blk(dev);
	uint8_t wb = !(features & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE)) ||
		     (features & BIT_ULL(VIRTIO_BLK_F_FLUSH));

	__atomic_store_n(&blk->writeback, wb, __ATOMIC_RELAXED);
	return true;
}

/**
 * ilog2() - Integer base-2 logarithm
 * @v:		value, > 0
 *
 * Return: floor(log2(@v))
 */
static unsigned int ilog2(uint32_t v)
{
	return 31 - (unsigned int)__builtin_clz(v);
}

/**
 * virtio_blk_fill_config() - Build the current configuration space
 * @blk:	device
 * @cfg:	filled, little-endian
 */
static void virtio_blk_fill_config(const struct virtio_blk *blk,
				   struct virtio_blk_config *cfg)
{
	uint32_t phys = blk->backing.phys_block;
	uint32_t align = blk->blk_size >> VIRTIO_BLK_SECTOR_SHIFT;

	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity =
		htole64(__atomic_load_n(&blk->capacity, __ATOMIC_RELAXED));
	cfg->size_max = htole32(VIRTIO_BLK_SIZE_MAX);
	cfg->seg_max = htole32(VIRTIO_BLK_SEG_MAX);
	cfg->blk_size = htole32(blk->blk_size);
	cfg->physical_block_exp =
		phys > blk->blk_size ? ilog2(phys / blk->blk_size) : 0;
	cfg->min_io_size = htole16(1);
	cfg->opt_io_size = htole32(1);
	cfg->writeback = __atomic_load_n(&blk->writeback, __ATOMIC_RELAXED);
	cfg->num_queues = htole16((uint16_t)blk->vdev.num_queues);
	cfg->max_discard_sectors = htole32(VIRTIO_BLK_MAX_DISCARD_SECTORS);
	cfg->max_discard_seg = htole32(VIRTIO_BLK_MAX_DISCARD_SEG);
	cfg->discard_sector_alignment = htole32(align);
	cfg->max_write_zeroes_sectors = htole32(VIRTIO_BLK_MAX_DISCARD_SECTORS);
	cfg->max_write_zeroes_seg = htole32(VIRTIO_BLK_MAX_DISCARD_SEG);
	cfg->write_zeroes_may_unmap = 1;
}

/**
 * virtio_blk_get_config() - Read part of the configuration space
 * @dev:	device
 * @offset:	first byte
 * @buf:	filled with @len bytes
 * @len:	bytes (QEMU asks for a feature-dependent prefix)
 * @errp:	error if the range is outside the 96 bytes
 *
 * Return: true on success
 */
static bool virtio_blk_get_config(struct virtio_device *dev, uint32_t offset,
				  void *buf, uint32_t len, struct error **errp)
{
	struct virtio_blk_config cfg;

	if (offset > sizeof(cfg) || len > sizeof(cfg) - offset) {
		error_setg(errp,
			   "virtio-blk config read of %u bytes at offset %u is "
			   "outside the %zu-byte config space",
			   len, offset, sizeof(cfg));
		return false;
	}
	virtio_blk_fill_config(to_blk(dev), &cfg);
	memcpy(buf, (const char *)&cfg + offset, len);
	return true;
}

/**
 * virtio_blk_set_config() - Write the writeback byte (CONFIG_WCE)
 * @dev:	device
 * @offset:	must be 32
 * @buf:	new value, 0 (writethrough) or 1 (writeback)
 * @len:	must be 1
 * @errp:	error naming what was refused
 *
 * Return: true if the value was stored
 */
static bool virtio_blk_set_config(struct virtio_device *dev, uint32_t offset,
				  const void *buf, uint32_t len,
				  struct error **errp)
{
	struct virtio_blk *blk = to_blk(dev);
	uint8_t v;

	if (offset != offsetof(struct virtio_blk_config, writeback) ||
	    len != 1) {
		error_setg(errp,
			   "virtio-blk config write of %u bytes at offset %u: "
			   "only writeback (1 byte at offset 32) is writable",
			   len, offset);
		return false;
	}
	if (!(dev->features & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE))) {
		error_setg(errp, "virtio-blk writeback is read-only: "
				 "VIRTIO_BLK_F_CONFIG_WCE not negotiated");
		return false;
	}
	v = *(const uint8_t *)buf;
	if (v > 1) {
		error_setg(errp, "virtio-blk writeback: invalid value %u", v);
		return false;
	}
	__atomic_store_n(&blk->writeback, v, __ATOMIC_RELAXED);
	log_debug("virtio-blk '%s': write cache %s", blk->backing.path,
		  v ? "on (writeback)" : "off (writethrough)");
	return true;
}

/**
 * virtio_blk_reset() - Back to the initial state (queues already stopped)
 * @dev:	device
 */
static void virtio_blk_reset(struct virtio_device *dev)
{
	__atomic_store_n(&to_blk(dev)->writeback, 1, __ATOMIC_RELAXED);
}

/**
 * virtio_blk_queue() - The per-queue state of a virtqueue
 * @dev:	device
 * @vq:		one of dev->vqs
 *
 * Return: its struct blk_queue
 */
static struct blk_queue *virtio_blk_queue(struct virtio_device *dev,
					  struct virtqueue *vq)
{
	return &to_blk(dev)->queues[vq - dev->vqs];
}

/**
 * virtio_blk_queue_start() - Per-queue set-up on the queue's worker thread
 * @dev:	device
 * @vq:		queue being started
 * @errp:	error naming the queue
 *
 * Creates the request table and the I/O engine context. With aio=auto a
 * queue whose io_uring cannot be created uses synchronous I/O.
 *
 * Return: true on success
 */
static bool virtio_blk_queue_start(struct virtio_device *dev,
				   struct virtqueue *vq, struct error **errp)
{
	struct virtio_blk *blk = to_blk(dev);
	struct blk_queue *q = virtio_blk_queue(dev, vq);
	struct error *err = NULL;

	q->blk = blk;
	q->vq = vq;
	q->stats = &blk->stats[vq - dev->vqs];
	q->notify = false;
	q->reqs = calloc(vq->num, sizeof(*q->reqs));
	if (!q->reqs) {
		error_setg(errp, "virtio-blk queue %u: out of memory",
			   vq->index);
		return false;
	}
	q->io = blk->io;
	if (q->io->init(q, &err))
		return true;
	if (blk->aio == VIRTIO_BLK_AIO_AUTO && q->io != &blk_io_sync) {
		log_warn("virtio-blk queue %u: %s; using synchronous I/O",
			 vq->index, error_get_pretty(err));
		error_free(err);
		err = NULL;
		q->io = &blk_io_sync;
		if (q->io->init(q, &err))
			return true;
	}
	error_prepend(&err, "virtio-blk queue %u: %s: ", vq->index,
		      q->io->name);
	error_propagate(errp, err);
	/* The core does not call queue_stop after a failed start */
	q->io = NULL;
	free(q->reqs);
	q->reqs = NULL;
	return false;
}

/**
 * virtio_blk_queue_kick() - Buffers may be available
 * @dev:	device
 * @vq:		started queue
 */
static void virtio_blk_queue_kick(struct virtio_device *dev,
				  struct virtqueue *vq)
{
	blk_queue_process(virtio_blk_queue(dev, vq));
}

/**
 * virtio_blk_queue_poll() - The worker polls: complete finished I/O
 * @dev:	device
 * @vq:		started queue
 *
 * Return: true if the engine completed anything
 */
static bool virtio_blk_queue_poll(struct virtio_device *dev,
				  struct virtqueue *vq)
{
	struct blk_queue *q = virtio_blk_queue(dev, vq);

	return q->io->poll && q->io->poll(q);
}

/**
 * virtio_blk_queue_stop() - Tear down a drained queue
 * @dev:	device
 * @vq:		queue, nothing in flight
 */
static void virtio_blk_queue_stop(struct virtio_device *dev,
				  struct virtqueue *vq)
{
	struct blk_queue *q = virtio_blk_queue(dev, vq);

	if (q->io)
		q->io->cleanup(q);
	q->io = NULL;
	free(q->reqs);
	q->reqs = NULL;
	free(q->bounce);
	q->bounce = NULL;
}

/**
 * virtio_blk_free() - Release the device; all queues are stopped
 * @dev:	device
 */
static void virtio_blk_free(struct virtio_device *dev)
{
	struct virtio_blk *blk = to_blk(dev);

	blk_backing_close(&blk->backing);
	pthread_mutex_destroy(&blk->resize_lock);
	pthread_mutex_destroy(&blk->listener_lock);
	free(blk->queues);
	free(blk->stats);
	free(blk);
}

static const struct virtio_device_ops virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.get_features = virtio_blk_get_features,
	.set_features = virtio_blk_set_features,
	.get_config = virtio_blk_get_config,
	.set_config = virtio_blk_set_config,
	.reset = virtio_blk_reset,
	.queue_start = virtio_blk_queue_start,
	.queue_kick = virtio_blk_queue_kick,
	.queue_stop = virtio_blk_queue_stop,
	.queue_poll = virtio_blk_queue_poll,
	.feature_name = virtio_blk_feature_name,
	.free = virtio_blk_free,
};

/**
 * virtio_blk_is() - Whether a device is a virtio-blk device
 * @dev:	any device
 *
 * Return: true if built by virtio_blk_new()
 */
bool virtio_blk_is(const struct virtio_device *dev)
{
	return dev && dev->ops == &virtio_blk_ops;
}

/**
 * virtio_blk_check_options() - Validate options before opening anything
 * @opts:	options
 * @errp:	error naming the option
 *
 * Return: true if usable
 */
static bool virtio_blk_check_options(const struct virtio_blk_options *opts,
				     struct error **errp)
{
	uint32_t lbs = opts->logical_block_size;

	if (!opts->path || !*opts->path) {
		error_setg(errp, "virtio-blk: no backing path given");
		return false;
	}
	if (opts->num_queues < 1 || opts->num_queues > VIRTIO_BLK_MAX_QUEUES) {
		error_setg(errp, "virtio-blk: num-queues %u not in 1..%u",
			   opts->num_queues, VIRTIO_BLK_MAX_QUEUES);
		return false;
	}
	if (opts->queue_size < 1 || opts->queue_size > VIRTQUEUE_MAX_SIZE ||
	    (opts->queue_size & (opts->queue_size - 1))) {
		error_setg(errp,
			   "virtio-blk: queue-size %u is not a power of two "
			   "in 1..%u",
			   opts->queue_size, VIRTQUEUE_MAX_SIZE);
		return false;
	}
	if (lbs && (lbs < 512 || lbs > 4096 || (lbs & (lbs - 1)))) {
		error_setg(errp,
			   "virtio-blk: logical-block-size %u is not a power "
			   "of two in 512..4096",
			   lbs);
		return false;
	}
	if (opts->serial && strlen(opts->serial) > VIRTIO_BLK_ID_BYTES) {
		error_setg(errp,
			   "virtio-blk: serial '%s' is longer than %u bytes",
			   opts->serial, VIRTIO_BLK_ID_BYTES);
		return false;
	}
	if (opts->poll_max_us > VIRTIO_BLK_POLL_MAX_US_LIMIT) {
		error_setg(errp, "virtio-blk: poll-max-us %u is above %u",
			   opts->poll_max_us, VIRTIO_BLK_POLL_MAX_US_LIMIT);
		return false;
	}
	if (opts->cache != VIRTIO_BLK_CACHE_WRITEBACK &&
	    opts->cache != VIRTIO_BLK_CACHE_NONE) {
		error_setg(errp, "virtio-blk: invalid cache mode %d",
			   (int)opts->cache);
		return false;
	}
	return true;
}

/**
 * virtio_blk_pick_engine() - Resolve the aio option to an I/O engine
 * @blk:	device, aio set, backing open
 * @errp:	error if aio=io_uring cannot be honoured
 *
 * aio=auto takes synchronous I/O for an image in memory (tmpfs, ramfs): each
 * request is a copy of a microsecond or so that never waits for a disk, but
 * these file systems do not support non-blocking (IOCB_NOWAIT) I/O, so
 * io_uring would hand every request to one of its worker threads and pay a
 * thread wake-up for it, several times the copy.
 *
 * Return: true with blk->io set
 */
static bool virtio_blk_pick_engine(struct virtio_blk *blk, struct error **errp)
{
	blk->io = &blk_io_sync;
	switch (blk->aio) {
	case VIRTIO_BLK_AIO_SYNC:
		return true;
	case VIRTIO_BLK_AIO_AUTO:
		if (blk->backing.in_memory) {
			log_info("virtio-blk: '%s' is in memory (tmpfs); using "
				 "synchronous I/O",
				 blk->backing.path);
			return true;
		}
		break;
	case VIRTIO_BLK_AIO_IO_URING:
		break;
	default:
		error_setg(errp, "virtio-blk: invalid aio mode %d",
			   (int)blk->aio);
		return false;
	}
#ifdef CONFIG_LINUX_IO_URING
	struct error *err = NULL;

	if (blk_io_uring_probe(&err)) {
		blk->io = &blk_io_uring;
		return true;
	}
	if (blk->aio == VIRTIO_BLK_AIO_IO_URING) {
		error_prepend(&err, "virtio-blk: aio=io_uring: ");
		error_propagate(errp, err);
		return false;
	}
	log_info("virtio-blk: %s; using synchronous I/O",
		 error_get_pretty(err));
	error_free(err);
	return true;
#else
	if (blk->aio == VIRTIO_BLK_AIO_IO_URING) {
		error_setg(errp, "virtio-blk: aio=io_uring: this program was "
				 "built without io_uring support");
		return false;
	}
	return true;
#endif
}

/**
 * virtio_blk_open_backing() - Open the backing and derive the disk geometry
 * @blk:	device
 * @opts:	options
 * @errp:	error naming the path
 *
 * Return: true with backing, capacity and blk_size set
 */
static bool virtio_blk_open_backing(struct virtio_blk *blk,
				    const struct virtio_blk_options *opts,
				    struct error **errp)
{
	struct blk_backing *b = &blk->backing;

	blk->blk_size =
		opts->logical_block_size ? opts->logical_block_size : 512;
	if (!blk_backing_open(b, opts->path, opts->read_only,
			      opts->cache == VIRTIO_BLK_CACHE_NONE, errp))
		return false;
	if (blk->blk_size < b->off_align) {
		error_setg(errp,
			   "'%s': cache=none needs logical-block-size >= %u "
			   "(the host's direct I/O alignment)",
			   opts->path, b->off_align);
		blk_backing_close(b);
		return false;
	}
	blk->capacity = b->size >> VIRTIO_BLK_SECTOR_SHIFT;
	if (b->size % VIRTIO_BLK_SECTOR_SIZE)
		log_warn("'%s': size %llu is not a multiple of 512; the last "
			 "%u bytes are not visible to the guest",
			 opts->path, (unsigned long long)b->size,
			 (unsigned int)(b->size % VIRTIO_BLK_SECTOR_SIZE));
	return true;
}

/**
 * virtio_blk_new() - Open the backing and build a virtio-blk device
 * @opts:	options (copied; the strings need not outlive the call)
 * @errp:	error, naming the path or the option at fault
 *
 * Return: the generic device, to be freed with virtio_device_free(), or NULL
 */
struct virtio_device *virtio_blk_new(const struct virtio_blk_options *opts,
				     struct error **errp)
{
	struct virtio_blk *blk;

	if (!virtio_blk_check_options(opts, errp))
		return NULL;
	blk = calloc(1, sizeof(*blk));
	if (!blk) {
		error_setg(errp, "virtio-blk: out of memory");
		return NULL;
	}
	blk->backing.fd = -1;
	blk->aio = opts->aio;
	blk->writeback = 1;
	pthread_mutex_init(&blk->resize_lock, NULL);
	pthread_mutex_init(&blk->listener_lock, NULL);
	/* NUL padded, no terminator when 20 bytes long (checked above) */
	if (opts->serial)
		memcpy(blk->serial, opts->serial, strlen(opts->serial));
	blk->queues = calloc(opts->num_queues, sizeof(*blk->queues));
	blk->stats = calloc(opts->num_queues, sizeof(*blk->stats));
	if (!blk->queues || !blk->stats) {
		error_setg(errp, "virtio-blk: out of memory");
		goto fail;
	}
	if (!virtio_blk_open_backing(blk, opts, errp))
		goto fail;
	if (!virtio_blk_pick_engine(blk, errp) ||
	    !virtio_device_init(&blk->vdev, &virtio_blk_ops, opts->num_queues,
				opts->queue_size, errp)) {
		blk_backing_close(&blk->backing);
		goto fail;
	}
	for (unsigned int i = 0; i < opts->num_queues; i++)
		blk->vdev.vqs[i].max_segs = VIRTIO_BLK_VQ_MAX_SEGS;
	blk->vdev.poll_max_us = opts->poll_max_us;
	log_debug("virtio-blk '%s': %llu sectors, %u queues, %s I/O%s",
		  opts->path, (unsigned long long)blk->capacity,
		  opts->num_queues, blk->io->name,
		  opts->read_only ? ", read-only" : "");
	return &blk->vdev;

fail:
	pthread_mutex_destroy(&blk->resize_lock);
	pthread_mutex_destroy(&blk->listener_lock);
	free(blk->queues);
	free(blk->stats);
	free(blk);
	return NULL;
}

/**
 * virtio_blk_queue_stats() - Snapshot of a queue's request counters
 * @dev:	device from virtio_blk_new()
 * @queue:	queue index
 * @stats:	filled
 *
 * Safe from any thread; counters of a running queue may move meanwhile.
 *
 * Return: false if @dev is not virtio-blk or @queue is out of range
 */
bool virtio_blk_queue_stats(struct virtio_device *dev, unsigned int queue,
			    struct virtio_blk_queue_stats *stats)
{
	const struct virtio_blk_queue_stats *src;

	if (dev->ops != &virtio_blk_ops || queue >= dev->num_queues)
		return false;
	src = &to_blk(dev)->stats[queue];
	for (unsigned int i = 0; i < VIRTIO_BLK_STAT_MAX; i++) {
		stats->op[i].ops =
			__atomic_load_n(&src->op[i].ops, __ATOMIC_RELAXED);
		stats->op[i].bytes =
			__atomic_load_n(&src->op[i].bytes, __ATOMIC_RELAXED);
		stats->op[i].errors =
			__atomic_load_n(&src->op[i].errors, __ATOMIC_RELAXED);
		stats->op[i].total_ns =
			__atomic_load_n(&src->op[i].total_ns, __ATOMIC_RELAXED);
		stats->op[i].invalid =
			__atomic_load_n(&src->op[i].invalid, __ATOMIC_RELAXED);
	}
	return true;
}

/**
 * virtio_blk_stat_name() - Name of a counted request kind
 * @stat:	kind
 *
 * Return: a static string, "?" if out of range
 */
const char *virtio_blk_stat_name(enum virtio_blk_stat stat)
{
	static const char *const names[] = {
		[VIRTIO_BLK_STAT_READ] = "read",
		[VIRTIO_BLK_STAT_WRITE] = "write",
		[VIRTIO_BLK_STAT_FLUSH] = "flush",
		[VIRTIO_BLK_STAT_DISCARD] = "discard",
		[VIRTIO_BLK_STAT_WRITE_ZEROES] = "write-zeroes",
		[VIRTIO_BLK_STAT_GET_ID] = "get-id",
		[VIRTIO_BLK_STAT_UNSUPPORTED] = "unsupported",
	};

	if ((unsigned int)stat >= VIRTIO_BLK_STAT_MAX)
		return "?";
	return names[stat];
}

/**
 * virtio_blk_io_engine() - Which engine the aio option resolved to
 * @dev:	device from virtio_blk_new()
 *
 * Return: "io_uring" or "sync" (a queue may still fall back to "sync" with
 * aio=auto if its own ring cannot be created)
 */
const char *virtio_blk_io_engine(struct virtio_device *dev)
{
	if (dev->ops != &virtio_blk_ops)
		return "?";
	return to_blk(dev)->io->name;
}
