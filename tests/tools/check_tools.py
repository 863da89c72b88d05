"""What the tests of tools/check_runtime.py, check_flash.py and check_regs.py
share: building a tiny object or ELF with a planted reference, running the
check on it, and running it on the real firmware.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CROSS = "aarch64-linux-gnu-"


def link(tmp: Path, source: str, linker_script: str) -> Path:
    """An ELF laid out by linker_script, linked with --emit-relocs as the
    firmware is."""
    src, lds, elf = tmp / "t.S", tmp / "t.ld", tmp / "t.elf"
    src.write_text(source)
    lds.write_text(linker_script)
    subprocess.run([CROSS + "gcc", "-nostdlib", "-static", "-Wl,--build-id=none",
                    "-Wl,--emit-relocs", "-Wl,--no-warn-rwx-segments", "-Wl,-T," + str(lds),
                    "-o", str(elf), str(src)], check=True)
    return elf


def run_check(tool: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "tools" / tool), "--cross", CROSS,
                           str(path)], capture_output=True, text=True)


def assert_verdict(result: subprocess.CompletedProcess, expected: str | None) -> None:
    """expected None: the check passes; else it fails, saying expected."""
    if expected is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert expected in result.stderr, result.stderr


def assert_firmware_passes(tool: str, summary: str) -> None:
    """The real firmware passes the check (the build runs it on every link
    too), with summary in what it prints."""
    elf = REPO / "build" / "mmuon.elf"
    if not elf.exists():
        pytest.skip("build/mmuon.elf is not built: run `make`")
    result = run_check(tool, elf)
    assert result.returncode == 0, result.stderr
    assert summary in result.stdout
