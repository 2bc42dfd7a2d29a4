"""The later blind sets hold their floors (defined with the others in test_gold_floor.py)."""

from __future__ import annotations

import pytest

from tests.test_gold_floor import FIRST, SETS, holds_floor


@pytest.mark.parametrize("name", [name for name in SETS if name not in FIRST])
def test_later_blind_sets_hold_their_floor(capsys: pytest.CaptureFixture[str], name: str) -> None:
    holds_floor(capsys, name)
