"""UEFI variables on flash (docs/variable-store.md), from the guest's side.

mmuon runs as libvirt runs it: build/mmuon-code.fd read-only in pflash unit
0, a copy of build/mmuon-vars.fd in unit 1. The test init
(tests/boot/init/efivars.c, mmuon.vars=...) reads and writes variables
through efivarfs, i.e. through Linux's calls to the runtime services after
ExitBootServices; build/host/mmuon-varstore (the firmware's own store code,
built for the host) reads the VARS file between boots.

- Non-volatile variables written by the OS at EL1 are there at the next
  boot, at EL2, and the other way round; Boot#### and BootOrder too;
  authenticated-write attributes are refused; QueryVariableInfo (efivarfs'
  statfs) is exact; the bank is EfiMemoryMappedIO|RUNTIME in the memory map
  and its DT node is disabled for the OS.
- Reclaim: 80 writes of 20000 bytes from the guest, the store reclaims
  again and again underneath, every write reads back.
- Damage: a record spoiled on the host is dropped and said so, the rest
  kept; EDK2's templates (AAVMF_VARS.ms.fd: a foreign store; AAVMF_VARS.fd:
  all zeros) are formatted, and said so.
- Power loss: the guest writes in a loop, QEMU is SIGKILLed at a random
  moment; every write the guest reported done is on the flash, the store
  mounts (damaged only by a record header cut at the end of the log), and
  the next boot reads the same and leaves a store that checks out.
  MMUON_POWER_LOSS_TRIALS trials (default 2; `make reliability` runs 100).
  The torn header itself, rebuilt, is a test of its own.
- With -bios and no unit 1, QEMU's bank 1 is still there, all zeros, kept
  until QEMU exits: mmuon formats it as it would an empty VARS file, and
  one console line says so.
"""

from __future__ import annotations

import binascii
import dataclasses
import hashlib
import os
import random
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import qemu

VARSTORE = qemu.BUILD / "host" / "mmuon-varstore"
MMUON_GUID = "3c6f7a5e-4d1b-4e2a-9b8f-6a1d2c3e4f50"
GLOBAL_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
AAVMF = Path("/usr/share/AAVMF")

CAPACITY = 48 * 1024 - 64  # one area less its header
RUNTIME_LIMIT = CAPACITY - CAPACITY // 16  # what the OS may use
TIMEOUT = 240

IN_RAM = re.compile(r"^mmuon: (.*): variables are kept in RAM and lost at reset$")
ON_FLASH = re.compile(r"^mmuon: variables on flash at 0x4000000(.*)$")
ZEROS = (": all zeros (an empty VARS file, or no -drive if=pflash,unit=1: then "
         "QEMU keeps it only until it exits), formatted a new store")
# Linux with efi=debug prints the memory map it was given.
MMIO_RUNTIME = re.compile(
    r"efi: +0x000004000000-0x00000407ffff \[(MMIO +|Memory Mapped I/O)\|RUN\|")
VARLOOP = re.compile(r"MMUON-TEST varloop: INFO MmuonTestLoss(\d) (\d+)$")


# ---- the host's view: mmuon-varstore -----------------------------------------


