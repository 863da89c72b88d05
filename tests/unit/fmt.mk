# Host unit tests of the printf-style formatter.
UNIT_TESTS += test_fmt
test_fmt_SRCS := src/lib/fmt.c
