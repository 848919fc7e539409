"""Bookings a pipeline_load.py run must get "wrong" because earlier bookings were never sent.

``pipeline_load.py --schema S --skip-bookings N`` replays from booking N on,
assuming earlier runs on S sent bookings 0 to N - 1. When they did not (a
window left out by mistake), the people booked in the gap were never
enrolled by the FBI, nor their DHS encounters by IDENT, so a later booking
of theirs cannot meet the ground truth: the FBI finds no earlier record
(``criminal_identified``), IDENT no encounter (``ident_match``). This counts
them, for comparing with the run's ``wrong_fields``::

    .venv/bin/python benchmarks/pipeline_skipped.py --people 480000 \\
        --sent 0:10000 12000:13500 16000:22000 --window 20000:22000
"""

from __future__ import annotations

import argparse
from datetime import date
from itertools import islice

from interop.population import Scenario


def _range(text: str) -> range:
    start, _, stop = text.partition(":")
    return range(int(start), int(stop))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2010, 6, 1))
    parser.add_argument("--sent", type=_range, nargs="+", required=True, help="START:STOP ...")
    parser.add_argument("--window", type=_range, required=True, help="START:STOP checked")
    args = parser.parse_args()

    scenario = Scenario(people=args.people, seed=args.seed)
    chunks = list(scenario.chunks())
    table = scenario.booking_table(iter(chunks))
    bookings = list(
        islice(
            (b for b in scenario.bookings(table) if args.as_of <= b.booked_at.date()),
            args.window.stop,
        )
    )
    wanted = {b.person_id for b in bookings}
    persons = {
        p.person_id: p for c in chunks for p in scenario.people_of(c) if p.person_id in wanted
    }

    def sent(i: int) -> bool:
        return any(i in r for r in args.sent)

    # encounters are replayed before the bookings of their day: those between
    # two unsent bookings were not sent either
    gaps, start = [], None
    for i in range(args.window.start):
        if not sent(i) and start is None:
            start = i
        if sent(i) and start is not None:
            gaps.append((bookings[start].booked_at.date(), bookings[i - 1].booked_at.date()))
            start = None
    if start is not None:
        gaps.append(
            (bookings[start].booked_at.date(), bookings[args.window.start - 1].booked_at.date())
        )

    criminal = ident = 0
    for i in args.window:
        booking = bookings[i]
        person = persons[booking.person_id]
        prior = any(a.arrested_on < args.as_of for a in person.arrests)
        earlier = [j for j in range(i) if bookings[j].person_id == booking.person_id]
        if not prior and earlier and not any(sent(j) for j in earlier):
            criminal += 1
        if booking.truth.submitted and booking.truth.in_ident:
            day = booking.booked_at.date()
            seen = [
                e
                for e in person.encounters
                if e.on < day and (e.on < args.as_of or not any(a <= e.on <= b for a, b in gaps))
            ]
            if not seen and any(e.on < day for e in person.encounters):
                ident += 1
    print(
        f"bookings {args.window.start:,}-{args.window.stop - 1:,}: "
        f"{criminal} criminal_identified and {ident} ident_match expected "
        "but made impossible by bookings never sent"
    )


if __name__ == "__main__":
    main()
