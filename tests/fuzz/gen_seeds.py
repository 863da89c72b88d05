#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the synthetic seeds of the fuzz targets (stdlib only).

    tests/fuzz/gen_seeds.py OUTDIR

writes OUTDIR/fuzz_pe/syn-*, OUTDIR/fuzz_devpath/*, OUTDIR/fuzz_memmap/*.
The input formats are the ones the harnesses (tests/fuzz/fuzz_*.c) read;
keep both in step. tests/fuzz/make_seeds.sh adds the seeds that come from
outside (kernel headers, QEMU's DTBs).
"""
import os
import struct
import sys

# ---- PE/COFF --------------------------------------------------------------

LFANEW = 0x40
SCN_CODE = 0x60000020
SCN_DATA = 0xC0000040
SCN_RELOC = 0x42000040
SCN_BSS = 0xC0000080


def pe(sections, *, salign=0x1000, falign=0x200, headers=0x200,
       image_size=None, entry=None, base=0x10000000, reloc=None,
       subsystem=10, ndirs=16, file_size=None, magic=0x20B,
       machine=0xAA64):
    """sections: (name, rva, vsize, file_offset, raw_size, flags, data)."""
    opt_size = 112 + 8 * ndirs
    table = LFANEW + 24 + opt_size
    if image_size is None:
        image_size = max(s[1] + s[2] for s in sections)
        image_size = (image_size + salign - 1) // salign * salign
    if entry is None:
        entry = sections[0][1]
    end = max([headers] + [s[3] + s[4] for s in sections])
    buf = bytearray(file_size if file_size is not None else end)
    buf[0:2] = b"MZ"
    struct.pack_into("<I", buf, 0x3C, LFANEW)
    struct.pack_into("<4sHHIIIHH", buf, LFANEW, b"PE\0\0", machine,
                     len(sections), 0, 0, 0, opt_size, 0x0206)
    o = LFANEW + 24
    struct.pack_into("<HBBIIIII", buf, o, magic, 2, 0, 0, 0, 0, entry, 0)
    struct.pack_into("<QII", buf, o + 24, base, salign, falign)
    struct.pack_into("<II", buf, o + 56, image_size, headers)
    struct.pack_into("<HH", buf, o + 68, subsystem, 0x0100)
    struct.pack_into("<I", buf, o + 108, ndirs)
    if reloc and ndirs > 5:
        struct.pack_into("<II", buf, o + 112 + 5 * 8, *reloc)
    for i, (name, rva, vsize, off, raw, flags, data) in enumerate(sections):
        struct.pack_into("<8sIIIIIIHHI", buf, table + 40 * i, name, vsize,
                         rva, raw, off, 0, 0, 0, 0, flags)
        if data:
            buf[off:off + len(data)] = data
    return bytes(buf)


def reloc_blocks(blocks):
    """blocks: (page_rva, [(type, offset)]), padded to 4 bytes each."""
    out = b""
    for page, ents in blocks:
        words = [t << 12 | off for t, off in ents]
        if len(words) % 2:
            words.append(0)  # IMAGE_REL_BASED_ABSOLUTE padding
        out += struct.pack("<II", page, 8 + 2 * len(words))
        out += struct.pack("<%dH" % len(words), *words)
    return out


def pe_seeds():
    seeds = {}
    code = b"\x1f\x20\x03\xd5" * 16  # nop
    seeds["syn-min"] = pe([(b".text", 0x1000, 0x40, 0x200, 0x200, SCN_CODE,
                            code)])
    # DIR64 relocations into .data, two blocks, one with padding.
    data = struct.pack("<4Q", 0x10001000, 0x10002008, 0, 0x10000000)
    rel = reloc_blocks([(0x2000, [(10, 0), (10, 8), (10, 0x18)]),
                        (0x1000, [(10, 0x30), (0, 0)])])
    seeds["syn-reloc"] = pe(
        [(b".text", 0x1000, 0x200, 0x400, 0x200, SCN_CODE, code),
         (b".data", 0x2000, 0x200, 0x600, 0x200, SCN_DATA, data),
         (b".reloc", 0x3000, len(rel), 0x800, 0x200, SCN_RELOC, rel)],
        headers=0x400, reloc=(0x3000, len(rel)))
    # In place (file offsets = RVAs) with BSS, as Linux's Image.
    seeds["syn-inplace-bss"] = pe(
        [(b".text", 0x1000, 0x1000, 0x1000, 0x1000, SCN_CODE, code),
         (b".data", 0x2000, 0x3000, 0x2000, 0x800, SCN_DATA, data),
         (b".bss", 0x5000, 0x1000, 0, 0, SCN_BSS, None)],
        headers=0x1000, salign=0x1000, falign=0x1000)
    # gnu-efi/U-Boot style: 512-byte sections, empty .reloc placeholder
    # at RVA 0, VirtualSize 0 (means SizeOfRawData).
    rel2 = reloc_blocks([(0x400, [(10, 0x10)])])
    seeds["syn-gnuefi"] = pe(
        [(b".reloc", 0, 0, 0, 0, SCN_RELOC, None),
         (b".text", 0x200, 0, 0x200, 0x200, SCN_CODE, code),
         (b".data", 0x400, 0x200, 0x400, 0x200, SCN_DATA, data),
         (b".rel", 0x600, 0x200, 0x600, 0x200, SCN_RELOC, rel2)],
        salign=0x200, falign=0x200, reloc=(0x600, len(rel2)),
        subsystem=11, entry=0x200)
    # Many sections, not in place (file offsets differ from RVAs).
    secs = [(b".s%d" % i, 0x1000 * (i + 1), 0x100, 0x400 + 0x200 * i, 0x200,
             SCN_DATA, bytes([i]) * 16) for i in range(8)]
    seeds["syn-many"] = pe(secs, headers=0x400, subsystem=12)
    seeds["syn-pe32"] = pe([(b".text", 0x1000, 0x40, 0x200, 0x200,
                             SCN_CODE, code)], magic=0x10B)
    seeds["syn-x64"] = pe([(b".text", 0x1000, 0x40, 0x200, 0x200,
                            SCN_CODE, code)], machine=0x8664)
    # Raw relocation inputs (not "MZ"): directory, then the image. The
    # table sits mid-image; targets at the start and the very end.
    table = reloc_blocks([(0, [(10, 0), (10, 8)]),
                          (0x100, [(10, 0xF8), (0, 0), (10, 0x10)])])
    image = bytearray(0x200)
    image[0x80:0x80 + len(table)] = table
    seeds["raw-reloc"] = struct.pack("<II", 0x80, len(table)) + image
    seeds["raw-reloc-empty"] = struct.pack("<II", 0, 0) + bytes(16)
    seeds["syn-elf"] = b"\x7fELF\x02\x01\x01" + bytes(57)
    bare = bytearray(64)
    bare[0x38:0x3C] = b"ARM\x64"
    seeds["syn-bare-image"] = bytes(bare)
    return seeds


# ---- device paths ---------------------------------------------------------

def node(t, st, payload=b""):
    return struct.pack("<BBH", t, st, 4 + len(payload)) + payload


END = node(0x7F, 0xFF)
END_INSTANCE = node(0x7F, 0x01)
INITRD_GUID = struct.pack("<IHH", 0x5568E427, 0x68FC, 0x4F3D) + \
    bytes.fromhex("ac74ca555231cc68")


def ven_media(guid):
    return node(4, 3, guid)


def acpi(hid, uid):
    return node(2, 1, struct.pack("<II", hid, uid))


def pci(dev, fn):
    return node(1, 1, bytes([fn, dev]))


def file_path(name):
    return node(4, 4, (name + "\0").encode("utf-16-le"))


def hd():
    return node(4, 1, struct.pack("<IQQ16sBB", 1, 2048, 204800,
                                  bytes(range(16)), 2, 2))


def devpath_input(path, cands, shrink=0):
    out = bytes([len(cands) | shrink << 3])
    for chunk in [path] + cands:
        out += struct.pack("<H", len(chunk)) + chunk
    return out


def devpath_seeds():
    root = acpi(0x0A0341D0, 0)
    disk = root + pci(1, 0) + hd()
    boot = disk + file_path("\\EFI\\BOOT\\BOOTAA64.EFI") + END
    other = ven_media(bytes(16)) + END
    return {
        "initrd": devpath_input(ven_media(INITRD_GUID) + END,
                                [ven_media(INITRD_GUID) + END, END, other]),
        "disk": devpath_input(boot, [root + END, disk + END,
                                     root + pci(1, 0) + END, b"", boot]),
        "multi-instance": devpath_input(
            root + pci(2, 0) + END_INSTANCE + root + pci(3, 0) + END,
            [root + pci(2, 0) + END]),
        "malformed": devpath_input(root + node(1, 1)[:2] + b"\0\0" + END,
                                   [node(0x7F, 0xFF, b"x"), END[:3]]),
        "shrunk": devpath_input(boot, [disk + END], shrink=8),
    }


# ---- memory map programs --------------------------------------------------
# Operand encodings of fuzz_memmap.c: in_addr(), in_pages(), in_align(),
# in_type(), in_attr().

def a_win(page):
    return bytes([0]) + struct.pack("<H", page)


def a_edge(idx, delta, end=False):
    return bytes([3 | (8 if end else 0), idx, delta & 0xFF])


def a_top(pages_below):
    return bytes([4, pages_below - 1])


def a_raw(addr):
    return bytes([5]) + struct.pack("<Q", addr)


def a_pow2(shift):
    return bytes([7, shift])


def p_small(n):
    return bytes([(n - 1) << 2])


def p_raw(n):
    return bytes([3]) + struct.pack("<Q", n)


def al(shift):  # alignment 2^shift bytes
    return bytes([shift + 1])


AL_PAGE = bytes([0])
T = {"LoaderCode": 0, "LoaderData": 1, "BSCode": 2, "BSData": 3,
     "RTCode": 4, "RTData": 5, "Conventional": 6, "Reserved": 7,
     "MMIO": 8}


def ty(name):
    return bytes([T[name]])


def attr(bits):  # bit i: UC WC WT WB RP XP RO RUNTIME
    return bytes([bits])


def op_add_ram(a, p):
    return bytes([0]) + a + p


def op_add(a, p, t, at):
    return bytes([1]) + a + p + t + at


def op_any(t, p, align):
    return bytes([2]) + t + p + align


def op_max(t, p, align, a):
    return bytes([3]) + t + p + align + a


def op_at(t, p, align, a):
    return bytes([4]) + t + p + align + a


def op_random(t, p, align, rnd, a=None):
    return bytes([5]) + t + p + align + \
        (bytes([1]) if a is None else bytes([0]) + a) + struct.pack("<Q", rnd)


def op_free(a, p):
    return bytes([6]) + a + p


def op_set(a, p, set_, clear):
    return bytes([8]) + a + p + set_ + clear


def op_query(a, p, mask, align, index):
    return bytes([9]) + a + p + mask + align + struct.pack("<H", index)


def memmap_seeds():
    gib = 1 << 30
    firmware = bytes([63]) + b"".join([   # capacity 64
        op_add_ram(a_pow2(30), p_raw(gib >> 12)),          # 1 GiB RAM
        op_add(a_pow2(30), p_small(1), ty("BSData"), attr(0x0F)),  # DTB
        op_add(a_raw(0x9000000), p_small(1), ty("MMIO"), attr(0x01)),
        op_add(a_raw(0x7FFF0000), p_small(16), ty("RTCode"), attr(0x08)),
        op_random(ty("LoaderCode"), p_raw(0x2230), al(16),
                  0x9E3779B97F4A7C15),                     # the kernel
        op_max(ty("LoaderData"), p_raw(0x1000), al(21), a_raw(0xFFFFFFFF)),
        op_any(ty("BSData"), p_small(4), AL_PAGE),
        op_any(ty("BSData"), p_small(2), AL_PAGE),
        op_free(a_edge(5, 1), p_small(1)),
        op_set(a_edge(4, 0), p_small(8), attr(0x40), attr(0x20)),
        op_query(a_edge(4, 0), p_small(8), attr(0x7F), al(16), 3),
    ])
    window = bytes([3]) + b"".join([      # capacity 4: the map fills up
        op_add_ram(a_win(0), p_small(16)),
        op_add_ram(a_win(32), p_small(16)),
        op_at(ty("LoaderData"), p_small(2), AL_PAGE, a_win(4)),
        op_at(ty("LoaderData"), p_small(2), AL_PAGE, a_win(8)),
        op_any(ty("RTData"), p_small(1), AL_PAGE),
        op_free(a_win(4), p_small(2)),
        op_free(a_win(5), p_small(1)),
        op_random(ty("BSCode"), p_small(3), al(13), 12345, a_win(40)),
        op_query(a_win(0), p_small(16), attr(0xFE), AL_PAGE, 0),
    ])
    top = bytes([15]) + b"".join([        # the end of the address space
        op_add_ram(a_top(16), p_small(15)),
        op_add_ram(a_top(16), p_small(16)),
        op_at(ty("LoaderCode"), p_small(1), AL_PAGE, a_top(2)),
        op_max(ty("LoaderCode"), p_raw(1 << 51), AL_PAGE, a_raw(2**64 - 1)),
        op_random(ty("LoaderData"), p_small(2), al(63), 2**64 - 1),
        op_any(ty("LoaderData"), p_small(1), al(62)),
        op_free(a_top(2), p_small(1)),
        op_query(a_top(16), p_raw(2**52 - 1), attr(0xFE), al(40), 0xFFFF),
    ])
    return {"firmware": firmware, "window": window, "top": top}


def write(outdir, target, seeds):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    write(sys.argv[1], "fuzz_pe", pe_seeds())
    write(sys.argv[1], "fuzz_devpath", devpath_seeds())
    write(sys.argv[1], "fuzz_memmap", memmap_seeds())


if __name__ == "__main__":
    main()
