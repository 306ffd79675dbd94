"""Moving a row among its siblings (core.ordering): the ends stay put, a middle row swaps with
its neighbour, and every row comes out numbered 1..n whatever its position was before."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from campaign.core.ordering import move


@dataclass(eq=False)
class Entry:
    name: str
    position: int


def _rows(*positions: int) -> list[Entry]:
    return [Entry(name, position) for name, position in zip("abcde", positions, strict=False)]


def _seen(rows: list[Entry]) -> list[tuple[str, int]]:
    return sorted(((row.name, row.position) for row in rows), key=lambda pair: pair[1])


def test_the_first_row_moved_up_and_the_last_moved_down_stay_where_they_are():
    rows = _rows(1, 2, 3)
    assert move(rows, rows[0], -1) == rows
    assert move(rows, rows[2], 1) == rows
    assert _seen(rows) == [("a", 1), ("b", 2), ("c", 3)]


@pytest.mark.parametrize(("step", "expected"), [(-1, ["b", "a", "c"]), (1, ["a", "c", "b"])])
def test_a_middle_row_swaps_with_its_neighbour(step, expected):
    rows = _rows(1, 2, 3)
    moved = move(rows, rows[1], step)
    assert [row.name for row in moved] == expected
    assert _seen(rows) == [(name, position) for position, name in enumerate(expected, start=1)]
    assert [row.name for row in rows] == ["a", "b", "c"]  # the caller's list is left as it was


def test_positions_with_gaps_or_ties_are_renumbered_one_to_n():
    rows = _rows(3, 7, 7, 20)
    move(rows, rows[3], 1)  # at the end: nothing moves, but the numbers are set right
    assert [row.position for row in rows] == [1, 2, 3, 4]
    move(rows, rows[2], -1)
    assert _seen(rows) == [("a", 1), ("c", 2), ("b", 3), ("d", 4)]


def test_a_step_other_than_one_place_is_refused():
    rows = _rows(1, 2)
    with pytest.raises(ValueError):
        move(rows, rows[0], 2)
