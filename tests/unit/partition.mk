# Host unit tests of the GPT, MBR and El Torito parsers, on images made by
# sgdisk, sfdisk and xorriso at run time.
UNIT_TESTS += test_partition
PARTITION_SRCS := src/disk/partition.c src/disk/gpt.c src/disk/mbr.c \
	src/disk/eltorito.c src/disk/blockdev.c src/lib/crc32.c src/lib/fmt.c
test_partition_SRCS := $(PARTITION_SRCS)
$(BUILD)/unit/test_partition: tests/unit/ram_blockdev.h
