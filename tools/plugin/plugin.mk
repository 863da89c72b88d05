# QEMU TCG plugins (tools/plugin/), built for the host into build/plugin/.
# Included by the top Makefile; `make plugins` builds them.
#
# No qemu-plugin.h from Debian: tools/plugin/qemu_plugin_api.h declares the
# API (version 4: QEMU 9.2 to 10.0). The plugins call back into QEMU's own
# symbols and glib, which QEMU has already loaded; linking glib as well
# keeps the .so honest about what it needs.

PLUGIN_NAMES  := mmu_off insn_count span_count
PLUGINS       := $(patsubst %,$(BUILD)/plugin/%.so,$(PLUGIN_NAMES))
PLUGIN_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -shared -fPIC \
	-fvisibility=hidden $(shell pkg-config --cflags glib-2.0)
PLUGIN_LIBS   := $(shell pkg-config --libs glib-2.0)
PLUGIN_COMMON := tools/plugin/kernel_entry.c
PLUGIN_HDRS   := $(wildcard tools/plugin/*.h)

$(BUILD)/plugin/%.so: tools/plugin/%.c $(PLUGIN_COMMON) $(PLUGIN_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(PLUGIN_CFLAGS) -o $@ $< $(PLUGIN_COMMON) $(PLUGIN_LIBS)

.PHONY: plugins
plugins: $(PLUGINS)
