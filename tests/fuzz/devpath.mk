FUZZ_TARGETS += fuzz_devpath
fuzz_devpath_SRCS := src/efi/devpath_util.c
