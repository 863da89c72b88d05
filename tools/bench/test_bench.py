# SPDX-License-Identifier: MIT
"""Unit tests of tools/bench.py's parsing (no QEMU):

    /usr/bin/python3 -m pytest -q tools/bench
"""

import re
import struct
import subprocess
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


# ---- the build's mark and publishing -----------------------------------------------


def test_build_marks():
    clean = bench.Build("4c8fc1f", "4c8fc1f")
    assert clean.publishable and "NOT FOR PUBLISHING" not in clean.mark()
    dirty = bench.Build("4c8fc1f-dirty", "4c8fc1f-dirty")
    assert not dirty.publishable
    assert dirty.mark().startswith("NOT FOR PUBLISHING: mmuon build 4c8fc1f-dirty")
    stale = bench.Build("02bae00", "4c8fc1f")
    assert not stale.publishable and "stale" in stale.mark()
    # A clean build while someone edits the tree: the tree says so.
    assert not bench.Build("4c8fc1f", "4c8fc1f-dirty").publishable
    assert not bench.Build("", "4c8fc1f").publishable


def fake_run(build: "bench.Build"):
    import datetime
    mach = {"nproc": "2", "cpu": "AMD EPYC", "qemu": "QEMU emulator version 10.0.2",
            "load": "0.50 0.40 0.30"}
    fws = [f for f in bench.firmwares(None) if f.key in ("qemu", "mmuon")]
    st = {"qemu": bench.Stats(3, 3, (0.7, 0.8, 0.9), (3.0, 3.1, 3.2), None),
          "mmuon": bench.Stats(3, 3, (0.5, 0.6, 0.7), (2.9, 3.0, 3.1), None)}
    counts = {"qemu": bench.Count(6), "mmuon": bench.Count(9_271_553)}
    kept = {"mmuon": (bench.Kept(192 << 10, 384 << 10, []), "")}
    run = bench.RunInfo(3, "1G", mach, "0.60 0.50 0.40",
                        datetime.datetime(2026, 12, 4, 12, 0), build)
    return fws, st, counts, kept, run


def test_readme_block_names_the_build_and_the_figures():
    fws, st, counts, kept, run = fake_run(bench.Build("4c8fc1f", "4c8fc1f"))
    block = bench.readme_block(fws, st, counts, kept, 100_248, run)
    assert "mmuon build 4c8fc1f (a clean commit)" in block
    assert "| QEMU `-kernel` | 0.80 s | (floor) | 6 | – |" in block
    assert "| **mmuon** | **0.60 s** | **-200 ms** | **9,271,553** | **192 KiB** |" in block
    assert "mmuon's image is 98 KiB" in block
    fws, st, counts, kept, run = fake_run(bench.Build("4c8fc1f-dirty", "4c8fc1f-dirty"))
    dirty = bench.readme_block(fws, st, counts, kept, 100_248, run)
    assert "NOT FOR PUBLISHING" in dirty
    assert "a clean commit" not in dirty


def test_publishing_is_refused_for_a_dirty_build(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{bench.README_BEGIN}\nold figures\n{bench.README_END}\nrest\n")
    monkeypatch.setattr(bench, "README", readme)
    monkeypatch.setattr(bench, "PUBLISHED", tmp_path / "docs")
    fws, st, counts, kept, run = fake_run(bench.Build("4c8fc1f-dirty", "4c8fc1f-dirty"))
    why = bench.publish_refusal(fws, [], st, counts, kept, run.build)
    assert "uncommitted changes" in why
    # Clean, but not every firmware ran: refused too.
    assert "not every firmware" in bench.publish_refusal(
        fws, [], st, counts, kept, bench.Build("4c8fc1f", "4c8fc1f"))
    # What publishing does, when allowed: the block between the markers only.
    out = tmp_path / "results"
    out.mkdir()
    (out / "bench.md").write_text("# results\n")
    bench.publish(out, "new figures")
    assert readme.read_text() == (f"intro\n{bench.README_BEGIN}\nnew figures\n"
                                  f"{bench.README_END}\nrest\n")
    assert (tmp_path / "docs" / "bench.md").read_text() == "# results\n"


def test_readme_has_the_markers():
    text = bench.README.read_text()
    assert text.count(bench.README_BEGIN) == 1 and text.count(bench.README_END) == 1
    assert text.index(bench.README_BEGIN) < text.index(bench.README_END)


def test_tables_marks_bracket_the_one_call():
    """The two marks: firmware_tables_install()'s entry (nm agrees) and the
    instruction after the only `bl` to it."""
    elf = bench.MMUON_BIN.with_suffix(".elf")
    if not elf.is_file():
        pytest.skip(f"{elf} is not built: run `make`")
    marks = bench.tables_marks(elf)
    assert marks is not None
    nm = subprocess.run(["aarch64-linux-gnu-nm", str(elf)], capture_output=True,
                        text=True, check=True).stdout
    entry = next(int(line.split()[0], 16) for line in nm.splitlines()
                 if line.endswith(" firmware_tables_install"))
    assert marks[0] == entry
    word = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--start-address",
                           hex(marks[1] - 4), "--stop-address", hex(marks[1]), str(elf)],
                          capture_output=True, text=True, check=True).stdout
    # Through the long-branch veneer: the call is from flash to RAM code.
    assert re.search(r"\bbl\s+[0-9a-f]+ <(__)?firmware_tables_install(_veneer)?>", word), word
