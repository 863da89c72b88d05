# Host unit tests of the console's key decoder and output glyphs.
UNIT_TESTS += test_console_keys
test_console_keys_SRCS := src/efi/console_keys.c
