# Host unit tests of the flash variable store: the on-flash log over a RAM
# flash that can lose power, and the variable service on top of it.
UNIT_TESTS += test_vars
test_vars_SRCS := src/vars/vars.c src/vars/varlog.c src/vars/varstore.c \
	src/vars/ram_flash.c src/lib/crc32.c src/lib/ucs2.c
