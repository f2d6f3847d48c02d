/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net control queue: the driver's commands (VIRTIO 1.2 5.1.6.5).
 *
 * A command is {u8 class; u8 command; data...} in the readable part and one
 * ack byte the device writes at the start of the writable part. Under
 * vhost-user the front-end keeps this queue and never starts it; an
 * in-process driver (and the unit tests) use it. Supported: MQ_VQ_PAIRS_SET
 * (pairs at and above the value stop carrying frames), ANNOUNCE_ACK,
 * MAC_ADDR_SET, and RX PROMISC/ALLMULTI, which are acknowledged but change
 * nothing: the device does no receive filtering, every frame the netdev
 * delivers reaches the guest, as if both were always on. Anything else gets
 * VIRTIO_NET_ERR. A chain without room for the command header or the ack
 * cannot be answered: the queue breaks, as QEMU's does.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <string.h>

#include "devices/net/virtio-net-int.h"
#include "util/log.h"

/* Longest command data read (MAC_ADDR_SET: 6 bytes) */
#define NET_CTRL_DATA_MAX 8

/**
 * net_ctrl_rx() - RX class: receive filter modes
 * @cmd:	command
 * @data:	command data
 * @len:	data bytes
 *
 * Return: VIRTIO_NET_OK for PROMISC and ALLMULTI with their on/off byte
 */
static uint8_t net_ctrl_rx(uint8_t cmd, const uint8_t *data, size_t len)
{
	if ((cmd != VIRTIO_NET_CTRL_RX_PROMISC &&
	     cmd != VIRTIO_NET_CTRL_RX_ALLMULTI) ||
	    len != 1)
		return VIRTIO_NET_ERR;
	log_debug("virtio-net: driver sets %s %s (no filtering is done)",
		  cmd == VIRTIO_NET_CTRL_RX_PROMISC ? "promisc" : "allmulti",
		  data[0] ? "on" : "off");
	return VIRTIO_NET_OK;
}

/**
 * net_ctrl_mac() - MAC class: set the address
 * @net:	device
 * @cmd:	command
 * @data:	command data
 * @len:	data bytes
 *
 * Return: VIRTIO_NET_OK for ADDR_SET with 6 bytes
 */
static uint8_t net_ctrl_mac(struct virtio_net *net, uint8_t cmd,
			    const uint8_t *data, size_t len)
{
	if (cmd != VIRTIO_NET_CTRL_MAC_ADDR_SET || len != 6)
		return VIRTIO_NET_ERR;
	net_set_mac(net, data);
	log_debug("virtio-net: driver set MAC %02x:%02x:%02x:%02x:%02x:%02x",
		  data[0], data[1], data[2], data[3], data[4], data[5]);
	return VIRTIO_NET_OK;
}

/**
 * net_ctrl_announce() - ANNOUNCE class: the guest announced itself
 * @net:	device
 * @cmd:	command
 * @len:	data bytes
 *
 * Return: VIRTIO_NET_OK for ACK with GUEST_ANNOUNCE negotiated
 */
static uint8_t net_ctrl_announce(struct virtio_net *net, uint8_t cmd,
				 size_t len)
{
	if (cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK || len ||
	    !net_has(net, VIRTIO_NET_F_GUEST_ANNOUNCE))
		return VIRTIO_NET_ERR;
	__atomic_store_n(&net->announce, false, __ATOMIC_RELAXED);
	return VIRTIO_NET_OK;
}

/**
 * net_ctrl_mq() - MQ class: how many pairs the driver uses
 * @net:	device
 * @cmd:	command
 * @data:	command data
 * @len:	data bytes
 *
 * Return: VIRTIO_NET_OK for VQ_PAIRS_SET in 1..pairs with MQ negotiated
 */
