# Host unit tests of the disk and partition device paths.
UNIT_TESTS += test_devpath_disk
test_devpath_disk_SRCS := src/efi/devpath_disk.c src/efi/devpath_util.c
