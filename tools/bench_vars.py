#!/usr/bin/env python3
"""The flash variable store's costs, for `make bench`.

- Recovery at boot: instructions from the entry of vars_mount() (reading the
  area headers, walking and loading the records, any repair) to the
  instruction after its call in efi_variables_init(), counted by the
  span_count TCG plugin (tools/plugin/span_count.c): for the empty
  template, and for a store of two 20000-byte variables and a few small
  ones (written by build/host/mmuon-varstore). Exact counts, not times.
- SetVariable latency as the OS sees it: the test init rewrites a 64-byte
  variable through efivarfs 100 times (median, 90th percentile).
- Reclaim of a full store: with two 20000-byte variables in the store
  (87% of what the OS may use), each rewrite of one of them does not fit
  after the free space, so it reclaims: the live set (about 40 KiB) is
  copied into the other area. The init times ten such rewrites; the store's
  generation shows how many reclaims there were.

Times are wall-clock under TCG on the machine that runs this, so they say
how the pieces compare, not what KVM would do. Writes results/bench-vars.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "boot"), str(ROOT / "tests"), str(ROOT / "tools")]

import elf_scan  # noqa: E402
import qemu  # noqa: E402

ELF = qemu.BUILD / "mmuon.elf"
PLUGIN = qemu.BUILD / "plugin" / "span_count.so"
VARSTORE = qemu.BUILD / "host" / "mmuon-varstore"
MMUON_GUID = "3c6f7a5e-4d1b-4e2a-9b8f-6a1d2c3e4f50"
CROSS = "aarch64-linux-gnu-"
TARGET = 100_000  # instructions, for an empty store (issue #13)


def mount_span() -> tuple[int, int]:
    """vars_mount's address, and the instruction after its call site."""
    return elf_scan.call_span(CROSS, str(ELF), "vars_mount")


def mount_cost(vars_fd: Path, tmp: Path) -> int:
    start, stop = mount_span()
    out = tmp / "span.json"
    b = qemu.run_qemu(
        firmware=qemu.Pflash(qemu.PFLASH_CODE, vars_fd), kernel=qemu.KERNELS["new"],
        append=qemu.BASE_CMDLINE, timeout=300, check_timeout=False,
        stop_at=re.compile(r"^mmuon: kernel image at"),
        extra=["-plugin", f"{PLUGIN},start={start:x},stop={stop:x},out={out}"])
    res = json.loads(out.read_text()) if out.exists() else {}
    if not res.get("stopped"):
        raise SystemExit(f"bench_vars: the span was not seen: {res}\n{b.describe()}")
    said = [line for _, line in b.lines if line.startswith("mmuon: variables")]
    print(f"  {vars_fd.name}: {res['insns']:,} instructions ({'; '.join(said)})")
    return res["insns"]


def full_store(tmp: Path) -> Path:
    f = tmp / "full-vars.fd"
    shutil.copyfile(qemu.PFLASH_VARS, f)
    for i in range(2):
        subprocess.run([str(VARSTORE), "set", str(f), f"MmuonTestBig{i}", MMUON_GUID, "7",
                        bytes((i + j) & 0xFF for j in range(20000)).hex()], check=True)
    for name in ("BootOrder", "Boot0001", "Boot0002"):
        subprocess.run([str(VARSTORE), "set", str(f), name,
                        "8be4df61-93ca-11d2-aa0d-00e098032b8c", "7", "01000000"], check=True)
    return f


def store_report(vars_fd: Path) -> dict[str, int]:
    line = subprocess.run([str(VARSTORE), "list", str(vars_fd)], capture_output=True,
                          text=True, check=True).stdout.splitlines()[0]
    return {k: int(v) for k, v in (kv.split("=") for kv in line.split()) if v.isdigit()}


def guest(vars_fd: Path, initramfs: Path, mode: str, line: str) -> dict[str, int]:
    b = qemu.run_qemu(firmware=qemu.Pflash(qemu.PFLASH_CODE, vars_fd),
                      kernel=qemu.KERNELS["new"], initrd=initramfs,
                      append=qemu.make_cmdline(f"mmuon.vars={mode}"), timeout=900,
                      check_timeout=False)
    d = b.report.detail(line)
    if d is None:
        raise SystemExit(f"bench_vars: no {line} from the guest\n{b.describe()}")
    return {k: int(v) for k, v in (kv.split("=") for kv in d.split())}


def guest_bench(tmp: Path, initramfs: Path) -> dict:
    vars_fd = tmp / "bench-vars.fd"
    shutil.copyfile(qemu.PFLASH_VARS, vars_fd)
    out = {"set": guest(vars_fd, initramfs, "bench", "var-bench-set")}
    out["full"] = store_report(vars_fd)
    out["reclaim"] = guest(vars_fd, initramfs, "reclaim", "var-bench-reclaim")
    out["after"] = store_report(vars_fd)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "results" / "bench-vars.md"))
    a = p.parse_args()
    for f in (ELF, PLUGIN, VARSTORE, qemu.PFLASH_CODE, qemu.PFLASH_VARS):
        if not f.exists():
            raise SystemExit(f"bench_vars: no {f} (make all plugins)")
    initramfs = qemu.BUILD / "boot" / "bench-vars.cpio"
    subprocess.run([str(ROOT / "tools" / "mkinitramfs.sh"), str(initramfs)], check=True)
    with tempfile.TemporaryDirectory(prefix="bench-vars-") as t:
        tmp = Path(t)
        print("recovery at boot (vars_mount, span_count plugin):")
        empty_fd = tmp / "empty-vars.fd"
        shutil.copyfile(qemu.PFLASH_VARS, empty_fd)
        empty = mount_cost(empty_fd, tmp)
        full = mount_cost(full_store(tmp), tmp)
        print("guest (efivarfs, test init mmuon.vars=bench):")
        g = guest_bench(tmp, initramfs)
    s, rc = g["set"], g["reclaim"]
    reclaims = g["after"]["generation"] - g["full"]["generation"]
    lines = [
        "| variable store | figure | how |",
        "|---|---:|---|",
        f"| recovery at boot, empty store | **{empty:,} instructions** "
        f"(target ≤ {TARGET:,}: {'met' if empty <= TARGET else 'MISSED'}) | "
        "vars_mount() entry to return, TCG plugin `span_count` |",
        f"| recovery at boot, 2 × 20000 B + 3 small variables | {full:,} instructions | "
        "same (every record's CRC checked) |",
        f"| SetVariable from the OS, 64 B | median {s['median_us'] / 1000:.2f} ms, "
        f"p90 {s['p90_us'] / 1000:.2f} ms | efivarfs write, 100 times |",
        f"| SetVariable that reclaims a full store ({g['full']['live'] // 1024} KiB live) | "
        f"median {rc['median_us'] / 1000:.1f} ms (min {rc['min_us'] / 1000:.1f}, max "
        f"{rc['max_us'] / 1000:.1f}) | 10 rewrites of a 20000 B variable, "
        f"{reclaims} of them reclaimed |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("QEMU TCG, " + qemu.QEMU + "; times are wall clock under TCG.\n\n" + text)
    print(f"bench_vars: {out}")
    return 0 if empty <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
