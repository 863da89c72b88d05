# SPDX-License-Identifier: MIT
"""Dynamic proof of principle 1: no data access before the MMU is on.

Runs tools/mmu_off_audit.py (QEMU halted at reset + gdb single-stepping it)
on the real firmware at EL1 and EL2, and on tiny flash images assembled here
whose answers are known, so that a broken audit (one that can no longer see
a load or store, or that stops at the wrong place) fails this file instead
of passing the firmware by default.

Self-contained on purpose: it needs only the tool, QEMU, gdb-multiarch and
the aarch64-linux-gnu binutils, nothing from conftest.py or qemu.py.
Run `python3 -m pytest -s tests/boot/test_mmu_off_audit.py` to see the
instruction counts.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "mmu_off_audit.py")
FIRMWARE = os.path.join(ROOT, "build", "mmuon.bin")
CROSS = os.environ.get("CROSS", "aarch64-linux-gnu-")

# One audit run takes well under a second; this only bounds a hang.
RUN_TIMEOUT = 60


def _need(tool):
    # Fail, not skip: `make test` installs these, and a skipped audit would
    # look like a passed one.
    if shutil.which(tool) is None:
        pytest.fail("%s is not installed (make deps)" % tool)


def audit(tmp_path, *args):
    """Run the tool; return (exit status, JSON result, stdout)."""
    _need("qemu-system-aarch64")
    _need("gdb-multiarch")
    out = tmp_path / ("audit-%d.json" % len(list(tmp_path.glob("audit-*.json"))))
    p = subprocess.run(
        [sys.executable, TOOL, "--json", str(out), "--timeout", "30", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    text = p.stdout + p.stderr
    print("\n$ mmu_off_audit.py %s\n%s" % (" ".join(args), text.rstrip()))
    res = json.loads(out.read_text()) if out.exists() else {}
    return p.returncode, res, text


# ---------------------------------------------------------------------------
# The real firmware.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def firmware():
    # Build first so that the audit sees the current reset path, not a
    # stale image.
    p = subprocess.run(["make", "-s", "all"], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, "make failed:\n" + p.stdout + p.stderr
    assert os.path.isfile(FIRMWARE)
    return FIRMWARE


@pytest.mark.parametrize("el,cpu", [(1, "max"), (2, "max"), (2, "cortex-a57"),
                                    (1, "cortex-a57")])
def test_firmware_no_data_access_before_mmu_on(firmware, tmp_path, el, cpu):
    rc, res, text = audit(tmp_path, "--el", str(el), "--cpu", cpu, "--bios", firmware)
    summary = res.get("summary", text)
    assert rc == 0, summary + "\n" + text
    assert res["status"] == "mmu_on", summary
    assert res["accesses"] == 0, summary
    # The reset path is a few dozen instructions; zero would mean the audit
    # never looked (e.g. the MMU read as already on).
    assert 10 <= res["instructions"] <= 200, summary


@pytest.mark.parametrize("el", [1, 2])
def test_firmware_from_pflash_no_data_access_before_mmu_on(firmware, tmp_path, el):
    """The same reset path, mapped as libvirt does: mmuon-code.fd as
    read-only pflash unit 0 instead of -bios."""
    code = os.path.join(os.path.dirname(firmware), "mmuon-code.fd")
    elf = os.path.join(os.path.dirname(firmware), "mmuon.elf")
    rc, res, text = audit(tmp_path, "--el", str(el), "--pflash", "--bios", code,
                          "--elf", elf)
    summary = res.get("summary", text)
    assert rc == 0, summary + "\n" + text
    assert res["status"] == "mmu_on", summary
    assert res["accesses"] == 0, summary
    assert 10 <= res["instructions"] <= 200, summary
    # The instruction that turned the MMU on is the expected msr.
    assert res["trace"][-1]["insn"].startswith("msr sctlr_el%d," % el), summary


HCR_RW, HCR_E2H = 1 << 31, 1 << 34
CPTR_TFP = 1 << 10          # CPTR_EL2 with E2H = 0: trap FP/SIMD
FPEN = 3 << 20              # CPACR_EL1.FPEN, CPTR_EL2.FPEN with E2H = 1
TCR_EPD1 = 1 << 23          # TCR_EL1 layout
SCTLR_MCI = 1 | 1 << 2 | 1 << 12


def tcr_ips(tcr, el1_layout):
    return (tcr >> 32) & 7 if el1_layout else (tcr >> 16) & 7


def expected_ips(regs):
    """The CPU's PARange, capped at 48 bits (0b101): see TCR in sysreg.h."""
    return min(regs["ID_AA64MMFR0_EL1"] & 0xF, 5)


