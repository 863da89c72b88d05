# Host unit tests of device tree discovery. The test reads its device trees
# at run time from build/unit/data/, compiled here from tests/unit/data/.
UNIT_TESTS += test_dt
test_dt_SRCS := src/platform/dt.c src/lib/fmt.c

DTC ?= dtc
UNIT_DT_DTBS := $(patsubst tests/unit/data/%.dts,$(BUILD)/unit/data/%.dtb,\
	$(wildcard tests/unit/data/*.dts))

$(BUILD)/unit/test_dt: $(UNIT_DT_DTBS)

# -q: QEMU's decompiled trees refer to phandles by number, which dtc warns
# about; the blobs are what matter.
$(BUILD)/unit/data/%.dtb: tests/unit/data/%.dts
	@mkdir -p $(dir $@)
	$(DTC) -q -I dts -O dtb -o $@ $<
