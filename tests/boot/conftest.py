"""Fixtures for the QEMU boot tests.

kernel          each cached Debian kernel in turn (6.1, then the newest)
kernel_61, kernel_new
                one kernel each
firmware        build/mmuon.bin (skips when it is not built; fails under CI=true,
                as every skip for something missing does: tests/evidence.py)
plugin          the TCG plugins, built: build/plugin/mmu_off.so (insn_count.so beside)
pflash          build/mmuon-code.fd + a fresh copy of mmuon-vars.fd (qemu.Pflash)
any_firmware    firmware, then pflash: for what must hold both ways
initramfs       the test initramfs (1 MiB payload, no busybox)
make_initramfs  builds other variants: make_initramfs(payload_size=, busybox=, gzip=)
boot            run_qemu() with the console logged to build/boot/logs/<test>.log

Tests marked `slow` are skipped unless MMUON_SLOW=1 or a -m expression is
given (e.g. `-m slow`, `-m "slow or not slow"`), so `make boot-tests` stays
at a few boots. At most one QEMU runs at a time per pytest process.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import qemu
from evidence import SLOW_SKIP

MKINITRAMFS = qemu.REPO / "tools" / "mkinitramfs.sh"
LOGS = qemu.BUILD / "boot" / "logs"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a boot outside the default run (MMUON_SLOW=1)")
    config.addinivalue_line("markers", "firmware: boots through build/mmuon.bin")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MMUON_SLOW") == "1" or config.option.markexpr:
        return
    skip = pytest.mark.skip(reason=SLOW_SKIP)
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# ---- kernels ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Kernel:
    name: str  # "6.1" or "new", as tools/fetch-arm64.sh names them
    path: Path
    package: str  # e.g. linux-image-6.12.95+deb12-cloud-arm64
    version: tuple[int, ...]  # e.g. (6, 12, 95)

    @property
    def short(self) -> str:
        return ".".join(map(str, self.version[:2]))

    @property
    def enters_with_mmu_on(self) -> bool:
        """Since 6.3 the EFI stub keeps the MMU on into the kernel."""
        return self.version >= (6, 3)


def _kernel(name: str) -> Kernel:
    path = qemu.KERNELS[name]
    if not path.is_file():
        pytest.skip(
            f"kernel {path} is missing: run `tools/fetch-arm64.sh kernel-{name}` "
            "(make test does it)"
        )
    pkg_file = path.with_name(path.name + ".package")
    package = pkg_file.read_text().strip() if pkg_file.is_file() else ""
    m = re.search(r"linux-image-(\d+(?:\.\d+)*)", package)
    version = tuple(int(x) for x in m[1].split(".")) if m else ()
    return Kernel(name, path, package, version)


@pytest.fixture(scope="session")
def kernel_61() -> Kernel:
    return _kernel("6.1")


@pytest.fixture(scope="session")
def kernel_new() -> Kernel:
    return _kernel("new")


@pytest.fixture(scope="session", params=["6.1", "new"], ids=["linux-6.1", "linux-new"])
def kernel(request) -> Kernel:
    return _kernel(request.param)


@pytest.fixture(scope="session")
def firmware() -> Path:
    if not qemu.FIRMWARE.is_file():
        pytest.skip(f"{qemu.FIRMWARE} is not built: run `make`")
    return qemu.FIRMWARE


@pytest.fixture(scope="session")
def plugin() -> Path:
    """The TCG plugins (make plugins): returns build/plugin/mmu_off.so."""
    r = subprocess.run(["make", "-s", "-C", str(qemu.REPO), "plugins"],
                       capture_output=True, text=True)
    so = qemu.BUILD / "plugin" / "mmu_off.so"
    if r.returncode or not so.is_file():
        pytest.fail(f"make plugins failed:\n{r.stdout}{r.stderr}", pytrace=False)
    return so
@pytest.fixture
def pflash(tmp_path) -> qemu.Pflash:
    """mmuon as libvirt runs it: the code bank read-only, and a fresh copy
    of the variable template (tmp_path/vars.fd) as this VM's store."""
    for f in (qemu.PFLASH_CODE, qemu.PFLASH_VARS):
        if not f.is_file():
            pytest.skip(f"{f} is not built: run `make`")
    vars_fd = tmp_path / "vars.fd"
    shutil.copyfile(qemu.PFLASH_VARS, vars_fd)
    return qemu.Pflash(qemu.PFLASH_CODE, vars_fd)


@pytest.fixture(params=["bios", "pflash"])
def any_firmware(request, firmware):
    """Each way QEMU maps mmuon: build/mmuon.bin with -bios, then the
    pflash pair with a fresh variable store. For the checks that must hold
    both ways (zero copies, the handover contract, no MMU-off access)."""
    if request.param == "bios":
        return firmware
    return request.getfixturevalue("pflash")


# ---- initramfs ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Initramfs:
    path: Path
    payload_size: int
    payload_sha256: str
    busybox: bool


_initramfs_cache: dict[tuple, Initramfs] = {}


def build_initramfs(payload_size: int = 1 << 20, busybox: bool = False,
                    gzip: bool = False) -> Initramfs:
    key = (payload_size, busybox, gzip)
    if key not in _initramfs_cache:
        name = f"test-{payload_size}{'-busybox' if busybox else ''}.cpio{'.gz' if gzip else ''}"
        out = qemu.BUILD / "boot" / name
        cmd = [str(MKINITRAMFS), str(out), "--payload-size", str(payload_size)]
        cmd += ["--with-busybox"] * busybox + ["--gzip"] * gzip
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            pytest.fail(f"{' '.join(cmd)} failed:\n{r.stdout}{r.stderr}", pytrace=False)
        sha = Path(str(out) + ".payload-sha256").read_text().strip()
        _initramfs_cache[key] = Initramfs(out, payload_size, sha, busybox)
    return _initramfs_cache[key]


@pytest.fixture(scope="session")
def make_initramfs():
    return build_initramfs


@pytest.fixture(scope="session")
def initramfs() -> Initramfs:
    return build_initramfs()


# ---- booting ---------------------------------------------------------------------


@pytest.fixture
def boot(request):
    """run_qemu() that logs the console to build/boot/logs/<test id>.log."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    count = 0

    def run(**kw) -> qemu.Boot:
        nonlocal count
        count += 1
        kw.setdefault("log", LOGS / (name + (f".{count}" if count > 1 else "") + ".log"))
        b = qemu.run_qemu(**kw)
        _timings.append((request.node.nodeid, b.timings()))
        return b

    return run


_timings: list[tuple[str, str]] = []


def pytest_terminal_summary(terminalreporter):
    """Boot times of this run, QEMU start to each milestone."""
    if _timings:
        terminalreporter.section("boot times (from QEMU start)")
        for nodeid, t in _timings:
            terminalreporter.write_line(f"{nodeid}: {t}")
