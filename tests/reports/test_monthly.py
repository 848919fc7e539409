"""The monthly interoperability statistics from a store with known bookings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interop.cli import app
from interop.reports import CSV_COLUMNS, Scope, monthly_statistics, to_html
from interop.store import Store
from interop.store.models import (
    Case,
    DetainerRecord,
    ImmigrationEncounter,
    ImmigrationSubject,
    Jurisdiction,
    State,
)

KANE, COOK, HARRIS = "IL0450000", "IL0160000", "TX1010000"


def _case(
    tcn: str,
    ori: str,
    on: date,
    *,
    forwarded: bool,
    level: int | None = None,
    a_number: str | None = None,
) -> Case:
    return Case(
        tcn=tcn,
        ori=ori,
        state=ori[:2],
        booked_on=on,
        submitted_at=datetime.combine(on, datetime.min.time(), UTC),
        final=True,
        forwarded_to_ident=forwarded,
        ident_match=level is not None,
        priority_level=level,
        a_number=a_number,
    )


def _world(store: Store) -> None:
    with store.session() as s:
        s.add_all([State(code="IL", name="Illinois"), State(code="TX", name="Texas")])
        s.flush()
        for ori, on in ((KANE, date(2009, 11, 24)), (COOK, None), (HARRIS, date(2008, 10, 27))):
            s.add(
                Jurisdiction(
                    ori=ori, state=ori[:2], name=ori, time_zone="America/Chicago", activated_on=on
                )
            )
        for a in ("A000000001", "A000000002", "A000000003"):
            s.add(
                ImmigrationSubject(
                    a_number=a,
                    surname="X",
                    given_name="Y",
                    date_of_birth=date(1980, 1, 1),
                    sex="M",
                    place_of_birth="MX",
                    status="unlawful",
                    citizen=False,
                )
            )
        s.flush()
        s.add_all(
            [
                _case("T1", KANE, date(2010, 3, 1), forwarded=True, level=1, a_number="A000000001"),
                _case("T2", KANE, date(2010, 3, 9), forwarded=True),
                _case("T3", COOK, date(2010, 3, 9), forwarded=False),
                _case(
                    "T4", HARRIS, date(2010, 3, 20), forwarded=True, level=4, a_number="A000000002"
                ),
                _case(
                    "T5", HARRIS, date(2010, 4, 2), forwarded=True, level=3, a_number="A000000003"
                ),
                _case("T6", HARRIS, date(2010, 5, 2), forwarded=True),  # after the report
            ]
        )
        s.flush()
        for tcn, a, ended in (
            ("T1", "A000000001", datetime(2010, 3, 3, tzinfo=UTC)),
            ("T4", "A000000002", datetime(2010, 4, 1, tzinfo=UTC)),
        ):
            s.add(
                DetainerRecord(
                    tcn=tcn,
                    a_number=a,
                    field_office="X",
                    ori="X",
                    lodged_at=ended,
                    status="honoured",
                    ended_at=ended,
                )
            )
        s.add(ImmigrationEncounter(a_number="A000000002", kind="removal", on=date(2010, 4, 20)))
        s.add(ImmigrationEncounter(a_number="A000000003", kind="removal", on=date(2009, 1, 5)))


def test_national_rows_month_by_month_and_cumulative(store: Store) -> None:
    _world(store)
    with store.session() as s:
        rows = monthly_statistics(s, date(2010, 4, 30))
    assert [(r.area, r.month) for r in rows] == [("US", date(2010, 3, 1)), ("US", date(2010, 4, 1))]
    march, april = rows
    assert (march.submissions, march.matches) == (3, 2)  # Cook was not activated
    assert march.matches_by_level == [1, 0, 0, 1]
    assert march.custody_by_level == [1, 0, 0, 0]
    assert (april.submissions, april.matches_by_level) == (1, [0, 0, 1, 0])
    assert april.custody_by_level == [0, 0, 0, 1]
    # the removal of the non-criminal matched in March, in April; the 2009
    # removal came before the person's booking: not the program's
    assert april.removals_by_level == [0, 0, 0, 1] and march.removals_by_level == [0, 0, 0, 0]
    assert april.cumulative_submissions == 4 and april.cumulative_matches == 3
    assert april.cumulative_matches_by_level == [1, 0, 1, 1]
    assert april.cumulative_custody_by_level == [1, 0, 0, 1]


def test_state_and_jurisdiction_rows(store: Store) -> None:
    _world(store)
    with store.session() as s:
        states = monthly_statistics(s, date(2010, 4, 30), scope=Scope.STATE)
        places = monthly_statistics(s, date(2010, 4, 30), scope=Scope.JURISDICTION)
        since = monthly_statistics(s, date(2010, 4, 30), since=date(2010, 4, 1))
    last = {r.area: r for r in states if r.month == date(2010, 4, 1)}
    assert last["IL"].cumulative_submissions == 2 and last["TX"].cumulative_submissions == 2
    assert last["TX"].cumulative_removals_by_level == [0, 0, 0, 1]
    kane = [r for r in places if r.area == KANE]
    assert kane[0].activated_on == date(2009, 11, 24) and kane[-1].cumulative_matches == 1
    cook = [r for r in places if r.area == COOK]
    assert cook and all(r.submissions == 0 for r in cook)
    assert len(since) == 1 and since[0].cumulative_submissions == 4


def test_the_report_command_writes_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEROP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTEROP_DATABASE_URL", raising=False)
    store = Store.open()
    _world(store)
    store.close()
    out = tmp_path / "report.csv"
    result = CliRunner().invoke(
        app, ["report", str(out), "--through", "2010-04", "--scope", "state"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert tuple(rows[0]) == CSV_COLUMNS
    texas = [r for r in rows if r["area"] == "TX" and r["month"] == "2010-04"]
    assert texas[0]["cumulative_removals_non_criminal"] == "1"
    assert texas[0]["custody_non_criminal"] == "1"
    pdf = tmp_path / "report.pdf"
    made = CliRunner().invoke(app, ["report", str(pdf), "--through", "2010-04", "--format", "pdf"])
    assert made.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF-")
    piped = CliRunner().invoke(app, ["report", "-", "--through", "2010-04", "--format", "pdf"])
    assert piped.exit_code == 2
    bad = CliRunner().invoke(app, ["report", str(out), "--through", "2010-13"])
    assert bad.exit_code == 2
    wrong = CliRunner().invoke(app, ["report", str(out), "--through", "2010-04", "--format", "xls"])
    assert wrong.exit_code == 2


def test_the_html_report_is_one_accessible_table_per_area(store: Store) -> None:
    from html.parser import HTMLParser

    _world(store)
    with store.session() as s:
        rows = monthly_statistics(s, date(2010, 4, 30), scope=Scope.JURISDICTION)
    page = to_html(rows, "Statistics <through> April")

    class Counter(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: dict[str, int] = {}
            self.scoped = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags[tag] = self.tags.get(tag, 0) + 1
            self.scoped += tag == "th" and any(k == "scope" for k, _ in attrs)

    parsed = Counter()
    parsed.feed(page)
    areas = {r.area for r in rows}
    assert parsed.tags["table"] == parsed.tags["caption"] == len(areas) == 3
    assert parsed.scoped == parsed.tags["th"]  # every header says what it heads
    assert "&lt;through&gt;" in page and "<script" not in page and "http" not in page
    assert f"{KANE}, activated 2009-11-24" in page


def test_the_pdf_report(store: Store, tmp_path: Path) -> None:
    from interop.reports.pdf import to_pdf

    _world(store)
    with store.session() as s:
        rows = monthly_statistics(s, date(2010, 4, 30), scope=Scope.STATE)
    data = to_pdf(rows, "Statistics through April 2010")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 3  # chart + IL + TX
    assert to_pdf([], "Nothing").startswith(b"%PDF-")


def test_the_pdf_opens_and_its_pages_show_the_tables(store: Store, tmp_path: Path) -> None:
    import numpy as np
    import pypdfium2 as pdfium

    from interop.reports.pdf import to_pdf

    _world(store)
    with store.session() as s:
        rows = monthly_statistics(s, date(2010, 4, 30), scope=Scope.STATE)
    pdf = pdfium.PdfDocument(to_pdf(rows, "Statistics through April 2010"))
    texts = [pdf[k].get_textpage().get_text_range() for k in range(len(pdf))]
    tables = [t for t in texts if "IL" in t and "2010-04" in t]
    assert tables, texts
    # rendered, the table page has ink on it: dark pixels, and not only dark
    k = texts.index(tables[0])
    image = pdf[k].render(scale=1.0).to_pil().convert("L")
    image.save(tmp_path / "table-page.png")
    pixels = np.asarray(image)
    assert (pixels < 128).mean() > 0.001 and (pixels > 200).mean() > 0.5
    cumulative = next(r for r in rows if r.area == "IL" and r.month == date(2010, 4, 1))
    assert str(cumulative.cumulative_submissions) in tables[0]
