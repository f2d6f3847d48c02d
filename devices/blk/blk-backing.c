/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backing of a virtio-blk disk: opening the image, its size and direct I/O
 * limits, and the synchronous host operations shared by the I/O engines.
 *
 * Regular files use fallocate(2) for discard and write-zeroes; block devices
 * use the BLK* ioctls, which only take whole logical blocks. Anything the host
 * cannot do natively for write-zeroes (including the partial blocks at either
 * end of a range) falls back to writing zeroes; discard is only a hint, so a
 * host without it makes discard a no-op and partial blocks are left alone.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "devices/blk/blk-backing.h"
#include "devices/virtio/virtqueue.h"
#include "util/log.h"

/* Largest O_DIRECT alignment we accept (one page) */
#define BLK_BACKING_MAX_ALIGN 4096U
/* Retries of a read or write the kernel answers with EAGAIN */
#define BLK_BACKING_EAGAIN_RETRIES 100

/**
 * is_pow2() - Whether @v is a power of two
 * @v:		value
 *
 * Return: true for 1, 2, 4, ...
 */
static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/**
 * blk_round_up() - Round @v up to a multiple of @align
 * @v:		value
 * @align:	power of two
 *
 * Return: the smallest multiple of @align not below @v
 */
static uint64_t blk_round_up(uint64_t v, uint32_t align)
{
	return (v + align - 1) & ~(uint64_t)(align - 1);
}

/**
 * blk_backing_probe_dio() - Find the O_DIRECT alignment of an opened backing
 * @b:		backing, opened with O_DIRECT
 * @errp:	error, names the path
 *
 * Prefers statx(STATX_DIOALIGN), then the logical sector size of a block
 * device, then tries reads of growing size at offset 0.
 *
 * Return: true with mem_align and off_align set
 */
static bool blk_backing_probe_dio(struct blk_backing *b, struct error **errp)
{
	uint32_t mem = 0, off = 0;
	struct statx stx;
	void *buf;
	int ssz;

	if (!statx(b->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		if (!stx.stx_dio_offset_align) {
			error_setg(errp,
				   "'%s': the file system does not support "
				   "O_DIRECT (cache=none) for this file",
				   b->path);
			return false;
		}
		mem = stx.stx_dio_mem_align;
		off = stx.stx_dio_offset_align;
	} else if (b->is_blockdev && !ioctl(b->fd, BLKSSZGET, &ssz) &&
		   ssz > 0) {
		mem = off = (uint32_t)ssz;
	} else if (!posix_memalign(&buf, BLK_BACKING_MAX_ALIGN,
				   BLK_BACKING_MAX_ALIGN)) {
		/* An empty file reads 0 bytes at any alignment: keep a page */
		off = BLK_BACKING_MAX_ALIGN;
		for (uint32_t a = 512; a < BLK_BACKING_MAX_ALIGN; a <<= 1) {
			if (pread(b->fd, buf, a, 0) == (ssize_t)a) {
				off = a;
				break;
			}
		}
		mem = off;
		free(buf);
	}
	if (!mem)
		mem = 1;
	if (!is_pow2(mem) || !is_pow2(off) || mem > BLK_BACKING_MAX_ALIGN ||
	    off > BLK_BACKING_MAX_ALIGN) {
		error_setg(errp,
			   "'%s': unsupported O_DIRECT alignment (memory %u, "
			   "offset %u bytes; at most %u)",
			   b->path, mem, off, BLK_BACKING_MAX_ALIGN);
		return false;
	}
	b->mem_align = mem;
	b->off_align = off;
	return true;
}

/**
 * blk_backing_in_memory() - Whether a regular file lives in memory
 * @fd:		open regular file
 *
 * Return: true on tmpfs and ramfs, where reads and writes are memory copies
 */
static bool blk_backing_in_memory(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs))
		return false;
	return sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC;
}

