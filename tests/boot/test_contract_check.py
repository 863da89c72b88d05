"""The handover contract (docs/boot-protocol.md), checked from inside an EFI image.

build/efi_apps/contract_check.efi (tests/efi_apps/, built with gnu-efi) is
given to mmuon as the "kernel". It prints one line per fact,

    CONTRACT <name>: PASS|FAIL <detail>

then `CONTRACT verdict: PASS` or `CONTRACT verdict: FAIL (<n> failures)`, and
returns EFI_SUCCESS or EFI_ABORTED; mmuon, whose "kernel" returned, prints
that status and powers off, so QEMU exits 0 either way.

Both kinds of image of the contract's W^X rules run it: contract_check.efi
as gnu-efi builds it (no NX_COMPAT: its EfiLoaderCode allocation must be
RWX and run code, and mmuon must name it on the console) and
contract_check_nx.efi, the same file declaring NX_COMPAT (the allocation
must be RW+XN). Neither may see any other W+X mapping.

With `contract.selftest` on the command line (its LoadOptions) the app first
makes its own .data page writable and executable in the live tables: that
run must fail, which shows that a broken contract does not slip through.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import efi_app
import qemu

APPS = {"non-nx": qemu.BUILD / "efi_apps" / "contract_check.efi",
        "nx": qemu.BUILD / "efi_apps" / "contract_check_nx.efi"}
NOT_NX = re.compile(r"mmuon: (.*) is not NX-compatible: code allocations are RWX")

# Every fact the checker reports. A fact that goes missing (the app crashed
# or stopped checking it) fails the test like a FAIL line does.
FACTS = {
    "el", "daif", "fp", "sctlr", "tcr", "mair", "ttbr0",
    "image", "image.headers", "image.text", "image.data",
    "flash", "stack", "stack-size", "mmio", "allocate-pages", "allocate-pool", "allocate-code",
    "wx", "descriptors", "devices", "ram",
    "crc32-system-table", "crc32-boot-services", "crc32-runtime-services",
    "firmware-vendor",
}


@pytest.fixture(scope="session")
def contract_apps() -> dict[str, Path]:
    """Builds both apps with their make targets (and gnu-efi on first use)."""
    efi_app.build(*APPS.values())
    return APPS


@pytest.fixture(scope="session")
def contract_check(contract_apps) -> Path:
    return contract_apps["non-nx"]


def run_app(boot, firmware, app, append: str | None = None, **opts) -> efi_app.AppReport:
    c = efi_app.AppReport(boot(firmware=firmware, kernel=app, append=append, timeout=60, **opts),
                  "CONTRACT")
    c.expect_finished()
    return c


def require_every_fact(c: efi_app.AppReport) -> None:
    """Every fact reported, and none failed."""
    missing = FACTS - c.checks.keys()
    if missing:
        c.fail(f"facts not reported: {sorted(missing)}")
    if c.failed:
        c.fail("contract broken: " + "; ".join(f"{n}: {d}" for n, d in c.failed.items()))


CONFIGS = [
    pytest.param({}, 1, id="el1"),
    pytest.param({"el2": True}, 2, id="el2"),
    pytest.param({"el2": True, "cpu": "cortex-a57"}, 2, id="el2-cortex-a57"),
    # 2 GiB of RAM, the app in the lowest slot (nokaslr): [2 GiB, 3 GiB)
    # stays one level 1 block, so the walk meets 1 GiB blocks too.
    pytest.param({"mem": "2G", "append": "nokaslr"}, 1, id="el1-2g"),
]


@pytest.mark.firmware
@pytest.mark.parametrize("kind", ["non-nx", "nx"])
@pytest.mark.parametrize("opts, el", CONFIGS)
def test_contract(boot, firmware, contract_apps, opts, el, kind):
    c = run_app(boot, firmware, contract_apps[kind], **opts)
    require_every_fact(c)
    c.expect_verdict()  # PASS, EFI_SUCCESS
    if not c.detail("el").startswith(f"EL{el}"):
        c.fail(f"expected the image to run at EL{el}")
    if el == 2 and "E2H=0" not in c.detail("el"):
        c.fail("QEMU's CPUs have FEAT_E2H0: mmuon must leave HCR_EL2.E2H = 0")
    if opts.get("mem") == "2G" and re.search(r"\bL1=0\b", c.detail("wx")):
        c.fail("no level 1 block in the tables: the 1 GiB case went untested")
    nx = kind == "nx"
    if f"NX_COMPAT={int(nx)}" not in c.detail("allocate-code"):
        c.fail(f"the app did not see itself as {kind}")
    # One console line for the image without NX_COMPAT, none for the other.
    if len(NOT_NX.findall(c.boot.output)) != (0 if nx else 1):
        c.fail(f"expected {0 if nx else 1} 'not NX-compatible' line(s)")


@pytest.mark.firmware
@pytest.mark.parametrize("opts, el", CONFIGS[:2])
def test_contract_from_pflash(boot, pflash, contract_apps, opts, el):
    """The same contract when mmuon runs from the pflash pair, as libvirt
    runs it (code bank read-only, the variable bank a device)."""
    test_contract(boot, pflash, contract_apps, opts, el, "nx")


@pytest.mark.firmware
@pytest.mark.parametrize("opts", [{}, {"el2": True}], ids=["el1", "el2"])
def test_contract_check_sees_a_broken_contract(boot, firmware, contract_check, opts):
    """A W+X page made on purpose fails exactly the checks that cover it."""
    c = run_app(boot, firmware, contract_check, append="contract.selftest", **opts)
    broken = {"image.data", "wx"}
    if c.failed.keys() != broken:
        c.fail(f"self-test: expected exactly {sorted(broken)} to fail")
    c.expect_verdict()  # FAIL (2 failures), EFI_ABORTED
