"""Installing mmuon: `make install` and the Debian package.

- `make install PREFIX=... DESTDIR=...` puts the three images under
  PREFIX/share/mmuon and QEMU firmware descriptors under
  PREFIX/share/qemu/firmware, naming the installed paths; the descriptors
  have every member QEMU's docs/interop/firmware.json makes mandatory.
- debian/ builds mmuon-efi-aarch64_*_all.deb with dpkg-buildpackage, from a
  copy of the tracked files, and lintian finds no error in it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANK = 64 << 20
VARSTORE = ROOT / "build" / "host" / "mmuon-varstore"


def run(*cmd, cwd=ROOT, timeout=1800) -> subprocess.CompletedProcess:
    r = subprocess.run(list(map(str, cmd)), cwd=cwd, capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode == 0, f"$ {' '.join(map(str, cmd))}: exit {r.returncode}\n" \
                              f"{r.stdout[-4000:]}{r.stderr[-4000:]}"
    return r


def check_descriptor(path: Path, datadir: str) -> dict:
    d = json.loads(path.read_text())
    for member in ("description", "interface-types", "mapping", "targets", "features",
                   "tags"):
        assert member in d, f"{path.name}: no {member}"
    assert d["interface-types"] == ["uefi"]
    assert d["targets"] == [{"architecture": "aarch64", "machines": ["virt-*"]}]
    m = d["mapping"]
    if m["device"] == "flash":
        assert m["executable"] == {"filename": f"{datadir}/mmuon/mmuon-code.fd",
                                   "format": "raw"}
        assert m["nvram-template"] == {"filename": f"{datadir}/mmuon/mmuon-vars.fd",
                                       "format": "raw"}
    else:
        assert m == {"device": "memory", "filename": f"{datadir}/mmuon/mmuon.bin"}
    return d


@pytest.mark.parametrize("prefix", ["/usr", "/opt/mmuon"])
def test_make_install(tmp_path, prefix):
    run("make", "-s", "install", f"DESTDIR={tmp_path}", f"PREFIX={prefix}")
    share = tmp_path / prefix.lstrip("/") / "share"
    images = share / "mmuon"
    assert sorted(p.name for p in images.iterdir()) == [
        "mmuon-code.fd", "mmuon-vars.fd", "mmuon.bin"]
    code = (images / "mmuon-code.fd").read_bytes()
    firmware = (images / "mmuon.bin").read_bytes()
    # pflash images are exactly one bank; the code bank is mmuon.bin, padded.
    assert len(code) == BANK and code.startswith(firmware)
    assert code[len(firmware):].count(0) == BANK - len(firmware)
    assert (images / "mmuon-vars.fd").stat().st_size == BANK
    run(VARSTORE, "check", images / "mmuon-vars.fd")
    descriptors = share / "qemu" / "firmware"
    kinds = {check_descriptor(p, f"{prefix}/share")["mapping"]["device"]: p.name
             for p in descriptors.iterdir()}
    assert kinds == {"flash": "70-mmuon-aarch64.json",
                     "memory": "71-mmuon-aarch64-memory.json"}


def test_debian_package(tmp_path):
    for tool in ("dpkg-buildpackage", "dh", "lintian"):
        if not shutil.which(tool):
            pytest.skip(f"no {tool} (tools/install-deps.sh installs it)")
    src = tmp_path / "mmuon"
    files = run("git", "ls-files", "-z").stdout.split("\0")
    for f in filter(None, files):
        if (ROOT / f).is_file():
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, src / f)
    run("nice", "dpkg-buildpackage", "-b", "-us", "-uc", cwd=src)
    debs = list(tmp_path.glob("mmuon-efi-aarch64_*_all.deb"))
    assert len(debs) == 1, list(tmp_path.iterdir())
    listing = run("dpkg-deb", "-c", debs[0]).stdout
    for path in ("./usr/share/mmuon/mmuon.bin", "./usr/share/mmuon/mmuon-code.fd",
                 "./usr/share/mmuon/mmuon-vars.fd",
                 "./usr/share/qemu/firmware/70-mmuon-aarch64.json",
                 "./usr/share/qemu/firmware/71-mmuon-aarch64-memory.json"):
        assert path in listing, listing
    unpacked = tmp_path / "unpacked"
    run("dpkg-deb", "-x", debs[0], unpacked)
    for p in (unpacked / "usr/share/qemu/firmware").iterdir():
        check_descriptor(p, "/usr/share")
    r = subprocess.run(["lintian", "--fail-on", "error", str(debs[0])],
                       capture_output=True, text=True, timeout=600)
    errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
    assert r.returncode == 0 and not errors, r.stdout + r.stderr
