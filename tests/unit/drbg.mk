# Host unit tests of the HMAC_DRBG behind EFI_RNG_PROTOCOL.
UNIT_TESTS += test_drbg
test_drbg_SRCS := src/efi/drbg.c src/lib/sha256.c
