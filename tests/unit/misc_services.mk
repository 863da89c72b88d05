# Host unit tests of the miscellaneous boot services (generic timer stubbed).
UNIT_TESTS += test_misc_services
test_misc_services_SRCS := src/efi/misc_services.c src/lib/crc32.c
