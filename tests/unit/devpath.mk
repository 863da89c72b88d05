UNIT_TESTS += test_devpath
test_devpath_SRCS := src/efi/devpath_util.c
