"""The overview pages: the nation, a state, a jurisdiction; and the report downloads.

Each page is a plain function from a :class:`~interop.web.dashboard.common.View`
(and its parameters) to the markup of ``<main>``; the routes
(:mod:`interop.web.dashboard.routes`) wrap them in the page frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from interop.reports.monthly import MonthlyRow, Scope
from interop.web.dashboard import charts, queries
from interop.web.dashboard.common import View, last_rows
from interop.web.dashboard.html import Markup, el, link, table, url
from interop.web.dashboard.layout import (
    chart_block,
    day,
    empty,
    instant,
    level_name,
    yes_no,
)

__all__ = [
    "REPORT_FORMATS",
    "TOP_STATES",
    "jurisdiction_page",
    "national_page",
    "state_page",
]

TOP_STATES = 8
"""States drawn one by one on the national activation chart; the rest are summed."""

REPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "html": ("text/html; charset=utf-8", "HTML"),
    "pdf": ("application/pdf", "PDF"),
}
"""Download formats: media type and name."""

LEVEL_COLUMNS = ("L1", "L2", "L3", "NC")


def _quarter_ends(first: date, last: date) -> list[date]:
    """First days of the quarters after ``first``'s, up to the first after ``last``."""
    out = []
    year, month = first.year, (first.month - 1) // 3 * 3 + 1
    while True:
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
        out.append(date(year, month, 1))
        if out[-1] > last:
            return out


def _activation_series(days: Mapping[str, list[date]]) -> dict[str, list[date]]:
    ranked = sorted(days, key=lambda s: (-len(days[s]), s))
    series = {s: days[s] for s in ranked[:TOP_STATES]}
    rest = sorted(d for s in ranked[TOP_STATES:] for d in days[s])
    if rest:
        series[f"Other {len(ranked) - TOP_STATES} states"] = rest
    return series


def _activation_block(
    view: View, chart_id: str, days: Mapping[str, list[date]], where: str
) -> Markup:
    series = _activation_series(days)
    svg = view.cached(
        ("chart", chart_id),
        lambda: charts.inline_svg(
            charts.activation_chart(series),
            chart_id,
            f"Jurisdictions activated over time, {where}",
            "Step lines: for each series, the number of jurisdictions activated on or "
            "before each day. " + "; ".join(f"{k}: {len(v)}" for k, v in series.items()) + ".",
        ),
    )
    every = sorted(d for v in series.values() for d in v)
    rows = []
    if every:
        for end in _quarter_ends(every[0], every[-1]):
            counts = [sum(1 for d in v if d < end) for v in series.values()]
            rows.append([(end - timedelta(days=1)).isoformat(), *counts, sum(counts)])
    data = table(
        f"Jurisdictions activated, cumulative, {where}",
        ["Quarter ending", *series, "Total"],
        rows,
        numeric=range(1, len(series) + 2),
    )
    total = sum(len(v) for v in days.values())
    return chart_block(
        chart_id,
        "Activation timeline",
        svg,
        f"{total:,} jurisdictions activated {where}, by activation date.",
        data,
    )


def _by_level(counts: Sequence[int]) -> str:
    return ", ".join(f"{n} {v}" for n, v in zip(charts.LEVEL_LABELS, counts, strict=True))


def _levels_block(view: View, chart_id: str, rows: Sequence[MonthlyRow], where: str) -> Markup:
    months = [r.month for r in rows]
    matches = [r.cumulative_matches_by_level for r in rows]
    removals = [r.cumulative_removals_by_level for r in rows]
    last = rows[-1] if rows else None
    summary = (
        f"Through {last.month:%Y-%m}: {last.cumulative_matches:,} IDENT matches "
        f"({_by_level(matches[-1])}); {sum(removals[-1]):,} removals ({_by_level(removals[-1])})."
        if last is not None
        else "No bookings yet."
    )
    svg = view.cached(
        ("chart", chart_id, len(rows)),
        lambda: charts.inline_svg(
            charts.levels_chart(months, matches, removals),
            chart_id,
            f"IDENT matches and removals by priority level over time, {where}",
            "Two line charts of cumulative counts per month, one line per level. " + summary,
        ),
    )
    data = table(
        f"Cumulative IDENT matches and removals by level, {where}",
        [
            "Month",
            *(f"Matches {c}" for c in LEVEL_COLUMNS),
            *(f"Removals {c}" for c in LEVEL_COLUMNS),
        ],
        [
            [
                r.month.strftime("%Y-%m"),
                *r.cumulative_matches_by_level,
                *r.cumulative_removals_by_level,
            ]
            for r in rows
        ],
        numeric=range(1, 9),
    )
    return chart_block(chart_id, "Matches and removals by level", svg, summary, data)


