"""RAM above 511 GiB and at or above 1 TiB (the VA and IPS mmuon programs).

mmuon's tables address 44 bits (16 TiB) and TCR.IPS is the CPU's PARange
(include/mmuon/sysreg.h): RAM up to 16 TiB works, RAM beyond gets a clear
message. QEMU's `-m` allocates guest RAM lazily (memory-backend-ram with
reserve=off, so the host does not refuse the size), and mmuon touches only
what it uses, so a firmware-only boot of 1100 GiB costs well under a second
and ~160 MB on the host.

The client is the contract checker (tests/efi_apps/contract_check.c): its
page walk sees every RAM range of the memory map mapped as promised, its
allocations land at the top of RAM (above 1 TiB), and TCR.T0SZ/IPS are
checked. Linux itself is not booted this large here: at -m 600G under TCG,
Linux 6.12 needed 11.8 GB of host memory (its struct pages) and stalled for
minutes in its own W^X page-table dump (measured with tools/run.sh-style
boots, see the report of issue 9).
"""

from __future__ import annotations

import re

import pytest

from test_contract_check import contract_apps, contract_check, require_every_fact, run_app  # noqa: F401

GiB = 1 << 30


def big_ram(size: str) -> dict:
    return {"mem": size, "machine_opts": "memory-backend=ram0",
            "extra": ["-object", f"memory-backend-ram,id=ram0,size={size},reserve=off"]}


def check_contract(c, ram_end: int):
    """Everything passed, with 44-bit VA; AllocatePages (highest free
    pages) handed out memory near the top of RAM, and it is mapped."""
    require_every_fact(c)
    if "T0SZ=20" not in c.detail("tcr"):
        c.fail("expected 44-bit VA (T0SZ = 20)")
    m = re.search(r"pages at 0x([0-9A-Fa-f]+)", c.detail("allocate-pages"))
    if not m or not ram_end - (1 << 30) <= int(m[1], 16) < ram_end:
        c.fail(f"expected an allocation in the top GiB of RAM (below {ram_end:#x})")


@pytest.mark.firmware
@pytest.mark.parametrize("size, el2", [("600G", False), ("1100G", False), ("1100G", True)],
                         ids=["600G-el1", "1100G-el1", "1100G-el2"])
def test_contract_with_ram_above_512g(boot, firmware, contract_check, size, el2):
    c = run_app(boot, firmware, contract_check, el2=el2, **big_ram(size))
    check_contract(c, GiB + int(size[:-1]) * GiB)


@pytest.mark.slow
def test_ram_above_16t_refused(boot, firmware):
    """17 TiB: beyond the 44-bit tables. A clear message and a power-off,
    not a fault (QEMU needs ~10 s and ~1.7 GB of host memory for it)."""
    b = boot(firmware=firmware, timeout=120, **big_ram("17T"))
    assert "reaches above 16384 GiB: mmuon's page tables map 44-bit addresses" in b.output, \
        b.describe()
    assert b.returncode == 0, b.describe()
