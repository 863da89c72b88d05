# SPDX-License-Identifier: MIT
"""What tools/bench_clients.py and tools/bench_disk.py share: their options,
rounds of timed boots, each checked against the command line it must give
the guest, instruction counts up to an entry point (insn_count.so under
-icount), the cells of their tables and where the tables go.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
from pathlib import Path

import qemu

PLUGIN = qemu.BUILD / "plugin" / "insn_count.so"


def kernel_package(kernel: Path) -> str:
    """The Debian package a fetched kernel came from (tools/fetch-arm64.sh
    writes it beside the kernel, as NAME.package), or the file's name."""
    pkg = kernel.with_name(kernel.name + ".package")
    return pkg.read_text().strip() if pkg.is_file() else kernel.name


def load_average() -> str:
    """The host's 1, 5 and 15-minute load averages, as the tables print them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def options(doc: str) -> argparse.Namespace:
    """[-n N] [--only edk2,mmuon] [--out results]; .fws: the firmwares."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("-n", "--runs", type=int, default=int(os.environ.get("N", 10)))
    p.add_argument("--only", default="edk2,mmuon")
    p.add_argument("--out", type=Path, default=qemu.REPO / "results")
    a = p.parse_args()
    a.fws = a.only.split(",")
    return a


def all_present(bench: str, needs, hint: str) -> bool:
    """Whether every file in needs is there; names the first that is not."""
    for need in needs:
        if not need.is_file():
            print(f"{bench}: {need} is missing ({hint})", file=sys.stderr)
            return False
    return True


@dataclasses.dataclass
class Result:
    """One case under one firmware."""
    kernel_s: list[float] = dataclasses.field(default_factory=list)
    failures: list[str] = dataclasses.field(default_factory=list)
    # what -> instructions before it (None: not counted, see why_no_count)
    counts: dict[str, int | None] = dataclasses.field(default_factory=dict)
    why_no_count: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.kernel_s) if self.kernel_s else None


def timed_boot(log: Path, cmdline: str, root: Path, **run) -> tuple[float | None, str]:
    """One boot (run_qemu(**run)): QEMU start to the kernel's first line, or
    why it does not count (no boot, the guest's checks failed, or the guest
    saw another command line than cmdline)."""
    b = qemu.run_qemu(timeout=run.pop("timeout", 300), check_timeout=False, log=log, **run)
    r = b.report
    where = log.relative_to(root)
    if b.kernel_time is None or not r.done or r.failures or b.returncode != 0:
        said = [line for _, line in b.lines if line.startswith("mmuon: nothing booted")
                or line.startswith("mmuon:   ")]
        return None, (f"no boot ({'killed' if b.timed_out else f'exit {b.returncode}'}; "
                      f"{where})" + (": " + " ".join(said) if said else ""))
    if r.detail("cmdline") != cmdline:
        return None, f"another command line: {r.detail('cmdline')!r} ({where})"
    return b.kernel_time, ""


def count_before(pattern: bytes, out: Path, log: Path, what: str, root: Path,
                 **run) -> tuple[int | None, str]:
    """Instructions from reset to the first one whose bytes are pattern
    (insn_count.so match=), under -icount shift=0,sleep=off: exact. QEMU
    stops at the kernel's first line; run: run_qemu()'s other arguments."""
    out.unlink(missing_ok=True)
    run["extra"] = list(run.get("extra", ())) + [
        "-plugin", f"{PLUGIN},match={pattern.hex()},out={out}", "-icount", "shift=0,sleep=off"]
    qemu.run_qemu(timeout=run.pop("timeout", 600), check_timeout=False, log=log,
                  stop_at=qemu.KERNEL_FIRST_LINE, **run)
    try:
        res = json.loads(out.read_text())
    except (OSError, ValueError):
        return None, f"no result from the plugin ({log.relative_to(root)})"
    if not res.get("kernel_entered"):
        return None, f"the {what} was never entered ({log.relative_to(root)})"
    return res["insns_before_kernel"], ""


def rounds(n: int, cases: list, fws: list[str], boot) -> dict[tuple[str, str], Result]:
    """n rounds of every case under every firmware, interleaved:
    boot(fw, case, round) -> (seconds or None, why)."""
    results = {(fw, c.key): Result() for fw in fws for c in cases}
    width = max(len(c.key) for c in cases)
    for rnd in range(1, n + 1):
        for c in cases:
            for fw in fws:
                t, why = boot(fw, c, rnd)
                r = results[(fw, c.key)]
                (r.kernel_s.append(t) if t is not None else r.failures.append(why))
                print(f"  run {rnd}/{n} {c.key:{width}s} {fw:5s} "
                      + (f"kernel {t:.3f} s" if t is not None else f"FAILED: {why}"),
                      flush=True)
    return results


def seconds(r: Result) -> str:
    return f"{r.median:.2f} s" if r.median is not None else "–"


def share(mine: int | None, theirs: int | None, target: float | None = None) -> str:
    """mine / theirs, and whether it meets target (mine <= target * theirs)."""
    if mine is None or not theirs:
        return "–"
    text = f"{mine / theirs:.3f}"
    if target is not None:
        text += f" (target ≤ {target}: " + ("met" if mine <= target * theirs else "MISSED") + ")"
    return text


def failure_rows(r: Result, fw: str, columns: int) -> list[str]:
    """Rows of a table of that many columns: why boots of r did not count."""
    return [f"|  | {fw}: failed | {why} |" + " |" * (columns - 3) for why in r.failures]


def publish(md: str, out: Path, results: dict[tuple[str, str], Result]) -> int:
    """Writes the table to out and prints it; the exit status: 1 if a boot
    failed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md)
    print(md)
    return 1 if any(r.failures for r in results.values()) else 0
