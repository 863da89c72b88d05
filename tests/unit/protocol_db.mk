UNIT_TESTS += test_protocol_db
test_protocol_db_SRCS := src/efi/protocol_db.c src/efi/devpath_util.c
