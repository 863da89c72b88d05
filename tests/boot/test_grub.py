"""GRUB as a real EFI client of mmuon.

Debian's grub-efi-arm64-bin:arm64 (`tools/fetch-arm64.sh grub`, fetched on
first use) ships a monolithic grubaa64.efi: GRUB's core with every module
inside. mmuon starts it as the "kernel" (-kernel). With no disk it finds no
grub.cfg and must come to the `grub>` prompt on the serial console; the test
types `echo hello-from-grub` and `halt` there, and GRUB's halt is
ResetSystem(EfiResetShutdown), which mmuon turns into a PSCI power-off:
QEMU exits 0.

Known failure (xfail, strict): GRUB 2.06 (bookworm) and 2.12 (backports)
load their modules into their heap, which they allocate as EfiLoaderCode,
and call into them without ever asking for execute permission; they do not
use EFI_MEMORY_ATTRIBUTE_PROTOCOL (GRUB 2.14 does) and do not set
IMAGE_DLLCHARACTERISTICS_NX_COMPAT. mmuon maps every allocation, whatever its
memory type, read/write and execute-never, so the first module call takes an
instruction abort (permission fault) that mmuon reports before powering off.
EDK2's ArmVirtQemu keeps EfiLoaderCode executable for exactly these loaders
(PcdDxeNxMemoryProtectionPolicy), and Microsoft's mu firmware keys that on
NX_COMPAT; mmuon would need such a compatibility rule (RW+X, against its W^X
principle) to run them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import qemu
from evidence import expect_signature, known_failure

EDK2 = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")  # tools/install-deps.sh
GRUB = qemu.CACHE / "grub" / "usr" / "lib" / "grub" / "arm64-efi" / "monolithic" / "grubaa64.efi"
PROMPT = r"grub> "
# GRUB draws with ANSI sequences and carriage returns: what a line shows.
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\r")
ECHO = "hello-from-grub"

NOT_NX_READY = (
    "GRUB < 2.14 runs its modules from its EfiLoaderCode heap without "
    "EFI_MEMORY_ATTRIBUTE_PROTOCOL and without NX_COMPAT; mmuon maps all "
    "allocations RW+XN, so GRUB dies on an instruction abort "
    "(permission fault) at its first module call"
)
# ... which mmuon reports as an instruction abort taken at the same EL
# (ESR_ELx.EC 0x21) with a permission fault (IFSC 0b0011xx).
NOT_NX_READY_SIGNATURE = (r"mmuon: synchronous exception at EL\d: instruction abort, "
                          r"permission fault level \d\n.*ESR\s+0x0*8600000[c-f]\b")


@pytest.fixture(scope="session")
def grub() -> Path:
    if not GRUB.is_file():
        r = subprocess.run([str(qemu.REPO / "tools" / "fetch-arm64.sh"), "grub"],
                           capture_output=True, text=True)
        if r.returncode or not GRUB.is_file():
            pytest.skip(f"no {GRUB}: `tools/fetch-arm64.sh grub` failed:\n"
                        f"{r.stdout}{r.stderr}")
    return GRUB


def describe(b: qemu.Boot, msg: str) -> str:
    return f"{msg}\n\n{b.describe()}"


def run_grub(boot, firmware: Path, grub: Path, known_signature: str = "",
             **opts) -> qemu.Boot:
    """Boots GRUB, types at its prompt, checks the echo and a clean halt.
    known_signature: the console pattern of a known failure (KnownFailure)."""
    script = [(re.escape(PROMPT), f"echo {ECHO}\r"), (re.escape(PROMPT), "halt\r")]
    b = boot(firmware=firmware, kernel=grub, interact=script, timeout=90, **opts)
    out = b.output
    if known_signature:
        expect_signature(out, known_signature, "GRUB ran code from its heap")
    crash = re.search(r"mmuon: synchronous exception at EL\d: .*", out)
    if crash:
        raise AssertionError(describe(b, f"GRUB crashed: {crash[0]}"))
    if PROMPT not in out:
        raise AssertionError(describe(b, "GRUB never showed its prompt"))
    # The command line echoes what was typed; the command's output is a
    # line of its own.
    if not any(ANSI.sub("", line).strip() == ECHO for _, line in b.lines):
        raise AssertionError(describe(b, f"no line {ECHO!r} from GRUB's echo"))
    if b.returncode != 0:
        raise AssertionError(describe(b, f"QEMU exited with {b.returncode} after halt"))
    if "the kernel's EFI stub returned" in out:
        raise AssertionError(describe(b, "GRUB returned to mmuon instead of halting"))
    return b


@pytest.mark.firmware
@known_failure(NOT_NX_READY)
@pytest.mark.parametrize("opts", [{}, {"el2": True}], ids=["el1", "el2"])
def test_grub_prompt_echo_halt(boot, firmware, grub, opts):
    run_grub(boot, firmware, grub, NOT_NX_READY_SIGNATURE, **opts)


def test_grub_under_edk2(boot, grub):
    """The same script under Debian's EDK2, whose LoaderCode is executable:
    it shows the test (prompt, echo, halt) is right, and the xfail above
    is mmuon's."""
    if not EDK2.is_file():
        pytest.skip(f"{EDK2} is missing: run tools/install-deps.sh")
    run_grub(boot, EDK2, grub)
