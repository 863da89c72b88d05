UNIT_TESTS += test_fat
FAT_SRCS := src/fs/fat/volume.c src/fs/fat/dir.c src/fs/fat/file.c \
	src/fs/fat/name.c
test_fat_SRCS := $(FAT_SRCS)
$(BUILD)/unit/test_fat: src/fs/fat/fat_internal.h tests/unit/ram_blockdev.h
