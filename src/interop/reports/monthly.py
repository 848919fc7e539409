"""ICE's monthly "IDENT/IAFIS Interoperability Statistics", from the store.

The program published, per month and cumulatively, for the nation, each
state and each activated jurisdiction (with its activation date):

- **submissions**: fingerprint submissions from activated jurisdictions
  that the FBI forwarded to IDENT (``cases.forwarded_to_ident``), counted
  in the month of the booking;
- **IDENT matches** by priority level (Level 1, 2, 3, non-criminal), the
  level the LESC gave the booking (``cases.priority_level``), in the
  booking's month;
- **booked into ICE custody** by level: detainers ICE honoured
  (``detainers.status = 'honoured'``), in the month of the custody
  (``detainers.ended_at``);
- **removals** by level: a removal recorded in IDENT
  (``immigration_encounters.kind = 'removal'``) on or after a matched
  booking of the same person, counted once per removal, at the level of
  the person's latest matched booking before it, in the removal's month.

A matched US citizen (``cases.citizen``) is a match at their level but
gets no enforcement action (policy), so appears in custody or removals only
if something went wrong, which the report then shows.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from interop.store.models import Case, DetainerRecord, ImmigrationEncounter, Jurisdiction

LEVELS = ("level_1", "level_2", "level_3", "non_criminal")
"""The report's level columns, for priority levels 1, 2, 3 and 4 (non-criminal)."""

REMOVAL = "removal"
"""``immigration_encounters.kind`` of a removal."""

_T = TypeVar("_T")


class Scope(enum.StrEnum):
    """Whose rows a report holds."""

    NATIONAL = "national"
    STATE = "state"
    JURISDICTION = "jurisdiction"


def _zero() -> list[int]:
    return [0, 0, 0, 0]


@dataclass
class MonthlyRow:
    """One area's figures for one month (``month``) and cumulatively through it.

    Attributes
    ----------
    area : str
        ``"US"``, a state's postal code, or a jurisdiction's ORI.
    month : date
        First day of the month.
    activated_on : date or None
        A jurisdiction's activation day (``None`` for a nation or state row).
    submissions, matches : int
        This month.
    matches_by_level, custody_by_level, removals_by_level : list of int
        This month, in :data:`LEVELS` order.
    cumulative_* : int or list of int
        The same, from the first month through this one.
    """

    area: str
    month: date
    activated_on: date | None = None
    submissions: int = 0
    matches: int = 0
    matches_by_level: list[int] = field(default_factory=_zero)
    custody_by_level: list[int] = field(default_factory=_zero)
    removals_by_level: list[int] = field(default_factory=_zero)
    cumulative_submissions: int = 0
    cumulative_matches: int = 0
    cumulative_matches_by_level: list[int] = field(default_factory=_zero)
    cumulative_custody_by_level: list[int] = field(default_factory=_zero)
    cumulative_removals_by_level: list[int] = field(default_factory=_zero)


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _slot(level: int | None) -> int | None:
    """Index in :data:`LEVELS` of a priority level (1-4), ``None`` if unclassified."""
    return level - 1 if level is not None and 1 <= level <= 4 else None


@dataclass
class _Tally:
    submissions: int = 0
    matches: int = 0
    matches_by_level: list[int] = field(default_factory=_zero)
    custody_by_level: list[int] = field(default_factory=_zero)
    removals_by_level: list[int] = field(default_factory=_zero)


def _areas(scope: Scope, state: str, ori: str) -> tuple[str, ...]:
    if scope is Scope.NATIONAL:
        return ("US",)
    if scope is Scope.STATE:
        return (state,)
    return (ori,)