T0SZ_44 = 20  # MMUON_VA_BITS


@pytest.mark.parametrize("el,cpu", [(1, "max"), (1, "cortex-a57"), (2, "cortex-a53"),
                                    (3, "max")])
def test_tcr_follows_parange(firmware, tmp_path, el, cpu):
    """T0SZ is fixed (44-bit VA); IPS/PS is the CPU's physical size: 48 bits
    for max (PARange 52, capped), 44 for Cortex-A57, 40 for Cortex-A53."""
    rc, res, text = audit(tmp_path, "--el", str(el), "--cpu", cpu, "--bios", firmware)
    assert rc == 0 and res["accesses"] == 0, res.get("summary", text)
    regs = {k: int(v, 16) for k, v in res["sysregs"].items()}
    tcr = regs["TCR_EL1" if el == 1 else f"TCR_EL{el}"]
    assert tcr & 0x3F == T0SZ_44, text
    assert tcr_ips(tcr, el1_layout=el == 1) == expected_ips(regs), text
    assert expected_ips(regs) == {"max": 5, "cortex-a57": 4, "cortex-a53": 2}[cpu], text


@pytest.mark.parametrize("force", [None, "mmfr4", "hcr"])
def test_el2_registers(firmware, tmp_path, force):
    """What the EL2 reset path leaves, read through the gdbstub once the MMU
    is on: plain EL2 on QEMU (which has FEAT_E2H0), and the VHE format when
    the audit makes HCR_EL2.E2H RES1 (by ID_AA64MMFR4_EL1.E2H0, or by E2H
    reading back as 1). 0 data accesses before the MMU is on in all three."""
    args = ["--el", "2", "--bios", firmware] + (["--e2h-res1", force] if force else [])
    rc, res, text = audit(tmp_path, *args)
    assert rc == 0 and res["accesses"] == 0, res.get("summary", text)
    regs = {k: int(v, 16) for k, v in res["sysregs"].items()}
    hcr, cptr, tcr = regs["HCR_EL2"], regs["CPTR_EL2"], regs["TCR_EL2"]
    cnthctl = regs["CNTHCTL_EL2"]
    assert regs["SCTLR_EL2"] & SCTLR_MCI == SCTLR_MCI, text
    if force is None:
        assert not res.get("forced"), text
        assert hcr == HCR_RW, text                  # E2H = 0, TGE = 0
        assert not cptr & CPTR_TFP, text            # FP/SIMD not trapped
        assert cnthctl & 3 == 3, text               # EL1PCTEN, EL1PCEN (UEFI 2.3.6)
        assert tcr_ips(tcr, el1_layout=False) == expected_ips(regs), text  # PS [18:16]
    else:
        assert res["forced"], text
        assert hcr == HCR_RW | HCR_E2H, text
        assert cptr & FPEN == FPEN, text            # CPACR layout: FPEN = 0b11
        assert (cnthctl >> 10) & 3 == 3, text       # EL1PCTEN, EL1PCEN in the E2H layout
        assert tcr & TCR_EPD1, text                 # TCR_EL1 layout: no TTBR1 walks
        assert tcr_ips(tcr, el1_layout=True) == expected_ips(regs), text   # IPS [34:32]
        assert tcr_ips(tcr, el1_layout=False) == 0, text   # nothing where nVHE's PS is


# ---------------------------------------------------------------------------
# Images with known answers: the audit must be able to fail.
# ---------------------------------------------------------------------------

