# Host unit tests of the ESR_ELx decoder.
UNIT_TESTS += test_esr
test_esr_SRCS := src/arch/esr.c src/lib/fmt.c