def _share(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else float("nan")


def _percent(part: int, whole: int) -> str:
    return f"{_share(part, whole):.0f}%" if whole else "-"


def _non_criminal(row: MonthlyRow) -> tuple[int, int, int, int]:
    """Non-criminal and all classified matches, non-criminal and all removals (cumulative)."""
    matches, removals = row.cumulative_matches_by_level, row.cumulative_removals_by_level
    return matches[3], sum(matches), removals[3], sum(removals)


def _share_block(
    view: View,
    area_rows: Mapping[str, MonthlyRow],
    what: str = "state",
    chart_id: str = "non-criminal-share",
) -> Markup:
    """The non-criminal share of matches and removals of each area (a state
    or a jurisdiction, ``what``) that has any: a chart and its data table."""
    figures = {
        area: _non_criminal(row)
        for area, row in sorted(area_rows.items())
        if any(_non_criminal(row)[1::2])
    }
    areas = list(figures)
    matches = [_share(nm, m) for nm, m, _, _ in figures.values()]
    removals = [_share(nv, v) for _, _, nv, v in figures.values()]
    description = "; ".join(
        f"{a}: {_percent(nm, m)} of matches, {_percent(nv, v)} of removals"
        for a, (nm, m, nv, v) in figures.items()
    )
    svg = view.cached(
        ("chart", chart_id),
        lambda: charts.inline_svg(
            charts.share_chart(areas, matches, removals),
            chart_id,
            f"Non-criminal share of IDENT matches and of removals, by {what}",
            f"Horizontal bars, two per {what}: the percentage of its classified "
            "matches, and of its removals, that were non-criminal. " + description,
        ),
    )
    rows = [
        [a, m, nm, _percent(nm, m), v, nv, _percent(nv, v)] for a, (nm, m, nv, v) in figures.items()
    ]
    data = table(
        f"Non-criminal share by {what} (cumulative)",
        [
            what.capitalize(),
            "Classified matches",
            "Non-criminal matches",
            "Share",
            "Removals",
            "Non-criminal removals",
            "Share",
        ],
        rows,
        numeric=range(1, 7),
    )
    return chart_block(
        chart_id,
        f"Non-criminal share by {what}",
        svg,
        f"Each {what} with at least one classified match or removal. A share is left "
        f"out where its {what} has none.",
        data,
    )


def _downloads(root: str, through: date | None) -> Markup:
    month = through.strftime("%Y-%m") if through is not None else None
    items = []
    for scope, scope_name in (
        ("national", "national rows"),
        ("state", "one row per state"),
        ("jurisdiction", "one row per jurisdiction"),
    ):
        links = [
            link(
                f"Monthly statistics, {scope_name}, {name}",
                url(f"{root}/downloads/monthly.{fmt}", scope=scope, through=month),
            )
            for fmt, (_, name) in REPORT_FORMATS.items()
        ]
        items.append(el("li", _join(links, Markup(" | "))))
    return el(
        "section",
        el("h2", "Downloads", id="downloads-heading"),
        el(
            "p",
            "ICE's monthly IDENT/IAFIS Interoperability Statistics from this store"
            + (f", through {through:%B %Y}" if through else "")
            + ": submissions, matches, custody and removals by level, per month and "
            "cumulative.",
        ),
        el("ul", items),
        id="downloads",
        aria_labelledby="downloads-heading",
    )


def _join(items: Sequence[Markup], separator: Markup) -> list[Markup]:
    out: list[Markup] = []
    for i, item in enumerate(items):
        if i:
            out.append(separator)
        out.append(item)
    return out


def national_page(view: View, root: str) -> list[Markup]:
    """The nation: activation by state, matches and removals by level, shares, states."""
    states = view.cached(("states",), lambda: queries.states(view.session))
    days = view.cached(("activation-days",), lambda: queries.activation_days(view.session))
    national = view.statistics(Scope.NATIONAL)
    by_state = last_rows(view.statistics(Scope.STATE))
    activated = sum(s.activated for s in states)
    bookings = sum(s.bookings for s in states)
    intro = el(
        "p",
        f"{activated:,} of {sum(s.jurisdictions for s in states):,} jurisdictions in "
        f"{sum(1 for s in states if s.activated)} states are activated; the store holds "
        f"{bookings:,} bookings"
        + (f", the latest booked on {view.through.isoformat()}." if view.through else "."),
    )
    state_rows = []
    for s in states:
        r = by_state.get(s.code)
        state_rows.append(
            [
                link(f"{s.name} ({s.code})", url(f"{root}/states", s.code)),
                s.jurisdictions,
                s.activated,
                day(s.first_activation) or "-",
                s.bookings,
                r.cumulative_submissions if r else 0,
                r.cumulative_matches if r else 0,
                sum(r.cumulative_removals_by_level) if r else 0,
            ]
        )
    return [
        intro,
        _activation_block(view, "activation-national", days, "by state"),
        _levels_block(view, "levels-national", national, "nationwide"),
        _share_block(view, by_state),
        el(
            "section",
            el("h2", "States", id="states-heading"),
            table(
                "States: jurisdictions, activation and figures (cumulative)",
                [
                    "State",
                    "Jurisdictions",
                    "Activated",
                    "First activation",
                    "Bookings",
                    "Submissions to IDENT",
                    "IDENT matches",
                    "Removals",
                ],
                state_rows,
                numeric=range(1, 8),
            ),
            aria_labelledby="states-heading",
        ),
        _downloads(root, view.through),
    ]


def state_page(view: View, root: str, code: str, name: str) -> list[Markup]:
    """A state: its activation timeline, its figures by level, its jurisdictions."""
    days = queries.activation_days(view.session, code)
    rows = [r for r in view.statistics(Scope.STATE) if r.area == code]
    by_ori = last_rows(view.statistics(Scope.JURISDICTION))
    places = queries.jurisdictions(view.session, code)
    listed = []
    for j in places:
        r = by_ori.get(j.ori)
        listed.append(
            [
                link(j.name, url(f"{root}/jurisdictions", j.ori)),
                j.ori,
                day(j.activated_on) or "not activated",
                day(j.deactivated_on) or "-",
                j.bookings,
                r.cumulative_submissions if r else 0,
                r.cumulative_matches if r else 0,
                sum(r.cumulative_removals_by_level) if r else 0,
            ]
        )
    return [
        el(
            "p",
            f"{sum(1 for j in places if j.activated_on):,} of {len(places):,} "
            f"jurisdictions of {name} activated; {sum(j.bookings for j in places):,} bookings.",
        ),
        _activation_block(view, "activation-state", {code: days.get(code, [])}, f"in {name}"),
        _levels_block(view, "levels-state", rows, f"in {name}"),
        _share_block(
            view,
            {j.ori: by_ori[j.ori] for j in places if j.ori in by_ori},
            "jurisdiction",
            "non-criminal-share-state",
        ),
        el(
            "section",
            el("h2", "Jurisdictions", id="jurisdictions-heading"),
            table(
                f"Jurisdictions of {name}: activation and figures (cumulative)",
                [
                    "Jurisdiction",
                    "ORI",
                    "Activated on",
                    "Deactivated on",
                    "Bookings",
                    "Submissions to IDENT",
                    "IDENT matches",
                    "Removals",
                ],
                listed,
                numeric=range(4, 8),
            ),
            aria_labelledby="jurisdictions-heading",
        ),
    ]


def jurisdiction_page(view: View, root: str, place: queries.JurisdictionRow) -> list[Markup]:
    """A jurisdiction: its facts, monthly figures and recent bookings (by TCN)."""
    rows = [r for r in view.statistics(Scope.JURISDICTION) if r.area == place.ori]
    months = [r.month for r in rows]
    chart_id = "monthly-jurisdiction"
    summary = (
        f"{rows[-1].cumulative_submissions:,} submissions to IDENT and "
        f"{rows[-1].cumulative_matches:,} IDENT matches from {months[0]:%Y-%m} "
        f"through {months[-1]:%Y-%m}."
        if rows
        else "No bookings from this jurisdiction yet."
    )
    svg = view.cached(
        ("chart", chart_id, place.ori),
        lambda: charts.inline_svg(
            charts.monthly_chart(months, [r.submissions for r in rows], [r.matches for r in rows]),
            chart_id,
            f"Submissions to IDENT and IDENT matches per month, {place.name}",
            "Bars, two per month. " + summary,
        ),
    )
    monthly = table(
        f"Monthly figures of {place.name}",
        [
            "Month",
            "Submissions",
            "Matches",
            *(f"Matches {c}" for c in LEVEL_COLUMNS),
            "Into ICE custody",
            *(f"Removals {c}" for c in LEVEL_COLUMNS),
            "Cumulative submissions",
            "Cumulative matches",
        ],
        [
            [
                r.month.strftime("%Y-%m"),
                r.submissions,
                r.matches,
                *r.matches_by_level,
                sum(r.custody_by_level),
                *r.removals_by_level,
                r.cumulative_submissions,
                r.cumulative_matches,
            ]
            for r in rows
        ],
        numeric=range(1, 14),
    )
    bookings = queries.recent_bookings(view.session, place.ori)
    booking_rows = [
        [
            link(b.tcn, url(f"{root}/bookings", b.tcn), aria_label=f"Journey of booking {b.tcn}"),
            b.booked_on.isoformat(),
            instant(b.submitted_at),
            b.stage + (" (final)" if b.final else ""),
            yes_no(b.forwarded_to_ident),
            yes_no(b.ident_match),
            level_name(b.priority_level),
            yes_no(b.detainer_lodged),
        ]
        for b in bookings
    ]
    facts = el(
        "dl",
        el("dt", "ORI"),
        el("dd", place.ori),
        el("dt", "State"),
        el("dd", link(place.state, url(f"{root}/states", place.state))),
        el("dt", "Time zone"),
        el("dd", place.time_zone),
        el("dt", "Activated on"),
        el("dd", day(place.activated_on) or "not activated"),
        el("dt", "Deactivated on"),
        el("dd", day(place.deactivated_on) or "-"),
        el("dt", "Bookings"),
        el("dd", f"{place.bookings:,}"),
        class_="facts",
    )
    return [
        facts,
        chart_block(
            chart_id,
            "Submissions and matches per month",
            svg,
            summary,
            table(
                f"Submissions to IDENT and IDENT matches per month, {place.name}",
                ["Month", "Submissions", "Matches"],
                [[r.month.strftime("%Y-%m"), r.submissions, r.matches] for r in rows],
                numeric=(1, 2),
            ),
        ),
        el(
            "section",
            el("h2", "Monthly figures", id="monthly-heading"),
            monthly if rows else empty("No figures yet."),
            aria_labelledby="monthly-heading",
        ),
        el(
            "section",
            el("h2", "Recent bookings", id="bookings-heading"),
            el(
                "p",
                f"The latest {len(bookings)} bookings, newest first, by transaction control "
                "number (TCN); follow one for its journey through the agencies.",
            ),
            table(
                f"Recent bookings of {place.name}",
                [
                    "TCN",
                    "Booked on",
                    "Submitted at",
                    "Stage",
                    "Forwarded to IDENT",
                    "IDENT match",
                    "Level",
                    "Detainer",
                ],
                booking_rows,
            ),
            aria_labelledby="bookings-heading",
        ),
    ]
