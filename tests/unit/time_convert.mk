# Host unit tests of EFI_TIME <-> epoch seconds and EFI_TIME validation.
UNIT_TESTS += test_time_convert
test_time_convert_SRCS := src/lib/time_convert.c