def varstore(*args: str | Path) -> str:
    r = subprocess.run([str(VARSTORE), *map(str, args)], capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"mmuon-varstore {' '.join(map(str, args))}: exit "
                             f"{r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def host_view(path: Path, check: bool = True) -> tuple[dict[str, int], dict[str, bytes]]:
    """What a boot would find in a VARS file: the mount report, and the
    variables (Name-GUID: data). check: the store must mount clean."""
    out = varstore("check" if check else "list", path).splitlines()
    report = {k: int(v) if v.lstrip("-").isdigit() else v
              for k, v in (kv.split("=") for kv in out[0].split())}
    variables = {}
    for line in out[1:]:
        name, attrs, size, data = line.split(" ")
        variables[name] = bytes.fromhex(data.removeprefix("data="))
        assert int(size.removeprefix("size=")) == len(variables[name]), line
    return report, variables


# The format's facts (docs/variable-store.md, "Format") and QEMU's flash
# (hw/block/pflash_cfi01.c on virt: 256 KiB erase blocks, a 4 KiB write
# buffer across the two chips), for reading a VARS file after a power cut.
ERASE_BLOCK = 256 << 10
WRITE_BUFFER = 4 << 10
AREA_HEADER, RECORD_HEADER = 64, 48
AREA_COMMITTED, AREA_MAGIC, RECORD_MAGIC = 0xfffffffe, 0x3153566d, 0x3152566d


def torn_record_header(path: Path) -> tuple[int, int] | None:
    """The one kind of damage a power cut may leave (docs/variable-store.md,
    "append (1), header"): at the end of the store's log, a record header
    whose program the driver split at a write-buffer boundary (a buffered
    program stays inside one buffer-aligned window), cut between the two
    programs: the part before the boundary written, the rest of the area
    still erased. Returns (its offset in the area, the area's size), or None
    if the store ends any other way."""
    image = Path(path).read_bytes()
    areas = []
    for base in range(0, 2 * ERASE_BLOCK, ERASE_BLOCK):
        state, magic, _, _, size, _, generation = struct.unpack_from("<6IQ", image, base)
        if state == AREA_COMMITTED and magic == AREA_MAGIC:
            areas.append((generation, base, size))
    if not areas:
        return None
    _, base, size = max(areas)
    area = image[base:base + size]
    off = AREA_HEADER
    while off + RECORD_HEADER <= size:
        header = area[off:off + RECORD_HEADER]
        if header == b"\xff" * RECORD_HEADER:
            return None  # clean free space
        magic, _, name_size, data_size = struct.unpack_from("<4I", header, 4)
        if magic != RECORD_MAGIC or \
                binascii.crc32(header[4:44]) != struct.unpack_from("<I", header, 44)[0]:
            # The area starts at an erase block, so buffer-aligned in it too.
            cut = (off // WRITE_BUFFER + 1) * WRITE_BUFFER - off
            torn = 0 < cut < RECORD_HEADER and header[cut:] == b"\xff" * (RECORD_HEADER - cut)
            rest_erased = area[off + RECORD_HEADER:] == b"\xff" * (size - off - RECORD_HEADER)
            return (off, size) if torn and rest_erased else None
        off += (RECORD_HEADER + name_size + data_size + 7) // 8 * 8
    return None


@pytest.fixture(scope="module", autouse=True)
def built():
    r = subprocess.run(["make", "-s", "-C", str(qemu.REPO), "all",
                        str(VARSTORE.relative_to(qemu.REPO))],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


# ---- the guest's view: the test init --------------------------------------------


def boot_vars(boot, firmware, kernel, initramfs, modes: str, el2: bool = False,
              extra: str = "", machine_opts: str = ""):
    cmdline = qemu.make_cmdline(*filter(None, [f"mmuon.vars={modes}", extra]))
    b = boot(firmware=firmware, kernel=kernel.path, initrd=initramfs.path,
             append=cmdline, el2=el2, machine_opts=machine_opts, timeout=TIMEOUT)
    r = qemu.verify_report(b, cmdline=cmdline, efi=True)
    return b, r


def guest_view(r: qemu.Report) -> dict[str, str]:
    """The init's "var" lines: Name-GUID -> "attributes=... size=... data=..."."""
    return dict(e.detail.split(" ", 1) for e in r.all("var"))


def summary(data: bytes) -> str:
    """How the init prints a value: hex up to 64 bytes, else its SHA-256."""
    if len(data) <= 64:
        return f"data={data.hex()}"
    return f"sha256={hashlib.sha256(data).hexdigest()}"


def assert_guest_sees(r: qemu.Report, variables: dict[str, bytes]) -> None:
    seen = guest_view(r)
    want = {name: f"attributes=0x7 size={len(data)} {summary(data)}"
            for name, data in variables.items() if "MmuonTest" in name or "Boot" in name}
    assert seen == want, f"guest: {seen}\nflash: {want}\n{r}"


def console(b: qemu.Boot, rx: re.Pattern) -> list[re.Match]:
    return [m for _, line in b.lines if (m := rx.search(line))]


def counter_value(i: int, size: int) -> bytes:
    """What the init's write number i puts in a variable (efivars.c)."""
    return struct.pack("<Q", i) + bytes((i + j) & 0xFF for j in range(8, size))


# ---- tests -------------------------------------------------------------------------


def test_bios_without_unit_1_says_so(boot, firmware, kernel_new, initramfs):
    b, r = boot_vars(boot, firmware, kernel_new, initramfs, "count,info")
    assert [m[1] for m in console(b, ON_FLASH)] == [ZEROS], b.describe()
    assert not console(b, IN_RAM)
    # A fresh store each time QEMU starts: the count starts again.
    assert r.detail("var-count-write").endswith("=1"), r
    assert r.detail("var-info").startswith(f"bsize=1 blocks={CAPACITY} "), r


def test_variables_persist_across_boots(boot, pflash, kernel_new, initramfs):
    # Boot 1, EL1: the OS writes a counter, a boot entry and the order.
    b, r = boot_vars(boot, pflash, kernel_new, initramfs, "count,boot,auth,info",
                     extra="efi=debug")
    assert [m[1] for m in console(b, ON_FLASH)] == [", generation 1: 0 variables"]
    assert not console(b, IN_RAM)
    assert console(b, MMIO_RUNTIME), "the variable store is not EfiMemoryMappedIO|RUN"
    # ACPI (the default): no flash device in the tables for an OS driver to
    # claim (QEMU 10's DSDT has none; older ones had LNRO0015, unclaimed).
    nodes = [e.detail for e in r.all("flash-node")]
    assert nodes == ["acpi: no flash device described"] or nodes and all(
        re.fullmatch(r"acpi LNRO0015:\d+ driver=none", n) for n in nodes), r
    assert r.detail("var-count-write") == f"MmuonTestCount-{MMUON_GUID}=1"
    assert r.get("var-boot-write").status == "PASS"
    assert r.get("var-auth").status == "PASS", r

    report, variables = host_view(pflash.vars)
    assert variables == {
        f"MmuonTestCount-{MMUON_GUID}": struct.pack("<I", 1),
        f"Boot0042-{GLOBAL_GUID}": b"\x01\0\0\0\x04\0" + "mmuon test\0".encode("utf-16-le")
        + b"\x7f\xff\x04\0",
        f"BootOrder-{GLOBAL_GUID}": b"\x42\0",
    }
    # QueryVariableInfo, as the guest's statfs saw it before the last two
    # writes: exact to the byte (records: 48-byte header, 8-byte padding).
    assert r.detail("var-info") == (
        f"bsize=1 blocks={CAPACITY} bfree={RUNTIME_LIMIT - report['live']}")

    # Boot 2, EL2, on the DT (acpi=off): the OS finds them, and counts on;
    # mmuon disabled the flash's DT node, so no driver of the OS drives it.
    b, r = boot_vars(boot, pflash, kernel_new, initramfs, "count", el2=True,
                     machine_opts="acpi=off")
    assert r.detail("flash-node") == "cfi-flash status=disabled", r
    assert [m[1] for m in console(b, ON_FLASH)] == [", generation 1: 3 variables"]
    assert_guest_sees(r, variables)
    assert r.detail("var-count-write") == f"MmuonTestCount-{MMUON_GUID}=2"
    report, variables = host_view(pflash.vars)
    assert variables[f"MmuonTestCount-{MMUON_GUID}"] == struct.pack("<I", 2)


def test_reclaim_runs_again_and_again(boot, pflash, kernel_new, initramfs):
    b, r = boot_vars(boot, pflash, kernel_new, initramfs, "fill,list")
    assert r.get("var-fill").status == "PASS", r
    report, variables = host_view(pflash.vars)
    # 80 x 20000 bytes through 48 KiB areas.
    assert report["generation"] >= 30, report
    for v in range(2):
        assert variables[f"MmuonTestFill{v}-{MMUON_GUID}"] == counter_value(78 + v, 20000)
    assert_guest_sees(r, variables)


def test_damaged_record_is_dropped_and_said(boot, pflash, kernel_new, initramfs):
    for name, value in (("MmuonTestA", "aaaa"), ("MmuonTestB", "bbbbbbbb"),
                        ("MmuonTestC", "cccc")):
        varstore("set", pflash.vars, name, MMUON_GUID, "7", value.encode().hex())
    image = bytearray(pflash.vars.read_bytes()[:1 << 20])
    at = image.index(b"bbbbbbbb")
    image[at + 3] ^= 0x01
    with open(pflash.vars, "r+b") as f:
        f.write(image)

    b, r = boot_vars(boot, pflash, kernel_new, initramfs, "list")
    said = [line for _, line in b.lines if "damaged records" in line]
    assert said == ["mmuon: variables: 1 damaged records (80 bytes) dropped, "
                    "the rest rewritten"], b.describe()
    report, variables = host_view(pflash.vars)
    assert set(variables) == {f"MmuonTestA-{MMUON_GUID}", f"MmuonTestC-{MMUON_GUID}"}
    assert report["generation"] == 2 and report["damaged"] == 0
    assert_guest_sees(r, variables)


def test_torn_header_at_the_end_is_repaired(boot, pflash, kernel_new, initramfs):
    """What a power cut left in `make reliability` (trial 12, 2026-12-04): a
    record header that straddles a write-buffer boundary is written as two
    buffered programs, and the cut came between them. Rebuilt here: a first
    record that ends 40 bytes before the boundary at 4 KiB, then the first
    40 bytes of the next one's header. The boot drops the torn bytes, says
    so once, and leaves a store that checks out, with the first variable."""
    name_size = len("MmuonTestA") * 2 + 2
    first = WRITE_BUFFER - 40 - AREA_HEADER - RECORD_HEADER - name_size
    varstore("set", pflash.vars, "MmuonTestA", MMUON_GUID, "7", (b"a" * first).hex())
    done = pflash.vars.read_bytes()[:1 << 20]
    shutil.copyfile(pflash.vars, pflash.vars.with_suffix(".next"))
    varstore("set", pflash.vars.with_suffix(".next"), "MmuonTestB", MMUON_GUID, "7", "bbbb")
    header = pflash.vars.with_suffix(".next").read_bytes()[WRITE_BUFFER - 40:WRITE_BUFFER + 8]
    assert header[4:8] == struct.pack("<I", RECORD_MAGIC), header.hex()
    torn = bytearray(done)
    torn[WRITE_BUFFER - 40:WRITE_BUFFER] = header[:40]
    with open(pflash.vars, "r+b") as f:
        f.write(torn)
    area = CAPACITY + AREA_HEADER
    assert torn_record_header(pflash.vars) == (WRITE_BUFFER - 40, area)
    report, _ = host_view(pflash.vars, check=False)
    assert (report["damaged"], report["damaged_bytes"]) == (1, area - WRITE_BUFFER + 40)

    b, r = boot_vars(boot, pflash, kernel_new, initramfs, "list")
    said = [line for _, line in b.lines if "damaged" in line]
    assert said == [f"mmuon: variables: 1 damaged records ({area - WRITE_BUFFER + 40} "
                    "bytes) dropped, the rest rewritten"], b.describe()
    report, variables = host_view(pflash.vars)
    assert report["generation"] == 2 and torn_record_header(pflash.vars) is None
    assert variables == {f"MmuonTestA-{MMUON_GUID}": b"a" * first}
    assert_guest_sees(r, variables)


@pytest.mark.parametrize("template, said", [
    ("AAVMF_VARS.ms.fd", ": not a mmuon store, formatted a new store"),
    # Zeros are what -bios boots see too (test_bios_without_unit_1_says_so).
    pytest.param("AAVMF_VARS.fd", ZEROS, marks=pytest.mark.slow),
], ids=["edk2-store", "zeros"])
def test_edk2_template_is_formatted(boot, pflash, kernel_new, initramfs, template, said):
    """Another firmware's VARS file: Debian's EDK2 templates (the one with
    Microsoft's keys holds an EDK2 variable store; the plain one is all
    zeros, EDK2 formats it at first boot)."""
    if not (AAVMF / template).is_file():
        pytest.skip(f"no {AAVMF / template} (qemu-efi-aarch64)")
    shutil.copyfile(AAVMF / template, pflash.vars)
    b, r = boot_vars(boot, pflash, kernel_new, initramfs, "count")
    assert [m[1] for m in console(b, ON_FLASH)] == [said], b.describe()
    report, variables = host_view(pflash.vars)
    assert variables == {f"MmuonTestCount-{MMUON_GUID}": struct.pack("<I", 1)}


def test_read_only_bank(boot, pflash, kernel_new, initramfs):
    """unit 1 with readonly=on: QEMU's flash answers every program with a
    program error (status bit 4). The store still reads; a write from the
    OS fails with EFI_DEVICE_ERROR (Linux: EIO) and changes nothing. A
    read-only bank that would need formatting leaves variables in RAM."""
    varstore("set", pflash.vars, "MmuonTestCount", MMUON_GUID, "7", "05000000")
    before = pflash.vars.read_bytes()
    ro = dataclasses.replace(pflash, vars_readonly=True)
    cmdline = qemu.make_cmdline("mmuon.vars=count")
    b = boot(firmware=ro, kernel=kernel_new.path, initrd=initramfs.path, append=cmdline,
             timeout=TIMEOUT)
    r = b.report
    assert [m[1] for m in console(b, ON_FLASH)] == [", generation 1: 1 variables"]
    assert r.detail("var-count") == "1", r
    failed = r.get("var-count-write")
    assert failed and failed.status == "FAIL" and failed.detail.endswith(
        "Input/output error"), r
    assert pflash.vars.read_bytes() == before

    # Blank and read-only: nothing can be formatted.
    pflash.vars.write_bytes(bytes(64 << 20))
    b = boot(firmware=ro, kernel=kernel_new.path, initrd=initramfs.path, append=cmdline,
             timeout=TIMEOUT)
    said = console(b, IN_RAM)
    assert [m[1] for m in said] == [
        "variable bank at 0x4000000: no variable store: erase error"], b.describe()
    assert b.report.detail("var-count-write").endswith("=1")


# ---- power loss ------------------------------------------------------------------------


TRIALS = int(os.environ.get("MMUON_POWER_LOSS_TRIALS", "2"))


def acked_writes(b: qemu.Boot) -> dict[int, int]:
    """Per variable k, the last write number the guest said had returned."""
    last = {}
    for _, line in b.lines:
        if m := VARLOOP.search(line):
            last[int(m[1])] = int(m[2])
    return last


@pytest.mark.parametrize("trial", range(TRIALS))
def test_power_loss(boot, pflash, kernel_new, initramfs, trial):
    rng = random.Random(trial)
    # Kill after the guest reported write number `at`, a moment later.
    at, delay = rng.randrange(4, 80), rng.uniform(0, 0.25)

    def maybe_wait(t, line):
        if (m := VARLOOP.search(line)) and int(m[2]) == at:
            import time
            time.sleep(delay)

    cmdline = qemu.make_cmdline("mmuon.vars=loop")
    b = boot(firmware=pflash, kernel=kernel_new.path, initrd=initramfs.path,
             append=cmdline, timeout=TIMEOUT, on_line=maybe_wait,
             stop_at=re.compile(rf"MMUON-TEST varloop: INFO MmuonTestLoss\d {at}$"))
    assert b.stopped, "the guest never reached write %d\n%s" % (at, b.describe())
    acked = acked_writes(b)
    assert max(acked.values()) >= at

    # The flash as the kill left it: mounts (an interrupted write is allowed),
    # and holds every acknowledged write or a later one. The only damage
    # allowed is a record header cut between its two programs at the end
    # of the log, which the next boot must repair.
    report, variables = host_view(pflash.vars, check=False)
    assert report["found"] == "store", report
    torn = torn_record_header(pflash.vars)
    if report["damaged"]:
        assert torn and report["damaged"] == 1, f"{report}: not a torn header at the end"
        assert report["damaged_bytes"] == torn[1] - torn[0], (report, torn)
    for k, i in acked.items():
        data = variables.get(f"MmuonTestLoss{k}-{MMUON_GUID}")
        assert data is not None, f"write {i} of MmuonTestLoss{k} lost: {report}"
        (got,) = struct.unpack_from("<Q", data)
        assert got >= i and got % 8 == k, f"MmuonTestLoss{k}: write {got}, acked {i}"
        assert data == counter_value(got, len(data)), f"MmuonTestLoss{k}: torn value"
        assert len(data) == 8 + (got * 37) % 300

    # The next boot reads the same (repairing a torn header: it says so once,
    # and leaves a store that checks out).
    b2, r2 = boot_vars(boot, pflash, kernel_new, initramfs, "list")
    assert console(b2, ON_FLASH), b2.describe()
    said = [line for _, line in b2.lines if "damaged" in line]
    assert len(said) == (1 if torn else 0), f"{said}\n{b2.describe()}"
    assert_guest_sees(r2, variables)
    host_view(pflash.vars, check=True)
