UNIT_TESTS += test_pe
test_pe_SRCS := src/efi/pe.c
