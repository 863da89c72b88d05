# Host unit tests of the block device entry points (RAM device).
UNIT_TESTS += test_blockdev
test_blockdev_SRCS := src/disk/blockdev.c
$(BUILD)/unit/test_blockdev: tests/unit/ram_blockdev.h
