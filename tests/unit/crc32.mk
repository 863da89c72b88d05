UNIT_TESTS += test_crc32
test_crc32_SRCS := src/lib/crc32.c
