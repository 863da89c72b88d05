FUZZ_TARGETS += fuzz_boot_config
fuzz_boot_config_SRCS := src/boot/load_option.c src/boot/devpath_expand.c \
	src/boot/bootorder.c src/boot/devpath_text.c src/efi/devpath_util.c \
	src/lib/ucs2.c src/lib/fmt.c
