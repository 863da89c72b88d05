"""EFI clients that the tests build from Debian's own packages.

- Standalone GRUB images (grub-mkstandalone from grub-common, with the
  arm64-efi modules of grub-efi-arm64-bin of the same version): GRUB's core,
  a few modules and a memdisk holding grub.cfg, the kernel and the initrd.
- Unified Kernel Images: systemd-boot-efi's linuxaa64.efi.stub with .osrel,
  .cmdline, .linux and .initrd sections added by aarch64-linux-gnu-objcopy
  (bookworm has no ukify), each placed after the stub's last section,
  ImageBase included.

`tools/fetch-arm64.sh grub-2.06 grub-2.12 systemd-252 systemd-254` unpacks
the packages (make deps does it; a missing one is fetched on first use).
Builds are cached in build/boot/clients/ under a hash of their inputs.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import subprocess
from pathlib import Path

import qemu

GRUB_VERSIONS = ("2.06", "2.12")
SYSTEMD_VERSIONS = ("252", "254")
OUT = qemu.BUILD / "boot" / "clients"
FETCH = qemu.REPO / "tools" / "fetch-arm64.sh"
CROSS = "aarch64-linux-gnu-"

# What GRUB puts in front of the arguments of its `linux` command.
GRUB_BOOT_IMAGE = "BOOT_IMAGE=(memdisk)/vmlinuz"

# What mmuon and the Linux stub say about a client's boot.
NOT_NX = re.compile(r"mmuon: (.*) is not NX-compatible: code allocations are RWX")
EBS_STATS = re.compile(r"mmuon: ExitBootServices: (.*)")
FIXED = "EFI stub: Image placement fixed by loader"
LOADFILE2_INITRD = "Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path"
# mmuon's word when LoadImage had to copy a kernel from a loader's buffer.
CPU_COPIED = re.compile(r"mmuon: the kernel came in a buffer: the CPU copied (\d+) bytes "
                        r"of it to 0x([0-9a-f]+)")


def check_copied(b: qemu.Boot, stats: dict[str, int], kernel: Path) -> None:
    """The copying path: mmuon said how many bytes of the kernel the CPU
    copied and where to, and the boot statistics count exactly those bytes:
    what LoadImage copies of the PE file, not 0."""
    said = [(int(m[1]), int(m[2], 16)) for m in CPU_COPIED.finditer(b.output)]
    assert said == [(stats["cpu_copied_bytes"], stats["kernel"])], f"{said} {stats}\n\n{b.describe()}"
    assert stats["cpu_copied_bytes"] == pe_loaded_bytes(kernel) > 0, stats


def ebs_stats(b: qemu.Boot) -> dict[str, int]:
    """mmuon's boot statistics as it printed them at ExitBootServices."""
    m = EBS_STATS.search(b.output)
    assert m, f"mmuon printed no statistics at ExitBootServices\n\n{b.describe()}"
    return {k: int(v, 0) for k, v in (kv.split("=") for kv in m[1].split())}


def _give_up(msg: str, skip: bool = False):
    """In a test, skip (a failure under CI=true: tests/evidence.py) or fail;
    elsewhere (tools/mmu_off_table.py, tools/bench_clients.py) raise."""
    try:
        import pytest
    except ImportError:
        raise RuntimeError(msg) from None
    if skip:
        pytest.skip(msg)
    pytest.fail(msg, pytrace=False)


def fetched(piece: str) -> Path:
    """The cache directory of a tools/fetch-arm64.sh piece, fetched if needed."""
    d = qemu.CACHE / piece
    if not d.is_dir():
        r = subprocess.run([str(FETCH), piece], capture_output=True, text=True)
        if r.returncode or not d.is_dir():
            _give_up(f"`tools/fetch-arm64.sh {piece}` failed:\n{r.stdout}{r.stderr}",
                     skip=True)
    return d


