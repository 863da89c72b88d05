#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Audit the reset path: no data access may happen before the MMU is on.

Principle 1 of the design: from reset until SCTLR_ELx.M is set, the CPU may
only fetch instructions. With the MMU off every data access is
Device-nGnRnE (uncached) and, under KVM, incoherent with the host's
cacheable view of the same memory. Reading src/arch/reset.S proves what the
source says; this tool proves what the CPU actually executes, including
whatever the assembler and linker turned the source into.

How: start QEMU (TCG) halted at the reset vector with its gdbstub on a free
local TCP port, attach gdb-multiarch in batch mode, and single-step from
the first instruction (with raw `s` packets rather than `stepi`, which
steps over whole ldxr..stxr sequences: see step()). Before each step, read
SCTLR_ELx of the entry exception level (--el 1, 2, or 3 for secure=on);
while its M bit (bit 0) is clear, disassemble the instruction at PC
(`x/i $pc`) and classify it. Loads, stores, atomics,
exclusives, prefetches, DC ZVA and the like are data accesses; any one of
them is a violation. Stop as soon as SCTLR_ELx.M reads as 1.

How SCTLR_ELx is read (--method):
  sysreg  QEMU's gdbstub publishes the system registers in an extra target
          description feature (org.qemu.gdb.arm.sys.regs); gdb sees them
          as ordinary registers named after QEMU's cpreg names: SCTLR_EL1 is
          called "SCTLR" (its AArch32/AArch64 shared name), SCTLR_EL2 and
          SCTLR_EL3 keep their names. The value is read directly before every
          step. As a cross-check the instruction that flipped M must be an
          `msr sctlr_elx, xN`; anything else is reported as a tooling error.
  msr     Fallback for a gdbstub without system registers: watch for
          `msr sctlr_elx, xN`, read xN before stepping it, and stop after it
          if bit 0 is set. Blind to any other way of writing SCTLR_ELx.
  auto    (default) sysreg when the register is published, else msr.

Same file, two roles: run by python3 it is the driver (QEMU, gdb, report);
sourced by gdb (`gdb-multiarch -batch -x mmu_off_audit.py`) it is the
stepping script, configured through the MMU_AUDIT_CONFIG environment
variable and writing its result as JSON to a file. One file keeps the
classifier, the stepping loop and the report in step with each other.

Forcing a VHE-only CPU (--e2h-res1): QEMU models no CPU whose HCR_EL2.E2H
is RES1 (no FEAT_E2H0), so the audit makes the firmware run on one. With
"mmfr4", right after the firmware reads ID_AA64MMFR4_EL1 it sets the E2H0
field of the destination register to 0b1110 ("E2H is RES1"). With "hcr",
right before each `msr hcr_el2, xN` it sets bit 34 (E2H) in xN, so the
register really holds E2H = 1 whatever the firmware meant to write: a CPU
that predates the E2H0 field but has E2H RAO/WI. QEMU honours E2H = 1.

After the MMU is on, the EL2/EL1 translation and trap registers are read
through the gdbstub (HCR_EL2, TCR_ELx, CPTR_EL2/CPACR_EL1, SCTLR_ELx) and
put in the JSON result, so tests can check the values the reset path left.

Exit status: 0 no data access before the MMU was on; 1 at least one data
access (also when the step limit was hit first: an access with the MMU off
is a violation whether or not the MMU is ever turned on); 2 tooling error
(QEMU or gdb failing, a timeout, the step limit hit with no access seen, the
CPU not starting at the requested EL).