/**
 * blk_backing_size() - Find the size and block hints of an opened backing
 * @b:		backing
 * @errp:	error, names the path
 *
 * Return: true with size, is_blockdev, in_memory, phys_block and zero_block
 * set
 */
static bool blk_backing_size(struct blk_backing *b, struct error **errp)
{
	struct stat st;
	uint64_t size;
	int pbs, lbs;

	if (fstat(b->fd, &st)) {
		error_setg_errno(errp, errno, "cannot stat '%s'", b->path);
		return false;
	}
	b->phys_block = 512;
	b->zero_block = 1;
	if (S_ISREG(st.st_mode)) {
		b->size = (uint64_t)st.st_size;
		b->in_memory = blk_backing_in_memory(b->fd);
		return true;
	}
	if (!S_ISBLK(st.st_mode)) {
		error_setg(errp,
			   "'%s' is neither a regular file nor a block device",
			   b->path);
		return false;
	}
	b->is_blockdev = true;
	if (ioctl(b->fd, BLKGETSIZE64, &size)) {
		error_setg_errno(errp, errno, "cannot get the size of '%s'",
				 b->path);
		return false;
	}
	b->size = size;
	if (!ioctl(b->fd, BLKPBSZGET, &pbs) && pbs >= 512 &&
	    is_pow2((uint32_t)pbs))
		b->phys_block = (uint32_t)pbs;
	/* The ioctls refuse ranges that are not whole logical blocks */
	if (!ioctl(b->fd, BLKSSZGET, &lbs) && lbs > 0 && is_pow2((uint32_t)lbs))
		b->zero_block = (uint32_t)lbs;
	else
		b->zero_block = 512;
	return true;
}

/**
 * blk_backing_open() - Open an image file or block device
 * @b:		backing to fill
 * @path:	file or device
 * @read_only:	open O_RDONLY
 * @direct:	open O_DIRECT (cache=none) and find its alignment
 * @errp:	error, names @path
 *
 * Return: true on success; on failure @b holds nothing to close
 */
bool blk_backing_open(struct blk_backing *b, const char *path, bool read_only,
		      bool direct, struct error **errp)
{
	int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	size_t zalign;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->read_only = read_only;
	b->direct = direct;
	b->mem_align = b->off_align = 1;
	b->path = strdup(path);
	if (!b->path) {
		error_setg(errp, "'%s': out of memory", path);
		return false;
	}
	if (direct)
		flags |= O_DIRECT;
	b->fd = open(path, flags);
	if (b->fd < 0) {
		if (direct && errno == EINVAL)
			error_setg(errp,
				   "'%s': the file system refuses O_DIRECT "
				   "(cache=none); use cache=writeback",
				   path);
		else
			error_setg_errno(errp, errno, "cannot open '%s'%s",
					 path, read_only ? " read-only" : "");
		goto fail;
	}
	if (!blk_backing_size(b, errp))
		goto fail;
	if (direct && !blk_backing_probe_dio(b, errp))
		goto fail;
	zalign = b->mem_align > 4096 ? b->mem_align : 4096;
	if (posix_memalign(&b->zeroes, zalign, BLK_BACKING_ZEROES_SIZE)) {
		b->zeroes = NULL;
		error_setg(errp, "'%s': out of memory", path);
		goto fail;
	}
	memset(b->zeroes, 0, BLK_BACKING_ZEROES_SIZE);
	return true;

fail:
	blk_backing_close(b);
	return false;
}

/**
 * blk_backing_close() - Close the backing and free what open allocated
 * @b:		backing, may be partly opened
 */
void blk_backing_close(struct blk_backing *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	free(b->zeroes);
	b->zeroes = NULL;
	free(b->path);
	b->path = NULL;
}

/**
 * blk_backing_iov_aligned() - Whether O_DIRECT can use these buffers as they
 *			       are
 * @b:		backing
 * @iov:	data buffers
 * @cnt:	number of buffers
 *
 * Return: true if every buffer starts and ends on the alignment O_DIRECT needs
 * (always true for buffered I/O); false means a bounce buffer is needed
 */