def monthly_statistics(
    session: Session,
    through: date,
    *,
    scope: Scope = Scope.NATIONAL,
    since: date | None = None,
) -> list[MonthlyRow]:
    """The report's rows, month by month, for every area of ``scope``.

    Parameters
    ----------
    session : Session
    through : date
        Last day counted (its month is the report's last).
    scope : Scope, keyword-only
        National, one row per state, or one row per jurisdiction.
    since : date, optional, keyword-only
        First month shown (cumulative figures still count from the start);
        the first month with a booking by default.

    Returns
    -------
    list of MonthlyRow
        Sorted by area, then month; an area appears from its first event.
    """
    tallies: dict[tuple[str, date], _Tally] = defaultdict(_Tally)
    cases = session.execute(
        select(
            Case.tcn,
            Case.ori,
            Case.state,
            Case.booked_on,
            Case.forwarded_to_ident,
            Case.ident_match,
            Case.priority_level,
            Case.a_number,
        ).where(Case.booked_on <= through)
    ).all()
    matched: dict[str, list[tuple[date, tuple[int | None, str, str]]]] = defaultdict(list)
    for c in cases:
        month = _month(c.booked_on)
        for area in _areas(scope, c.state, c.ori):
            tally = tallies[(area, month)]
            if c.forwarded_to_ident:
                tally.submissions += 1
            if c.ident_match:
                tally.matches += 1
                slot = _slot(c.priority_level)
                if slot is not None:
                    tally.matches_by_level[slot] += 1
        if c.ident_match and c.a_number:
            matched[c.a_number].append((c.booked_on, (c.priority_level, c.state, c.ori)))
    levels = {c.tcn: (c.priority_level, c.state, c.ori) for c in cases}

    for tcn, ended_at in session.execute(
        select(DetainerRecord.tcn, DetainerRecord.ended_at).where(
            DetainerRecord.status == "honoured", DetainerRecord.ended_at.is_not(None)
        )
    ):
        if tcn not in levels or ended_at is None or ended_at.date() > through:
            continue
        level, state, ori = levels[tcn]
        slot = _slot(level)
        if slot is None:
            continue
        for area in _areas(scope, state, ori):
            tallies[(area, _month(ended_at.date()))].custody_by_level[slot] += 1

    for on, (level, state, ori) in attributed_removals(session, matched, through=through):
        slot = _slot(level)
        if slot is None:
            continue
        for area in _areas(scope, state, ori):
            tallies[(area, _month(on))].removals_by_level[slot] += 1

    activated: dict[str, date | None] = {}
    if scope is Scope.JURISDICTION:
        activated = dict(session.execute(select(Jurisdiction.ori, Jurisdiction.activated_on)).all())
    return _rows(tallies, _month(through), since, activated)


REMOVAL_QUERY_IDS = 5_000
"""A-numbers per removal query (bound parameters stay under every backend's limit)."""


def attributed_removals(
    session: Session,
    matched: Mapping[str, Sequence[tuple[date, _T]]],
    *,
    through: date | None = None,
) -> list[tuple[date, _T]]:
    """Each removal recorded in IDENT of a matched person, with the booking it follows.

    The rule of the report's removal columns: a removal
    (``immigration_encounters.kind = 'removal'``) counts once, for the
    person's latest booking in ``matched`` on or before the removal day; a
    removal before all of them does not count.

    Parameters
    ----------
    session : Session
    matched : mapping of str to sequence of (date, payload)
        By A-number, the bookings that may lead to a removal: booking day
        and whatever the caller needs back (a level, an area).
    through : date, optional, keyword-only
        Last removal day counted; every removal recorded by default.

    Returns
    -------
    list of (date, payload)
        Removal day and the payload of the booking it follows, in no
        particular order.
    """
    out: list[tuple[date, _T]] = []
    ids = sorted(a for a, bookings in matched.items() if bookings)
    for start in range(0, len(ids), REMOVAL_QUERY_IDS):
        query = select(ImmigrationEncounter.a_number, ImmigrationEncounter.on).where(
            ImmigrationEncounter.kind == REMOVAL,
            ImmigrationEncounter.a_number.in_(ids[start : start + REMOVAL_QUERY_IDS]),
        )
        if through is not None:
            query = query.where(ImmigrationEncounter.on <= through)
        for a_number, on in session.execute(query):
            before = [m for m in matched[a_number] if m[0] <= on]
            if before:
                out.append((on, max(before, key=lambda m: m[0])[1]))
    return out


def _rows(
    tallies: dict[tuple[str, date], _Tally],
    last: date,
    since: date | None,
    activated: dict[str, date | None],
) -> list[MonthlyRow]:
    first_month: dict[str, date] = {}
    for area, month in tallies:
        first_month[area] = min(month, first_month.get(area, month))
    rows: list[MonthlyRow] = []
    for area in sorted(first_month):
        running = MonthlyRow(area, first_month[area])
        month = first_month[area]
        while month <= last:
            tally = tallies.get((area, month), _Tally())
            row = MonthlyRow(
                area=area,
                month=month,
                activated_on=activated.get(area),
                submissions=tally.submissions,
                matches=tally.matches,
                matches_by_level=list(tally.matches_by_level),
                custody_by_level=list(tally.custody_by_level),
                removals_by_level=list(tally.removals_by_level),
                cumulative_submissions=running.cumulative_submissions + tally.submissions,
                cumulative_matches=running.cumulative_matches + tally.matches,
                cumulative_matches_by_level=_add(
                    running.cumulative_matches_by_level, tally.matches_by_level
                ),
                cumulative_custody_by_level=_add(
                    running.cumulative_custody_by_level, tally.custody_by_level
                ),
                cumulative_removals_by_level=_add(
                    running.cumulative_removals_by_level, tally.removals_by_level
                ),
            )
            if since is None or month >= _month(since):
                rows.append(row)
            running = row
            month = _next_month(month)
    return rows


def _add(a: Iterable[int], b: Iterable[int]) -> list[int]:
    return [x + y for x, y in zip(a, b, strict=True)]


__all__ = [
    "LEVELS",
    "REMOVAL",
    "MonthlyRow",
    "Scope",
    "attributed_removals",
    "monthly_statistics",
]
