"""Bad inputs: a clear message from mmuon and a PSCI power-off, never a hang.

Each boot hands mmuon something it must refuse (no kernel, a file that is
not an arm64 EFI image, PE/COFF headers whose sizes and offsets overflow or
point outside the file, a kernel or initrd bigger than RAM, a DTB missing
what mmuon needs, a failing fw_cfg DMA transfer) and checks that

- mmuon names the problem in one line (the exact message, including the
  offending value where mmuon prints one): `mmuon: fatal: ...` for a bad
  DT; for a bad -kernel, `mmuon: boot: QEMU -kernel: ...`, since the
  -kernel is one boot option as under EDK2: the boot manager goes on, and
  with no disk lists the -kernel first in "nothing booted; tried, in
  order:" (test_disk_boot.py boots the disk behind a bad -kernel);
- it powers off through PSCI: QEMU exits by itself with status 0 within a
  short hard timeout (a hang raises BootTimeout and fails the test),
- no exception dump was printed and no kernel code ran.

Three inputs take another documented path: an initrd bigger than RAM is
refused by the kernel's EFI stub (its allocation fails; the kernel then
panics without a root file system); an image with valid headers and
garbage code, and a DT that puts fw_cfg where no device is, fault, and
mmuon's exception dump plus power-off is the expected outcome.

The malformed files come from tools/make_bad_kernels.py (build/bad/), which
damages a copy of the newest Debian kernel's headers; see that file for how
each one is made. Boots that end in mmuon take well under a second each.
"""

from __future__ import annotations

import re

import pytest

import make_bad_kernels  # tools/, on pytest.ini's pythonpath
import qemu

# Hard limit for boots that end in the firmware: they take < 1 s. Boots
# that start the kernel (initrd too big) get KERNEL_TIMEOUT.
TIMEOUT = 20
KERNEL_TIMEOUT = 90

# Kernels that need a small machine to be too big for it; the others are
# refused whatever the RAM.
SMALL_RAM = {"image-256m": "128M", "big-file": "128M"}
BAD_KERNELS = (
    "random", "one-byte", "mz-only", "elf-aarch64", "elf-host", "bare-image",
    "truncated-2k", "truncated-64k",
    "machine-x86_64", "size-of-image-zero", "size-of-image-short", "size-of-image-4g",
    "size-of-headers-huge", "size-of-headers-zero", "section-outside-file",
    "section-offset-wraps", "section-raw-size-huge", "section-virtual-size-huge",
    "sections-zero", "sections-65535", "lfanew-huge", "lfanew-misaligned",
    "lfanew-past-probe", "image-256m", "big-file", "stub-returns",
)
CRASH_DUMP = re.compile(r"synchronous exception|SError|exception at EL|ESR\s+0x")


@pytest.fixture(scope="session")
def bad(kernel_new):
    """build/bad/: every malformed file, and what mmuon must say of it."""
    paths = make_bad_kernels.make_all(kernel_new.path)
    messages = make_bad_kernels.expected_kernel_messages(kernel_new.path)
    return paths, messages


def fatal_line(b: qemu.Boot) -> str | None:
    m = re.search(r"^mmuon: fatal: (.*)$", b.output, re.M)
    return m[1] if m else None


def assert_refused(b: qemu.Boot, message: str) -> None:
    """mmuon printed `message` (a regex) as its fatal error and powered off."""
    got = fatal_line(b)
    assert got is not None, f"no 'mmuon: fatal:' line\n{b.describe()}"
    assert re.fullmatch(message + r"(?: \(.*\))?", got), (
        f"wrong message\n  want: {message}\n  got:  {got}\n{b.describe()}")
    lines = [line for _, line in b.lines]
    at = lines.index(f"mmuon: fatal: {got}")
    assert "mmuon: powering off" in lines[at + 1:], b.describe()
    assert_powered_off(b)


def assert_kernel_refused(b: qemu.Boot, message: str) -> None:
    """The -kernel was refused with `message` (a regex), as the first boot
    option that failed; nothing else booted, the machine powered off."""
    lines = [line for _, line in b.lines]
    said = [m[1] for line in lines if (m := re.fullmatch(r"mmuon: boot: QEMU -kernel: (.*)", line))]
    assert said, f"no 'mmuon: boot: QEMU -kernel:' line\n{b.describe()}"
    assert re.fullmatch(message + r"(?: \(.*\))?", said[0]), (
        f"wrong message\n  want: {message}\n  got:  {said[0]}\n{b.describe()}")
    assert fatal_line(b) is None, b.describe()
    at = lines.index("mmuon: nothing booted; tried, in order:")
    assert lines[at + 1] == f"mmuon:   1. QEMU -kernel: {said[0]}", b.describe()
    assert "mmuon: powering off" in lines[at + 1:], b.describe()
    assert_powered_off(b)


