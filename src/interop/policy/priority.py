"""ICE priority levels: how the LESC classifies a matched person's criminal history.

The levels follow ICE's June 2010 definitions (see ``docs/domain.md``):

* **Level 1**: convicted of an aggravated felony (INA §101(a)(43)), or of two
  or more crimes each punishable by more than one year;
* **Level 2**: convicted of any other felony, or of three or more crimes each
  punishable by less than one year;
* **Level 3**: convicted of crimes punishable by less than one year (fewer
  than three);
* **non-criminal**: no conviction (charges alone do not count).

Which offence is a felony or an aggravated felony is the table of
:mod:`interop.policy.offences`.

:func:`classify` is the LESC's view of one record: a sequence of
:class:`HistoryEntry` (an arrest, its charge and its disposition), the day
of the classification and whether the person is a US citizen. Only
convictions disposed of on or before that day count; a plea to a lesser
offence counts as the lesser offence. A citizen matched in IDENT (a
naturalised citizen's prints stay there) is classified and recorded like
anyone else, but :attr:`LevelDecision.enforcement_allowed` is False.

Rule codes of :attr:`LevelDecision.rule`:

=============================  ==============================================
``level.aggravated-felony``    Level 1: at least one aggravated felony
``level.two-felonies``         Level 1: two or more felonies
``level.felony``               Level 2: exactly one (non-aggravated) felony
``level.three-misdemeanours``  Level 2: three or more misdemeanours, no felony
``level.misdemeanours``        Level 3: one or two misdemeanours, no felony
``level.no-conviction``        non-criminal: no counted conviction
=============================  ==============================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

from interop.policy._checks import check_date
from interop.policy.errors import InvalidFactError, PolicyConfigError
from interop.policy.offences import Offence, offence

__all__ = [
    "LEVEL_RULES",
    "Disposition",
    "HistoryEntry",
    "LevelDecision",
    "MatchLevel",
    "PriorityLevel",
    "classify",
    "conviction_level",
    "match_level",
]


class PriorityLevel(IntEnum):
    """ICE priority level of a matched alien (June 2010 definitions, conviction-based).

    The numeric value orders the levels from most (1) to least (4) serious.
    """

    LEVEL_1 = 1
    LEVEL_2 = 2
    LEVEL_3 = 3
    NON_CRIMINAL = 4


class MatchLevel(StrEnum):
    """The level under which ICE's monthly statistics counted an IDENT match.

    ``LEVEL_1`` when the booking charge is a Level 1 offence or the person
    already stands convicted at Level 1 (the pre-2010 "charged or convicted"
    rule); ``LEVEL_2_3`` otherwise.
    """

    LEVEL_1 = "level_1"
    LEVEL_2_3 = "level_2_3"


class Disposition(StrEnum):
    """Court disposition of an arrest charge."""

    CONVICTED = "convicted"
    """Convicted of the offence charged."""
    CONVICTED_LESSER = "convicted_lesser"
    """Convicted of a lesser offence on a plea (usually a misdemeanour)."""
    DISMISSED = "dismissed"
    """Dismissed, acquitted or not prosecuted: no conviction."""
    PENDING = "pending"
    """Not disposed of yet (in a scenario: by its end)."""


LEVEL_RULES: Mapping[str, PriorityLevel] = {
    "level.aggravated-felony": PriorityLevel.LEVEL_1,
    "level.two-felonies": PriorityLevel.LEVEL_1,
    "level.felony": PriorityLevel.LEVEL_2,
    "level.three-misdemeanours": PriorityLevel.LEVEL_2,
    "level.misdemeanours": PriorityLevel.LEVEL_3,
    "level.no-conviction": PriorityLevel.NON_CRIMINAL,
}
"""Every rule code of :func:`classify` and the level it gives."""

_CONVICTIONS = (Disposition.CONVICTED, Disposition.CONVICTED_LESSER)


def _grade(convictions: Sequence[Offence]) -> tuple[str, tuple[int, ...]]:
    """Rule code and the indices of the deciding convictions."""
    aggravated = tuple(i for i, o in enumerate(convictions) if o.aggravated_felony)
    if aggravated:
        return "level.aggravated-felony", aggravated
    felonies = tuple(i for i, o in enumerate(convictions) if o.felony)
    if len(felonies) >= 2:
        return "level.two-felonies", felonies
    if felonies:
        return "level.felony", felonies
    misdemeanours = tuple(range(len(convictions)))
    if len(misdemeanours) >= 3:
        return "level.three-misdemeanours", misdemeanours
    if misdemeanours:
        return "level.misdemeanours", misdemeanours
    return "level.no-conviction", ()


def conviction_level(convictions: Iterable[Offence]) -> PriorityLevel:
    """ICE priority level (June 2010 definitions) of a record of convictions.

    Parameters
    ----------
    convictions : iterable of Offence
        The offences the person stands convicted of (one per conviction).

    Returns
    -------
    PriorityLevel

    Examples
    --------
    >>> from interop.policy.offences import OFFENCES
    >>> conviction_level([])
    <PriorityLevel.NON_CRIMINAL: 4>
    >>> conviction_level([OFFENCES["5404"], OFFENCES["5499"]])
    <PriorityLevel.LEVEL_3: 3>
    >>> conviction_level([OFFENCES["5404"]] * 3)
    <PriorityLevel.LEVEL_2: 2>
    >>> conviction_level([OFFENCES["3532"], OFFENCES["2399"]])
    <PriorityLevel.LEVEL_1: 1>
    """
    rule, _ = _grade(tuple(convictions))
    return LEVEL_RULES[rule]


def match_level(charge: Offence, level_before: PriorityLevel) -> MatchLevel:
    """Level under which ICE's statistics count an IDENT match.

    Parameters
    ----------
    charge : Offence
        The booking's arrest charge.
    level_before : PriorityLevel
        The person's conviction level on the booking day.

    Returns
    -------
    MatchLevel
        ``LEVEL_1`` if charged with a Level 1 offence or already convicted at
        Level 1 (ICE's "charged or convicted" rule before mid-2010).
    """
    if charge.level_1 or level_before is PriorityLevel.LEVEL_1:
        return MatchLevel.LEVEL_1
    return MatchLevel.LEVEL_2_3


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One cycle of a criminal history record: an arrest, its charge, its disposition.

    Attributes
    ----------
    offence : str
        NCIC code of the arrest charge, 4 digits.
    arrested_on : date
    disposition : Disposition
    disposed_on : date or None
        Day of the disposition; None exactly while ``PENDING``.
    convicted_of : str or None
        Only with ``CONVICTED_LESSER``: NCIC code of the offence pleaded to.
        None there means the table's usual plea for the charge
        (:attr:`Offence.lesser`). The code is classified by its own table
        flags (a plea to a lesser felony stays a felony).

    Raises
    ------
    InvalidFactError
        On a malformed code, a pending entry with a disposition day, a
        disposed entry without one or disposed before the arrest, or
        ``convicted_of`` given with another disposition or equal to the charge.
    """

    offence: str
    arrested_on: date
    disposition: Disposition
    disposed_on: date | None = None
    convicted_of: str | None = None

    def __post_init__(self) -> None:
        _check_code(self.offence, "offence")
        check_date(self.arrested_on, "arrested_on", optional=False)
        check_date(self.disposed_on, "disposed_on")
        if not isinstance(self.disposition, Disposition):
            raise InvalidFactError(f"disposition must be a Disposition, got {self.disposition!r}")
        if self.disposition is Disposition.PENDING:
            if self.disposed_on is not None:
                raise InvalidFactError(
                    f"a pending charge ({self.offence}) has no disposition day, "
                    f"got {self.disposed_on}"
                )
        elif self.disposed_on is None:
            raise InvalidFactError(
                f"a {self.disposition.value} charge ({self.offence}) needs its disposition day"
            )
        elif self.disposed_on < self.arrested_on:
            raise InvalidFactError(
                f"charge {self.offence} disposed on {self.disposed_on}, "
                f"before the arrest on {self.arrested_on}"
            )
        if self.convicted_of is not None:
            if self.disposition is not Disposition.CONVICTED_LESSER:
                raise InvalidFactError(
                    f"convicted_of is only for a plea to a lesser offence, "
                    f"not for a {self.disposition.value} charge"
                )
            _check_code(self.convicted_of, "convicted_of")
            if self.convicted_of == self.offence:
                raise InvalidFactError(
                    f"a lesser offence must differ from the charge, both {self.offence}"
                )

    @property
    def conviction(self) -> Offence | None:
        """The offence convicted of (whatever the day); None without a conviction.

        Raises
        ------
        UnknownOffenceError
            If the convicted offence (or, for a plea without ``convicted_of``,
            the charge) is not in the offence table.
        InvalidFactError
            For a plea without ``convicted_of`` to a charge that has no usual
            lesser offence in the table.
        """
        if self.disposition is Disposition.CONVICTED:
            return offence(self.offence)
        if self.disposition is Disposition.CONVICTED_LESSER:
            if self.convicted_of is not None:
                return offence(self.convicted_of)
            lesser = offence(self.offence).lesser
            if lesser is None:
                raise InvalidFactError(
                    f"charge {self.offence} has no usual lesser offence; give convicted_of"
                )
            return offence(lesser)
        return None

    def convicted_by(self, on: date) -> bool:
        """True if this entry is a conviction disposed of on or before day ``on``."""
        return (
            self.disposition in _CONVICTIONS
            and self.disposed_on is not None
            and self.disposed_on <= on
        )


def _check_code(code: object, name: str) -> None:
    if not isinstance(code, str) or len(code) != 4 or not code.isascii() or not code.isdigit():
        raise InvalidFactError(f"{name} must be a 4-digit NCIC offence code, got {code!r}")


@dataclass(frozen=True, slots=True)
class LevelDecision:
    """The LESC's classification of one person's criminal history on one day.

    Attributes
    ----------
    level : PriorityLevel
    rule : str
        One of :data:`LEVEL_RULES`.
    enforcement_allowed : bool
        False for a US citizen (recorded, no enforcement action); True otherwise.
    citizen : bool
    on : date
        Day of the classification; convictions disposed of later are not counted.
    convictions : tuple of str
        NCIC codes of the counted convictions, in history order (the code
        convicted of, i.e. the lesser one for a plea).
    deciding : tuple of str
        The codes among ``convictions`` that decided the level.
    reason : str
        One sentence naming the deciding offences and what was not counted.
    """

    level: PriorityLevel
    rule: str
    enforcement_allowed: bool
    citizen: bool
    on: date
    convictions: tuple[str, ...]
    deciding: tuple[str, ...]
    reason: str

    def __post_init__(self) -> None:
        if LEVEL_RULES.get(self.rule) is not self.level:
            raise InvalidFactError(f"rule {self.rule!r} does not give {self.level!r}")
        if self.enforcement_allowed and self.citizen:
            raise InvalidFactError("no enforcement action may be allowed against a US citizen")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``dict`` (the level by name, e.g. ``"LEVEL_1"``)."""
        return {
            "level": self.level.name,
            "rule": self.rule,
            "enforcement_allowed": self.enforcement_allowed,
            "citizen": self.citizen,
            "on": self.on.isoformat(),
            "convictions": list(self.convictions),
            "deciding": list(self.deciding),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> LevelDecision:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        PolicyConfigError
            If a key is missing or a value malformed.
        """
        try:
            flags = record["enforcement_allowed"], record["citizen"]
            texts = record["rule"], record["reason"], *record["convictions"], *record["deciding"]
            if not all(isinstance(f, bool) for f in flags):
                raise TypeError(f"enforcement_allowed and citizen must be booleans, got {flags}")
            if not all(isinstance(t, str) for t in texts):
                raise TypeError("rule, reason and the codes must be strings")
            return cls(
                PriorityLevel[record["level"]],
                record["rule"],
                record["enforcement_allowed"],
                record["citizen"],
                date.fromisoformat(record["on"]),
                tuple(record["convictions"]),
                tuple(record["deciding"]),
                record["reason"],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PolicyConfigError(f"not a level decision: {error!s}") from error


_WHAT = {
    "level.aggravated-felony": "Level 1: convicted of an aggravated felony",
    "level.two-felonies": "Level 1: convicted of two or more felonies",
    "level.felony": "Level 2: convicted of a felony",
    "level.three-misdemeanours": "Level 2: convicted of three or more misdemeanours",
    "level.misdemeanours": "Level 3: convicted of fewer than three misdemeanours",
}


def _describe(entry: HistoryEntry, convicted: Offence) -> str:
    plea = "" if convicted.code == entry.offence else f", plea from charge {entry.offence}"
    return f"{convicted.code} {convicted.title} (convicted {entry.disposed_on}{plea})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def classify(history: Sequence[HistoryEntry], on: date, *, citizen: bool) -> LevelDecision:
    """Classify a criminal history record as the LESC does (June 2010 definitions).

    Parameters
    ----------
    history : sequence of HistoryEntry
        The person's criminal history, any order (reported in the given order).
    on : date
        Day of the classification: only convictions disposed of on or
        before it count. Charges (dismissed, pending, or not yet disposed
        of on that day) never count.
    citizen : bool
        The person is a US citizen (born or naturalised): the level is
        still recorded, but no enforcement action is allowed.

    Returns
    -------
    LevelDecision

    Raises
    ------
    UnknownOffenceError
        If any conviction in the record (counted or not yet) has an offence
        code missing from the table: the record is rejected as a whole
        rather than classified on a guess.
    InvalidFactError
        For a plea without ``convicted_of`` to a charge without a usual
        lesser offence.

    Examples
    --------
    >>> entry = HistoryEntry("1206", date(2005, 1, 3), Disposition.CONVICTED, date(2005, 6, 1))
    >>> classify([entry], date(2010, 1, 1), citizen=False).level
    <PriorityLevel.LEVEL_1: 1>
    """
    check_date(on, "on", optional=False)
    if not isinstance(citizen, bool):
        raise InvalidFactError(f"citizen must be a boolean, got {citizen!r}")
    counted: list[tuple[HistoryEntry, Offence]] = []
    charges = later = 0
    for entry in history:
        if not isinstance(entry, HistoryEntry):
            raise InvalidFactError(f"a history holds HistoryEntry values, got {entry!r}")
        convicted = entry.conviction  # looked up for every conviction, counted or not
        if convicted is None:
            charges += 1
        elif entry.convicted_by(on):
            counted.append((entry, convicted))
        else:
            later += 1
    rule, indices = _grade([o for _, o in counted])
    level = LEVEL_RULES[rule]
    if indices:
        head = f"{_WHAT[rule]}: " + "; ".join(_describe(*counted[i]) for i in indices)
    else:
        head = f"Non-criminal: no conviction disposed of on or before {on}"
    notes = []
    if charges:
        notes.append(f"{_plural(charges, 'charge')} without conviction not counted")
    if later:
        notes.append(f"{_plural(later, 'conviction')} disposed of after {on} not counted")
    if notes:
        head += " (" + "; ".join(notes) + ")"
    tail = (
        "US citizen: recorded, no enforcement action." if citizen else "Enforcement action allowed."
    )
    return LevelDecision(
        level=level,
        rule=rule,
        enforcement_allowed=not citizen,
        citizen=citizen,
        on=on,
        convictions=tuple(o.code for _, o in counted),
        deciding=tuple(counted[i][1].code for i in indices),
        reason=f"{head}. {tail}",
    )
