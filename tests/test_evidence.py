# SPDX-License-Identifier: MIT
"""tests/evidence.py holds: run inner pytest sessions (pytester) and check
how each kind of test ends.

    /usr/bin/python3 -m pytest -q tests/test_evidence.py
"""

import pytest

pytest_plugins = ["pytester"]

KNOWN = '''
import pytest
from evidence import expect_signature, known_failure

@known_failure("the bug")
def test_expected_way():
    expect_signature("mmuon: fatal: the bug\\n", r"^mmuon: fatal: the bug$")
    assert False, "the checks after a fix"

@known_failure("the bug")
def test_other_way():
    expect_signature("mmuon: fatal: something else\\n", r"^mmuon: fatal: the bug$")
    assert False, "the checks after a fix"

@known_failure("the bug")
def test_fixed():
    expect_signature("all good\\n", r"^mmuon: fatal: the bug$")
'''


@pytest.fixture
def inner(pytester):
    pytester.makeconftest('pytest_plugins = ["evidence"]')
    return pytester


def test_known_failure_needs_its_signature(inner):
    inner.makepyfile(KNOWN)
    r = inner.runpytest("-rfx")
    r.assert_outcomes(xfailed=1, failed=2)
    r.stdout.fnmatch_lines_random(["XFAIL *::test_expected_way*",
                                   "FAILED *::test_other_way - AssertionE*",
                                   "FAILED *::test_fixed*"])


def test_plain_xfail_is_refused(inner):
    inner.makepyfile('''
import pytest

@pytest.mark.xfail(strict=True, reason="anything goes")
def test_x():
    assert False
''')
    r = inner.runpytest()
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines(["*xfails without a failure signature*",
                            "*test_x: an xfail must be raises=KnownFailure*"])


def test_imperative_xfail_is_a_failure(inner):
    inner.makepyfile('''
import pytest

def test_x():
    pytest.xfail("it broke somehow")
''')
    inner.runpytest().assert_outcomes(failed=1)


SKIPS = '''
import pytest
from evidence import SLOW_SKIP

def test_missing_prerequisite():
    pytest.skip("EDK2 is missing")

@pytest.mark.skip(reason=SLOW_SKIP)
def test_slow():
    pass
'''


def test_skips_fail_under_ci(inner, monkeypatch):
    inner.makepyfile(SKIPS)
    monkeypatch.setenv("CI", "true")
    r = inner.runpytest()
    r.assert_outcomes(failed=1, skipped=1)
    r.stdout.fnmatch_lines(["*skipped under CI=true*EDK2 is missing*"])


def test_skips_stay_skips_outside_ci(inner, monkeypatch):
    inner.makepyfile(SKIPS)
    monkeypatch.delenv("CI", raising=False)
    inner.runpytest().assert_outcomes(skipped=2)
