"""A synthetic Secure Communities scenario: a population, its bookings, its statistics.

    scenario = Scenario(people=100_000, seed=7)
    for person in scenario.people():          # streamed, chunk by chunk
        ...
    for booking in scenario.bookings():       # in time order
        ...
    scenario.statistics(through=date(2011, 3, 31)).match_rate

Everything is a pure function of ``(people, seed, calibration, residence)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from interop.population.calibration import CALIBRATION, Calibration
from interop.population.generator import (
    CHUNK_SIZE,
    KINDS,
    NO_DATE,
    STATUSES,
    Chunk,
    Tables,
    generate_chunk,
    tables,
)
from interop.population.geography import Geography
from interop.population.model import (
    Arrest,
    Booking,
    BookingTruth,
    Disposition,
    Encounter,
    Jurisdiction,
    MatchLevel,
    Person,
    PriorityLevel,
    Sex,
    StateBureau,
    Status,
)
from interop.population.names import GROUPS

__all__ = ["MAX_PEOPLE", "BookingTable", "InteroperabilityStatistics", "Progress", "Scenario"]

Progress = Callable[[int, int], None]
"""``progress(people_done, people_total)``, called after each chunk."""

MAX_PEOPLE = 290_000_000
"""Largest population: A-numbers are unique below it."""
_DISPOSITIONS = tuple(Disposition)
_A_MODULUS = 290_000_000
_FBI_MODULUS = 1_000_000 * 26 * 26 * 10
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MATCH_LEVELS = (None, MatchLevel.LEVEL_1, MatchLevel.LEVEL_2_3)
_LEVELS: tuple[PriorityLevel | None, ...] = (None, *PriorityLevel)
_CITIZENS = (STATUSES.index(Status.US_BORN_CITIZEN), STATUSES.index(Status.NATURALISED_CITIZEN))


def _day(ordinal: int) -> date | None:
    return None if ordinal == NO_DATE else date.fromordinal(ordinal)


@dataclass(frozen=True)
class InteroperabilityStatistics:
    """ICE's monthly IDENT/IAFIS interoperability figures, for a synthetic scenario.

    Counts are of synthetic bookings (multiply by :attr:`Scenario.scale` for
    real-world numbers). Bookings count from ``since`` through ``through``;
    custody and removals count when they happen by ``through``.

    Attributes
    ----------
    since, through : date
    submissions : int
        Bookings in activated jurisdictions (forwarded to IDENT).
    matches : int
        Submissions whose person was in IDENT.
    matches_level_1 : int
        Matches counted at Level 1 (charged with or convicted of a Level 1 offence).
    custody : tuple of int
        Booked into ICE custody, by level (Level 1, 2, 3, non-criminal).
    removals : tuple of int
        Removed, by level (Level 1, 2, 3, non-criminal).
    citizens_in_custody : int
        US citizens (by birth or naturalisation) booked into ICE custody.
    """

    since: date
    through: date
    submissions: int
    matches: int
    matches_level_1: int
    custody: tuple[int, int, int, int]
    removals: tuple[int, int, int, int]
    citizens_in_custody: int

    @property
    def matches_level_2_3(self) -> int:
        """Matches counted at Level 2 or 3."""
        return self.matches - self.matches_level_1

    @property
    def match_rate(self) -> float:
        """IDENT matches per submission."""
        return self.matches / self.submissions if self.submissions else float("nan")

    @property
    def level_1_share_of_matches(self) -> float:
        """Share of matches counted at Level 1."""
        return self.matches_level_1 / self.matches if self.matches else float("nan")

    @property
    def custody_total(self) -> int:
        """All bookings into ICE custody."""
        return sum(self.custody)

    @property
    def removals_total(self) -> int:
        """All removals."""
        return sum(self.removals)

    @property
    def non_criminal_share_of_removals(self) -> float:
        """Share of removals with no criminal conviction."""
        total = self.removals_total
        return self.removals[3] / total if total else float("nan")

    @property
    def level_1_share_of_removals(self) -> float:
        """Share of removals at Level 1."""
        total = self.removals_total
        return self.removals[0] / total if total else float("nan")


class BookingTable:
    """The bookings of a whole scenario as arrays, sorted by time."""

    def __init__(self, parts: list[dict[str, npt.NDArray[Any]]]) -> None:
        keys = parts[0].keys() if parts else ()
        data = {k: np.concatenate([p[k] for p in parts]) for k in keys}
        if data:
            order = np.lexsort((data["person"], data["seconds"], data["day"]))
            data = {k: v[order] for k, v in data.items()}
        self.data = data

    def __len__(self) -> int:
        return len(self.data.get("day", ()))


def _booking_arrays(t: Tables, chunk: Chunk, start: int) -> dict[str, npt.NDArray[Any]]:
    booked = chunk.arrested_on >= start
    local = chunk.arrest_person[booked]
    return {
        "person": local + chunk.first,
        "status": chunk.status[local],
        "male": chunk.male[local],
        "date_of_birth": chunk.date_of_birth[local],
        "place": chunk.place[local],
        "name_group": chunk.name_group[local],
        "given_u": chunk.given_u[local],
        "surname_u": chunk.surname_u[local],
        "day": chunk.arrested_on[booked],
        "seconds": chunk.arrest_seconds[booked],
        "ori": chunk.arrest_ori[booked],
        "state": t.geography.state_index[chunk.arrest_ori[booked]].astype(np.int64),
        "charge": chunk.charge[booked],
        "submitted": chunk.submitted[booked],
        "in_ident": chunk.in_ident[booked],
        "matched": chunk.matched[booked],
        "match_level": chunk.match_level[booked],
        "level": chunk.level[booked],
        "custody_on": chunk.custody_on[booked],
        "removed_on": chunk.removed_on[booked],
    }


def _name(group: int, male: bool, given_u: float, surname_u: float) -> tuple[str, str]:
    g = GROUPS[group]
    given = g.male if male else g.female
    return given[int(given_u * len(given))], g.surnames[int(surname_u * len(g.surnames))]


class Scenario:
    """A synthetic population and its bookings, deterministic by seed.

    Parameters
    ----------
    people : int
        Residents to generate (>= 1).
    seed : int
        Seed (>= 0); the same seed gives the same scenario.
    calibration : Calibration, optional
        The model; :data:`~interop.population.calibration.CALIBRATION` by default.
    residence : iterable of str, optional
        Only people living in these states (USPS codes) or jurisdictions
        (ORIs); the status mix follows those places. Useful to study one
        state at a useful sample size.

    Raises
    ------
    ValueError
        On a bad ``people`` or ``seed``, or an unknown place in ``residence``.
    """

    def __init__(
        self,
        people: int,
        seed: int,
        *,
        calibration: Calibration = CALIBRATION,
        residence: frozenset[str] | set[str] | tuple[str, ...] | None = None,
    ) -> None:
        if not 1 <= people <= MAX_PEOPLE:
            raise ValueError(f"people must be in 1..{MAX_PEOPLE:,}, got {people}")
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        self.size = int(people)
        self.seed = int(seed)
        self.calibration = calibration
        self.residence = None if residence is None else frozenset(residence)
        self._tables = tables(calibration, self.residence)
        offset = np.random.SeedSequence(self.seed).generate_state(2, dtype=np.uint64)
        self._a_offset = int(offset[0]) % _A_MODULUS
        self._fbi_offset = int(offset[1]) % _FBI_MODULUS

    # ------------------------------------------------------------------ context

    @property
    def geography(self) -> Geography:
        """Jurisdictions and activation schedule (the same for every seed)."""
        return self._tables.geography

    @property
    def jurisdictions(self) -> tuple[Jurisdiction, ...]:
        """All jurisdictions, sorted by ORI."""
        return self.geography.jurisdictions

    @property
    def bureaus(self) -> tuple[StateBureau, ...]:
        """The State Identification Bureaus, by state code."""
        return self.geography.bureaus

    @property
    def scale(self) -> float:
        """Real-world residents each synthetic person stands for."""
        return self._tables.residents / self.size

    # ------------------------------------------------------------------ streams

    def chunks(self, progress: Progress | None = None) -> Iterator[Chunk]:
        """The population as array chunks of :data:`CHUNK_SIZE` people."""
        done = 0
        for k in range(-(-self.size // CHUNK_SIZE)):
            size = min(CHUNK_SIZE, self.size - done)
            yield generate_chunk(self.calibration, self.seed, k, size, self.residence)
            done += size
            if progress is not None:
                progress(done, self.size)

    def people(self, progress: Progress | None = None) -> Iterator[Person]:
        """Every person, in ``person_id`` order (streamed: one chunk in memory)."""
        for chunk in self.chunks(progress):
            yield from self.people_of(chunk)

    def people_of(self, chunk: Chunk) -> Iterator[Person]:
        """The people of one chunk, as :class:`Person` objects."""
        t = self._tables
        oris = t.geography.oris
        codes = t.offence_codes
        status = chunk.status.tolist()
        male = chunk.male.tolist()
        dob = chunk.date_of_birth.tolist()
        place = chunk.place.tolist()
        group = chunk.name_group.tolist()
        given_u = chunk.given_u.tolist()
        surname_u = chunk.surname_u.tolist()
        residence = chunk.residence.tolist()
        entered = chunk.entered.tolist()
        kinds = chunk.encounter_kind.tolist()
        ons = chunk.encounter_on.tolist()
        a_file = chunk.has_a_number.tolist()
        offsets = chunk.arrest_offsets.tolist()
        arrested = chunk.arrested_on.tolist()
        a_ori = chunk.arrest_ori.tolist()
        charge = chunk.charge.tolist()
        disposition = chunk.disposition.tolist()
        disposed = chunk.disposed_on.tolist()
        conviction = chunk.conviction.tolist()
        sentence = chunk.sentence_days.tolist()
        for i in range(chunk.size):
            serial = chunk.first + i
            a_number = self.a_number(serial) if a_file[i] else None
            encounters = tuple(
                sorted(
                    (
                        Encounter(KINDS[k], date.fromordinal(d), a_number)
                        for k, d in zip(kinds[i], ons[i], strict=True)
                        if k >= 0
                    ),
                    key=lambda e: e.on,
                )
            )
            lo, hi = offsets[i], offsets[i + 1]
            arrests = tuple(
                Arrest(
                    date.fromordinal(arrested[j]),
                    oris[a_ori[j]],
                    codes[charge[j]],
                    _DISPOSITIONS[disposition[j]],
                    _day(disposed[j]),
                    codes[conviction[j]] if conviction[j] >= 0 else None,
                    sentence[j] if sentence[j] >= 0 else None,
                )
                for j in range(lo, hi)
            )
            given, surname = _name(group[i], male[i], given_u[i], surname_u[i])
            yield Person(
                person_id=serial,
                given_name=given,
                surname=surname,
                date_of_birth=date.fromordinal(dob[i]),
                sex=Sex.MALE if male[i] else Sex.FEMALE,
                place_of_birth=t.places[place[i]],
                status=STATUSES[status[i]],
                residence_ori=oris[residence[i]],
                entered_us_on=_day(entered[i]),
                a_number=a_number,
                fbi_number=self.fbi_number(serial) if hi > lo else None,
                encounters=encounters,
                arrests=arrests,
            )

    def a_number(self, person_id: int) -> str:
        """The alien number of a person ("A" + 9 digits; unique in the population)."""
        value = 10_000_000 + (7_919 * person_id + self._a_offset) % _A_MODULUS
        return f"A{value:09d}"

    def fbi_number(self, person_id: int) -> str:
        """The FBI number (UCN) of a person: 6 digits, 2 letters, 1 digit (unique)."""
        value = (1_000_003 * person_id + self._fbi_offset) % _FBI_MODULUS
        digits, rest = divmod(value, 26 * 26 * 10)
        first, rest = divmod(rest, 26 * 10)
        second, last = divmod(rest, 10)
        return f"{digits:06d}{_LETTERS[first]}{_LETTERS[second]}{last}"

    def booking_table(self, chunks: Iterator[Chunk] | None = None) -> BookingTable:
        """All bookings as arrays, by time (from ``chunks``, else generated anew)."""
        start = self.calibration.start.toordinal()
        source = self.chunks() if chunks is None else chunks
        return BookingTable([_booking_arrays(self._tables, c, start) for c in source])

    @cached_property
    def _bookings(self) -> BookingTable:
        return self.booking_table()

    def bookings(self, table: BookingTable | None = None) -> Iterator[Booking]:
        """Every booking from the scenario's first day, in time order.

        Only the bookings are kept in memory (as arrays), not the people.
        """
        t = self._tables
        oris = t.geography.oris
        d = (self._bookings if table is None else table).data
        cols = {k: v.tolist() for k, v in d.items()}
        for n in range(len(cols["day"])):
            day = date.fromordinal(cols["day"][n])
            given, surname = _name(
                cols["name_group"][n], cols["male"][n], cols["given_u"][n], cols["surname_u"][n]
            )
            truth = BookingTruth(
                submitted=cols["submitted"][n],
                in_ident=cols["in_ident"][n],
                ident_match=cols["matched"][n],
                match_level=_MATCH_LEVELS[cols["match_level"][n]],
                priority_level=_LEVELS[cols["level"][n]],
                ice_custody_on=_day(cols["custody_on"][n]),
                removed_on=_day(cols["removed_on"][n]),
            )
            yield Booking(
                booking_id=n,
                booked_at=datetime.combine(day, datetime.min.time())
                + timedelta(seconds=cols["seconds"][n]),
                ori=oris[cols["ori"][n]],
                person_id=cols["person"][n],
                given_name=given,
                surname=surname,
                date_of_birth=date.fromordinal(cols["date_of_birth"][n]),
                sex=Sex.MALE if cols["male"][n] else Sex.FEMALE,
                place_of_birth=t.places[cols["place"][n]],
                charge=t.offence_codes[cols["charge"][n]],
                truth=truth,
            )

    # --------------------------------------------------------------- statistics

    def statistics(
        self,
        through: date,
        *,
        since: date | None = None,
        states: frozenset[str] | set[str] | tuple[str, ...] | None = None,
        table: BookingTable | None = None,
    ) -> InteroperabilityStatistics:
        """ICE's interoperability statistics for bookings ``since`` .. ``through``.

        Parameters
        ----------
        through : date
            Last day counted (bookings, custody and removals).
        since : date, optional
            First booking day counted; the scenario's first day by default.
        states : iterable of str, optional
            Only bookings in these states (USPS codes).
        table : optional
            A :meth:`booking_table` already built (else the scenario's own).

        Returns
        -------
        InteroperabilityStatistics
        """
        d = (self._bookings if table is None else table).data
        first = self.calibration.start if since is None else since
        last = through.toordinal()
        sel = (d["day"] >= first.toordinal()) & (d["day"] <= last)
        if states is not None:
            codes = self.geography.state_codes
            wanted = [codes.index(s) for s in states]
            sel &= np.isin(d["state"], wanted)
        matched = sel & d["matched"]
        custody = matched & (d["custody_on"] != NO_DATE) & (d["custody_on"] <= last)
        removed = matched & (d["removed_on"] != NO_DATE) & (d["removed_on"] <= last)

        def by_level(mask: npt.NDArray[np.bool_]) -> tuple[int, int, int, int]:
            counts = np.bincount(d["level"][mask], minlength=5)
            return int(counts[1]), int(counts[2]), int(counts[3]), int(counts[4])

        return InteroperabilityStatistics(
            since=first,
            through=through,
            submissions=int(np.count_nonzero(sel & d["submitted"])),
            matches=int(np.count_nonzero(matched)),
            matches_level_1=int(np.count_nonzero(matched & (d["match_level"] == 1))),
            custody=by_level(custody),
            removals=by_level(removed),
            citizens_in_custody=int(np.count_nonzero(custody & np.isin(d["status"], _CITIZENS))),
        )
