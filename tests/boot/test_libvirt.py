"""mmuon under a real libvirt: Debian's libvirt-daemon-system (9.0) and
virtinst, as a user of the package would run it.

The test starts libvirtd and virtlogd itself (no systemd: CI has none), as
root (the system daemon, qemu:///system), in a private mount namespace in
which /usr/share/qemu/firmware holds only mmuon's descriptors, as `make
install` writes them; nothing outside that namespace changes, and both
daemons are stopped by their PIDs at the end. The guest is the test
initramfs, booted with `--boot kernel=...` (no disk boot yet).

- `virt-install --import --arch aarch64 --machine virt --virt-type qemu`
  with mmuon's loader and NVRAM template given explicitly
  (`--boot loader=...,loader.type=pflash,nvram.template=...`): libvirt
  creates the VM's NVRAM from the template; a variable the guest writes is
  there after `virsh destroy` (the plug pulled, the guest still running)
  and `virsh start`.
- `--boot firmware=efi`: libvirt 9.0 picks mmuon's pflash descriptor
  (70-mmuon-aarch64.json) when it is the first match. On a host with
  Debian's EDK2 descriptors installed (40-, 50-, 60-edk2-aarch64*.json)
  those sort first and EDK2 is picked: then give the loader explicitly, or
  put mmuon's descriptor first (e.g. /etc/qemu/firmware/10-mmuon.json).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import qemu
from test_variables import MMUON_GUID, VARSTORE, host_view

VIRSH = ["virsh", "-c", "qemu:///system"]
NVRAM_DIR = Path("/var/lib/libvirt/qemu/nvram")
BOOT_TIMEOUT = 300


def run(*cmd, check=True, timeout=120) -> subprocess.CompletedProcess:
    r = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, timeout=timeout)
    if check and r.returncode:
        raise AssertionError(f"$ {' '.join(map(str, cmd))}: exit {r.returncode}\n"
                             f"{r.stdout}{r.stderr}")
    return r


def virsh(*args, check=True) -> str:
    return run(*VIRSH, *args, check=check).stdout


@pytest.fixture(scope="module")
def world(initramfs):
    """A directory libvirt's QEMU (user libvirt-qemu) can read: mmuon
    installed there (make install PREFIX=...), the kernel and initramfs."""
    for tool in ("libvirtd", "virtlogd", "virt-install", "virsh", "unshare"):
        if not shutil.which(tool):
            pytest.skip(f"no {tool} (tools/install-deps.sh installs libvirt)")
    if os.geteuid() != 0:
        pytest.skip("libvirt's system daemon needs root")
    top = Path(tempfile.mkdtemp(prefix="mmuon-libvirt-"))
    top.chmod(0o755)
    prefix = top / "prefix"
    run("make", "-s", "-C", qemu.REPO, "install", f"PREFIX={prefix}", timeout=900)
    kernel = qemu.KERNELS["new"]
    if not kernel.is_file():
        pytest.skip(f"no {kernel}: tools/fetch-arm64.sh kernel-new")
    shutil.copyfile(kernel, top / "vmlinuz")
    shutil.copyfile(initramfs.path, top / "initrd")
    for f in top.iterdir():
        if f.is_file():
            f.chmod(0o644)
    yield top, prefix
    shutil.rmtree(top, ignore_errors=True)


def wait_for_socket(path: Path, deadline: float) -> None:
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def libvirtd(world):
    top, prefix = world
    pids = []
    try:
        run("virtlogd", "-d", "--pid-file", top / "virtlogd.pid")
        wait_for_socket(Path("/run/libvirt/virtlogd-sock"), time.monotonic() + 30)
        pids.append(int((top / "virtlogd.pid").read_text()))
        # Only mmuon's descriptors, for this libvirtd (and its QEMUs) alone.
        run("unshare", "--mount", "--propagation", "private", "sh", "-c",
            f"mount --bind {prefix}/share/qemu/firmware /usr/share/qemu/firmware && "
            f"exec libvirtd -d --pid-file {top}/libvirtd.pid")
        deadline = time.monotonic() + 60
        while run(*VIRSH, "uri", check=False).returncode:
            if time.monotonic() > deadline:
                raise AssertionError("libvirtd did not answer on qemu:///system")
            time.sleep(0.5)
        pids.append(int((top / "libvirtd.pid").read_text()))
        yield
    finally:
        for pid in pids:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass


class Domain:
    def __init__(self, top: Path, name: str):
        self.top, self.name = top, name
        self.console = top / f"{name}.console"

    def install(self, boot: str, modes: str) -> None:
        args = (f"kernel={self.top}/vmlinuz,initrd={self.top}/initrd,"
                f"kernel_args={qemu.BASE_CMDLINE} mmuon.vars={modes}")
        run("virt-install", "--connect", "qemu:///system", "--name", self.name,
            "--import", "--arch", "aarch64", "--machine", "virt", "--virt-type", "qemu",
            "--memory", "512", "--vcpus", "1", "--cpu", "max",
            "--osinfo", "detect=on,require=off",
            "--boot", f"{boot},{args}",
            "--disk", "none", "--network", "none", "--graphics", "none",
            "--serial", f"file,path={self.console}", "--noautoconsole", timeout=300)

    def wait_for(self, text: str) -> str:
        """The console (rewritten by libvirt at each start) once it holds text."""
        deadline = time.monotonic() + BOOT_TIMEOUT
        while True:
            out = self.console.read_text(errors="replace") if self.console.exists() else ""
            if text in out:
                return out
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} on {self.name}'s console:\n{out[-4000:]}")
            time.sleep(1)

    def wait_shut_off(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while virsh("domstate", self.name).strip() != "shut off":
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not power off")
            time.sleep(1)

    def remove(self) -> None:
        virsh("destroy", self.name, check=False)
        virsh("undefine", "--nvram", self.name, check=False)


@pytest.fixture
def domain(world, libvirtd, request):
    top, _ = world
    d = Domain(top, f"mmuon-test-{os.getpid()}-{request.node.name[:20]}".replace("[", "-")
               .replace("]", ""))
    yield d
    d.remove()


def count_written(console: str) -> int:
    line = next(l for l in console.splitlines() if "var-count-write: PASS" in l)
    return int(line.rsplit("=", 1)[1])


def test_explicit_loader_nvram_survives_destroy(world, domain):
    top, prefix = world
    mmuon = prefix / "share" / "mmuon"
    domain.install(f"loader={mmuon}/mmuon-code.fd,loader.readonly=yes,loader.type=pflash,"
                   f"nvram.template={mmuon}/mmuon-vars.fd", "count,hold")
    out = domain.wait_for("var-hold")
    assert "mmuon: variables on flash at 0x4000000, generation 1: 0 variables" in out
    assert count_written(out) == 1, out[-3000:]

    # libvirt made the VM's NVRAM from the template.
    xml = virsh("dumpxml", domain.name)
    nvram = NVRAM_DIR / f"{domain.name}_VARS.fd"
    assert f"<nvram template='{mmuon}/mmuon-vars.fd'>{nvram}</nvram>" in xml, xml
    assert nvram.stat().st_size == 64 << 20

    # The plug pulled while the guest runs, then a fresh start.
    virsh("destroy", domain.name)
    report, variables = host_view(nvram)
    assert variables[f"MmuonTestCount-{MMUON_GUID}"] == (1).to_bytes(4, "little")
    virsh("start", domain.name)
    out = domain.wait_for("var-hold")
    assert "generation 1: 1 variables" in out, out[-3000:]
    assert (f"var: INFO MmuonTestCount-{MMUON_GUID} attributes=0x7 size=4 data=01000000"
            in out), out[-3000:]
    assert count_written(out) == 2


def test_firmware_efi_picks_mmuon(world, domain):
    top, prefix = world
    domain.install("firmware=efi", "count")
    domain.wait_shut_off()
    out = domain.console.read_text(errors="replace")
    assert "mmuon: variables on flash at 0x4000000" in out, out[-3000:]
    assert count_written(out) == 1
    nvram = NVRAM_DIR / f"{domain.name}_VARS.fd"
    report, variables = host_view(nvram)
    assert variables == {f"MmuonTestCount-{MMUON_GUID}": (1).to_bytes(4, "little")}
