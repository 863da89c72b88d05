# src/tables/: the ACPI table-loader interpreter (and the check of what it
# built), the SMBIOS merge. Seeds: tests/fuzz/gen_tables_seeds.py.
FUZZ_TARGETS += fuzz_table_loader
fuzz_table_loader_SRCS := src/tables/table_loader.c src/tables/acpi.c src/lib/fmt.c
FUZZ_TARGETS += fuzz_smbios
fuzz_smbios_SRCS := src/tables/smbios.c src/lib/fmt.c
