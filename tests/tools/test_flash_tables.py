"""The flash page tables mean the same in every regime the reset path enters.

src/arch/flash_tables.S is one set of tables for the EL1&0 regime, EL2 with
E2H = 1 (the same EL1 descriptor format) and EL2 with E2H = 0 or EL3 (the
single-range format). This reads them out of build/mmuon.bin (the flash
image, at address 0), walks them as the MMU does (4 KiB granule, T0SZ from
MMUON_VA_BITS) and evaluates every block's permissions in each format as the
Arm ARM defines them (D8.4: AP[2:1], PXN/UXN or XN, and "writable at EL0 is
privileged execute-never"), then checks what the reset path needs: flash
bank 0 Normal, read-only, executable at the running EL; the variable bank
and devices Device-nGnRE; everything but the firmware's flash read/write and
execute-never at every EL; RES1/RES0 bits of the single-range format
respected; identity mapped, AF set.

Planted faults (a RES0 bit set, AP[1] clear, a writable flash block, an
executable device block, a wrong output address) must be caught.
"""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / "build" / "mmuon.bin"
ELF = REPO / "build" / "mmuon.elf"
CROSS = "aarch64-linux-gnu-"

SZ_1G, SZ_2M = 1 << 30, 1 << 21


def header_constants(*names: str) -> dict[str, int]:
    """#define NAME value (plain integers) from include/mmuon/*.h."""
    found = {}
    for h in ("layout.h", "sysreg.h"):
        for m in re.finditer(r"^#define (\w+) (0x[0-9a-fA-F]+|\d+)\s*(?:/\*.*)?$",
                             (REPO / "include" / "mmuon" / h).read_text(), re.M):
            found[m[1]] = int(m[2], 0)
    return {n: found[n] for n in names}


K = header_constants("FLASH_BASE", "FLASH_BANK_SIZE", "FLASH_SIZE", "RAM_BASE",
                     "FLASH_MAP_RAM_LIMIT", "MMUON_VA_BITS", "MT_NORMAL", "MT_DEVICE_nGnRE")


@dataclass
class Block:
    va: int
    size: int
    desc: int


def walk(image: bytes, root: int) -> list[Block]:
    """Every valid block the tables at `root` map (level 0 start)."""
    def entry(table: int, i: int) -> int:
        return struct.unpack_from("<Q", image, table + 8 * i)[0]

    def output(desc: int) -> int:
        return desc & ((1 << 48) - 1) & ~0xFFF

    blocks = []

    def visit(table: int, level: int, base: int, entries: int) -> None:
        size = 1 << (12 + 9 * (3 - level))
        for i in range(entries):
            d = entry(table, i)
            if not d & 1:
                assert d == 0, f"invalid level {level} entry {i} is not zero: {d:#x}"
                continue
            va = base + i * size
            if d & 2:
                assert level < 2, f"level {level} table descriptor at {va:#x}: "\
                    "the flash tables end at level 2"
                assert d >> 59 == 0, f"hierarchical attributes at {va:#x}: {d:#x}"
                visit(output(d), level + 1, va, 512)
            else:
                assert level in (1, 2), f"block at level {level}"
                blocks.append(Block(va, size, d))

    visit(root, 0, 0, 1 << (K["MMUON_VA_BITS"] - 39))
    return blocks


@dataclass
class Access:
    read: bool
    write: bool
    execute: bool  # at the running EL
    el0_execute: bool | None  # None: the regime has no EL0


def permissions(desc: int, regime: str) -> Access:
    """Stage 1 permissions at the EL running the regime (Arm ARM D8.4)."""
    ap2, ap1 = desc >> 7 & 1, desc >> 6 & 1
    b53, b54 = desc >> 53 & 1, desc >> 54 & 1
    if regime == "single-range":  # EL2 with E2H = 0, EL3
        assert ap1 == 1, f"AP[1] is RES1 in the single-range format: {desc:#x}"
        assert b53 == 0, f"bit 53 is RES0 in the single-range format: {desc:#x}"
        return Access(True, not ap2, not b54, None)
    # EL1&0, and EL2&0 (E2H = 1) at EL2: AP[1] grants EL0 the same access;
    # a region writable at EL0 is always privileged execute-never.
    el0_write = ap1 and not ap2
    return Access(True, not ap2, not b53 and not el0_write, not b54)


REGIMES = ("EL1&0", "EL2&0 (E2H = 1)", "single-range")


