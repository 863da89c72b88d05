# The boot manager's pure parts: load options, short-form device paths,
# QEMU's bootorder file.
UNIT_TESTS += test_boot_config
BOOT_CONFIG_SRCS := src/boot/load_option.c src/boot/devpath_expand.c \
	src/boot/bootorder.c src/boot/devpath_text.c src/efi/devpath_util.c \
	src/lib/ucs2.c src/lib/fmt.c
test_boot_config_SRCS := $(BOOT_CONFIG_SRCS)

# The boot manager's policy, over the real protocol database (stubs for
# files, variables, fw_cfg, LoadImage/StartImage: tests/unit/test_boot_manager.c).
UNIT_TESTS += test_boot_manager
test_boot_manager_SRCS := src/boot/boot_manager.c $(BOOT_CONFIG_SRCS) \
	src/efi/protocol_db.c
