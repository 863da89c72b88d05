UNIT_TESTS += test_memmap
test_memmap_SRCS := src/efi/memmap.c
