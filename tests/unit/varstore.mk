# Host unit tests of the in-memory UEFI variable store.
UNIT_TESTS += test_varstore
test_varstore_SRCS := src/efi/variables.c src/lib/ucs2.c
