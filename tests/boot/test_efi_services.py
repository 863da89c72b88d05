"""mmuon's UEFI boot and runtime services, exercised by a real EFI client.

build/efi_apps/services_check.efi (tests/efi_apps/services_*.c, gnu-efi) is
given to mmuon as the "kernel". It prints one line per check,

    SERVICES <name>: PASS|FAIL <detail>

then `SERVICES verdict: PASS` or `SERVICES verdict: FAIL (<n> failures)`, and
returns EFI_SUCCESS or EFI_ABORTED; mmuon prints that status and powers off,
so QEMU exits 0 either way. The command line picks the run:

- (none): events and timers, memory services, the protocol database, image
  services (with an embedded child image), runtime services, and the bad
  pointers and handles the services must refuse;
- `keys`: the app prints `SERVICES-INPUT <tag>` and waits for a key, which
  this test types on QEMU's stdin (the serial console) as a VT100/xterm
  terminal would send it;
- `crash`, `crash=write`, `crash=unmapped`: a bad access from inside the
  app, which must end in mmuon's decoded exception dump and a power-off.

Where mmuon deviates from the UEFI spec, the check stays in the app and is
listed in KNOWN_DEVIATIONS with the reason: the main test tolerates exactly
those, and a strict xfail test per deviation turns into a failure (XPASS) the
day mmuon is fixed, so the list cannot go stale.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import efi_app
import qemu
from evidence import KnownFailure, expect_signature, known_failure

APP = qemu.BUILD / "efi_apps" / "services_check.efi"
LOGS = qemu.BUILD / "boot" / "logs"

# Every check of the default run; one that goes missing (the app crashed or
# stopped making it) fails the test like a FAIL line does.
CHECKS = {
    "event.timer-relative", "event.timer-periodic", "event.timer-periodic-notify",
    "event.check-event", "event.close-event", "event.stall", "event.notify-tpl",
    "event.wait-notify", "event.wait-refusals", "event.create-refusals", "event.group",
    "memory.getmap-size", "memory.getmap", "memory.map-key", "memory.allocate-any",
    "memory.allocate-max", "memory.allocate-address", "memory.free-subrange",
    "memory.pool-types", "memory.pool-sizes", "memory.runtime-64k", "memory.x18",
    "memory.exit-boot-services-stale-key",
    "memattr.free-pages-ro", "memattr.free-pool-ro", "memattr.free-pages-exec",
    "memattr.refuse-firmware", "memattr.own-memory", "memattr.pool-cycles",
    "memattr.pool-grows",
    "bad.free-pool", "bad.free-pages", "bad.allocate", "bad.handle-protocol",
    "bad.events", "bad.locate", "bad.config-table", "bad.load-image",
    "bad.load-image-pe",
    "image.load", "image.start-exit", "image.exit-wrong-handle", "image.exit-garbage",
    "image.start-return", "image.wx-policy", "loaderfs.device", "loaderfs.read", "loaderfs.read-only",
    "image.unload", "image.exit-unstarted",
    "protocol.install", "protocol.locate", "protocol.reinstall", "protocol.open-close",
    "protocol.per-handle", "protocol.uninstall", "protocol.notify",
    "protocol.notify-closed-event", "protocol.install-multiple-rollback",
    "protocol.uninstall-multiple-rollback",
    "runtime.get-time", "runtime.variables", "runtime.next-variable-name",
    "runtime.query-variable-info", "runtime.volatile-fill", "runtime.variable-refusals",
    "runtime.properties-table", "runtime.memory", "runtime.x18",
    "misc.monotonic-count", "misc.crc32", "misc.copy-set-mem", "misc.watchdog",
}

# Where mmuon and UEFI 2.10 part ways, found by the checks above.
KNOWN_DEVIATIONS = {
}

# The keys run: what the app waits for, and the bytes a terminal sends.
KEYS = [
    ("key-a", "a"),
    ("key-up", "\x1b[A"),  # cursor up: ScanCode 0x01
    ("key-esc", "\x1b"),  # a lone ESC, told from a sequence by the pause after it
    ("key-xyz", "xyz"),  # three keys in one burst
    ("key-ctrl-right", "\x1b[1;5C"),  # xterm Ctrl+Right: ScanCode 0x03, LEFT_CONTROL
    ("key-m-n", "mn"),  # a key notify registered for "n" only
]
KEY_CHECKS = {
    "keys.none-pending", "keys.char", "keys.up", "keys.esc", "keys.sequence",
    "keys.ex-modifier", "keys.notify",
}

# (command line, access, address, the fault mmuon must decode)
CRASHES = {
    "write": ("crash=write", "write", 0x0, "permission fault"),
    "unmapped": ("crash=unmapped", "read", 0x7000000000, "translation fault"),
    "null": ("crash", "read", 0x0, "translation fault"),
}
NULL_IS_MAPPED = (
    "mmuon identity-maps QEMU's flash, [0, 128 MiB), read-only+executable for "
    "the whole boot (its boot-time code runs there), so a NULL read "
    "returns the first bytes of mmuon's image instead of faulting. UEFI does "
    "not require page 0 to be unmapped (EDK2's NULL pointer detection is an "
    "option); writes to NULL do fault (see the 'write' case)."
)
# ... which the app reports as its read returning.
NULL_IS_MAPPED_SIGNATURE = (r"^SERVICES crash: FAIL read from 0x0 completed without an "
                            r"exception")


@pytest.fixture(scope="session")
def services_check() -> Path:
    """Builds the app (and its child image) with its make target."""
    efi_app.build(APP)
    return APP


class Services(efi_app.AppReport):
    """The SERVICES lines of one run of the app."""

    def __init__(self, boot: qemu.Boot):
        super().__init__(boot, "SERVICES")

    def expect_complete(self, names: set[str]) -> None:
        """The run finished, and reported each check once."""
        self.expect_finished()
        missing = names - self.checks.keys()
        if missing:
            self.fail(f"checks not reported: {sorted(missing)}")
        unknown = self.checks.keys() - names
        if unknown:
            self.fail(f"checks this test does not know: {sorted(unknown)}")


def run_app(services_check: Path, name: str, *, append: str | None = None,
            interact=None, **opts) -> Services:
    if not qemu.FIRMWARE.is_file():
        pytest.skip(f"{qemu.FIRMWARE} is not built: run `make`")
    b = qemu.run_qemu(firmware=qemu.FIRMWARE, kernel=services_check, append=append,
                      interact=interact, timeout=120, log=LOGS / f"{name}.log", **opts)
    return Services(b)


CONFIGS = [
    pytest.param({}, 1, id="el1"),
    pytest.param({"el2": True}, 2, id="el2"),
    # RAM [1 GiB, 3 GiB): AllocatePages(MaxAddress 2 GiB - 1) must leave the
    # top-down allocator's first choice, above 2 GiB, alone.
    pytest.param({"mem": "2G"}, 1, id="el1-2g"),
    pytest.param({"el2": True, "cpu": "cortex-a57"}, 2, id="el2-cortex-a57"),
]

# One boot per configuration, shared by the main test and the deviations.
_runs: dict[str, Services] = {}


def default_run(services_check: Path, config_id: str, opts: dict) -> Services:
    if config_id not in _runs:
        _runs[config_id] = run_app(services_check, f"test_efi_services.{config_id}",
                                   **opts)
    return _runs[config_id]


@pytest.mark.firmware
@pytest.mark.parametrize("opts, el", CONFIGS)
def test_services(services_check, request, opts, el):
    s = default_run(services_check, request.node.callspec.id, opts)
    s.expect_complete(CHECKS)
    bad = {n: d for n, d in s.failed.items() if n not in KNOWN_DEVIATIONS}
    if bad:
        s.fail("services misbehave: " + "; ".join(f"{n}: {d}" for n, d in bad.items()))
    s.expect_verdict()
    if f"EL{el}," not in s.boot.output:
        s.fail(f"expected the app to run at EL{el}")


# Defined only when there are deviations: pytest reports an empty parameter
# list as a skip, which CI=true turns into a failure (tests/evidence.py).
if KNOWN_DEVIATIONS:
    @pytest.mark.firmware
    @pytest.mark.parametrize("opts, el", CONFIGS)
    @pytest.mark.parametrize("check", [
        pytest.param(n, marks=known_failure(r)) for n, r in KNOWN_DEVIATIONS.items()
    ])
    def test_known_deviation(services_check, request, opts, el, check):
        """Each known deviation, on its own: fails, with the app's FAIL line for
        that check (nothing else), until mmuon is fixed."""
        config_id = request.node.callspec.id[len(check) + 1:]  # "<check>-<config>"
        s = default_run(services_check, config_id, opts)
        status, detail = s.checks.get(check, ("missing", ""))
        if status == "FAIL":
            raise KnownFailure(f"{check}: FAIL {detail}")
        assert status == "PASS", f"{check}: {status} {detail}"


@pytest.mark.firmware
@pytest.mark.parametrize("opts", [{}, {"el2": True}], ids=["el1", "el2"])
def test_keys(services_check, request, opts):
    """Keys typed on the serial console reach WaitForKey and ReadKeyStroke(Ex)."""
    script = [(rf"SERVICES-INPUT {re.escape(tag)}\b", text) for tag, text in KEYS]
    s = run_app(services_check, f"test_efi_services.keys.{request.node.callspec.id}",
                append="keys", interact=script, **opts)
    s.expect_complete(KEY_CHECKS)
    if s.failed:
        s.fail("keys misread: " + "; ".join(f"{n}: {d}" for n, d in s.failed.items()))
    s.expect_verdict()


def crash_param(name: str, el: int):
    marks = [known_failure(NULL_IS_MAPPED)] if name == "null" else []
    return pytest.param(name, el, id=f"{name}-el{el}", marks=marks)


@pytest.mark.firmware
@pytest.mark.parametrize("name, el", [
    crash_param("write", 1), crash_param("unmapped", 1), crash_param("null", 1),
    crash_param("unmapped", 2),
])
def test_crash(services_check, name, el):
    """A bad access inside the app: mmuon decodes it, dumps, powers off."""
    append, access, address, fault = CRASHES[name]
    s = run_app(services_check, f"test_efi_services.crash.{name}-el{el}",
                append=append, el2=el == 2)
    out = s.boot.output
    if "SERVICES-CRASH" not in out:
        s.fail("the app never got to its bad access")
    if name == "null":
        expect_signature(out, NULL_IS_MAPPED_SIGNATURE, "NULL is mapped")
    if "crash" in s.checks:
        s.fail(f"the access did not fault: {s.checks['crash'][1]}")
    want = re.compile(rf"mmuon: synchronous exception at EL{el}: data abort, "
                      rf"{fault} level \d, {access}$", re.M)
    if not want.search(out):
        s.fail(f"no exception line matching {want.pattern!r}")
    far = re.search(r"FAR\s+0x([0-9a-f]+)", out)
    if not far or int(far[1], 16) != address:
        s.fail(f"FAR {far and far[1]} is not the address accessed, {address:#x}")
    if "ELR" not in out or not re.search(r"^mmuon: powering off$", out, re.M):
        s.fail("no register dump and power-off after the exception")
    if s.boot.returncode != 0:
        s.fail(f"QEMU exited with {s.boot.returncode} after the power-off")
    if s.verdict is not None:
        s.fail("the app went on to a verdict after the crash")
