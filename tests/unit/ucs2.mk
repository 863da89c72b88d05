UNIT_TESTS += test_ucs2
test_ucs2_SRCS := src/lib/ucs2.c
