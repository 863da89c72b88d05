# Host unit tests of the stage 1 translation table builder.
UNIT_TESTS += test_pgtable
test_pgtable_SRCS := src/arch/pgtable.c
