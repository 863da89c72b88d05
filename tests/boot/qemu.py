"""Run QEMU arm64 `virt` boots and read the test init's report.

Used by the pytest boot tests (tests/boot/) and, as a command, by
tools/run.sh. Python 3.11 standard library only.

A boot is one QEMU process: the guest console (PL011 on stdio) is captured
line by line with the time since QEMU started, so the tests can tell how long
the firmware and the kernel took. A hard timeout kills QEMU; by default that
raises BootTimeout carrying the console, so a hung boot fails with what it
printed instead of hanging the suite.

The test init (tests/boot/init/test_init.c) prints

    MMUON-TEST <name>: <PASS|FAIL|INFO> <detail>

which Report parses; verify_report() holds the checks every boot test makes.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
FIRMWARE = BUILD / "mmuon.bin"
PFLASH_CODE = BUILD / "mmuon-code.fd"
PFLASH_VARS = BUILD / "mmuon-vars.fd"
CACHE = Path(os.environ.get("MMUON_CACHE", Path.home() / ".cache" / "mmuon")) / "arm64"
KERNELS = {"6.1": CACHE / "vmlinuz-6.1", "new": CACHE / "vmlinuz-new"}
QEMU = os.environ.get("MMUON_QEMU", "qemu-system-aarch64")

# arm64's COMMAND_LINE_SIZE is 2048 including the NUL: the longest command
# line the kernel keeps whole (it silently truncates longer ones).
CMDLINE_MAX = 2047

# earlycon: the kernel's first line appears as soon as it runs, which is what
# the boot-time measurements key on. panic=-1 with QEMU's -no-reboot turns a
# panic into a prompt QEMU exit instead of a wait for the timeout.
BASE_CMDLINE = "console=ttyAMA0 earlycon panic=-1"

KERNEL_FIRST_LINE = re.compile(r"Booting Linux on physical CPU|Linux version \d")
REPORT_LINE = re.compile(r"MMUON-TEST ([\w.-]+): (PASS|FAIL|INFO)(?: (.*))?$")
# Complaints about the firmware. The EFI stub prints its own on the firmware's
# console (ConOut), before the kernel and its log exist, so they are only
# seen here; the init reports the ones that reach the kernel log.
FIRMWARE_COMPLAINT = re.compile(
    r"EFI stub: (ERROR|WARNING)|\[Firmware Bug\]|FIRMWARE BUG|\[Firmware Warn\]"
)


class BootTimeout(AssertionError):
    """QEMU ran past its hard timeout and was killed."""


# ---- the init's report --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str
    status: str  # PASS, FAIL or INFO
    detail: str
    time: float  # seconds since QEMU started


class Report:
    """The MMUON-TEST lines of one boot, in order."""

    def __init__(self, lines: list[tuple[float, str]]):
        self.entries: list[Entry] = []
        for t, line in lines:
            # search, not match: a kernel message may have started the line.
            m = REPORT_LINE.search(line)
            if m:
                self.entries.append(Entry(m[1], m[2], m[3] or "", t))

    def all(self, name: str) -> list[Entry]:
        return [e for e in self.entries if e.name == name]

    def get(self, name: str) -> Entry | None:
        found = self.all(name)
        return found[0] if found else None

    def detail(self, name: str) -> str | None:
        e = self.get(name)
        return e.detail if e else None

    @property
    def failures(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "FAIL"]

    @property
    def done(self) -> bool:
        return self.get("done") is not None

    @property
    def efi(self) -> bool | None:
        d = self.detail("efi")
        return None if d is None else d.startswith("present")

    def __str__(self) -> str:
        return "\n".join(f"{e.name}: {e.status} {e.detail}" for e in self.entries)


# ---- one boot -------------------------------------------------------------------


@dataclasses.dataclass
class Boot:
    argv: list[str]
    lines: list[tuple[float, str]]  # (seconds since QEMU started, console line)
    stderr: str
    returncode: int | None  # None if killed on timeout
    wall: float  # seconds from QEMU start to its exit (or kill)
    timed_out: bool
    stopped: bool = False  # killed on purpose once a line matched stop_at
    log: Path | None = None

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    @property
    def report(self) -> Report:
        return Report(self.lines)

    def time_of(self, pattern: str | re.Pattern) -> float | None:
        """Seconds from QEMU start to the first console line matching pattern."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        for t, line in self.lines:
            if rx.search(line):
                return t
        return None

    @property
    def kernel_time(self) -> float | None:
        """QEMU start to the kernel's first console line (needs earlycon)."""
        return self.time_of(KERNEL_FIRST_LINE)

    @property
    def firmware_complaints(self) -> list[str]:
        """Console lines (outside the init's report) complaining about the firmware."""
        return [
            line for _, line in self.lines
            if FIRMWARE_COMPLAINT.search(line) and not REPORT_LINE.search(line)
        ]

    @property
    def init_time(self) -> float | None:
        """QEMU start to the test init's first report line."""
        return self.time_of(REPORT_LINE)

    def timings(self) -> str:
        def fmt(t: float | None) -> str:
            return "-" if t is None else f"{t:.2f} s"

        return (
            f"kernel's first line {fmt(self.kernel_time)}, init {fmt(self.init_time)}, "
            f"QEMU exit {fmt(self.wall)}"
        )

    def describe(self, tail: int = 120) -> str:
        """What to show when a check fails: command, outcome, end of console."""
        out = [
            "$ " + shlex.join(self.argv),
            f"exit {self.returncode}" + (" (killed on timeout)" if self.timed_out else "")
            + f"; {self.timings()}",
        ]
        if self.log:
            out.append(f"full console: {self.log}")
        shown = self.lines[-tail:]
        if len(shown) < len(self.lines):
            out.append(f"... last {tail} of {len(self.lines)} console lines:")
        out += [f"{t:7.2f} | {line}" for t, line in shown]
        if self.stderr.strip():
            out += ["QEMU stderr:", self.stderr.rstrip()]
        return "\n".join(out)