bool blk_backing_iov_aligned(const struct blk_backing *b,
			     const struct iovec *iov, unsigned int cnt)
{
	if (!b->direct)
		return true;
	for (unsigned int i = 0; i < cnt; i++) {
		if ((uintptr_t)iov[i].iov_base % b->mem_align ||
		    iov[i].iov_len % b->off_align)
			return false;
	}
	return true;
}

/**
 * blk_iov_advance() - Drop @bytes from the front of an iovec array
 * @iov:	in/out: first iovec, moved past fully consumed entries
 * @cnt:	in/out: number of entries
 * @bytes:	bytes consumed; at most the total length
 */
void blk_iov_advance(struct iovec **iov, unsigned int *cnt, size_t bytes)
{
	while (*cnt && bytes >= (*iov)->iov_len) {
		bytes -= (*iov)->iov_len;
		(*iov)++;
		(*cnt)--;
	}
	if (*cnt && bytes) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + bytes;
		(*iov)->iov_len -= bytes;
	}
}

/**
 * blk_backing_rw() - Read or write a whole range, resuming short transfers
 * @b:		backing
 * @write:	pwritev() instead of preadv()
 * @iov:	buffers, exactly @len bytes; advanced as data moves
 * @cnt:	number of buffers, at most IOV_MAX
 * @offset:	byte offset in the backing
 * @len:	bytes to transfer
 *
 * Return: 0 or -errno (-EIO if the backing ends early)
 */
int blk_backing_rw(const struct blk_backing *b, bool write, struct iovec *iov,
		   unsigned int cnt, uint64_t offset, size_t len)
{
	unsigned int eagain = 0;
	ssize_t n;

	while (len) {
		if (write)
			n = pwritev(b->fd, iov, (int)cnt, (off_t)offset);
		else
			n = preadv(b->fd, iov, (int)cnt, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN &&
			    ++eagain < BLK_BACKING_EAGAIN_RETRIES)
				continue;
			return -errno;
		}
		if (!n || (size_t)n > len)
			return -EIO;
		blk_iov_advance(&iov, &cnt, (size_t)n);
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * blk_backing_rw_bounce() - Read or write through an aligned bounce buffer
 * @b:		backing (O_DIRECT, with guest buffers it cannot use directly)
 * @write:	write instead of read
 * @iov:	guest buffers, exactly @len bytes
 * @cnt:	number of buffers
 * @offset:	byte offset in the backing, aligned to off_align
 * @len:	bytes, a multiple of off_align
 * @bounce:	buffer aligned to mem_align
 * @bounce_size: its size, a multiple of off_align
 *
 * Return: 0 or -errno
 */
int blk_backing_rw_bounce(const struct blk_backing *b, bool write,
			  const struct iovec *iov, unsigned int cnt,
			  uint64_t offset, size_t len, void *bounce,
			  size_t bounce_size)
{
	size_t done = 0;

	while (done < len) {
		size_t chunk =
			len - done < bounce_size ? len - done : bounce_size;
		struct iovec biov = { .iov_base = bounce, .iov_len = chunk };
		int r;

		if (write && iov_to_buf(iov, cnt, done, bounce, chunk) != chunk)
			return -EIO;
		r = blk_backing_rw(b, write, &biov, 1, offset + done, chunk);
		if (r)
			return r;
		if (!write &&
		    iov_from_buf(iov, cnt, done, bounce, chunk) != chunk)
			return -EIO;
		done += chunk;
	}
	return 0;
}

/**
 * blk_backing_sync() - Make completed writes durable (fdatasync)
 * @b:		backing
 *
 * Return: 0 or -errno
 */
int blk_backing_sync(const struct blk_backing *b)
{
	while (fdatasync(b->fd)) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/**
 * blk_backing_discard() - Tell the host a range is no longer needed
 * @b:		backing, writable
 * @offset:	byte offset
 * @len:	bytes
 *
 * Return: 0 (also when the host cannot discard: it is only a hint) or -errno
 */
int blk_backing_discard(const struct blk_backing *b, uint64_t offset,
			uint64_t len)
{
	int r;

	if (b->is_blockdev) {
		/* Only the whole logical blocks inside the range */
		uint64_t start = blk_round_up(offset, b->zero_block);
		uint64_t end = (offset + len) & ~(uint64_t)(b->zero_block - 1);
		uint64_t range[2] = { start, end - start };

		if (start >= end)
			return 0;
		r = ioctl(b->fd, BLKDISCARD, range);
	} else {
		r = fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)offset, (off_t)len);
	}
	if (!r)
		return 0;
	/* Unsupported, or a device that wants coarser granularity */
	if (errno == EOPNOTSUPP || errno == ENOTTY ||
	    (b->is_blockdev && errno == EINVAL))
		return 0;
	return -errno;
}

