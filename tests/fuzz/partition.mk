# The GPT, MBR and El Torito parsers: one target per scheme, one harness
# (tests/fuzz/partition_harness.h).
PARTITION_FUZZ_SRCS := src/disk/partition.c src/disk/gpt.c src/disk/mbr.c \
	src/disk/eltorito.c src/disk/blockdev.c src/lib/crc32.c src/lib/fmt.c
FUZZ_TARGETS += fuzz_gpt fuzz_mbr fuzz_eltorito
fuzz_gpt_SRCS := $(PARTITION_FUZZ_SRCS)
fuzz_mbr_SRCS := $(PARTITION_FUZZ_SRCS)
fuzz_eltorito_SRCS := $(PARTITION_FUZZ_SRCS)
$(addprefix $(BUILD)/fuzz/,fuzz_gpt fuzz_mbr fuzz_eltorito): \
	tests/fuzz/partition_harness.h tests/unit/ram_blockdev.h