@dataclasses.dataclass(frozen=True)
class Pflash:
    """The firmware as libvirt gives it: QEMU virt's two flash banks.

    code: the firmware padded to the 64 MiB bank (build/mmuon-code.fd),
    mapped read-only as unit 0; vars: this VM's variable store, a copy of
    build/mmuon-vars.fd, writable as unit 1 (None: no unit 1).
    """

    code: Path
    vars: Path | None = None
    vars_readonly: bool = False  # unit 1 read-only too: writes fail

    def argv(self) -> list[str]:
        out = ["-drive", f"if=pflash,unit=0,format=raw,readonly=on,file={self.code}"]
        if self.vars is not None:
            ro = ",readonly=on" if self.vars_readonly else ""
            out += ["-drive", f"if=pflash,unit=1,format=raw{ro},file={self.vars}"]
        return out


def qemu_argv(
    *,
    kernel: Path | str | None = None,
    initrd: Path | str | None = None,
    append: str | None = None,
    firmware: Path | str | Pflash | None = None,
    mem: str = "512M",
    smp: int = 1,
    el2: bool = False,
    cpu: str = "max",
    machine_opts: str = "",
    monitor: bool = False,
    extra: list[str] | tuple[str, ...] = (),
) -> list[str]:
    """QEMU command line for a `virt` VM with the console on stdio.

    firmware=None boots the kernel with QEMU's own loader (-kernel, no EFI);
    otherwise QEMU maps the file as flash at 0 and starts there (-bios, or
    -drive if=pflash for a Pflash), and hands kernel, initrd and command
    line over through fw_cfg.
    """
    machine = "virt,virtualization=on" if el2 else "virt"
    if machine_opts:
        machine += "," + machine_opts
    argv = [QEMU, "-M", machine, "-cpu", cpu, "-m", mem, "-smp", str(smp)]
    # -nodefaults: no default NIC, so no efi-virtio.rom to find; -no-reboot:
    # a guest reset (or panic=-1) ends QEMU instead of booting again.
    argv += ["-nographic", "-nodefaults", "-net", "none", "-no-reboot"]
    # mon:stdio multiplexes the monitor (Ctrl-A c) for interactive use.
    argv += ["-serial", "mon:stdio" if monitor else "stdio"]
    if isinstance(firmware, Pflash):
        argv += firmware.argv()
    elif firmware is not None:
        argv += ["-bios", str(firmware)]
    if kernel is not None:
        argv += ["-kernel", str(kernel)]
    if initrd is not None:
        argv += ["-initrd", str(initrd)]
    if append is not None:
        argv += ["-append", append]
    return argv + list(extra)


def run_qemu(
    *,
    timeout: float = 60,
    check_timeout: bool = True,
    log: Path | str | None = None,
    interact: list[tuple[str, str]] | None = None,
    on_line=None,
    stop_at: str | re.Pattern | None = None,
    **kw,
) -> Boot:
    """Boot once and return the Boot. kw are qemu_argv()'s arguments.

    timeout: hard limit in seconds; QEMU is killed when it passes, and
    BootTimeout (with the console) is raised unless check_timeout=False.
    stop_at: kill QEMU as soon as a console line, finished or not, matches
    (Boot.stopped); the timeout still bounds the wait for that line.
    interact: (regex, text) pairs: once the console matches regex (searched
    in what came after the previous match), text is written to the guest.
    on_line(t, line) is called for each console line as it arrives.
    """
    argv = qemu_argv(**kw)
    boot = _run(argv, timeout, interact, on_line, stdin=None, stop_at=stop_at)
    if log is not None:
        boot.log = Path(log)
        boot.log.parent.mkdir(parents=True, exist_ok=True)
        boot.log.write_text(
            "$ " + shlex.join(argv) + "\n"
            + "".join(f"{t:7.3f} | {line}\n" for t, line in boot.lines)
            + (f"QEMU stderr:\n{boot.stderr}" if boot.stderr else "")
            + f"exit {boot.returncode}, timed out {boot.timed_out}, {boot.timings()}\n",
            errors="replace",
        )
    if boot.timed_out and check_timeout:
        raise BootTimeout(f"QEMU killed after {timeout} s\n" + boot.describe())
    return boot


