# Host unit tests of the LZ4 decoder. Its test vectors are the lz4 tool's
# own output (legacy frames, `lz4 -l`, as the Makefile compresses the boot
# code) for a deterministic sample, made here at three levels.
UNIT_TESTS += test_lz4
test_lz4_SRCS := src/lib/lz4.c

LZ4_SAMPLES := $(BUILD)/unit/data/lz4-sample.bin $(BUILD)/unit/data/lz4-small.bin
LZ4_FRAMES  := $(foreach s,$(LZ4_SAMPLES),$(foreach l,1 9 12,$(s:.bin=.$(l).lz4)))

$(BUILD)/unit/test_lz4: $(LZ4_SAMPLES) $(LZ4_FRAMES)

$(BUILD)/unit/data/lz4-sample.bin: tests/unit/data/lz4_sample.py
	@mkdir -p $(dir $@)
	$(PYTHON) $< $@
$(BUILD)/unit/data/lz4-small.bin: tests/unit/data/lz4_sample.py
	@mkdir -p $(dir $@)
	$(PYTHON) $< $@ 3000

$(BUILD)/unit/data/lz4-sample.%.lz4: $(BUILD)/unit/data/lz4-sample.bin
	lz4 -q -f -l -$* $< $@
$(BUILD)/unit/data/lz4-small.%.lz4: $(BUILD)/unit/data/lz4-small.bin
	lz4 -q -f -l -$* $< $@