def assert_powered_off(b: qemu.Boot) -> None:
    """QEMU ended by itself, status 0 (PSCI SYSTEM_OFF), no dump, no kernel."""
    assert not b.timed_out and b.returncode == 0, b.describe()
    assert not CRASH_DUMP.search(b.output), f"exception dump\n{b.describe()}"
    assert not re.search(r"^EFI stub: ", b.output, re.M), f"the kernel ran\n{b.describe()}"
    assert not b.stderr.strip(), f"QEMU complained\n{b.describe()}"


def assert_nothing_to_boot(b: qemu.Boot) -> None:
    """No -kernel, no disk: the boot manager lists what it tried, in order,
    and powers off."""
    lines = [line for _, line in b.lines]
    assert "mmuon: nothing booted; tried, in order:" in lines, b.describe()
    at = lines.index("mmuon: nothing booted; tried, in order:")
    assert lines[at + 1:at + 5] == [
        "mmuon:   1. QEMU -kernel: no kernel given (or it is empty)",
        "mmuon:   2. boot options: none usable (BootOrder, BootNext)",
        "mmuon:   3. removable media (\\EFI\\BOOT\\BOOTAA64.EFI): no filesystem found",
        "mmuon: powering off",
    ], b.describe()


def test_no_kernel(boot, firmware):
    b = boot(firmware=firmware, mem="256M", timeout=TIMEOUT)
    assert_nothing_to_boot(b)
    assert fatal_line(b) is None, b.describe()
    assert_powered_off(b)


@pytest.mark.parametrize("name", BAD_KERNELS)
def test_bad_kernel(boot, firmware, bad, name):
    paths, messages = bad
    b = boot(firmware=firmware, kernel=paths[name], mem=SMALL_RAM.get(name, "256M"),
             timeout=TIMEOUT)
    assert_kernel_refused(b, messages[name])


def test_bad_kernel_list_is_complete(bad):
    """Every file the generator makes is booted above."""
    _, messages = bad
    assert sorted(messages) == sorted(BAD_KERNELS + tuple(make_bad_kernels.CRASHES))


def test_empty_kernel_file(boot, firmware, tmp_path):
    """fw_cfg reports an empty -kernel file as size 0, like no -kernel."""
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    b = boot(firmware=firmware, kernel=empty, mem="256M", timeout=TIMEOUT)
    assert_nothing_to_boot(b)
    assert_powered_off(b)


@pytest.mark.parametrize("el2", [False, True], ids=["EL1", "EL2"])
def test_kernel_faulting_at_its_entry(boot, firmware, kernel_new, bad, el2):
    """Valid headers, code all zeros: mmuon loads and starts the image, and
    its first instruction (UDF #0) lands in mmuon's vectors, which dump the
    state and power off. The expected crash-dump path: ELR is the entry."""
    paths, messages = bad
    entry = make_bad_kernels.PeHeader(kernel_new.path.read_bytes()[:4096]).entry
    b = boot(firmware=firmware, kernel=paths["zero-body"], mem="256M", el2=el2,
             timeout=TIMEOUT)
    m = re.search(r"^mmuon: kernel image at 0x([0-9a-f]+) ", b.output, re.M)
    assert m, b.describe()
    el = 2 if el2 else 1
    dump = re.search(messages["zero-body"].replace(r"EL\d", f"EL{el}"), b.output)
    assert dump, b.describe()
    assert re.search(rf"\bELR\s+0x{int(m[1], 16) + entry:016x}\b", b.output), b.describe()
    assert "mmuon: powering off" in b.output[dump.end():], b.describe()
    assert not b.timed_out and b.returncode == 0, b.describe()


@pytest.mark.parametrize("name", ["machine-x86_64", "image-256m", "stub-returns"])
def test_bad_kernel_at_el2(boot, firmware, bad, name):
    """At EL2 the power-off goes through SMC instead of HVC."""
    paths, messages = bad
    b = boot(firmware=firmware, kernel=paths[name], mem=SMALL_RAM.get(name, "256M"),
             el2=True, timeout=TIMEOUT)
    assert re.search(r"^mmuon \S+ at EL2", b.output, re.M), b.describe()
    assert_kernel_refused(b, messages[name])