Python 3.11 standard library only (plus gdb's own `gdb` module inside gdb).
"""

import json
import os
import re
import sys

# ---------------------------------------------------------------------------
# Instruction classification (used on both sides: gdb and the driver).
# ---------------------------------------------------------------------------

# Every A64 mnemonic that starts with "ld" or "st" accesses memory (ldr,
# ldur, ldp, ldnp, ldx*, ldax*, ldar*, ldapr*, ldtr*, ld1-4 and SVE/SME
# forms, ldg/ldgm, ld64b, the LSE atomics ldadd/ldclr/ldeor/ldset/ldsmax/
# ldsmin/ldumax/ldumin and their st* aliases, str, stur, stp, stnp, stx*,
# stlx*, stlr*, stllr*, st1-4, stg/stzg/st2g/stgp, st64b/st64bv/st64bv0).
# So the rule is by prefix, with finer names only for the report; a prefix
# rule also catches mnemonics newer than this list.
_ATOMIC_OPS = r"(add|clr|eor|set|smax|smin|umax|umin)"
_RE_EXCLUSIVE = re.compile(r"^(ld(a)?x[rp]|st(l)?x[rp])")
_RE_ATOMIC = re.compile(
    r"^(ld" + _ATOMIC_OPS + r"|st" + _ATOMIC_OPS + r"|swp|cas|rcw|ldclrp|ldsetp)"
)
_RE_PREFETCH = re.compile(r"^r?prf")  # prfm, prfum, SVE prfb/h/w/d, rprfm
# FEAT_MOPS memcpy/memset: cpy[f]{p,m,e}*, set[g]{p,m,e}* (but not setf8/16,
# which only set flags).
_RE_MOPS = re.compile(r"^(cpyf?[pme]|setg?[pme])[a-z]*$")
# FEAT_GCS: guarded control stack loads and stores.
_RE_GCS = re.compile(r"^gcs(str|sttr|pushm|popm|ss1|ss2|pushx|popx|popcx)$")
# DC ops that write memory: zero by VA (and the MTE tag-writing variants).
_DC_WRITES = {"zva", "gva", "gzva"}
_RE_BRANCH = re.compile(
    r"^(b|bl|br|blr|b\.\w+|bc\.\w+|cbn?z|tbn?z|ret\w*|eret\w*|bra\w+|blra\w+)$"
)


_RE_XI_PREFIX = re.compile(r"^(=>\s*)?0x[0-9a-f]+(\s+<[^>]*>)?:\s*")


def parse_insn(text):
    """Split one disassembled instruction into (mnemonic, operands).

    Accepts gdb's `x/i` line ("=> 0x8 <_reset+8>:\\tcmp\\tx19, #0x2") or a
    bare instruction ("cmp\\tx19, #0x2").
    """
    # Drop the "=> address <symbol+off>:" prefix of x/i.
    text = _RE_XI_PREFIX.sub("", text.strip())
    parts = text.split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), (parts[1].strip() if len(parts) > 1 else "")


def classify(mnemonic, operands=""):
    """Return (class name, is_data_access) for one instruction.

    Unknown encodings (gdb prints ".inst 0x... ; undefined") count as data
    accesses: an audit that cannot decode an instruction cannot show that it
    does not touch memory, so it fails closed.
    """
    m = mnemonic.lower()
    ops = operands.lower().replace(" ", "")
    if m in ("", ".inst", "undefined") or m.startswith("."):
        return "unknown", True
    if _RE_EXCLUSIVE.match(m):
        return "exclusive", True
    if _RE_ATOMIC.match(m):
        return "atomic", True
    if m.startswith("ld"):
        if m in ("ldr", "ldrsw") and "[" not in ops and not ops.startswith("z"):
            return "load (literal)", True
        return "load", True
    if m.startswith("st"):
        return "store", True
    if _RE_PREFETCH.match(m):
        return "prefetch", True
    if _RE_MOPS.match(m):
        return "memcpy/memset", True
    if _RE_GCS.match(m):
        return "gcs access", True
    if m == "dc":
        op = ops.split(",", 1)[0]
        if op in _DC_WRITES:
            return "dc " + op, True
        return "cache maint", False  # clean/invalidate by VA: no data transfer
    if m in ("ic", "tlbi", "at"):
        return "maint", False
    if m in ("msr", "mrs"):
        return "sysreg", False
    if m in ("isb", "dsb", "dmb", "sb", "ssbb", "pssbb", "csdb"):
        return "barrier", False
    if _RE_BRANCH.match(m):
        return "branch", False
    return "other", False


# --e2h-res1: which instruction it intercepts, and how it changes the
# register involved. "mmfr4": the destination of `mrs xN, ID_AA64MMFR4_EL1`,
# after it ran. "hcr": the source of `msr hcr_el2, xN`, before it runs.
HCR_E2H = 1 << 34
MMFR4_E2H0_MASK = 0xF << 24
MMFR4_E2H0_RES1 = 0xE << 24  # E2H0 = -2: HCR_EL2.E2H is RES1
E2H_PROBES = {
    "mmfr4": ("mrs", ("id_aa64mmfr4_el1", "s3_0_c0_c7_4"), "after",
              lambda v: (v & ~MMFR4_E2H0_MASK) | MMFR4_E2H0_RES1),
    "hcr": ("msr", ("hcr_el2", "s3_4_c1_c1_0"), "before", lambda v: v | HCR_E2H),
}


def probe_reg(probe, mnemonic, operands):
    """The x register --e2h-res1 changes at this instruction, or None."""
    op, names, _, _ = E2H_PROBES[probe]
    if mnemonic != op:
        return None
    ops = [o.strip().lower() for o in operands.split(",")]
    if len(ops) != 2:
        return None
    reg, sysreg = (ops[0], ops[1]) if op == "mrs" else (ops[1], ops[0])
    return reg if sysreg in names and reg.startswith("x") else None


# Registers read through the gdbstub once the MMU is on, by EL.
STATE_REGS = {
    1: ("SCTLR", "TCR_EL1", "CPACR_EL1", "MAIR_EL1", "TTBR0_EL1"),
    2: ("HCR_EL2", "SCTLR_EL2", "TCR_EL2", "CPTR_EL2", "MAIR_EL2", "TTBR0_EL2",
        "CNTHCTL_EL2"),
    3: ("SCTLR_EL3", "TCR_EL3", "CPTR_EL3", "MAIR_EL3", "TTBR0_EL3"),
}
# And what TCR.IPS/PS is derived from, at every EL.
ID_REGS = ("ID_AA64MMFR0_EL1",)


def sctlr_write_reg(mnemonic, operands, el):
    """If this is `msr sctlr_el<el>, xN`, return "xN" (or "xzr"), else None."""
    if mnemonic != "msr":
        return None
    ops = [o.strip().lower() for o in operands.split(",")]
    if len(ops) != 2:
        return None
    # gdb prints SCTLR_EL1 as "sctlr_el1"; accept the generic encoding too.
    names = {
        1: ("sctlr_el1", "s3_0_c1_c0_0"),
        2: ("sctlr_el2", "s3_4_c1_c0_0"),
        3: ("sctlr_el3", "s3_6_c1_c0_0"),
    }[el]
    return ops[1] if ops[0] in names else None


# gdbstub register names to try for SCTLR of each EL, in order (see top).
SCTLR_REG_NAMES = {1: ("SCTLR_EL1", "SCTLR"), 2: ("SCTLR_EL2",), 3: ("SCTLR_EL3",)}


# ---------------------------------------------------------------------------
# gdb side: the stepping loop.
# ---------------------------------------------------------------------------


def _gdb_main(gdb):
    cfg = json.loads(os.environ["MMU_AUDIT_CONFIG"])
    el = cfg["el"]
    result = {"status": "error", "trace": [], "error": None}
    try:
        _gdb_audit(gdb, cfg, el, result)
    except Exception as e:  # report, never let gdb swallow it silently
        result["status"] = "error"
        result["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        with open(cfg["out"], "w") as f:
            json.dump(result, f)
        try:
            gdb.execute("kill", to_string=True)  # ends QEMU too
        except Exception:
            pass


def _gdb_audit(gdb, cfg, el, result):
    for cmd in ("set pagination off", "set confirm off", "set height 0",
                # Steps bypass gdb (see step()): cache nothing from the target.
                "set code-cache off", "set stack-cache off",
                "set tcp auto-retry on",
                # QEMU may still be starting up: let gdb retry the connect.
                "set tcp connect-timeout %d" % cfg["connect_timeout"]):
        gdb.execute(cmd, to_string=True)
    if cfg.get("elf"):
        # Symbols only make the -v trace readable (<_reset+8>).
        gdb.execute("symbol-file %s" % cfg["elf"], to_string=True)
    gdb.execute("target remote 127.0.0.1:%d" % cfg["port"], to_string=True)

    def frame():
        return gdb.selected_frame()

    names = {r.name for r in frame().architecture().registers()}
    reg = next((n for n in SCTLR_REG_NAMES[el] if n in names), None)
    method = cfg["method"]
    if method == "auto":
        method = "sysreg" if reg else "msr"
    if method == "sysreg" and not reg:
        raise RuntimeError("gdbstub publishes none of %s" % (SCTLR_REG_NAMES[el],))
    result["method"] = method
    result["sctlr_reg"] = reg if method == "sysreg" else None

    def rd(name):
        return int(frame().read_register(name)) & 0xFFFFFFFFFFFFFFFF

    # PSTATE.EL is cpsr[3:2]: check that QEMU really started where asked.
    result["start_el"] = (rd("cpsr") >> 2) & 3
    if result["start_el"] != el:
        raise RuntimeError("CPU starts at EL%d, not EL%d" % (result["start_el"], el))

    def symbol(pc):
        # `info symbol` uses the ELF symbol table. The <sym> that x/i puts on
        # the PC comes from DWARF, where functions dropped by --gc-sections
        # still claim address 0 and would mislabel the reset vector.
        if not cfg.get("elf"):
            return ""
        s = gdb.execute("info symbol 0x%x" % pc, to_string=True).strip()
        if s.startswith("No symbol"):
            return ""
        return s.split(" in section")[0].replace(" + ", "+")

    def step():
        # Not `stepi`: on a load-exclusive, gdb's aarch64 code steps over
        # the whole ldxr..stxr sequence with a breakpoint (so that the
        # exclusive monitor survives), and the instructions in between are
        # never seen - measured here: stepi from an ldxr skipped three loads.
        # A raw 's' packet makes QEMU's gdbstub execute exactly one
        # instruction; gdb's register cache is then stale, so flush it.
        reply = gdb.execute("maint packet s", to_string=True)
        if 'received: "T05' not in reply and 'received: "S05' not in reply:
            raise RuntimeError("single step failed: %s" % reply.strip())
        gdb.execute("maint flush register-cache", to_string=True)

    def read_state():
        state = {}
        for name in STATE_REGS[el] + ID_REGS:
            if name in names:
                state[name] = "0x%x" % rd(name)
        result["sysregs"] = state

    trace = result["trace"]
    pending_msr = None  # index of an msr sctlr_elx whose value has M set
    forced = cfg.get("e2h_res1")

    def force(xreg):
        real = rd(xreg)
        fake = E2H_PROBES[forced][3](real)
        gdb.execute("set $%s = %d" % (xreg, fake), to_string=True)
        gdb.execute("maint flush register-cache", to_string=True)
        if rd(xreg) != fake:
            raise RuntimeError("could not write %s through the gdbstub" % xreg)
        trace[-1]["forced"] = "%s 0x%x -> 0x%x" % (xreg, real, fake)
        result.setdefault("forced", []).append(trace[-1]["forced"])

    for _ in range(cfg["max_steps"] + 1):
        if method == "sysreg":
            val = rd(reg)
            if val & 1:
                result["status"] = "mmu_on"
                result["sctlr_value"] = "0x%x" % val
                read_state()
                # Cross-check: the last instruction should be the msr.
                if pending_msr is None or pending_msr != len(trace) - 1:
                    last = trace[-1]["insn"] if trace else "(reset)"
                    raise RuntimeError(
                        "SCTLR_EL%d.M set, but not by an msr sctlr_el%d seen "
                        "setting it (last instruction: %s)" % (el, el, last))
                return
        elif pending_msr is not None:
            result["status"] = "mmu_on"
            read_state()
            return
        if len(trace) >= cfg["max_steps"]:
            result["status"] = "step_limit"
            return
        pc = rd("pc")
        line = gdb.execute("x/i $pc", to_string=True).strip()
        mnem, ops = parse_insn(line)
        cls, access = classify(mnem, ops)
        trace.append({"pc": pc, "sym": symbol(pc),
                      "insn": re.sub(r"\s+", " ", (mnem + " " + ops).strip()),
                      "class": cls, "access": access})
        src = sctlr_write_reg(mnem, ops, el)
        if src is not None:
            val = 0 if src in ("xzr", "wzr") else rd(src)
            trace[-1]["value"] = "0x%x" % val
            pending_msr = len(trace) - 1 if val & 1 else None
        xreg = probe_reg(forced, mnem, ops) if forced else None
        if xreg is not None and E2H_PROBES[forced][2] == "before":
            force(xreg)
        step()
        if xreg is not None and E2H_PROBES[forced][2] == "after":
            force(xreg)


# ---------------------------------------------------------------------------
# Driver side: QEMU, gdb, report.
# ---------------------------------------------------------------------------


def _free_port():
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _qemu_cmd(args, port):
    machine = "virt"
    if args.el >= 2:
        machine += ",virtualization=on"
    if args.el == 3:
        machine += ",secure=on"
    return [
        args.qemu, "-M", machine, "-cpu", args.cpu, "-m", "1G",
        "-display", "none", "-nodefaults", "-monitor", "none",
        "-serial", "null",  # nothing to see: we stop before the first print
    ] + (
        # The pflash pair as libvirt maps it: the image read-only in unit 0.
        ["-drive", "if=pflash,unit=0,format=raw,readonly=on,file=" + args.bios]
        if args.pflash else ["-bios", args.bios]
    ) + [
        "-S",  # halted at the reset vector until gdb steps it
        "-gdb", "tcp:127.0.0.1:%d" % port,
    ]


def run_audit(args):
    """Run QEMU + gdb once; return (exit status, report lines)."""
    import subprocess
    import tempfile
    import time

    bios = os.path.abspath(args.bios)
    if not os.path.isfile(bios):
        return 2, ["mmu_off_audit: no firmware image %s (run make)" % bios]
    elf = args.elf
    if elf is None:
        guess = os.path.splitext(bios)[0] + ".elf"
        elf = guess if os.path.isfile(guess) else ""

    with tempfile.TemporaryDirectory(prefix="mmu-audit-") as tmp:
        out = os.path.join(tmp, "result.json")
        qlog_path = os.path.join(tmp, "qemu.log")
        # A free port can be taken between our probe and QEMU's bind: retry.
        for _attempt in range(3):
            port = _free_port()
            qlog = open(qlog_path, "w+b")
            qemu = subprocess.Popen(_qemu_cmd(args, port), stdin=subprocess.DEVNULL,
                                    stdout=qlog, stderr=subprocess.STDOUT)
            time.sleep(0.1)
            if qemu.poll() is None:
                break
            qlog.seek(0)
            err = qlog.read().decode(errors="replace").strip()
            qlog.close()
            if "bind" not in err.lower() and "in use" not in err.lower():
                return 2, ["mmu_off_audit: QEMU failed: " + err]
        else:
            return 2, ["mmu_off_audit: QEMU could not bind a gdb port"]
        gdbp = glog = None
        try:
            cfg = {"el": args.el, "port": port, "out": out,
                   "max_steps": args.max_steps, "method": args.method,
                   "elf": elf, "connect_timeout": 10, "e2h_res1": args.e2h_res1}
            env = dict(os.environ, MMU_AUDIT_CONFIG=json.dumps(cfg))
            glog = open(os.path.join(tmp, "gdb.log"), "w+b")
            try:
                gdbp = subprocess.Popen(
                    [args.gdb, "-nx", "-batch", "-x", os.path.abspath(__file__)],
                    env=env, stdin=subprocess.DEVNULL, stdout=glog,
                    stderr=subprocess.STDOUT)
            except FileNotFoundError:
                return 2, ["mmu_off_audit: %s not found" % args.gdb]
            # Wait for gdb, but not forever, and not for a QEMU that is gone
            # (gdb's own exit kills QEMU, so only an early death counts).
            deadline = time.monotonic() + args.timeout
            qemu_dead_at = None
            problem = None
            while gdbp.poll() is None:
                now = time.monotonic()
                if now > deadline:
                    problem = "gdb timed out after %ss" % args.timeout
                elif qemu.poll() is not None:
                    qemu_dead_at = qemu_dead_at or now
                    if now - qemu_dead_at > 3:
                        problem = "QEMU exited (rc %s) while gdb was running" % qemu.returncode
                if problem:
                    gdbp.kill()
                    gdbp.wait()
                    break
                time.sleep(0.02)
            if problem or not os.path.exists(out):
                glog.seek(0)
                qlog.seek(0)
                return 2, ["mmu_off_audit: " + (problem or "gdb produced no result (rc %s)"
                                                % gdbp.returncode),
                           "gdb: " + glog.read().decode(errors="replace").strip()[-2000:],
                           "qemu: " + qlog.read().decode(errors="replace").strip()[-2000:]]
            with open(out) as f:
                res = json.load(f)
        finally:
            # Never leave QEMU (or gdb) running, whatever happened above.
            for proc in (gdbp, qemu):
                if proc is not None and proc.poll() is None:
                    proc.kill()
                if proc is not None:
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass
            qlog.close()
            if glog is not None:
                glog.close()
    return report(args, res)


def _fmt(t, flag=""):
    where = "%#010x" % t["pc"]
    if t.get("sym"):
        where += " <%s>" % t["sym"]
    val = "  (%s)" % t["value"] if "value" in t else ""
    if "forced" in t:
        val += "  (forced: %s)" % t["forced"]
    return "  %-26s %-40s %s%s%s" % (where, t["insn"], t["class"], val, flag)


def report(args, res):
    """Turn the gdb side's result into (exit status, lines to print)."""
    el = args.el
    lines = []
    trace = res.get("trace", [])
    bad = [t for t in trace if t["access"]]
    for t in trace:
        if t["access"]:  # violations are always listed
            lines.append(_fmt(t, "  <-- DATA ACCESS"))
        elif args.verbose:
            lines.append(_fmt(t))
    if res.get("method"):
        how = ("read gdbstub register %s" % res["sctlr_reg"] if res["method"] == "sysreg"
               else "watched msr sctlr_el%d" % el)
        lines.append("method: %s; cpu %s; %s" % (how, args.cpu, os.path.relpath(args.bios)))
    n, nb = len(trace), len(bad)
    status = res.get("status")
    if status == "mmu_on":
        summary = ("EL%d: %d instructions before SCTLR_EL%d.M was set, %d data accesses"
                   % (el, n, el, nb))
        rc = 1 if nb else 0
    elif status == "step_limit":
        summary = ("EL%d: SCTLR_EL%d.M still clear after %d instructions (step limit), "
                   "%d data accesses" % (el, el, n, nb))
        # Accesses with the MMU off are violations even if it never comes on;
        # without any, the run proves nothing.
        rc = 1 if nb else 2
    else:
        summary = ("EL%d: tooling error after %d instructions (%d data accesses): %s"
                   % (el, n, nb, res.get("error")))
        # An access already seen stays a violation; otherwise nothing is proven.
        rc = 1 if nb else 2
    if args.e2h_res1:
        forced = res.get("forced") or ["nothing: the firmware never read the register"]
        lines.append("forced E2H RES1 (%s): %s" % (args.e2h_res1, "; ".join(forced)))
        if not res.get("forced") and rc == 0:
            rc = 2  # the path under test was never taken: nothing proven
    if res.get("sysregs"):
        lines.append("with the MMU on: " + " ".join(
            "%s=%s" % kv for kv in res["sysregs"].items()))
    lines.append(summary)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(res, summary=summary, exit=rc, accesses=nb,
                           instructions=n), f, indent=1)
    return rc, lines


