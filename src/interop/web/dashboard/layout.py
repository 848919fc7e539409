"""The frame every dashboard page shares, a chart with its data table, and formats.

A page is ``<html lang="en">`` with a skip link, a ``<header>`` holding the
site navigation, a breadcrumb ``<nav>``, one ``<main>`` that starts with the
page's only ``<h1>``, and a ``<footer>``. Charts come as
:func:`chart_block`: a heading, the SVG in a ``<figure>``, a caption, and the
chart's numbers as a table in a ``<details>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse

from interop.web.dashboard.html import Markup, details, el, link

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "base",
    "chart_block",
    "day",
    "duration",
    "empty",
    "hash_text",
    "instant",
    "level_name",
    "page",
    "yes_no",
]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""No script at all, styles from the app (and the SVGs' own attributes), no framing."""


def base(request: Request) -> str:
    """The dashboard's path under the app's root path (``/dashboard``)."""
    return f"{request.scope.get('root_path', '')}/dashboard"


def page(
    request: Request,
    title: str,
    body: Sequence[Markup],
    *,
    crumbs: Sequence[tuple[str, str]] = (),
    status_code: int = 200,
) -> HTMLResponse:
    """A whole page.

    Parameters
    ----------
    request : Request
    title : str
        The page's ``<h1>`` and (with the site's name) its ``<title>``.
    body : sequence of Markup
        What follows the ``<h1>`` in ``<main>``.
    crumbs : sequence of (str, str)
        The pages above this one, as (text, URL), outermost first.
    status_code : int
    """
    root = base(request)
    navigation = el(
        "nav",
        el(
            "ul",
            el("li", link("National overview", f"{root}/")),
            el("li", link("Policy what-if", f"{root}/what-if")),
            el("li", link("Downloads", f"{root}/#downloads")),
            el("li", link("How to check a log proof", f"{root}/proofs")),
        ),
        aria_label="Dashboard",
    )
    trail = None
    if crumbs:
        trail = el(
            "nav",
            el(
                "ol",
                [el("li", link(text, href)) for text, href in crumbs],
                el("li", el("span", title, aria_current="page")),
            ),
            aria_label="Breadcrumb",
            class_="breadcrumb",
        )
    document = Markup("<!doctype html>") + el(
        "html",
        el(
            "head",
            el("meta", charset="utf-8"),
            el("meta", name="viewport", content="width=device-width, initial-scale=1"),
            el("meta", name="robots", content="noindex, nofollow"),
            el("title", f"{title} - Secure Communities dashboard"),
            el("link", rel="stylesheet", href=f"{root}/static/dashboard.css"),
        ),
        el(
            "body",
            el("a", "Skip to main content", href="#main", class_="skip"),
            el(
                "header",
                el("p", "Secure Communities interoperability: program office dashboard"),
                navigation,
                class_="site",
            ),
            trail,
            el("main", el("h1", title), *body, id="main", tabindex="-1"),
            el(
                "footer",
                el(
                    "p",
                    "Operator view, served to this machine only. It shows identifiers, "
                    "times, decisions and levels: no names, dates of birth, A-numbers, "
                    "fingerprints or transaction contents.",
                ),
            ),
        ),
        lang="en",
    )
    return HTMLResponse(
        document,
        status_code=status_code,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
        },
    )


def chart_block(
    chart_id: str,
    heading: str,
    svg: Markup,
    caption: str,
    data: Markup,
    *,
    level: int = 2,
) -> Markup:
    """A section: heading, the chart, its caption, and its data table (in ``<details>``)."""
    heading_id = f"{chart_id}-heading"
    return el(
        "section",
        el(f"h{level}", heading, id=heading_id),
        el(
            "figure",
            el("div", svg, class_="chart-scroll"),
            el("figcaption", caption),
        ),
        details(f"Data table: {heading}", data),
        aria_labelledby=heading_id,
        class_="chart",
    )


def instant(at: datetime | None) -> str:
    """An instant as ``YYYY-MM-DD HH:MM:SS.mmm UTC`` (empty for ``None``)."""
    if at is None:
        return ""
    return at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d} UTC"


def day(on: date | None) -> str:
    """A day as ``YYYY-MM-DD`` (``"not activated"``-style text is the caller's)."""
    return on.isoformat() if on is not None else ""


def duration(span: timedelta | None) -> str:
    """A duration for people: ``312 ms``, ``4.2 s``, ``3 min 20 s``, ``2 h 5 min``, ``3 d 4 h``."""
    if span is None:
        return ""
    seconds = span.total_seconds()
    if seconds < 0:
        return "-" + duration(-span)
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def yes_no(value: bool | None, unknown: str = "-") -> str:
    """``yes``, ``no``, or ``unknown`` for ``None``."""
    return unknown if value is None else ("yes" if value else "no")


def level_name(level: int | None) -> str:
    """A priority level's name (1-3, 4 non-criminal), ``-`` when unclassified."""
    return {1: "Level 1", 2: "Level 2", 3: "Level 3", 4: "Non-criminal"}.get(level or 0, "-")


def hash_text(value: str) -> Markup:
    """A hex digest in a monospace span (breaks anywhere on a phone)."""
    return el("span", value, class_="hash")


def empty(text: str) -> Markup:
    """A paragraph saying there is nothing to show."""
    return el("p", text)
