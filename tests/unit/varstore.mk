# Host unit tests of the in-memory UEFI variable store.
UNIT_TESTS += test_varstore
test_varstore_SRCS := src/vars/varstore.c src/lib/ucs2.c
