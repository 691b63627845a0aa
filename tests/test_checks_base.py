"""The check contract's helpers: one graded() for every threshold."""
import pytest

from checks.base import graded


@pytest.mark.parametrize("value,lines,expected", [
    (0.79, {"fail_below": 0.8, "warn_below": 0.9}, "fail"),
    (0.8, {"fail_below": 0.8, "warn_below": 0.9}, "warn"),      # _below is strict
    (0.9, {"fail_below": 0.8, "warn_below": 0.9}, "pass"),
    (10, {"warn_above": 10, "fail_above": 14}, "pass"),         # _above is strict
    (11, {"warn_above": 10, "fail_above": 14}, "warn"),
    (15, {"warn_above": 10, "fail_above": 14}, "fail"),
    (0.03, {"warn_at": 0.03, "fail_at": 0.05}, "warn"),         # _at: at or above
    (0.05, {"warn_at": 0.03, "fail_at": 0.05}, "fail"),
    (0.0299, {"warn_at": 0.03, "fail_at": 0.05}, "pass"),
    (0, {"fail_above": 0}, "pass"),                             # a count that must be zero
    (1, {"fail_above": 0}, "fail"),
    (0, {"warn_below": 1}, "warn"),                             # one that must be there
    (5, {}, "pass"),
])
def test_graded_lines(value, lines, expected):
    assert graded(value, **lines) == expected