# Each of these executes with the MMU off on RAM at 0x4000_0000 (x0) and
# must be reported. Only instructions that QEMU's `-cpu max` executes from
# reset without a fault (so the trace stays linear and the count exact).
ACCESSES = [
    "ldr x1, [x0]",
    "ldur x1, [x0, #8]",
    "ldp x1, x2, [x0]",
    "ldnp x1, x2, [x0]",
    "ldr x1, lit",            # literal load: no brackets
    "ldrb w1, [x0]",
    "ldxr x1, [x0]",
    "ldaxr x1, [x0]",
    "ldar x1, [x0]",
    "ldapr x1, [x0]",
    "ld1 {v0.16b}, [x0]",
    "ldadd x1, x2, [x0]",
    "stadd x1, [x0]",         # atomic with no result: an st* alias
    "swp x1, x2, [x0]",
    "cas x1, x2, [x0]",
    "str x1, [x0]",
    "stur x1, [x0, #8]",
    "stp x1, x2, [x0]",
    "stnp x1, x2, [x0]",
    "stxr w3, x1, [x0]",
    "stlxr w3, x1, [x0]",
    "stlr x1, [x0]",
    "st1 {v0.16b}, [x0]",
    "prfm pldl1keep, [x0]",
    "prfum pldl1keep, [x0, #1]",
    "dc zva, x0",
]

# Runs first in every image: choose x0, untrap SIMD for ld1/st1. No access.
PROLOGUE = """
    .text
    .globl _start
_start:
    mrs x9, CurrentEL
    movz x0, #0x4000, lsl #16       // RAM base
    mov x1, #(3 << 20)              // CPACR_EL1.FPEN / CPTR_EL2 FPEN (E2H=1) or TTA: untraps SIMD
    cmp x9, #8
    b.eq 1f
    msr cpacr_el1, x1
    b 2f
1:  msr cptr_el2, x1
2:  isb
    adr x2, lit                     // PC-relative: no access
    tlbi vmalle1
    ic iallu
    dc civac, x0                    // cache maintenance, not a data transfer
    dsb sy
"""
# Instructions PROLOGUE executes: EL1 also runs the "b 2f".
PROLOGUE_COUNT = {1: 13, 2: 12}

# Turns the MMU on (M only; the next fetch would fault, but the audit stops
# right after the msr) at whichever EL we are.
MMU_ON = """
    mov x1, #1
    cmp x9, #8
    b.eq 3f
    msr sctlr_el1, x1
    b .
3:  msr sctlr_el2, x1
    b .
    .balign 8
lit: .quad 0x1234
"""
MMU_ON_COUNT = 4

LOOP = """
    b .
    .balign 8
lit: .quad 0x1234
"""


def build_image(tmp_path, name, body):
    """Assemble body into a flash image at 0; return the .bin path."""
    for t in ("as", "ld", "objcopy"):
        _need(CROSS + t)
    src, obj = tmp_path / (name + ".s"), tmp_path / (name + ".o")
    elf, binf = tmp_path / (name + ".elf"), tmp_path / (name + ".bin")
    src.write_text(body)
    for cmd in ([CROSS + "as", "-march=armv8.3-a+rcpc", "-o", str(obj), str(src)],
                [CROSS + "ld", "-Ttext=0", "-e", "_start", "-o", str(elf), str(obj)],
                [CROSS + "objcopy", "-O", "binary", str(elf), str(binf)]):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, " ".join(cmd) + "\n" + p.stderr
    return str(binf)


def access_body():
    return "".join("    %s\n" % i for i in ACCESSES)


@pytest.mark.parametrize("el", [1, 2])
def test_bad_image_every_access_reported(tmp_path, el):
    binf = build_image(tmp_path, "bad", PROLOGUE + access_body() + MMU_ON)
    rc, res, text = audit(tmp_path, "--el", str(el), "--bios", binf)
    summary = res.get("summary", text)
    assert rc == 1, summary
    assert res["status"] == "mmu_on", summary
    # Exact: every access found, nothing else flagged, stopped at the msr.
    assert res["instructions"] == PROLOGUE_COUNT[el] + len(ACCESSES) + MMU_ON_COUNT, summary
    flagged = [t["insn"].split()[0] for t in res["trace"] if t["access"]]
    assert flagged == [a.split()[0] for a in ACCESSES], summary
    assert res["accesses"] == len(ACCESSES), summary
    literal = [t for t in res["trace"] if t["insn"].startswith("ldr x1, 0x")]
    assert literal and literal[0]["class"] == "load (literal)", summary


def test_bad_image_msr_method(tmp_path):
    # The fallback method must stop at the same place and see the same.
    binf = build_image(tmp_path, "bad", PROLOGUE + access_body() + MMU_ON)
    rc, res, text = audit(tmp_path, "--el", "1", "--method", "msr", "--bios", binf)
    summary = res.get("summary", text)
    assert rc == 1 and res["method"] == "msr", summary
    assert res["instructions"] == PROLOGUE_COUNT[1] + len(ACCESSES) + MMU_ON_COUNT, summary
    assert res["accesses"] == len(ACCESSES), summary


