"""Rows that an organizer puts in order by hand (agenda items, helplines): one row moved a
place up or down among its siblings, and the positions renumbered.

The caller reads the siblings, locked with `with_for_update()` so that two organizers moving
rows of one list at once take turns instead of both writing from the same old order, and
flushes afterwards. Nothing here touches the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class Positioned(Protocol):
    position: int


RowT = TypeVar("RowT", bound=Positioned)


def move(rows: Sequence[RowT], row: RowT, step: int) -> list[RowT]:
    """Swap `row` with its neighbour above (`step` -1) or below (+1) in `rows`, which are in
    position order; at either end, nothing moves. Every row is renumbered 1, 2, 3... in the
    new order, so that positions shared or skipped before are set right. The new order."""
    if step not in (-1, 1):
        raise ValueError(f"step is -1 or 1, not {step!r}")
    order = list(rows)
    index = order.index(row)
    other = index + step
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    for position, each in enumerate(order, start=1):
        each.position = position
    return order