static uint8_t net_ctrl_mq(struct virtio_net *net, uint8_t cmd,
			   const uint8_t *data, size_t len)
{
	uint16_t n;

	if (cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len != sizeof(n) ||
	    !net_has(net, VIRTIO_NET_F_MQ))
		return VIRTIO_NET_ERR;
	memcpy(&n, data, sizeof(n));
	n = le16toh(n);
	if (n < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || n > net->pairs) {
		log_debug("virtio-net: driver asked for %u pairs of %u", n,
			  net->pairs);
		return VIRTIO_NET_ERR;
	}
	__atomic_store_n(&net->active_pairs, n, __ATOMIC_RELAXED);
	log_debug("virtio-net: driver uses %u pairs", n);
	return VIRTIO_NET_OK;
}

/**
 * net_ctrl_dispatch() - Run one command
 * @net:	device
 * @hdr:	class and command
 * @data:	the first bytes of the command data
 * @len:	data bytes in the chain (may exceed what @data holds)
 *
 * Return: the ack byte
 */
static uint8_t net_ctrl_dispatch(struct virtio_net *net,
				 const struct virtio_net_ctrl_hdr *hdr,
				 const uint8_t *data, uint64_t len)
{
	/* A length above what any command takes stays above it */
	size_t l = len > NET_CTRL_DATA_MAX ? NET_CTRL_DATA_MAX + 1 : len;

	switch (hdr->class) {
	case VIRTIO_NET_CTRL_RX:
		return net_ctrl_rx(hdr->cmd, data, l);
	case VIRTIO_NET_CTRL_MAC:
		return net_ctrl_mac(net, hdr->cmd, data, l);
	case VIRTIO_NET_CTRL_ANNOUNCE:
		return net_ctrl_announce(net, hdr->cmd, l);
	case VIRTIO_NET_CTRL_MQ:
		return net_ctrl_mq(net, hdr->cmd, data, l);
	default:
		return VIRTIO_NET_ERR;
	}
}

/**
 * net_ctrl_handle() - Answer one control chain
 * @net:	device
 * @vq:		control queue
 * @elem:	chain
 */
static void net_ctrl_handle(struct virtio_net *net, struct virtqueue *vq,
			    struct vq_elem *elem)
{
	uint8_t data[NET_CTRL_DATA_MAX] = { 0 };
	struct virtio_net_ctrl_hdr hdr;
	uint64_t len;
	uint8_t ack;

	if (elem->out_len < sizeof(hdr) || elem->in_len < 1) {
		vq_set_broken(
			vq,
			"virtio-net control queue %u head %u: %llu "
			"readable and %llu writable bytes, need %zu and 1",
			vq->index, elem->head,
			(unsigned long long)elem->out_len,
			(unsigned long long)elem->in_len, sizeof(hdr));
		vq_push(vq, elem, 0);
		return;
	}
	iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));
	len = elem->out_len - sizeof(hdr);
	iov_to_buf(elem->out_sg, elem->out_num, sizeof(hdr), data,
		   len < sizeof(data) ? len : sizeof(data));
	ack = net_ctrl_dispatch(net, &hdr, data, len);
	if (ack != VIRTIO_NET_OK)
		log_debug("virtio-net control queue %u head %u: class %u "
			  "command %u with %llu data bytes refused",
			  vq->index, elem->head, hdr.class, hdr.cmd,
			  (unsigned long long)len);
	iov_from_buf(elem->in_sg, elem->in_num, 0, &ack, sizeof(ack));
	vq_push(vq, elem, sizeof(ack));
}

/**
 * net_ctrl_kick() - Answer every queued control command
 * @net:	device
 * @vq:		control queue, on its worker
 */
void net_ctrl_kick(struct virtio_net *net, struct virtqueue *vq)
{
	bool toggle = !vq->notify_disabled;
	struct error *err = NULL;
	struct vq_elem *elem;
	bool done = false;
	int r;

	do {
		if (toggle)
			vq_disable_notification(vq);
		while ((r = vq_pop(vq, &elem, &err)) == 1) {
			net_ctrl_handle(net, vq, elem);
			done = true;
		}
		if (r < 0) {
			/* vq_set_broken() has logged the reason already */
			error_free(err);
			break;
		}
	} while (toggle && !vq->broken && vq_enable_notification(vq));
	if (done)
		vq_notify(vq);
}
