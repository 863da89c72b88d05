FUZZ_TARGETS += fuzz_pe
fuzz_pe_SRCS := src/efi/pe.c