def main(argv=None):
    import argparse

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--el", type=int, choices=(1, 2, 3), default=1,
                   help="exception level to start at (2: virtualization=on, 3: also secure=on)")
    p.add_argument("--cpu", default="max", help="QEMU -cpu model (default max)")
    p.add_argument("--bios", default=os.path.join(root, "build", "mmuon.bin"),
                   help="flash image (default build/mmuon.bin)")
    p.add_argument("--pflash", action="store_true",
                   help="map the image as -drive if=pflash,unit=0 (read-only; "
                        "a 64 MiB image such as build/mmuon-code.fd) instead of -bios")
    p.add_argument("--elf", default=None,
                   help="symbols for the trace (default: the .elf beside --bios, if any)")
    p.add_argument("--method", choices=("auto", "sysreg", "msr"), default="auto",
                   help="how to detect SCTLR_ELx.M (see the module docstring)")
    p.add_argument("--max-steps", type=int, default=10000)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds for the whole gdb run")
    p.add_argument("--qemu", default="qemu-system-aarch64")
    p.add_argument("--gdb", default="gdb-multiarch")
    p.add_argument("--json", metavar="FILE",
                   help="also write the result (trace, summary, exit status) as JSON")
    p.add_argument("--e2h-res1", choices=sorted(E2H_PROBES), default=None,
                   help="make the firmware see HCR_EL2.E2H as RES1, through its read of "
                        "ID_AA64MMFR4_EL1 (mmfr4) or of HCR_EL2 (hcr); --el 2 only")
    p.add_argument("-v", "--verbose", action="store_true", help="print every instruction")
    args = p.parse_args(argv)
    rc, lines = run_audit(args)
    for line in lines:
        print(line)
    return rc


try:
    import gdb as _gdb  # present only when gdb sources this file
except ImportError:
    _gdb = None

if _gdb is not None and "MMU_AUDIT_CONFIG" in os.environ:
    _gdb_main(_gdb)
elif __name__ == "__main__":
    sys.exit(main())