def _run(argv, timeout, interact, on_line, stdin, stop_at=None) -> Boot:
    script = list(interact or [])
    stop_rx = re.compile(stop_at) if isinstance(stop_at, str) else stop_at
    stopped = False
    passthrough = stdin is not None  # interactive: the terminal is QEMU's stdin
    start = time.monotonic()
    proc = subprocess.Popen(
        argv,
        stdin=stdin if passthrough else (subprocess.PIPE if script else subprocess.DEVNULL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    lines: list[tuple[float, str]] = []
    partial = b""
    err = b""
    pending = ""  # console text not yet consumed by the interact script
    timed_out = False
    open_streams = 2

    def add_line(t: float, raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").rstrip("\r")
        nonlocal stopped
        lines.append((t, line))
        if on_line:
            on_line(t, line)
        if stop_rx and stop_rx.search(line):
            stopped = True

    while open_streams and not stopped:
        left = None if timeout is None else start + timeout - time.monotonic()
        if left is not None and left <= 0:
            timed_out = True
            break
        for key, _ in sel.select(left):
            data = os.read(key.fileobj.fileno(), 65536)
            now = time.monotonic() - start
            if not data:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            if key.data == "err":
                err += data
                continue
            if passthrough:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            partial += data
            *complete, partial = partial.split(b"\n")
            for raw in complete:
                add_line(now, raw)
            # Full-screen programs (the Debian installer) draw without
            # ending their lines: stop_at sees the unfinished line too,
            # once more text follows the match (so that `$`, or digits
            # still arriving, cannot match a line that is not complete).
            if stop_rx and partial:
                text = partial.decode("utf-8", "replace")
                m = stop_rx.search(text)
                if m and m.end() < len(text):
                    stopped = True
            if script:
                pending += data.decode("utf-8", "replace")
                while script and (m := re.search(script[0][0], pending)):
                    pending = pending[m.end():]
                    try:
                        proc.stdin.write(script.pop(0)[1].encode())
                        proc.stdin.flush()
                    except BrokenPipeError:  # QEMU is gone; its output tells why
                        script.clear()
    if timed_out or stopped:
        proc.kill()
    try:
        returncode = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # stdout closed but QEMU lingers
        proc.kill()
        returncode = proc.wait()
        timed_out = True
    wall = time.monotonic() - start
    if partial:
        add_line(wall, partial)
    sel.close()
    for f in (proc.stdout, proc.stderr, proc.stdin):
        if f:
            f.close()
    return Boot(
        argv=argv,
        lines=lines,
        stderr=err.decode("utf-8", "replace"),
        returncode=None if timed_out else returncode,
        wall=wall,
        timed_out=timed_out,
        stopped=stopped,
    )


# ---- what every boot test checks ------------------------------------------------


def make_cmdline(*parts: str, length: int | None = None) -> str:
    """BASE_CMDLINE plus parts, padded to exactly `length` bytes.

    The padding is a dotted parameter (mmuon.pad=xxx...): the kernel passes
    undotted unknown parameters to init as arguments or environment and
    panics past 32 of them; dotted ones it keeps to itself.
    """
    cmdline = " ".join((BASE_CMDLINE,) + parts)
    if length is not None:
        # The kernel's limit is in bytes (UTF-8), not characters.
        size = len(cmdline.encode())
        pad = length - size - len(" mmuon.pad=")
        if pad < 0:
            raise ValueError(f"command line already {size} > {length} bytes")
        cmdline += " mmuon.pad=" + "x" * pad
    return cmdline


def verify_report(
    boot: Boot,
    *,
    cmdline: str | None = None,
    payload_sha256: str | None = None,
    efi: bool | None = None,
    cpus: int | None = None,
    rtc: bool = True,
    firmware_complaints_ok: bool = False,
) -> Report:
    """Assert the boot reached the test init and its report is as expected.

    cmdline: the exact /proc/cmdline the guest must see; payload_sha256: the
    initramfs' payload hash as built on the host; efi: whether the kernel
    must have found EFI (None: don't care); rtc=False tolerates a failed RTC
    check; firmware_complaints_ok tolerates EFI stub errors/warnings and
    [Firmware Bug] lines. Returns the Report.
    """
    r = boot.report

    def fail(msg: str) -> None:
        raise AssertionError(f"{msg}\n\nreport:\n{r}\n\n{boot.describe()}")

    if not r.entries:
        fail("the test init never reported")
    if not r.done:
        fail("the test init did not finish (no 'MMUON-TEST done')")
    if boot.returncode != 0:
        fail(f"QEMU exited with {boot.returncode} (expected 0 after the guest's power-off)")
    bad = [e for e in r.failures if not (e.name == "rtc" and not rtc)]
    if bad:
        fail("guest checks failed: " + "; ".join(f"{e.name}: {e.detail}" for e in bad))
    if not firmware_complaints_ok and boot.firmware_complaints:
        fail("complaints about the firmware:\n  " + "\n  ".join(boot.firmware_complaints))
    if cmdline is not None:
        want_sha = hashlib.sha256(cmdline.encode()).hexdigest()
        got_len = r.detail("cmdline-length")
        if r.detail("cmdline-sha256") != want_sha:
            got = r.detail("cmdline")
            fail(
                f"/proc/cmdline differs: guest saw {got_len} characters, host passed "
                f"{len(cmdline.encode())}\n  want: {cmdline!r}\n  got:  {got!r}"
            )
    if payload_sha256 is not None:
        d = r.detail("payload") or ""
        if f"sha256={payload_sha256}" not in d:
            fail(f"payload is not the one built on the host ({payload_sha256}): {d}")
    if efi is not None and r.efi != efi:
        fail(f"EFI {'expected' if efi else 'not expected'}: guest says {r.detail('efi')}")
    if cpus is not None:
        d = r.detail("cpus") or ""
        if not d.startswith(f"{cpus} "):
            fail(f"expected {cpus} online CPUs: guest says {d}")
    return r


# ---- command line: tools/run.sh's backend ---------------------------------------


def _main() -> int:
    p = argparse.ArgumentParser(
        description="Boot a kernel under QEMU (with mmuon or QEMU's own loader) into "
        "the test init or a shell, and report the boot time."
    )
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd")
    p.add_argument("--append", default=BASE_CMDLINE)
    p.add_argument("--firmware", help="firmware image for -bios (default: none, QEMU -kernel)")
    p.add_argument("--mem", default="512M")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--el2", action="store_true", help="start at EL2 (virtualization=on)")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--interactive", action="store_true",
                   help="console on this terminal, no timeout (for the shell)")
    p.add_argument("--verbose", action="store_true", help="print the whole console")
    p.add_argument("qemu_args", nargs="*", help="more QEMU arguments (after --)")
    a = p.parse_args()

    kw = dict(kernel=a.kernel, initrd=a.initrd, append=a.append, firmware=a.firmware,
              mem=a.mem, smp=a.smp, el2=a.el2, extra=a.qemu_args)
    log = BUILD / "boot" / "logs" / "run.log"

    if a.interactive:
        argv = qemu_argv(monitor=True, **kw)
        print(f"$ {shlex.join(argv)}\n(Ctrl-A x quits QEMU)", file=sys.stderr, flush=True)
        said = False

        def on_line(t: float, line: str) -> None:
            nonlocal said
            if not said and REPORT_LINE.search(line):
                said = True
                # The terminal is raw while QEMU runs: \r\n by hand.
                sys.stdout.write(f"\r\n[run] QEMU start -> init: {t:.2f} s\r\n")
                sys.stdout.flush()

        # ^C belongs to the guest (QEMU puts the terminal in raw mode anyway).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        boot = _run(argv, None, None, on_line, stdin=sys.stdin)
        print(f"\n[run] {boot.timings()}", file=sys.stderr)
        return 0 if boot.returncode == 0 else 1

    def on_line(t: float, line: str) -> None:
        if a.verbose or REPORT_LINE.search(line):
            print(line if a.verbose else REPORT_LINE.search(line)[0], flush=True)

    boot = run_qemu(timeout=a.timeout, check_timeout=False, log=log, on_line=on_line, **kw)
    r = boot.report
    ok = r.done and not r.failures and not boot.timed_out and boot.returncode == 0
    if not ok and not a.verbose:
        print(boot.describe(tail=200), file=sys.stderr)
    state = "killed after timeout" if boot.timed_out else f"exit {boot.returncode}"
    print(f"[run] {boot.timings()} ({state}; console in {log})", file=sys.stderr)
    if not r.done:
        print("[run] the test init did not finish", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(_main())
