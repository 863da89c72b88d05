# The boot manager's pure parts: load options, short-form device paths,
# QEMU's bootorder file.
UNIT_TESTS += test_boot_config
BOOT_CONFIG_SRCS := src/boot/load_option.c src/boot/devpath_expand.c \
	src/boot/bootorder.c src/boot/devpath_text.c src/efi/devpath_util.c \
	src/lib/ucs2.c src/lib/fmt.c
test_boot_config_SRCS := $(BOOT_CONFIG_SRCS)
