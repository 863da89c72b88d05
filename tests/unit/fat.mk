UNIT_TESTS += test_fat
FAT_SRCS := src/fs/fat/volume.c src/fs/fat/dir.c src/fs/fat/file.c \
	src/fs/fat/name.c src/lib/payload_copy.c src/disk/blockdev.c
test_fat_SRCS := $(FAT_SRCS)
$(BUILD)/unit/test_fat: src/fs/fat/fat_internal.h tests/unit/ram_blockdev.h \
	tests/unit/fat_images.h

UNIT_TESTS += test_simple_fs
test_simple_fs_SRCS := src/efi/simple_fs.c $(FAT_SRCS) src/lib/ucs2.c \
	src/lib/time_convert.c src/lib/fmt.c
$(BUILD)/unit/test_simple_fs: src/fs/fat/fat_internal.h \
	tests/unit/ram_blockdev.h tests/unit/fat_images.h

UNIT_TESTS += test_file_path
test_file_path_SRCS := src/efi/file_path.c src/efi/simple_fs.c $(FAT_SRCS) \
	src/efi/protocol_db.c src/efi/devpath_util.c src/boot/devpath_expand.c \
	src/lib/ucs2.c src/lib/time_convert.c src/lib/fmt.c
$(BUILD)/unit/test_file_path: src/fs/fat/fat_internal.h \
	tests/unit/ram_blockdev.h tests/unit/fat_images.h