def _key(*parts) -> str:
    """Names a build by its inputs: small files (initramfs, configs) by
    their contents, which are rebuilt often, large ones (kernels, fetched
    once) by name, size and time."""
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, Path):
            st = p.stat()
            p = (p.read_bytes() if st.st_size < (16 << 20)
                 else f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _run(cmd: list[str], **kw) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        _give_up(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")


def pe_loaded_bytes(path: Path) -> int:
    """What LoadImage copies of a PE file: its headers and each section's
    raw data (at most VirtualSize of it)."""
    data = path.read_bytes()
    pe = struct.unpack_from("<I", data, 0x3c)[0]
    nsec, opt_size = struct.unpack_from("<H12xH", data, pe + 6)
    headers = struct.unpack_from("<I", data, pe + 24 + 60)[0]
    total = headers
    for i in range(nsec):
        vsize, _, raw = struct.unpack_from("<III", data, pe + 24 + opt_size + 40 * i + 8)
        total += min(raw, vsize or raw)
    return total


# ---- GRUB ---------------------------------------------------------------------


def monolithic_grub(version: str) -> Path:
    """Debian's monolithic grubaa64.efi (every module inside, no config)."""
    return fetched(f"grub-{version}") / "usr/lib/grub/arm64-efi/monolithic/grubaa64.efi"


def grub_menu(entries: list[tuple[str, str]], timeout: int = 0) -> str:
    """grub.cfg booting the memdisk's kernel and initrd: (title, args) entries,
    the first the default; timeout -1 waits for a key."""
    cfg = [f"set timeout={timeout}", "set default=0"]
    for title, args in entries:
        cfg += [f"menuentry '{title}' {{",
                f"  linux (memdisk)/vmlinuz {args}",
                "  initrd (memdisk)/initrd.img",
                "}"]
    return "\n".join(cfg) + "\n"


def build_grub(version: str, kernel: Path, initrd: Path, cfg: str) -> Path:
    """A standalone GRUB image whose memdisk holds cfg, the kernel and the initrd."""
    root = fetched(f"grub-{version}")
    out = OUT / f"grub-{version}-{_key(version, kernel, initrd, cfg)}.efi"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    cfg_file = out.with_suffix(".cfg")
    cfg_file.write_text(cfg)
    modules = "linux normal configfile memdisk tar echo"
    # libefivar1/libefiboot1, unpacked beside it for the host's architecture.
    libs = [str(p.parent) for p in root.glob("usr/lib/*/libefivar.so.1")]
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(libs))
    _run([str(root / "usr/bin/grub-mkstandalone"), "-O", "arm64-efi",
          "-d", str(root / "usr/lib/grub/arm64-efi"), "-o", f"{out}.tmp",
          f"--modules={modules}", f"--install-modules={modules} boot gzio",
          "--locales=", "--fonts=", "--themes=",
          f"boot/grub/grub.cfg={cfg_file}", f"vmlinuz={kernel}", f"initrd.img={initrd}"],
         env=env)
    os.replace(f"{out}.tmp", out)
    return out


# ---- Unified Kernel Images --------------------------------------------------------


def uki_stub(version: str) -> Path:
    return fetched(f"systemd-{version}") / "usr/lib/systemd/boot/efi/linuxaa64.efi.stub"


def systemd_boot(version: str) -> Path:
    return fetched(f"systemd-{version}") / "usr/lib/systemd/boot/efi/systemd-bootaa64.efi"


def _section_end(stub: Path) -> int:
    """VMA (ImageBase included) right after the stub's last section."""
    r = subprocess.run([CROSS + "objdump", "-h", str(stub)], capture_output=True, text=True,
                       check=True)
    end = 0
    for m in re.finditer(r"^\s*\d+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", r.stdout, re.M):
        end = max(end, int(m[1], 16) + int(m[2], 16))
    return end


def build_uki(version: str, kernel: Path, initrd: Path | None, cmdline: str,
              linux: bytes | None = None) -> Path:
    """A UKI from systemd-stub `version`: .osrel, .cmdline, .linux (the kernel,
    or the bytes `linux` if given) and .initrd (if any), each 4 KiB aligned
    after the previous one."""
    stub = uki_stub(version)
    payload = _key(len(linux), hashlib.sha256(linux).hexdigest()) if linux else kernel
    out = OUT / f"uki-{version}-{_key(version, payload, initrd or '-', cmdline)}.efi"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    osrel = out.with_suffix(".osrel")
    osrel.write_text('NAME="mmuon test"\nID=mmuon\nPRETTY_NAME="mmuon test UKI"\n')
    cmdl = out.with_suffix(".cmdline")
    cmdl.write_text(cmdline)
    if linux is not None:
        kernel = out.with_suffix(".linux")
        kernel.write_bytes(linux)
    sections = [(".osrel", osrel), (".cmdline", cmdl), (".linux", kernel)]
    if initrd is not None:
        sections.append((".initrd", initrd))
    args, vma = [], _section_end(stub)
    for name, path in sections:
        vma = (vma + 0xfff) & ~0xfff
        args += ["--add-section", f"{name}={path}", "--change-section-vma", f"{name}={vma:#x}"]
        vma += path.stat().st_size
    _run([CROSS + "objcopy", *args, str(stub), f"{out}.tmp"])
    os.replace(f"{out}.tmp", out)
    return out
