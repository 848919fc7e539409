"""The portable file format of a scenario: JSON Lines (one JSON object a line).

A file (UTF-8; gzip-compressed when its name ends in ``.gz``) holds, in
this order, records told apart by their ``"type"``:

``header`` (one)
    ``format`` (``"interop.population/1"``), ``people``, ``seed``,
    ``residence`` (list of states/ORIs or null), ``scenario_start``,
    ``scenario_end`` (ISO dates) and ``scale`` (real residents per person).
``state_bureau`` (one per state and DC)
    :meth:`interop.population.model.StateBureau.to_record`: ``state``,
    ``name``, ``ori``, ``moa_signed_on``, ``moa_terminated_on``.
``jurisdiction`` (one per county-equivalent, by ORI)
    :meth:`~interop.population.model.Jurisdiction.to_record`: ``ori``,
    ``name``, ``kind``, ``state``, ``population``, ``foreign_born_share``,
    ``annual_bookings``, ``activated_on``.
``person`` (one per person, by ``person_id``)
    :meth:`~interop.population.model.Person.to_record`: identity (``given_name``,
    ``surname``, ``date_of_birth``, ``sex``, ``place_of_birth``), ``status``,
    ``residence_ori``, ``entered_us_on``, ``a_number``, ``fbi_number``, and
    nested ``encounters`` (``kind``, ``on``, ``a_number``) and ``arrests``
    (``arrested_on``, ``ori``, ``charge``, ``disposition``, ``disposed_on``,
    ``conviction``, ``sentence_days``).
``booking`` (one per booking, in time order)
    :meth:`~interop.population.model.Booking.to_record`: ``booking_id``,
    ``booked_at`` (ISO date-time, local), ``ori``, ``person_id``, the CAR's
    descriptive fields, ``charge``, and the ground truth under ``truth``
    (``submitted``, ``in_ident``, ``ident_match``, ``match_level``,
    ``priority_level``, ``ice_custody_on``, ``removed_on``).
``summary`` (one, last)
    ``people``, ``bookings``, ``submissions``, ``matches``.

Dates are ISO 8601 strings; absent values are ``null``. Codes: NCIC offence
codes (4 digits), ORIs (9 characters), A-numbers (``"A"`` + 9 digits),
places of birth as ISO 3166-2 (``"US-TX"``) or ISO 3166-1 alpha-2 (``"MX"``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from interop.population.generator import Chunk
from interop.population.model import Booking, Jurisdiction, Person, StateBureau
from interop.population.scenario import Progress, Scenario

__all__ = ["FORMAT", "FileSummary", "read_jsonl", "read_objects", "write_jsonl"]

FORMAT = "interop.population/1"
"""Value of the header's ``format`` field."""


@dataclass(frozen=True)
class FileSummary:
    """What :func:`write_jsonl` wrote."""

    people: int
    bookings: int
    submissions: int
    matches: int


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return cast("IO[str]", gzip.open(path, mode + "t", encoding="utf-8"))
    return path.open(mode, encoding="utf-8")


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_jsonl(
    scenario: Scenario,
    path: Path,
    *,
    progress: Progress | None = None,
    booking_progress: Progress | None = None,
) -> FileSummary:
    """Write a scenario as JSON Lines (format in the module docstring).

    People are generated and written one chunk at a time; only the bookings
    (as arrays) are kept until the end, to be written in time order.

    Parameters
    ----------
    scenario : Scenario
    path : Path
        Destination; compressed with gzip if it ends in ``.gz``.
    progress : callable, optional
        ``progress(people_done, people_total)`` after each chunk of people.
    booking_progress : callable, optional
        ``progress(bookings_done, bookings_total)`` while writing bookings.

    Returns
    -------
    FileSummary
    """
    cal = scenario.calibration
    with _open(path, "w") as out:
        out.write(
            _line(
                {
                    "type": "header",
                    "format": FORMAT,
                    "people": scenario.size,
                    "seed": scenario.seed,
                    "residence": None if scenario.residence is None else sorted(scenario.residence),
                    "scenario_start": cal.start.isoformat(),
                    "scenario_end": cal.end.isoformat(),
                    "scale": scenario.scale,
                }
            )
        )
        for bureau in scenario.bureaus:
            out.write(_line(bureau.to_record()))
        for jurisdiction in scenario.jurisdictions:
            out.write(_line(jurisdiction.to_record()))

        def written() -> Iterator[Chunk]:
            for chunk in scenario.chunks(progress):
                out.writelines(_line(p.to_record()) for p in scenario.people_of(chunk))
                yield chunk

        # Only each chunk's bookings (as arrays) outlive the chunk.
        table = scenario.booking_table(written())
        total = len(table)
        submissions = matches = 0
        for n, booking in enumerate(scenario.bookings(table), start=1):
            submissions += booking.truth.submitted
            matches += booking.truth.ident_match
            out.write(_line(booking.to_record()))
            if booking_progress is not None and (n % 10_000 == 0 or n == total):
                booking_progress(n, total)
        out.write(
            _line(
                {
                    "type": "summary",
                    "people": scenario.size,
                    "bookings": total,
                    "submissions": submissions,
                    "matches": matches,
                }
            )
        )
    return FileSummary(scenario.size, total, submissions, matches)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a file written by :func:`write_jsonl`, as ``dict`` s.

    Raises
    ------
    ValueError
        If the first record is not a header of this format.
    """
    with _open(path, "r") as lines:
        for n, line in enumerate(lines):
            record: dict[str, Any] = json.loads(line)
            if n == 0 and (record.get("type") != "header" or record.get("format") != FORMAT):
                raise ValueError(f"{path}: not an {FORMAT} file")
            yield record


def read_objects(
    path: Path,
) -> Iterator[dict[str, Any] | StateBureau | Jurisdiction | Person | Booking]:
    """The records of a file as domain objects (header and summary stay ``dict`` s)."""
    decoders: dict[str, Callable[[dict[str, Any]], StateBureau | Jurisdiction | Person | Booking]]
    decoders = {
        "state_bureau": StateBureau.from_record,
        "jurisdiction": Jurisdiction.from_record,
        "person": Person.from_record,
        "booking": Booking.from_record,
    }
    for record in read_jsonl(path):
        decode = decoders.get(record["type"])
        yield record if decode is None else decode(record)
