"""EL2 on a CPU where HCR_EL2.E2H is RES1 (no FEAT_E2H0).

mmuon runs plain (non-VHE) EL2 where it can. Where E2H cannot be 0 it must
run a VHE-format EL2 -- CPTR_EL2 in the CPACR layout, TCR_EL2 in the TCR_EL1
layout, EL1-format descriptors -- or FP traps at the first StartImage (the
context save stores d8-d15) and RAM at or above 4 GiB faults (IPS read from
the wrong field). QEMU cannot model such a CPU, so force_e2h.py makes mmuon
see one through the gdbstub; the reset path's register values under the
same forcing are checked in test_mmu_off_audit.py.

A whole Linux boot at EL2 with 5 GiB (mmuon's allocations come from the top
of RAM, above 4 GiB) goes through StartImage and ExitBootServices and the
runtime services under the VHE-format EL2.
"""

from __future__ import annotations

import re

import pytest

import qemu
from force_e2h import ForceE2hRes1
from test_contract_check import contract_apps, contract_check, require_every_fact, run_app  # noqa: F401 (fixtures)

TIMEOUT = 150


@pytest.mark.parametrize("probe", ["mmfr4", "hcr"])
def test_linux_boots_where_e2h_is_res1(boot, firmware, kernel_new, initramfs, probe):
    cmdline = qemu.make_cmdline()
    with ForceE2hRes1(firmware.with_suffix(".elf"), probe) as force:
        b = boot(firmware=firmware, kernel=kernel_new.path, initrd=initramfs.path,
                 append=cmdline, el2=True, mem="5G", timeout=TIMEOUT,
                 extra=force.qemu_args)
    force.check()
    assert re.search(r"^mmuon \S+ at EL2 \(VHE: HCR_EL2\.E2H is RES1", b.output, re.M), \
        b.describe()
    qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256, efi=True)
    assert re.search(r"CPU: All CPU\(s\) started at EL2", b.output), b.describe()


def test_plain_el2_where_e2h0_exists(boot, firmware):
    """Without the forcing: QEMU's CPU has FEAT_E2H0, mmuon stays non-VHE."""
    b = boot(firmware=firmware, el2=True, timeout=30)
    assert re.search(r"^mmuon \S+ at EL2 \(non-VHE\)", b.output, re.M), b.describe()


@pytest.mark.firmware
def test_contract_where_e2h_is_res1(boot, firmware, contract_check):
    """The handover contract holds in the VHE-format EL2 too: FP usable
    (CPTR_EL2.FPEN), TCR_EL2 in the TCR_EL1 layout, EL1-format descriptors
    (the walker decodes PXN/UXN), W^X, RAM and devices mapped as promised."""
    with ForceE2hRes1(firmware.with_suffix(".elf"), "mmfr4") as force:
        c = run_app(boot, firmware, contract_check, el2=True, extra=force.qemu_args)
    force.check()
    require_every_fact(c)
    if "E2H=1" not in c.detail("el"):
        c.fail("the forcing did not give an EL2 with HCR_EL2.E2H = 1")
    assert "CPACR layout" in c.detail("fp"), c.detail("fp")
