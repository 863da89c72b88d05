# SPDX-License-Identifier: MIT
"""What a test run may count as evidence: a pytest plugin for every test
under tests/ and tools/ (loaded by pytest.ini: `-p evidence`).

Strict xfails with a signature. A known failure is declared with

    @known_failure("why mmuon fails here")
    def test_x(...):
        b = boot(...)
        expect_signature(b.output, r"the console line that failure prints")
        ... the checks the test makes once the bug is fixed ...

expect_signature() raises KnownFailure when the signature is there, and
known_failure() is `xfail(strict=True, raises=KnownFailure)`: the test is
XFAIL only when it failed the expected way. Any other failure (a crash at
another place, a timeout, a broken harness) is a FAILED test, and a pass is
an XPASS, which strict makes a failure too, so the marker goes the day the
bug is fixed. Any other xfail (no raises=KnownFailure, not strict, or
pytest.xfail() called inside a test) is refused.

No skips in CI. With CI=true in the environment (.ci/run sets it), a test
that skips because something it needs is missing (a kernel, a firmware, EDK2,
GRUB, a tool) fails instead: CI installs everything, so a skip there means a
test silently did not run. Only the slow boots left out of the default run
(SLOW_SKIP) still skip.
"""

from __future__ import annotations

import os
import re

import pytest

SLOW_SKIP = "slow boot: run with MMUON_SLOW=1 or -m slow"


class KnownFailure(AssertionError):
    """The failure a known_failure() test expects, recognised by its signature."""


def known_failure(reason: str):
    """Marks a test that fails, for `reason`, with a signature it checks."""
    return pytest.mark.xfail(strict=True, raises=KnownFailure, reason=reason)


def expect_signature(text: str, signature: str | re.Pattern, what: str = "") -> None:
    """Raise KnownFailure if `signature` (a regular expression) is in `text`."""
    m = re.search(signature, text, re.M)
    if m:
        raise KnownFailure(f"{what or 'known failure'}: {m[0]!r}")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _xfail_problem(mark) -> str | None:
    if mark.kwargs.get("raises") is not KnownFailure:
        return "an xfail must be raises=KnownFailure (use evidence.known_failure)"
    if mark.kwargs.get("strict") is not True:
        return "an xfail must be strict=True (use evidence.known_failure)"
    return None


def pytest_collection_modifyitems(config, items):
    bad = []
    for item in items:
        for mark in item.iter_markers("xfail"):
            problem = _xfail_problem(mark)
            if problem:
                bad.append(f"{item.nodeid}: {problem}")
    if bad:
        raise pytest.UsageError("xfails without a failure signature:\n  " + "\n  ".join(bad))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(pytest.xfail.Exception):
        rep.outcome = "failed"
        rep.longrepr = (f"pytest.xfail() inside a test accepts any failure: use "
                        f"evidence.known_failure and expect_signature ({call.excinfo.value})")
        if hasattr(rep, "wasxfail"):
            del rep.wasxfail
        return
    if rep.skipped and in_ci() and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        if reason.removeprefix("Skipped: ") != SLOW_SKIP:
            rep.outcome = "failed"
            rep.longrepr = f"skipped under CI=true, which must run every test: {reason}"
