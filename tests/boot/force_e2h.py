"""Make mmuon run on a CPU whose HCR_EL2.E2H is RES1, for a whole boot.

QEMU 10.0 has no CPU model or property without FEAT_E2H0, so the condition
is forced through QEMU's gdbstub, as tools/mmu_off_audit.py --e2h-res1 does
for the reset path. QEMU starts halted (-S); gdb stops once in mmuon's EL2
reset path, changes x0, and detaches:

- probe "mmfr4": after mmuon reads ID_AA64MMFR4_EL1, E2H0 becomes 0b1110
  ("E2H is RES1"), as on a CPU without FEAT_E2H0;
- probe "hcr": at mmuon's first `msr hcr_el2, x0`, bit 34 (E2H) is set in
  x0, so HCR_EL2 really holds E2H = 1 whatever mmuon meant to write, as on a
  CPU that predates the E2H0 field with E2H RAO/WI. This works on any mmuon,
  old or new: it is how the bug was reproduced.

QEMU honours E2H = 1. What the kernel does next is the kernel's: QEMU
still reports FEAT_E2H0 to it.

    with ForceE2hRes1(firmware_elf, "mmfr4") as force:
        b = boot(..., el2=True, extra=force.qemu_args)
    force.check()   # gdb stopped there and changed x0
"""

from __future__ import annotations

import re
import socket
import subprocess
import tempfile
from pathlib import Path

# The instruction to stop at (the first match in the firmware's .text: the
# reset path), whether to stop after it (mrs: x0 then holds the register
# just read) or at it (msr: x0 is about to be written), and x0's new value,
# in Python and as gdb computes it.
PROBES = {
    "mmfr4": (re.compile(r"\tmrs\tx0, (s3_0_c0_c7_4|id_aa64mmfr4_el1)$"), "after",
              lambda x: (x & ~0xF000000) | 0xE000000, "($x0 & ~0xf000000) | 0xe000000"),
    "hcr": (re.compile(r"\tmsr\thcr_el2, x0$"), "at",
            lambda x: x | 0x400000000, "$x0 | 0x400000000"),
}
INSN = re.compile(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s*(\t.*)$")


def probe_address(elf: Path, pattern: re.Pattern, where: str) -> int:
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "-j", ".text", str(elf)],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = INSN.match(line)
        if m and pattern.search(m[2]):
            return int(m[1], 16) + (4 if where == "after" else 0)
    raise AssertionError(f"no {pattern.pattern!r} in {elf}: an mmuon without that probe")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ForceE2hRes1:
    def __init__(self, elf: Path, probe: str = "mmfr4"):
        pattern, where, self.expected, self.expression = PROBES[probe]
        self.address = probe_address(elf, pattern, where)
        self.port = free_port()
        self.qemu_args = ["-S", "-gdb", f"tcp:127.0.0.1:{self.port}"]
        self.log = ""

    def __enter__(self):
        script = "\n".join([
            "set pagination off", "set confirm off",
            "set tcp auto-retry on", "set tcp connect-timeout 60",
            f"target remote 127.0.0.1:{self.port}",
            f"break *{self.address:#x}",
            "continue",
            'printf "E2H-PROBE before x0=0x%lx\\n", $x0',
            f"set $x0 = {self.expression}",
            'printf "E2H-PROBE after x0=0x%lx\\n", $x0',
            "delete", "detach", "quit",
        ])
        self.script = tempfile.NamedTemporaryFile("w", suffix=".gdb")
        self.script.write(script + "\n")
        self.script.flush()
        self.gdb = subprocess.Popen(
            ["gdb-multiarch", "-nx", "-batch", "-ex", "set architecture aarch64",
             "-x", self.script.name],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        return self

    def __exit__(self, *exc):
        try:
            self.log = self.gdb.stdout.read()
            self.gdb.wait(timeout=30)
        finally:
            if self.gdb.poll() is None:
                self.gdb.kill()
            self.script.close()
        return False

    def check(self) -> None:
        """gdb stopped at the probe and changed x0 as intended."""
        before = re.search(r"E2H-PROBE before x0=(0x[0-9a-f]+)", self.log)
        after = re.search(r"E2H-PROBE after x0=(0x[0-9a-f]+)", self.log)
        assert before and after, f"gdb did not force E2H:\n{self.log}"
        assert int(after[1], 16) == self.expected(int(before[1], 16)), self.log
