FUZZ_TARGETS += fuzz_vars
fuzz_vars_SRCS := src/vars/vars.c src/vars/varlog.c src/vars/varstore.c \
	src/vars/ram_flash.c src/lib/crc32.c src/lib/ucs2.c
