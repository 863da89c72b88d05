// SPDX-License-Identifier: MIT
/*
 * Device initialization and reset, common to every transport (virtio 1.2
 * section 3.1.1; the legacy sequence of 0.9.5 has no FEATURES_OK step),
 * and the list of devices to reset before the OS takes over.
 */
#include <mmuon/timer.h>
#include <mmuon/virtio.h>

#define MAX_STARTED 64
/* A device that does not finish a reset in this long is left alone. */
#define RESET_TIMEOUT_US 100000

static struct virtio_dev *started[MAX_STARTED];
static unsigned nstarted;

void virtio_reset(struct virtio_dev *dev)
{
	uint64_t start = timer_count();
	uint64_t limit = timer_frequency() / 1000000 * RESET_TIMEOUT_US;

	dev->transport->set_status(dev, 0);
	/* 4.1.4.3.2: the reset is complete when the status reads back 0. */
	while (dev->transport->get_status(dev) && timer_count() - start < limit)
		cpu_relax();
}

int virtio_start(struct virtio_dev *dev, uint64_t wanted)
{
	const struct virtio_transport *t = dev->transport;
	uint64_t offered;

	/* Every device touched is reset at shutdown, whatever happens next. */
	if (nstarted == MAX_STARTED)
		return -1;
	started[nstarted++] = dev;
	virtio_reset(dev);
	t->set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE);
	t->set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	offered = t->get_features(dev);
	if (!dev->legacy) {
		if (!(offered >> VIRTIO_F_VERSION_1 & 1))
			goto failed;
		wanted |= 1ull << VIRTIO_F_VERSION_1;
	}
	dev->features = offered & wanted;
	t->set_features(dev, dev->features);
	if (!dev->legacy) {
		t->set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE |
					   VIRTIO_STATUS_DRIVER |
					   VIRTIO_STATUS_FEATURES_OK);
		if (!(t->get_status(dev) & VIRTIO_STATUS_FEATURES_OK))
			goto failed;
	}
	return 0;
failed:
	t->set_status(dev, VIRTIO_STATUS_FAILED);
	return -1;
}

void virtio_ready(struct virtio_dev *dev)
{
	dev->transport->set_status(
		dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			     (dev->legacy ? 0 : VIRTIO_STATUS_FEATURES_OK) |
			     VIRTIO_STATUS_DRIVER_OK);
}

void virtio_shutdown_all(void)
{
	while (nstarted)
		virtio_reset(started[--nstarted]);
}
