# Host unit tests of src/tables/: the ACPI table loader and its check, the
# SMBIOS merge (data: tests/unit/data/qemu/).
UNIT_TESTS += test_table_loader
test_table_loader_SRCS := src/tables/table_loader.c src/tables/acpi.c src/lib/fmt.c
UNIT_TESTS += test_smbios
test_smbios_SRCS := src/tables/smbios.c src/lib/fmt.c
