"""Bring-up: mmuon from reset to its banner, and its crash dumps.

No Linux here: these boots end in the firmware, within a second, and check
what mmuon itself prints — the banner (version, exception level, RAM found
in the DT), the decoded dump of a deliberate exception, and the clean
power-off that must follow every failure.
"""

import re

import pytest

# A -kernel file is needed for -append (QEMU refuses -append without it);
# the crash switch fires before mmuon looks at the kernel.
DUMMY_KERNEL_SIZE = 4096

RAM_SIZES = {"128M": 128, "1G": 1024, "5G": 5120}


@pytest.fixture(scope="module")
def dummy_kernel(tmp_path_factory):
    path = tmp_path_factory.mktemp("kernel") / "not-a-kernel.bin"
    path.write_bytes(bytes(range(256)) * (DUMMY_KERNEL_SIZE // 256))
    return path


def ram_ranges(output):
    return [
        (int(a, 16), int(b, 16))
        for a, b in re.findall(r"mmuon: RAM \[0x([0-9a-f]+)-0x([0-9a-f]+)\]", output)
    ]


@pytest.mark.parametrize("el2", [False, True], ids=["EL1", "EL2"])
@pytest.mark.parametrize("mem", RAM_SIZES)
def test_banner(boot, firmware, el2, mem):
    b = boot(firmware=firmware, mem=mem, el2=el2, timeout=20)
    el = 2 if el2 else 1
    m = re.search(r"^mmuon (\S+) at EL(\d)( \(non-VHE\))?, RAM (\d+) MiB$", b.output, re.M)
    assert m, b.describe()
    assert int(m[2]) == el
    assert int(m[4]) == RAM_SIZES[mem]
    # QEMU's RAM starts at 1 GiB: 5G reaches above 4 GiB.
    ranges = ram_ranges(b.output)
    assert ranges == [(0x40000000, 0x40000000 + RAM_SIZES[mem] * 2**20 - 1)], b.describe()
    assert "no kernel given" in b.output, b.describe()
    assert b.returncode == 0, b.describe()


@pytest.mark.parametrize("cpu", ["cortex-a57", "cortex-a53"])
def test_banner_without_vhe(boot, firmware, cpu):
    """EL2 without VHE (Armv8.0 CPUs): mmuon runs plain EL2 anyway."""
    b = boot(firmware=firmware, mem="1G", el2=True, cpu=cpu, timeout=20)
    assert re.search(r"^mmuon \S+ at EL2 \(non-VHE\), RAM 1024 MiB$", b.output, re.M), b.describe()
    assert b.returncode == 0


def test_el3_entry_refused_cleanly(boot, firmware):
    b = boot(firmware=firmware, mem="1G", machine_opts="secure=on", timeout=20)
    assert "EL3 entry not supported" in b.output, b.describe()
    assert "powering off" in b.output
    assert b.returncode == 0 and not b.timed_out


CRASHES = {
    # kind: the decoded reason mmuon must print
    "data-abort": r"data abort, translation fault level 1, write",
    "undefined": r"unknown reason \(undefined instruction\)",
    "brk": r"BRK instruction \(#0x4d4d\)",
    # Runs into the unmapped guard page below the boot stack.
    "stack-overflow": r"data abort, translation fault level 3, write",
}


@pytest.mark.parametrize("el2", [False, True], ids=["EL1", "EL2"])
@pytest.mark.parametrize("kind", CRASHES)
def test_exception_dump(boot, firmware, dummy_kernel, kind, el2):
    b = boot(firmware=firmware, mem="256M", el2=el2, kernel=dummy_kernel,
             append=f"mmuon.crash={kind}", timeout=20)
    el = 2 if el2 else 1
    out = b.output
    assert f"crashing on purpose (mmuon.crash={kind})" in out, b.describe()
    assert re.search(rf"synchronous exception at EL{el}: {CRASHES[kind]}", out), b.describe()
    for reg in ("ESR", "ELR", "FAR", "SPSR"):
        assert re.search(rf"\b{reg}\s+0x[0-9a-f]{{16}}", out), f"{reg} missing\n{b.describe()}"
    assert "mmuon: powering off" in out
    # PSCI SYSTEM_OFF ends QEMU by itself, with status 0.
    assert b.returncode == 0 and not b.timed_out, b.describe()


def test_data_abort_reports_the_faulting_address(boot, firmware, dummy_kernel):
    b = boot(firmware=firmware, mem="256M", kernel=dummy_kernel,
             append="mmuon.crash=data-abort", timeout=20)
    # The address crash.c writes to, beyond the 39-bit VA space.
    assert re.search(r"FAR\s+0x0000007ffffff000", b.output), b.describe()
