#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Device trees whose last property runs to the end of the blob.

    tests/fuzz/craft_dt.py CRASHDIR SEEDDIR

A small QEMU-virt-like tree (PL011 console, one /memory node, PSCI,
/chosen) laid out with the structure block last in the blob, so that the
blob ends inside one property's value. In CRASHDIR, one DTB per string
property dt.c reads, with that value unterminated (no NUL before the end):
each makes dt_discover() read past the blob. In SEEDDIR, the same layout
well formed: a seed from which the fuzzer reaches such blobs by shrinking.
libfdt's fdt_getprop() checks that a value lies inside the structure block
but not that a string value is terminated; that is the caller's to check.
"""
import os
import struct
import sys


def be(*v):
    return struct.pack(">%dI" % len(v), *v)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def cstr(x):
    return x.encode() + b"\0"


FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP = 1, 2, 3

TREE = [
    ("", [("#address-cells", be(2)), ("#size-cells", be(2))]),
    ("pl011@9000000", [("compatible", cstr("arm,pl011")),
                       ("reg", be(0, 0x9000000, 0, 0x1000))]),
    ("memory@40000000", [("device_type", cstr("memory")),
                         ("status", cstr("okay")),
                         ("reg", be(0, 0x40000000, 0, 0x40000000))]),
    ("psci", [("compatible", cstr("arm,psci-0.2")), ("method", cstr("hvc"))]),
    ("chosen", [("bootargs", cstr("console=ttyAMA0")),
                ("stdout-path", cstr("/pl011@9000000"))]),
]


def blob(node, prop, terminated):
    """The tree with node/prop moved last and the blob ending in it."""
    nodes = [TREE[0]] + [n for n in TREE[1:] if n[0] != node] + \
        [n for n in TREE[1:] if n[0] == node]
    name, props = nodes[-1]
    value = dict(props)[prop]
    if not terminated:
        value = value.rstrip(b"\0")
    nodes[-1] = (name, [p for p in props if p[0] != prop] + [(prop, value)])
    strings, offs, st = b"", {}, b""
    for i, (name, props) in enumerate(nodes):
        st += be(FDT_BEGIN_NODE) + pad4(cstr(name))
        for j, (pn, pv) in enumerate(props):
            if pn not in offs:
                offs[pn] = len(strings)
                strings += cstr(pn)
            last = i == len(nodes) - 1 and j == len(props) - 1
            st += be(FDT_PROP, len(pv), offs[pn]) + (pv if last else pad4(pv))
        # Children of / are closed; the last node and / are not: the blob
        # ends in the value (libfdt finds properties without the ends).
        if 0 < i < len(nodes) - 1:
            st += be(FDT_END_NODE)
    rsv = bytes(16)  # empty memory reservation map
    off_strings = 40 + len(rsv)
    off_struct = off_strings + len(pad4(strings))
    total = off_struct + len(st)
    header = be(0xD00DFEED, total, off_struct, off_strings, 40, 17, 16, 0,
                len(strings), len(st))
    return header + rsv + pad4(strings) + st


# (file name, node, property): the string reads of src/platform/dt.c.
CASES = [
    ("unterminated-stdout-path.dtb", "chosen", "stdout-path"),
    ("unterminated-bootargs.dtb", "chosen", "bootargs"),
    ("unterminated-device-type.dtb", "memory@40000000", "device_type"),
    ("unterminated-status.dtb", "memory@40000000", "status"),
    ("unterminated-method.dtb", "psci", "method"),
]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    crashes, seeds = sys.argv[1:]
    os.makedirs(crashes, exist_ok=True)
    os.makedirs(seeds, exist_ok=True)
    for name, node, prop in CASES:
        with open(os.path.join(crashes, name), "wb") as f:
            f.write(blob(node, prop, False))
    with open(os.path.join(seeds, "struct-last.dtb"), "wb") as f:
        f.write(blob("chosen", "stdout-path", True))


if __name__ == "__main__":
    main()
