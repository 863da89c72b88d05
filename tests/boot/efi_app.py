"""What the tests that give mmuon an app of tests/efi_apps/ as the "kernel"
share: building the app, and reading the report of the apps that print

    <PREFIX> <name>: PASS|FAIL <detail>

one line per check, then `<PREFIX> verdict: PASS` or `<PREFIX> verdict: FAIL
(<n> failures)`, and return EFI_SUCCESS or EFI_ABORTED (mmuon prints that
status and powers off, so QEMU exits 0 either way).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import qemu

EFI_SUCCESS = 0
EFI_ABORTED = 0x8000000000000015
RETURNED = re.compile(r"the kernel's EFI stub returned with status (0x[0-9a-fA-F]+)")


def build(*apps: Path) -> None:
    """Builds the apps with their make targets (and gnu-efi on first use);
    a failed build fails the test."""
    cmd = ["make", "-C", str(qemu.REPO), "--no-print-directory",
           *(str(a.relative_to(qemu.REPO)) for a in apps)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        pytest.fail(f"{' '.join(cmd)} failed:\n{r.stdout}{r.stderr}", pytrace=False)


class AppReport:
    """The <PREFIX> lines of one run of an app."""

    def __init__(self, boot: qemu.Boot, prefix: str):
        self.boot, self.prefix = boot, prefix
        line = re.compile(rf"{prefix} ([\w.-]+): (PASS|FAIL)(?: (.*))?$")
        verdict = re.compile(rf"{prefix} verdict: (PASS|FAIL \((\d+) failures\))$")
        self.checks: dict[str, tuple[str, str]] = {}  # name -> (PASS|FAIL, detail)
        self.repeated: list[str] = []
        self.verdict: str | None = None
        self.status: int | None = None
        for _, text in boot.lines:
            if m := verdict.search(text):
                self.verdict = m[1]
            elif m := line.search(text):
                if m[1] in self.checks:
                    self.repeated.append(m[1])
                self.checks[m[1]] = (m[2], m[3] or "")
            elif m := RETURNED.search(text):
                self.status = int(m[1], 16)

    @property
    def failed(self) -> dict[str, str]:
        return {n: d for n, (s, d) in self.checks.items() if s == "FAIL"}

    def detail(self, name: str) -> str:
        return self.checks.get(name, ("", ""))[1]

    def fail(self, msg: str) -> None:
        lines = "\n".join(f"  {n}: {s} {d}" for n, (s, d) in self.checks.items())
        raise AssertionError(f"{msg}\n\n{self.prefix} lines:\n{lines}\n\n"
                             + self.boot.describe())

    def expect_finished(self) -> None:
        """QEMU exited after mmuon's power-off, the app printed its verdict
        and no check twice."""
        if self.boot.returncode != 0:
            self.fail(f"QEMU exited with {self.boot.returncode} "
                      "(expected 0 after mmuon's power-off)")
        if self.verdict is None:
            self.fail("the app printed no verdict (it crashed or never ran)")
        if self.repeated:
            self.fail(f"reported twice: {self.repeated}")

    def expect_verdict(self) -> None:
        """Verdict and return status agree with the lines."""
        n = len(self.failed)
        want = "PASS" if not n else f"FAIL ({n} failures)"
        if self.verdict != want:
            self.fail(f"verdict {self.verdict!r}, but {n} lines failed")
        if self.status != (EFI_ABORTED if n else EFI_SUCCESS):
            self.fail(f"mmuon saw the app return {self.status!r} with {n} failures")