def problems(image: bytes, root: int) -> list[str]:
    found = []
    covered = 0
    for b in walk(image, root):
        d = b.desc
        where = f"[{b.va:#x}, {b.va + b.size:#x})"
        if d & ((1 << 48) - 1) & ~0xFFF & ~(b.size - 1) != b.va or d & (b.size - 1) & ~0xFFF:
            found.append(f"{where}: not identity mapped ({d:#x})")
        if not d & (1 << 10):
            found.append(f"{where}: AF clear (the walker would have to write flash)")
        attr = d >> 2 & 7
        flash = K["FLASH_BASE"] <= b.va < K["FLASH_BASE"] + K["FLASH_BANK_SIZE"]
        ram = b.va >= K["RAM_BASE"]
        want_attr = K["MT_NORMAL"] if flash or ram else K["MT_DEVICE_nGnRE"]
        if attr != want_attr:
            found.append(f"{where}: AttrIndx {attr}, expected {want_attr}")
        if attr == K["MT_NORMAL"] and d >> 8 & 3 != 3:
            found.append(f"{where}: Normal memory not inner shareable")
        for regime in REGIMES:
            try:
                a = permissions(d, "single-range" if regime == "single-range" else "two-range")
            except AssertionError as e:
                found.append(f"{where}, {regime}: {e}")
                continue
            if flash and (a.write or not a.execute):
                found.append(f"{where}, {regime}: flash must be read-only and executable: {a}")
            if not flash and (not a.write or a.execute or a.el0_execute):
                found.append(f"{where}, {regime}: must be read/write and execute-never: {a}")
        covered += b.size
    if covered != K["FLASH_MAP_RAM_LIMIT"]:
        found.append(f"{covered:#x} bytes mapped, expected [0, {K['FLASH_MAP_RAM_LIMIT']:#x})")
    return found


@pytest.fixture(scope="module")
def firmware() -> tuple[bytes, int]:
    if not BIN.exists() or not ELF.exists():
        pytest.skip("build/mmuon.bin is not built: run `make`")
    nm = subprocess.run([CROSS + "nm", str(ELF)], check=True, capture_output=True,
                        text=True).stdout
    root = int(re.search(r"^([0-9a-f]+) R flash_tables$", nm, re.M)[1], 16)
    return BIN.read_bytes(), root


def test_flash_tables_hold_in_every_regime(firmware):
    image, root = firmware
    assert problems(image, root) == []
    # Not blind: flash, devices and RAM are all there.
    kinds = {(b.va < K["FLASH_BANK_SIZE"], b.va >= K["RAM_BASE"]) for b in walk(image, root)}
    assert kinds == {(True, False), (False, False), (False, True)}


def block_at(image: bytes, root: int, va: int) -> int:
    """File offset of the descriptor that maps va."""
    l1 = struct.unpack_from("<Q", image, root)[0] & ~0xFFF & ((1 << 48) - 1)
    if va >= SZ_1G:
        return l1 + 8 * (va // SZ_1G)
    l2 = struct.unpack_from("<Q", image, l1)[0] & ~0xFFF & ((1 << 48) - 1)
    return l2 + 8 * (va // SZ_2M)


UART = 0x09000000
FAULTS = {
    "bit 53 on a device block": (UART, lambda d: d | 1 << 53, "bit 53 is RES0"),
    "AP[1] clear on RAM": (K["RAM_BASE"], lambda d: d & ~(1 << 6), "AP[1] is RES1"),
    "writable flash": (0, lambda d: d & ~(1 << 7), "flash must be read-only"),
    "executable device": (UART, lambda d: d & ~(1 << 54), "must be read/write and execute-never"),
    "RAM read-only": (K["RAM_BASE"], lambda d: d | 1 << 7, "must be read/write"),
    "device as Normal": (UART, lambda d: d & ~(7 << 2) | K["MT_NORMAL"] << 2, "AttrIndx"),
    "output address": (K["RAM_BASE"], lambda d: d + SZ_1G, "not identity mapped"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_planted_faults_are_caught(firmware, fault):
    image, root = firmware
    va, change, message = FAULTS[fault]
    at = block_at(image, root, va)
    d = struct.unpack_from("<Q", image, at)[0]
    bad = bytearray(image)
    struct.pack_into("<Q", bad, at, change(d))
    found = problems(bytes(bad), root)
    assert any(message in p for p in found), found