def test_clean_image_passes(tmp_path):
    # Same image without the accesses: the audit must not cry wolf either,
    # and must count exactly.
    binf = build_image(tmp_path, "clean", PROLOGUE + MMU_ON)
    rc, res, text = audit(tmp_path, "--el", "1", "--bios", binf)
    summary = res.get("summary", text)
    assert rc == 0, summary
    assert res["instructions"] == PROLOGUE_COUNT[1] + MMU_ON_COUNT, summary


def test_bad_image_never_turning_mmu_on(tmp_path):
    # A single store, then a spin with the MMU off: the step limit ends the
    # run, and the store found on the way is still a violation (exit 1).
    binf = build_image(tmp_path, "spin", PROLOGUE + "    str x1, [x0]\n" + LOOP)
    rc, res, text = audit(tmp_path, "--el", "1", "--max-steps", "50", "--bios", binf)
    summary = res.get("summary", text)
    assert rc == 1, summary
    assert res["status"] == "step_limit" and res["accesses"] == 1, summary
    assert res["instructions"] == 50, summary


def test_clean_image_never_turning_mmu_on_is_inconclusive(tmp_path):
    # No access, but the MMU never came on within the limit: that proves
    # nothing, so it is a tooling error (2), not a pass.
    binf = build_image(tmp_path, "spin", PROLOGUE + LOOP)
    rc, res, text = audit(tmp_path, "--el", "1", "--max-steps", "50", "--bios", binf)
    assert rc == 2, res.get("summary", text)


def test_qemu_failure_is_a_tooling_error(tmp_path, firmware):
    # QEMU refusing to start must give 2 quickly, not a hang or a pass.
    rc, res, text = audit(tmp_path, "--el", "1", "--cpu", "no-such-cpu", "--bios", firmware)
    assert rc == 2, text


# Disassembly text as gdb prints it, for encodings QEMU cannot execute from
# reset (features it lacks, or needing setup): the classifier alone.
CLASSIFY = [
    ("ld64b x0, [x1]", True), ("st64b x0, [x1]", True), ("st64bv x2, x0, [x1]", True),
    ("st64bv0 x2, x0, [x1]", True), ("ld4 {v0.4s-v3.4s}, [x0]", True),
    ("st2 {v0.4s, v1.4s}, [x0], #32", True), ("ldsmax x1, x2, [x0]", True),
    ("ldumin w1, w2, [x0]", True), ("ldclr x1, x2, [x0]", True),
    ("ldeor x1, x2, [x0]", True), ("ldset x1, x2, [x0]", True),
    ("casp x0, x1, x2, x3, [x4]", True), ("swpal x1, x2, [x0]", True),
    ("ldaxp x1, x2, [x0]", True), ("stlxp w3, x1, x2, [x0]", True),
    ("ldapur x1, [x0]", True), ("ldtr x1, [x0]", True), ("stg x0, [x1]", True),
    ("prfm pldl1keep, 0x100 <lit>", True), ("ldrsw x1, 0x100 <lit>", True),
    ("dc gva, x0", True), ("dc gzva, x0", True), ("cpyfp [x0]!, [x1]!, x2!", True),
    ("setp [x0]!, x1!, x2", True), (".inst 0x00000000 ; undefined", True),
    ("mrs x0, currentel", False), ("msr sctlr_el1, x0", False),
    ("adrp x0, 0x7000", False), ("adr x0, 0x3000 <vectors>", False),
    ("movk x0, #0x30d5, lsl #16", False), ("tlbi vmalle1", False), ("ic iallu", False),
    ("dc civac, x0", False), ("dsb nsh", False), ("isb", False),
    ("b.eq 0x90 <_reset+144> // b.none", False), ("bic x0, x0, #0x1", False),
    ("setf8 w0", False), ("sub sp, sp, #0x10", False), ("at s1e1r, x0", False),
]


def _load_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("mmu_off_audit", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("insn,is_access", CLASSIFY)
def test_classifier(insn, is_access):
    tool = _load_tool()
    cls, access = tool.classify(*tool.parse_insn(insn.replace(" ", "\t", 1)))
    assert access == is_access, "%s -> %s" % (insn, cls)