/**
 * blk_backing_write_zeroes_native() - Zero a range without writing data
 * @b:		backing, writable
 * @offset:	byte offset
 * @len:	bytes
 * @unmap:	the range may be deallocated (it must still read as zeroes)
 *
 * Return: 0, -EOPNOTSUPP if the host has no way, or another -errno
 */
static int blk_backing_write_zeroes_native(const struct blk_backing *b,
					   uint64_t offset, uint64_t len,
					   bool unmap)
{
	int r;

	/* Punching a hole reads back as zeroes, on files and block devices */
	if (unmap &&
	    !fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       (off_t)offset, (off_t)len))
		return 0;
	if (b->is_blockdev) {
		uint64_t range[2] = { offset, len };

		r = ioctl(b->fd, BLKZEROOUT, range);
	} else {
		r = fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			      (off_t)offset, (off_t)len);
	}
	if (!r)
		return 0;
	if (errno == EOPNOTSUPP || errno == ENOTTY)
		return -EOPNOTSUPP;
	return -errno;
}

/**
 * blk_backing_zero_fill() - Write zeroes from the shared zero buffer
 * @b:		backing, writable
 * @offset:	byte offset
 * @len:	bytes
 *
 * Return: 0 or -errno
 */
static int blk_backing_zero_fill(const struct blk_backing *b, uint64_t offset,
				 uint64_t len)
{
	int r;

	while (len) {
		size_t chunk = len < BLK_BACKING_ZEROES_SIZE
				       ? (size_t)len
				       : BLK_BACKING_ZEROES_SIZE;
		struct iovec iov = { .iov_base = b->zeroes, .iov_len = chunk };

		r = blk_backing_rw(b, true, &iov, 1, offset, chunk);
		if (r)
			return r;
		offset += chunk;
		len -= chunk;
	}
	return 0;
}

/**
 * blk_backing_write_zeroes() - Make a range read as zeroes
 * @b:		backing, writable
 * @offset:	byte offset
 * @len:	bytes
 * @unmap:	the range may be deallocated
 *
 * Uses fallocate/ioctls where the host has them, else writes zeroes. On a
 * block device the partial logical blocks at either end are always written:
 * the ioctls take whole blocks only.
 *
 * Return: 0 or -errno
 */
int blk_backing_write_zeroes(const struct blk_backing *b, uint64_t offset,
			     uint64_t len, bool unmap)
{
	uint64_t head = blk_round_up(offset, b->zero_block) - offset;
	uint64_t mid, tail;
	int r;

	if (head > len)
		head = len;
	mid = (len - head) & ~(uint64_t)(b->zero_block - 1);
	tail = len - head - mid;
	r = blk_backing_zero_fill(b, offset, head);
	if (!r && mid) {
		r = blk_backing_write_zeroes_native(b, offset + head, mid,
						    unmap);
		if (r == -EOPNOTSUPP)
			r = blk_backing_zero_fill(b, offset + head, mid);
	}
	if (!r)
		r = blk_backing_zero_fill(b, offset + head + mid, tail);
	return r;
}
