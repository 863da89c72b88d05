"""GRUB as a real EFI client of mmuon: Debian's 2.06 (bookworm) and 2.12
(bookworm-backports), given to mmuon as the "kernel" (-kernel).

GRUB is not NX-compatible (no IMAGE_DLLCHARACTERISTICS_NX_COMPAT): it runs
its modules from an EfiLoaderCode heap it never asks to make executable.
mmuon gives such images RWX EfiLoaderCode allocations while they run, and
says so on the console (docs/boot-protocol.md); the Linux kernel GRUB
starts is NX-compatible and gets strict W^X again.

- Debian's monolithic grubaa64.efi, with no disk, comes to the `grub>`
  prompt; the test types `echo` and `halt` (ResetSystem → PSCI power-off).
- Standalone images (tests/boot/clients.py) boot both Debian kernels to the
  test init at EL1 and EL2 from their memdisk: 2.06 hands the initrd over in
  the DT's /chosen, 2.12 through its own LoadFile2. The kernel GRUB hands to
  LoadImage lands at a random slot marked FIXED (the stub runs it there),
  and mmuon counts the bytes it copied from GRUB's buffer.
- GRUB's menu driven over the serial console: arrow keys pick the second
  entry, `e` edits its command line, Ctrl-X boots it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import clients
import qemu
from clients import FIXED, LOADFILE2_INITRD, NOT_NX, check_copied, ebs_stats
from test_linux_boot import KERNEL_AT, kernel_code_start
from test_placement import stats as guest_stats

EDK2 = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")  # tools/install-deps.sh
PROMPT = r"grub> "
# GRUB draws with ANSI sequences and carriage returns: what a line shows.
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\r")
ECHO = "hello-from-grub"
TIMEOUT = 150


def describe(b: qemu.Boot, msg: str) -> str:
    return f"{msg}\n\n{b.describe()}"


def run_grub_prompt(boot, firmware: Path, grub: Path, **opts) -> qemu.Boot:
    """Boots GRUB, types at its prompt, checks the echo and a clean halt."""
    script = [(re.escape(PROMPT), f"echo {ECHO}\r"), (re.escape(PROMPT), "halt\r")]
    b = boot(firmware=firmware, kernel=grub, interact=script, timeout=90, **opts)
    out = b.output
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
@pytest.mark.parametrize("opts", [{}, {"el2": True}], ids=["el1", "el2"])
@pytest.mark.parametrize("version", clients.GRUB_VERSIONS)
def test_grub_prompt_echo_halt(boot, firmware, version, opts):
    b = run_grub_prompt(boot, firmware, clients.monolithic_grub(version), **opts)
    assert NOT_NX.findall(b.output) == ["kernel"], describe(b, "one NX line for GRUB")


@pytest.mark.parametrize("version", clients.GRUB_VERSIONS)
def test_grub_under_edk2(boot, version):
    """The same script under Debian's EDK2: the test is right for both."""
    if not EDK2.is_file():
        pytest.skip(f"{EDK2} is missing: run tools/install-deps.sh")
    run_grub_prompt(boot, EDK2, clients.monolithic_grub(version))


def grub_linux(version, kernel, initramfs, entries, timeout=0) -> Path:
    return clients.build_grub(version, kernel.path, initramfs.path,
                              clients.grub_menu(entries, timeout))


def check_grub_linux_boot(b: qemu.Boot, version: str, kernel, initramfs, args: str):
    """The checks every GRUB → Linux boot makes."""
    r = qemu.verify_report(b, cmdline=f"{clients.GRUB_BOOT_IMAGE} {args}",
                           payload_sha256=initramfs.payload_sha256, efi=True)
    # GRUB is QEMU's -kernel: the file "kernel" of the kernel-loader FS.
    assert NOT_NX.findall(b.output) == ["kernel"], describe(b, "one NX line, for GRUB")
    # 2.06 puts the initrd in the DT's /chosen, 2.12 offers it by LoadFile2.
    assert (LOADFILE2_INITRD in b.output) == (version != "2.06"), b.describe()
    # The kernel GRUB loaded went to a random slot, FIXED, copied once.
    assert FIXED in b.output, b.describe()
    placed = [int(m[1], 16) for m in KERNEL_AT.finditer(b.output)]
    assert len(placed) == 2, describe(b, "mmuon places GRUB, then the kernel")
    stats = ebs_stats(b)
    assert stats["kernel"] == placed[1] and placed[1] % 0x10000 == 0, stats
    check_copied(b, stats, kernel.path)
    assert stats["non_nx_images"] == 1, stats
    if kernel.enters_with_mmu_on:
        assert kernel_code_start(r) == placed[1], b.describe()
    return r


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
@pytest.mark.parametrize("version", clients.GRUB_VERSIONS)
def test_grub_boots_linux(boot, firmware, version, kernel, initramfs, el2):
    args = qemu.make_cmdline("mmuon.loader=grub")
    grub = grub_linux(version, kernel, initramfs, [("test init", args)])
    b = boot(firmware=firmware, kernel=grub, mem="1G", el2=el2, timeout=TIMEOUT)
    check_grub_linux_boot(b, version, kernel, initramfs, args)


@pytest.mark.firmware
@pytest.mark.parametrize("version", clients.GRUB_VERSIONS)
def test_grub_boot_stats_final_on_the_dt(boot, firmware, version, kernel_new, initramfs):
    """With a DT (acpi=off) the guest reads mmuon's statistics twice: from
    /chosen/mmuon,boot-stats and from MmuonBootStats. GRUB 2.06 copies the
    DT and installs its copy before it hands the kernel to LoadImage, so
    what that LoadImage did (the kernel's slot, the bytes the CPU copied
    from GRUB's buffer) must be written into GRUB's copy: both places hold
    the same final figures, the copy counted and said."""
    args = qemu.make_cmdline("mmuon.loader=grub")
    grub = grub_linux(version, kernel_new, initramfs, [("test init", args)])
    b = boot(firmware=firmware, kernel=grub, mem="1G", machine_opts="acpi=off",
             timeout=TIMEOUT)
    r = check_grub_linux_boot(b, version, kernel_new, initramfs, args)
    assert r.detail("bootstats") is not None, describe(b, "no /chosen/mmuon,boot-stats")
    assert guest_stats(r) == ebs_stats(b), describe(b, "the guest's figures are not final")


@pytest.mark.firmware
def test_grub_menu_over_serial(boot, firmware, kernel_new, initramfs):
    """Down arrow to the second entry, `e`, down to its `linux` line (the
    editor shows `setparams '<title>'` and the empty rest of the `{` line
    first), Ctrl-E to its end, type,
    Ctrl-X: the kernel sees the edited line of the entry that was not the
    default."""
    first = qemu.make_cmdline("mmuon.entry=first")
    second = qemu.make_cmdline("mmuon.entry=second")
    grub = grub_linux("2.12", kernel_new, initramfs,
                      [("first entry", first), ("second entry", second)], timeout=-1)
    script = [("second entry", "\x1b[B"),  # the menu is up: down arrow
              ("second entry", "e"),  # redrawn, highlighted: edit
              ("setparams", "\x1b[B\x1b[B\x05 mmuon.edited=yes"),  # line 3, end, type
              ("mmuon.edited=yes", "\x18")]  # echoed: boot
    b = boot(firmware=firmware, kernel=grub, mem="1G", interact=script, timeout=TIMEOUT)
    check_grub_linux_boot(b, "2.12", kernel_new, initramfs, second + " mmuon.edited=yes")
