# Host unit tests of SHA-256 and HMAC-SHA-256.
UNIT_TESTS += test_sha256
test_sha256_SRCS := src/lib/sha256.c
