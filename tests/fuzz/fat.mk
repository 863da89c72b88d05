FUZZ_TARGETS += fuzz_fat
fuzz_fat_SRCS := src/fs/fat/volume.c src/fs/fat/dir.c src/fs/fat/file.c \
	src/fs/fat/name.c src/lib/payload_copy.c src/disk/blockdev.c
$(BUILD)/fuzz/fuzz_fat: src/fs/fat/fat_internal.h tests/unit/ram_blockdev.h
