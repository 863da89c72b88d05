"""ACPI and SMBIOS from QEMU, as Linux sees them (src/boot/firmware_tables.c).

- By default QEMU offers ACPI (its etc/table-loader), mmuon runs the script,
  installs the RSDP and gives no DT: Linux boots in ACPI mode. Both kernels,
  EL1 and EL2; the EL1 boots with -smp 4 (all CPUs up through the MADT and
  PSCI from the FADT) and a power-off, the EL2 boots with ras=on (QEMU's
  GHES blocks, linked back to QEMU by a WRITE_POINTER: the guest reads
  QEMU's fw_cfg file and compares it with the HEST) and a reboot.
- DMI in every boot: QEMU's system fields, mmuon's type 0, the cloud-init
  NoCloud serial, a board and a chassis vendor and the OEM strings given
  with -smbios (types 1, 2, 3, 11).
- The same ACPI tables and DMI fields as under Debian's EDK2.
- vmgenid: the issue's other WRITE_POINTER client does not exist on arm64
  virt (QEMU 10 refuses -device vmgenid there; only x86 machines build its
  SSDT), so GHES is the WRITE_POINTER tested; a test notices the day QEMU
  offers it.
- DT mode: -M virt,acpi=off, and mmuon's own switch
  -fw_cfg name=opt/mmuon/acpi,string=off.
- Bad table-loader scripts (QEMU's own, altered, fed through the test hook
  opt/mmuon/table-loader): a message, no ACPI, the DT, the boot goes on.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qemu

sys.path.insert(0, str(qemu.REPO / "tools"))
import fw_cfg_dump  # noqa: E402

TIMEOUT = 180
EDK2 = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")  # tools/install-deps.sh
LOGS = qemu.BUILD / "boot" / "logs"

SERIAL = "ds=nocloud;s=http://10.0.2.2:8000/"
OEM_STRINGS = ["mmuon-oem-1", "cloud-init=yes"]
BOARD, CHASSIS = "mmuon-test-board", "mmuon-test-chassis"
SMBIOS_ARGS = ["-smbios", f"type=1,serial={SERIAL}",
               "-smbios", f"type=2,manufacturer={BOARD}",
               "-smbios", f"type=3,manufacturer={CHASSIS}"]
for _s in OEM_STRINGS:
    SMBIOS_ARGS += ["-smbios", f"type=11,value={_s}"]

# What every QEMU virt ACPI has (QEMU's virt-acpi-build.c).
CORE_TABLES = {"DSDT", "FACP", "APIC", "GTDT", "MCFG", "SPCR"}
MMUON_ACPI = re.compile(r"mmuon: ACPI: RSDP at 0x([0-9a-f]+), (\d+) tables: (.*)")
MMUON_SMBIOS = re.compile(r"mmuon: SMBIOS 3: (\d+) structures at 0x([0-9a-f]+), type 0 added")
DT_MODEL = re.compile(r"Machine model: linux,dummy-virt")
EFI_MAP = re.compile(r"efi:\s+0x([0-9a-f]+)-0x([0-9a-f]+) \[([^|\]]+?)\s*\|")


def acpi_tables(r: qemu.Report) -> set[str]:
    d = r.detail("acpi-tables")
    return set() if d in (None, "absent") else set(d.split())


def efi_memory_type(output: str, address: int) -> str | None:
    """The EFI memory type the kernel reports (efi=debug) for address."""
    for m in EFI_MAP.finditer(output):
        if int(m[1], 16) <= address <= int(m[2], 16):
            return m[3]
    return None


def check_dmi(b: qemu.Boot, r: qemu.Report, *, acpi: bool) -> None:
    version = re.search(r"^mmuon (\S+) at EL", b.output, re.M)[1]
    want = {
        "dmi-sys_vendor": "QEMU",
        "dmi-product_name": "QEMU Virtual Machine",
        "dmi-bios_vendor": "mmuon",
        "dmi-bios_version": version,
        "dmi-product_serial": SERIAL,
        "dmi-board_vendor": BOARD,  # -smbios type=2
        "dmi-chassis_vendor": CHASSIS,  # -smbios type=3
    }
    got = {k: r.detail(k) for k in want}
    assert got == want, f"{got}\n{b.describe()}"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", r.detail("dmi-bios_date") or ""), r
    assert [e.detail for e in r.all("dmi-oem-string")] == OEM_STRINGS, r
    types = set((r.detail("dmi-types") or "").split())
    assert {"0", "1", "2", "3", "4", "11", "16", "17", "32", "127"} <= types, r
    # Type 0: UEFI and "virtual machine" (byte 0x13 bits 3, 4); ACPI (0x12 bit 0).
    m = re.fullmatch(r"0x[0-9a-f]+ ext1=0x([0-9a-f]+) ext2=0x([0-9a-f]+)",
                     r.detail("dmi-bios-characteristics") or "")
    assert m and int(m[2], 16) & 0x18 == 0x18, r
    assert bool(int(m[1], 16) & 1) == acpi, r
    assert MMUON_SMBIOS.search(b.output), b.describe()


def check_acpi_mode(b: qemu.Boot, r: qemu.Report) -> set[str]:
    """Linux runs on mmuon's RSDP, without a DT; returns the guest's tables."""
    m = MMUON_ACPI.search(b.output)
    assert m, "mmuon installed no ACPI\n" + b.describe()
    rsdp = int(m[1], 16)
    tables = acpi_tables(r)
    assert CORE_TABLES <= tables, r
    assert tables == set(m[3].split()), f"guest {tables}, mmuon {m[3]}"
    assert r.detail("devicetree") == "absent", r
    assert re.search(rf"ACPI: RSDP 0x{rsdp:016X} 000024 \(v02", b.output), b.describe()
    assert not DT_MODEL.search(b.output), b.describe()
    assert "EFI stub: Generating empty DTB" in b.output
    # ACPI tables in ACPI reclaim memory, kept by the kernel.
    if "efi=debug" in b.argv[b.argv.index("-append") + 1]:
        assert efi_memory_type(b.output, rsdp) == "ACPI Reclaim", b.describe()
    return tables


def check_dt_mode(b: qemu.Boot, r: qemu.Report) -> None:
    assert not MMUON_ACPI.search(b.output), b.describe()
    assert acpi_tables(r) == set(), r
    assert r.detail("devicetree") == "present compatible=linux,dummy-virt", r
    assert DT_MODEL.search(b.output), b.describe()


# ---- ACPI by default ------------------------------------------------------------


@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
def test_acpi_by_default(boot, firmware, kernel, initramfs, el2):
    """EL1: -smp 4 and a power-off; EL2: ras=on (WRITE_POINTER) and a reboot."""
    extra = SMBIOS_ARGS
    words = ["efi=debug"] + (["mmuon.reboot"] if el2 else [])
    cmdline = qemu.make_cmdline(*words)
    b = boot(firmware=firmware, kernel=kernel.path, initrd=initramfs.path, append=cmdline,
             mem="1G", el2=el2, smp=1 if el2 else 4, machine_opts="ras=on" if el2 else "",
             extra=extra, timeout=TIMEOUT)
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256,
                           efi=True, cpus=1 if el2 else 4)
    tables = check_acpi_mode(b, r)
    check_dmi(b, r, acpi=True)
    if el2:
        # mmuon wrote the GHES blocks' address back to QEMU; the guest read
        # it from QEMU's fw_cfg and found the HEST pointing at it.
        assert "HEST" in tables
        wp = r.get("write-pointer")
        assert wp and wp.status == "PASS", r
        address = int(re.search(r"hardware_errors_addr=0x([0-9a-f]+)", wp.detail)[1], 16)
        # QEMU writes into those blocks at run time: NVS, not reclaimable.
        assert efi_memory_type(b.output, address) == "ACPI Mem NVS", b.describe()
        assert "reboot: Restarting system" in b.output, b.describe()
    else:
        assert r.get("write-pointer") is None  # no ras=on, no HEST
        assert "reboot: Power down" in b.output, b.describe()


def test_same_tables_and_dmi_as_edk2(boot, firmware, kernel_new, initramfs):
    """Debian's EDK2 on the same VM: the same ACPI tables, the same DMI from
    QEMU (only the BIOS fields, the firmware's own, differ)."""
    if not EDK2.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{EDK2} is missing: tools/install-deps.sh installs it")
        pytest.skip(f"{EDK2} is missing: run tools/install-deps.sh")
    cmdline = qemu.make_cmdline()
    reports = {}
    for name, fw in (("edk2", EDK2), ("mmuon", firmware)):
        b = boot(firmware=fw, kernel=kernel_new.path, initrd=initramfs.path, append=cmdline,
                 mem="1G", extra=SMBIOS_ARGS, timeout=TIMEOUT)
        # EDK2 adds "initrd=initrd" to the command line.
        reports[name] = qemu.verify_report(b, cmdline=cmdline if name == "mmuon" else None,
                                           efi=True, firmware_complaints_ok=name == "edk2")
    edk2, mmuon = reports["edk2"], reports["mmuon"]
    assert acpi_tables(edk2) == acpi_tables(mmuon) and CORE_TABLES <= acpi_tables(mmuon)
    assert edk2.detail("devicetree") == mmuon.detail("devicetree") == "absent"
    for f in ("sys_vendor", "product_name", "product_version", "product_serial",
              "board_vendor", "chassis_vendor"):
        assert edk2.detail(f"dmi-{f}") == mmuon.detail(f"dmi-{f}"), f
    assert [e.detail for e in edk2.all("dmi-oem-string")] == OEM_STRINGS
    assert [e.detail for e in mmuon.all("dmi-oem-string")] == OEM_STRINGS
    assert mmuon.detail("dmi-bios_vendor") == "mmuon"
    assert edk2.detail("dmi-bios_vendor") not in (None, "mmuon")


def test_vmgenid_is_not_on_arm_virt(firmware):
    """QEMU has no vmgenid device for -M virt: when this fails, QEMU offers
    it, and test_acpi_by_default should boot with it and check that the
    guest sees the generation ID `info vm-generation-id` reports."""
    p = subprocess.run([qemu.QEMU, "-M", "virt", "-cpu", "max", "-bios", str(firmware),
                        "-display", "none", "-nic", "none", "-S",
                        "-device", "vmgenid,guid=8b5e7a4c-6d1f-4e2a-9c3b-0f1e2d3c4b5a"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "'vmgenid' is not a valid device model name" in p.stderr, \
        p.stderr


# ---- DT mode ----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["acpi=off", "opt/mmuon/acpi=off"])
def test_dt_mode(boot, firmware, kernel_new, initramfs, how):
    """No ACPI from QEMU, or mmuon told not to give it: the DT, as before;
    SMBIOS still (its type 0 then says no ACPI)."""
    if how == "acpi=off":
        kw, says = dict(machine_opts="acpi=off"), "mmuon: no ACPI from QEMU (acpi=off): the OS gets the DT"
    else:
        kw = dict(extra=["-fw_cfg", "name=opt/mmuon/acpi,string=off"])
        says = "mmuon: ACPI off (opt/mmuon/acpi): the OS gets the DT"
    cmdline = qemu.make_cmdline()
    b = boot(firmware=firmware, kernel=kernel_new.path, initrd=initramfs.path, append=cmdline,
             mem="1G", timeout=TIMEOUT, **kw)
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256, efi=True)
    assert says in b.output, b.describe()
    check_dt_mode(b, r)
    assert r.detail("dmi-bios_vendor") == "mmuon", r
    assert (r.detail("dmi-bios-characteristics") or "").find("ext1=0x00") > 0, r


@pytest.mark.slow
def test_dt_mode_linux_6_1(boot, firmware, kernel_61, initramfs):
    cmdline = qemu.make_cmdline()
    b = boot(firmware=firmware, kernel=kernel_61.path, initrd=initramfs.path, append=cmdline,
             mem="1G", machine_opts="acpi=off", el2=True, timeout=TIMEOUT)
    check_dt_mode(b, qemu.verify_report(b, cmdline=cmdline, efi=True))


# ---- bad table-loader scripts through the test hook ----------------------------------

ENTRY = 128
ALLOCATE, ADD_POINTER, ADD_CHECKSUM = 1, 2, 3


@pytest.fixture(scope="module")
def qemu_script(firmware) -> tuple[bytes, dict[str, int]]:
    """QEMU's own etc/table-loader for -M virt and its file sizes (qtest)."""
    with fw_cfg_dump.FwCfg(["-bios", str(firmware)]) as fw:
        return fw.read("etc/table-loader"), {n: s for n, (s, _) in fw.files.items()}


def entries(script: bytes) -> list[bytes]:
    return [script[i:i + ENTRY] for i in range(0, len(script), ENTRY)]


def command(e: bytes) -> int:
    return struct.unpack_from("<I", e)[0]


def name(n: str) -> bytes:
    return n.encode().ljust(56, b"\0")


def bad_script(kind: str, script: bytes, sizes: dict[str, int]) -> tuple[bytes, str]:
    """QEMU's script with one fault of the given kind; and what mmuon says."""
    es = entries(script)
    allocs = [i for i, e in enumerate(es) if command(e) == ALLOCATE]
    first_use = next(i for i, e in enumerate(es) if command(e) != ALLOCATE)
    rsdp = sizes["etc/acpi/rsdp"]
    if kind == "unknown-command":
        es.insert(first_use, struct.pack("<I", 0x99).ljust(ENTRY, b"\0"))
        return b"".join(es), f"command {first_use} (unknown): unknown command 0x99"
    if kind == "pointer-outside-file":
        e = struct.pack("<I", ADD_POINTER) + name("etc/acpi/rsdp") + name("etc/acpi/tables")
        e += struct.pack("<IB", rsdp - 4, 8)
        es.insert(first_use, e.ljust(ENTRY, b"\0"))
        return b"".join(es), f"8-byte pointer at 0x{rsdp - 4:x} outside etc/acpi/rsdp"
    if kind == "used-before-allocation":
        es.insert(0, es.pop(first_use))
        return b"".join(es), "used before its ALLOCATE"
    if kind == "huge-alignment":
        e = bytearray(es[allocs[-1]])
        struct.pack_into("<I", e, 60, 1 << 30)
        es[allocs[-1]] = bytes(e)
        return b"".join(es), "alignment 0x40000000"
    if kind == "checksum-outside-file":
        e = struct.pack("<I", ADD_CHECKSUM) + name("etc/acpi/rsdp")
        e += struct.pack("<III", 8, 0, rsdp + 1)
        es.insert(first_use, e.ljust(ENTRY, b"\0"))
        return b"".join(es), f"checksum at 0x8 over [0x0, +0x{rsdp + 1:x}) outside etc/acpi/rsdp"
    if kind == "duplicate-allocate":
        es.insert(first_use, es[allocs[0]])
        return b"".join(es), "allocated twice"
    if kind == "qemu-own":
        return script, None
    raise ValueError(kind)


def boot_until(argv: list[str], until: re.Pattern, log: Path, timeout: float = 90) -> str:
    """Runs QEMU until a console line matches until (or QEMU ends): the console."""
    lines = []
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors="replace")
    deadline = time.monotonic() + timeout
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if until.search(line) or time.monotonic() > deadline:
                break
    finally:
        proc.kill()
        proc.wait()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("$ " + " ".join(argv) + "\n" + "\n".join(lines) + "\n")
    return "\n".join(lines)


BAD_KINDS = ["unknown-command", "pointer-outside-file", "used-before-allocation",
             "huge-alignment", "checksum-outside-file", "duplicate-allocate"]
KERNEL_CHOSE = re.compile(r"Machine model: |ACPI: RSDP 0x")


@pytest.mark.parametrize("kind", BAD_KINDS + ["qemu-own"])
def test_table_loader_script(firmware, kernel_new, qemu_script, tmp_path, kind):
    """Each fault: mmuon's message, no ACPI, the kernel starts on the DT.
    QEMU's own script through the same hook: ACPI, so the hook is the path
    the real script takes."""
    script, says = bad_script(kind, *qemu_script)
    path = tmp_path / "table-loader"
    path.write_bytes(script)
    argv = qemu.qemu_argv(firmware=firmware, kernel=kernel_new.path, mem="1G",
                          append=qemu.make_cmdline(),
                          extra=["-fw_cfg", f"name=opt/mmuon/table-loader,file={path}"])
    out = boot_until(argv, KERNEL_CHOSE, LOGS / f"test_table_loader_script[{kind}].log")
    assert "mmuon: ACPI: running opt/mmuon/table-loader instead of etc/table-loader" in out, out
    if says is None:
        assert MMUON_ACPI.search(out) and re.search(r"ACPI: RSDP 0x", out), out
        return
    m = re.search(r"mmuon: ACPI table loader: (.*); the OS gets the DT instead", out)
    assert m, out
    assert says in m[1], f"mmuon says {m[1]!r}, expected {says!r}"
    assert not MMUON_ACPI.search(out), out
    assert DT_MODEL.search(out), out


def test_bad_script_boot_goes_on(boot, firmware, kernel_new, initramfs, qemu_script, tmp_path):
    """A refused script costs nothing else: the whole boot, on the DT."""
    script, says = bad_script("huge-alignment", *qemu_script)
    path = tmp_path / "table-loader"
    path.write_bytes(script)
    cmdline = qemu.make_cmdline()
    b = boot(firmware=firmware, kernel=kernel_new.path, initrd=initramfs.path, append=cmdline,
             mem="1G", timeout=TIMEOUT,
             extra=["-fw_cfg", f"name=opt/mmuon/table-loader,file={path}"])
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256, efi=True)
    assert says in b.output
    check_dt_mode(b, r)
    assert r.detail("dmi-bios_vendor") == "mmuon", r