def test_initrd_larger_than_ram(boot, firmware, kernel_new, bad):
    """-m 128M with a 200 MiB initrd.

    QEMU accepts it (fw_cfg keeps the file in host memory). mmuon answers
    the stub's size query; the stub's allocation then fails, it says so
    (EFI_OUT_OF_RESOURCES) and boots on without an initrd, and the kernel
    panics for want of a root file system: with panic=-1 and -no-reboot
    QEMU exits by itself. mmuon must neither crash nor claim to have
    loaded it.
    """
    paths, _ = bad
    b = boot(firmware=firmware, kernel=kernel_new.path, initrd=paths["initrd-200m"],
             append=qemu.BASE_CMDLINE, mem="128M", timeout=KERNEL_TIMEOUT)
    out = b.output
    assert "mmuon: kernel image at" in out, b.describe()
    assert "mmuon: initrd at" not in out, b.describe()
    assert "EFI stub: ERROR: Failed to load initrd: 0x8000000000000009" in out, b.describe()
    assert "Kernel panic - not syncing: VFS: Unable to mount root fs" in out, b.describe()
    assert not re.search(r"^mmuon: fatal", out, re.M), b.describe()
    assert not b.timed_out and b.returncode == 0, b.describe()


# ---- device trees --------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n, (_, m) in make_bad_kernels.DTBS.items()
                                  if m and n not in make_bad_kernels.DTB_CRASHES])
@pytest.mark.parametrize("el2", [False, True], ids=["EL1", "EL2"])
def test_bad_dtb(boot, firmware, kernel_new, bad, name, el2):
    """QEMU puts a -dtb file at the base of RAM, where mmuon reads it.

    A failure before the DT named the console is printed on the early crash
    UART; the power-off then uses the PSCI conduit of the boot EL.
    """
    paths, _ = bad
    message = make_bad_kernels.DTBS[name][1]
    b = boot(firmware=firmware, kernel=kernel_new.path, mem="256M", el2=el2,
             extra=["-dtb", str(paths[f"dtb:{name}"])], timeout=TIMEOUT)
    assert_refused(b, message)


def test_dtb_fw_cfg_in_a_hole(boot, firmware, kernel_new, bad):
    """A DT that puts fw_cfg where there is no device: probing it (reading
    the DMA signature) takes a synchronous external abort. mmuon has no
    fixup for faulting probes, so this is the crash-dump path: the dump
    must name the abort and the address, then power off."""
    paths, _ = bad
    message = make_bad_kernels.DTBS["fw-cfg-no-device"][1]
    b = boot(firmware=firmware, kernel=kernel_new.path, mem="256M",
             extra=["-dtb", str(paths["dtb:fw-cfg-no-device"])], timeout=TIMEOUT)
    dump = re.search(message, b.output)
    assert dump, b.describe()
    assert re.search(r"\bFAR\s+0x000000000b000010\b", b.output), b.describe()
    assert "mmuon: powering off" in b.output[dump.end():], b.describe()
    assert not b.timed_out and b.returncode == 0, b.describe()
    assert not re.search(r"^EFI stub: ", b.output, re.M), b.describe()


def test_dtb_without_memory_is_repaired_by_qemu(boot, firmware, bad):
    """QEMU rewrites /memory in any -dtb from -m, so mmuon's "no /memory
    node in the DT" cannot be provoked from outside (tests/unit covers it):
    mmuon must find QEMU's memory and run as usual."""
    paths, _ = bad
    b = boot(firmware=firmware, mem="256M", extra=["-dtb", str(paths["dtb:no-memory"])],
             timeout=TIMEOUT)
    assert re.search(r"^mmuon \S+ at EL1, RAM 256 MiB$", b.output, re.M), b.describe()
    assert_nothing_to_boot(b)
    assert_powered_off(b)


# ---- fw_cfg DMA errors -----------------------------------------------------------


@pytest.mark.parametrize("el2", [False, True], ids=["EL1", "EL2"])
def test_fw_cfg_dma_error(boot, firmware, bad, el2):
    """mmuon.crash=fw-cfg-dma (src/boot/crash.c) makes the device fail a
    transfer: nothing outside the firmware can. The fw_cfg layer must see
    the device's error bit (not wait for it forever, not ignore it)."""
    paths, _ = bad
    b = boot(firmware=firmware, kernel=paths["random"], append="mmuon.crash=fw-cfg-dma",
             mem="256M", el2=el2, timeout=TIMEOUT)
    assert "crashing on purpose (mmuon.crash=fw-cfg-dma)" in b.output, b.describe()
    assert_refused(b, r"fw_cfg DMA error \(device error bit set\) writing to 0x[0-9a-f]+")
