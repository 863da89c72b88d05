FUZZ_TARGETS += fuzz_memmap
fuzz_memmap_SRCS := src/efi/memmap.c
