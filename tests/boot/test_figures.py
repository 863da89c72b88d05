"""The headline figures of the README, guarded.

- build/mmuon.bin fits in 128 KiB;
- the RAM mmuon keeps after ExitBootServices (the EFI memory map entries the
  OS may not reuse, as the kernel prints them with efi=debug) is at most
  256 KiB;
- the instructions mmuon executes before the kernel are within 10 % of the
  figure recorded in tests/boot/recorded_figures.toml (`make
  record-figures` re-records it, see tools/record_figures.py).

Each is measured the way `make bench` measures it (tools/bench.py), so the
README's figures and these checks cannot drift apart.
"""

from __future__ import annotations

import bench  # tools/, on pytest.ini's pythonpath
import qemu
import record_figures

# Not build/bench/logs: a `make bench` may be running.
LOGS = qemu.BUILD / "boot" / "logs" / "figures"

IMAGE_LIMIT = 128 << 10
KEPT_RAM_LIMIT = 256 << 10


def test_image_fits_in_128k(firmware):
    size = firmware.stat().st_size
    assert size <= IMAGE_LIMIT, (
        f"{firmware} is {size:,} bytes ({size / 1024:.1f} KiB), over the "
        f"{IMAGE_LIMIT >> 10} KiB the README promises")


def test_ram_kept_after_exit_boot_services(firmware, kernel_new, initramfs):
    fw = next(f for f in bench.firmwares(None, firmware) if f.key == "mmuon")
    kept, why = bench.kept_memory(fw, kernel_new.path, initramfs.path, record_figures.MEM,
                                  timeout=120, logs=LOGS)
    assert kept is not None, f"no EFI memory map from the kernel: {why}"
    listing = "\n  ".join(f"{t} {s:#x}-{e - 1:#x} ({bench.kib(e - s)})"
                          for s, e, t in kept.entries)
    # Not blind: mmuon does keep its runtime services' memory.
    assert kept.ram > 0, "no kept RAM at all: is the map read right?\n  " + listing
    assert kept.ram <= KEPT_RAM_LIMIT, (
        f"mmuon keeps {bench.kib(kept.ram)} of RAM after ExitBootServices, over "
        f"{KEPT_RAM_LIMIT >> 10} KiB:\n  " + listing)


def test_instructions_before_the_kernel_as_recorded(firmware, plugin, kernel_new, initramfs):
    measured = record_figures.measure_instructions(firmware, kernel_new.path,
                                                   initramfs.path, logs=LOGS)
    why = record_figures.check(measured)
    assert why is None, why
