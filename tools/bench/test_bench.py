# SPDX-License-Identifier: MIT
"""Unit tests of tools/bench.py's parsing (no QEMU):

    /usr/bin/python3 -m pytest -q tools/bench
"""

import struct
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bench  # noqa: E402

# As Linux 6.12 prints them with efi=debug (mmuon, 1 GiB), plus the lines
# around the map that must not be counted.
MMUON_LOG = """\
[    0.000000] efi: Processing EFI memory map:
[    0.000000] efi:   0x000000000000-0x00000001ffff [Runtime Code|RUN|  |  |  |  |  |  |  |  |  |   |WB|  |  |  ]
[    0.000000] efi:   0x000009010000-0x00000901ffff [MMIO        |RUN|  |  |  |  |  |  |  |  |  |   |  |  |  |UC]
[    0.000000] efi:   0x000040000000-0x0000400fffff [Boot Data   |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x000040200000-0x00004020ffff [Runtime Data|RUN|  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x00007fe0d000-0x00007fe0dfff [ACPI Reclaim|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x00007ff00000-0x00007ff0ffff [Reserved    |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x00007ffe0000-0x00007fffffff [Runtime Data|RUN|  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] OF: reserved mem: Reserved memory: No reserved-memory node in the DT
[    1.040000] efi: memattr:  0x000040200000-0x00004020ffff [Runtime Data|RUN|  |  |  |  |  |XP|  |  |  |   |  |  |  |  ]
MMUON-TEST dmesg-efi: INFO efi:   0x000040200000-0x00004020ffff [Runtime Data|RUN|  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
""".splitlines()


def test_kept_memory_counts_runtime_and_reserved_ram_only():
    k = bench.parse_efi_memmap(MMUON_LOG, bench.RAM_BASE + (1 << 30))
    # Runtime Data 64 KiB + Reserved 64 KiB + Runtime Data 128 KiB.
    assert k.ram == (64 + 64 + 128) << 10
    # ... plus the flash (Runtime Code at 0, not RAM) and the RTC's MMIO.
    assert k.all == k.ram + (128 << 10) + (64 << 10)
    assert [t for _, _, t in k.entries] == [
        "Runtime Code", "MMIO", "Runtime Data", "Reserved", "Runtime Data"]


def test_kept_memory_without_a_map():
    assert bench.parse_efi_memmap(["[    0.000000] efi: UEFI not found."], 1 << 40) is None


def uboot_like_binary(env: list[bytes]) -> bytes:
    return (b"\x00\x10\x20code\xff" * 10 + b"\0" + b"\0".join(env) + b"\0\0"
            + b"version=U-Boot\0" * 3)


def test_uboot_default_env_is_found_whole():
    env = [b"bootcmd=run distro_bootcmd", b"bootdelay=2", b"baudrate=115200",
           b"arch=arm"]
    assert bench.uboot_default_env(uboot_like_binary(env)) == env


def test_uboot_env_image_format(tmp_path, monkeypatch):
    env = [b"bootcmd=run distro_bootcmd", b"bootdelay=2", b"arch=arm"]
    fake = tmp_path / "u-boot.bin"
    fake.write_bytes(uboot_like_binary(env))
    monkeypatch.setattr(bench, "UBOOT_BIN", fake)
    img = bench.uboot_env_image(tmp_path / "env.img").read_bytes()
    assert len(img) == bench.VIRT_FLASH_BANK
    crc, = struct.unpack_from("<I", img, 0)
    data = img[4:bench.UBOOT_ENV_SIZE]
    assert crc == zlib.crc32(data)
    assert data.split(b"\0\0")[0].split(b"\0") == [
        b"bootcmd=run distro_bootcmd", b"bootdelay=0", b"arch=arm"]
    assert img[bench.UBOOT_ENV_SIZE:] == b"\xff" * (len(img) - bench.UBOOT_ENV_SIZE)


def test_stats_leave_failed_boots_out():
    runs = [bench.Run("x", 1, 1.0, 3.0, 4.0, True), bench.Run("x", 2, 9.0, None, 9.0, False),
            bench.Run("x", 3, 2.0, 5.0, 6.0, True), bench.Run("x", 4, 1.5, 4.0, 5.0, True)]
    s = bench.stats(runs, "x")
    assert (s.n_ok, s.n) == (3, 4)
    assert s.kernel == (1.0, 1.5, 2.0)
    assert s.init == (3.0, 4.0, 5.0)


def test_kernel_image_pe_entry():
    path = bench.qemu.KERNELS["new"]
    if not path.is_file():
        pytest.skip(f"{path} missing: tools/fetch-arm64.sh kernel-new")
    img = bench.kernel_image(path)
    data = path.read_bytes()
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    # The stub's entry lies inside .text, 4-byte aligned, after the headers.
    assert pe < img.pe_entry < len(data) and img.pe_entry % 4 == 0
    assert img.head[:2] == b"MZ"
