"""The dashboard over a small replayed scenario, on SQLite and PostgreSQL: every page
answers with data, charts are accessible SVG, a booking's journey shows its
messages, decisions, detainer and inclusion proofs (which verify), nothing
personal is shown, and no one but the machine itself is served."""

from __future__ import annotations

import html
import importlib.util
import itertools
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from interop.agencies.agencies import agency_handlers
from interop.agencies.intake import submit_car
from interop.agencies.seed import IdentEnrolment, enrol_in_ident, replay, seed_scenario
from interop.agencies.services import Services
from interop.audit import LogKey, Receipt, canonical_entry, leaf_hash, verify_receipt
from interop.audit.merkle import root_from_inclusion_proof
from interop.bus import Worker
from interop.population import Scenario
from interop.store import Store
from interop.store.models import (
    Case,
    CriminalSubject,
    DetainerRecord,
    ImmigrationSubject,
    Jurisdiction,
    MessageRecord,
    PolicyDecisionRecord,
)
from interop.store.transparency import Sequencer
from interop.web import ApiSettings, create_app
from tests.conftest import fresh_postgres_schema

with warnings.catch_warnings():  # starlette's notice about httpx, at import time
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

AS_OF = date(2009, 6, 1)
BOOKINGS = 14


def scenario() -> Scenario:
    """400 Californians from June 2009: its first 14 bookings include IDENT matches,
    a matched citizen and two detainers (as tests/agencies/test_seed.py's)."""
    return Scenario(400, 1, residence=("CA",))


@dataclass
class Prepared:
    """A store after the scenario's bookings went through the pipeline."""

    store: Store
    key: LogKey
    tcns: list[str]
    detainer_tcn: str
    detainer_ori: str
    detainer_state: str
    jurisdiction_name: str
    personal: list[str] = field(default_factory=list)
    """Names, A-numbers, FBI numbers and dates of birth of the people booked."""


def prepare(store: Store, key: LogKey) -> Prepared:
    """Seed the scenario, replay its first bookings, run the pipeline and the log."""
    world = scenario()
    seed_scenario(store, world, as_of=AS_OF, progress=False)
    tcns = []
    for event in replay(world, as_of=AS_OF, limit=BOOKINGS):
        if isinstance(event, IdentEnrolment):
            enrol_in_ident(store, event)
        else:
            submit_car(store, event.data, submitter_ori=event.ori)
            tcns.append(event.tcn)
    stats = Worker(store, agency_handlers(Services()), sequencer=Sequencer(key)).run(
        until_idle=True
    )
    assert stats.failed == 0
    Sequencer(key).run(store)  # whatever the last batch left
    with store.session() as s:
        detainer = s.scalars(select(DetainerRecord).order_by(DetainerRecord.tcn)).first()
        assert detainer is not None, "the scenario lodges detainers"
        place = s.get(Jurisdiction, detainer.ori)
        assert place is not None
        personal: set[str] = set()
        cases = list(s.scalars(select(Case)))
        for fbi in {c.fbi_number for c in cases if c.fbi_number}:
            person = s.get(CriminalSubject, fbi)
            personal.add(fbi)
            if person is not None:
                personal |= {person.surname, f"{person.given_name} {person.surname}"}
                personal.add(person.date_of_birth.isoformat())
        for a_number in {c.a_number for c in cases if c.a_number}:
            personal.add(a_number)
            subject = s.get(ImmigrationSubject, a_number)
            if subject is not None:
                personal |= {subject.surname, f"{subject.given_name} {subject.surname}"}
                personal.add(subject.date_of_birth.isoformat())
        personal |= {d.a_number for d in s.scalars(select(DetainerRecord))}
        return Prepared(
            store,
            key,
            tcns,
            detainer.tcn,
            detainer.ori,
            place.state,
            place.name,
            sorted(p for p in personal if p),
        )


@dataclass
class Dashboard:
    prepared: Prepared
    client: TestClient
    app_settings: ApiSettings

    def get(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return response.text


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def dashboard(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dashboard]:
    """The prepared store behind an app with the dashboard on (built once per backend)."""
    key = LogKey.generate()

    def serve(store: Store) -> Iterator[Dashboard]:
        prepared = prepare(store, key)
        settings = ApiSettings(dashboard="local")
        app = create_app(store, settings=settings, log_public_key=key.public_key)
        with TestClient(app) as client:
            yield Dashboard(prepared, client, settings)

    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("dashboard")
        store = Store.open(f"sqlite:///{folder / 'interop.db'}")
        try:
            yield from serve(store)
        finally:
            store.close()
    else:
        with fresh_postgres_schema() as url:
            store = Store.open(url)
            try:
                yield from serve(store)
            finally:
                store.close()


def _pages(d: Dashboard) -> list[str]:
    p = d.prepared
    return [
        "/dashboard/",
        f"/dashboard/states/{p.detainer_state}",
        f"/dashboard/jurisdictions/{p.detainer_ori}",
        *(f"/dashboard/bookings/{tcn}" for tcn in p.tcns),
        "/dashboard/what-if",
        "/dashboard/what-if?a=honor-opt-out&b=as-operated&state=",
        "/dashboard/proofs",
    ]


def _text(page: str) -> str:
    """The page's text, tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_page_answers_with_data(dashboard: Dashboard) -> None:
    p = dashboard.prepared
    national = dashboard.get("/dashboard/")
    assert '<html lang="en">' in national and "<main" in national and "<header" in national
    assert "the store holds 14 bookings" in _text(national)
    assert f'href="/dashboard/states/{p.detainer_state}"' in national
    state = dashboard.get(f"/dashboard/states/{p.detainer_state}")
    assert f'href="/dashboard/jurisdictions/{p.detainer_ori}"' in state
    assert p.jurisdiction_name in state
    place = dashboard.get(f"/dashboard/jurisdictions/{p.detainer_ori}")
    assert f'href="/dashboard/bookings/{p.detainer_tcn}"' in place
    assert "Monthly figures" in place and "Recent bookings" in place
    for path in _pages(dashboard):
        page = dashboard.get(path)
        assert page.count("<h1>") == 1 and 'class="skip"' in page, path
    # / leads to the dashboard
    response = dashboard.client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/dashboard/"
    css = dashboard.client.get("/dashboard/static/dashboard.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_headings_are_in_order_and_tables_have_scoped_headers(dashboard: Dashboard) -> None:
    for path in _pages(dashboard):
        page = dashboard.get(path)
        levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", page)]
        assert levels[0] == 1, path
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (path, levels)
        for th in re.findall(r"<th\b[^>]*>", page):
            assert 'scope="col"' in th or 'scope="row"' in th, (path, th)


def test_charts_are_inline_svg_with_titles_and_data_tables(dashboard: Dashboard) -> None:
    p = dashboard.prepared
    expected = {
        "/dashboard/": 3,
        # timeline, levels, non-criminal share by jurisdiction
        f"/dashboard/states/{p.detainer_state}": 3,
        f"/dashboard/jurisdictions/{p.detainer_ori}": 1,
    }
    for path, count in expected.items():
        page = dashboard.get(path)
        svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", page, re.S)
        assert len(svgs) == count, path
        for svg in svgs:
            opening = svg[: svg.index(">")]
            assert 'role="img"' in opening and 'aria-label="' in opening
            assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg)
            assert re.search(r"<desc id=\"[^\"]+\">[^<]+</desc>", svg)
            assert "<path" in svg  # something is drawn
        # each chart has its data as a table, and ids are unique on the page
        assert page.count("<details><summary>Data table:") == count
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), path
        # everything comes from the app: no script, no other origin
        assert "<script" not in page
        for target in re.findall(r'(?:href|src|action)="([^"]*)"', page):
            assert target.startswith(("/", "#")), (path, target)
    # the charts are rendered once per store state
    cache = dashboard.client.app.state.dashboard_cache  # type: ignore[attr-defined]
    hits = cache.hits
    dashboard.get("/dashboard/")
    assert cache.hits > hits


def _proofs(page: str) -> list[dict[str, object]]:
    """The inclusion proofs as the booking page shows them."""
    out = []
    for section in re.findall(r'<details class="proof">(.*?)</details>', page, re.S):
        fields = dict(
            (html.unescape(re.sub(r"<[^>]+>", "", k)), v)
            for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section, re.S)
        )
        path_key = next(k for k in fields if k.startswith("Audit path"))
        entry = re.search(r'<pre class="entry"><code>(.*?)</code></pre>', section, re.S)
        assert "verified" in section
        assert entry is not None
        out.append(
            {
                "leaf_index": int(_text(fields["Leaf index"]).strip()),
                "tree_size": int(_text(fields["Tree size"]).strip()),
                "root": _text(fields["Root hash"]).strip(),
                "path": re.findall(r'<span class="hash">([0-9a-f]{64})</span>', fields[path_key]),
                "entry": html.unescape(entry.group(1)),
                "recomputed": _text(fields["Recomputed here"]),
            }
        )
    return out


def test_a_journey_shows_messages_decisions_detainer_and_proofs_that_verify(
    dashboard: Dashboard,
) -> None:
    p = dashboard.prepared
    page = dashboard.get(f"/dashboard/bookings/{p.detainer_tcn}")
    text = _text(page)
    with p.store.session() as s:
        messages = list(
            s.scalars(
                select(MessageRecord)
                .where(MessageRecord.tcn == p.detainer_tcn)
                .order_by(MessageRecord.created_at)
            )
        )
        decisions = list(
            s.scalars(
                select(PolicyDecisionRecord).where(PolicyDecisionRecord.tcn == p.detainer_tcn)
            )
        )
    # every message in order, with its inboxes
    table = page[page.index("Messages of booking") : page.index("Policy decisions on booking")]
    rows = re.findall(r"<tr><th scope=\"row\"[^>]*>(\d+)</th><td>([A-Z]+)</td>", table)
    assert [int(n) for n, _ in rows] == list(range(1, len(messages) + 1))
    assert [k for _, k in rows] == [m.kind for m in messages]
    assert {"CAR", "SRE", "IDR", "IAQ", "IAR", "DETN"} <= {k for _, k in rows}
    assert "booking CA" in text and "ident IDENT" in text
    # every decision with its rule and reason
    assert {d.question for d in decisions} >= {"forward_to_ident", "detainer"}
    for d in decisions:
        assert d.rule in text and d.reason in text
    # the detainer, without the person's A-number
    assert "Hold expires at" in text and "lodged" in text
    # each logged message has a proof, and the proof as shown leads to the signed root
    proofs = _proofs(page)
    assert len(proofs) == len(messages)
    receipts = dashboard.client.get(f"/dashboard/receipts/{p.detainer_tcn}").json()
    assert [r["leaf_index"] for r in receipts] == [x["leaf_index"] for x in proofs]
    for shown, served in zip(proofs, receipts, strict=True):
        entry = str(shown["entry"]).encode("utf-8")
        assert canonical_entry(__import__("json").loads(entry)) == entry
        root = root_from_inclusion_proof(
            leaf_hash(entry),
            int(shown["leaf_index"]),  # type: ignore[call-overload]
            int(shown["tree_size"]),  # type: ignore[call-overload]
            [bytes.fromhex(h) for h in shown["path"]],  # type: ignore[attr-defined]
        )
        assert root.hex() == shown["root"]
        assert "path leads to the signed root: yes" in str(shown["recomputed"])
        assert "head signature: valid" in str(shown["recomputed"])
        receipt = Receipt.from_json(served["receipt"])
        verify_receipt(receipt, p.key.public_key)  # the same receipt, checked with the key
        assert receipt.head.head.root.hex() == shown["root"]
        assert receipt.entry == entry
    assert "How to check a proof" in text


def test_no_personal_data_on_any_page(dashboard: Dashboard) -> None:
    p = dashboard.prepared
    assert len(p.personal) > 10  # names, A-numbers, FBI numbers, dates of birth
    served = [dashboard.get(path) for path in _pages(dashboard)]
    served += [dashboard.get(f"/dashboard/receipts/{tcn}") for tcn in p.tcns]
    served += [
        dashboard.get(f"/dashboard/downloads/monthly.{fmt}?scope={scope}")
        for fmt in ("csv", "html")
        for scope in ("national", "state", "jurisdiction")
    ]
    for body in served:
        text = html.unescape(body)
        for value in p.personal:
            assert not re.search(rf"\b{re.escape(value)}\b", text), value


def test_the_monthly_report_downloads(dashboard: Dashboard) -> None:
    national = dashboard.get("/dashboard/")
    links = re.findall(r'href="(/dashboard/downloads/monthly\.(csv|html|pdf)\?[^"]*)"', national)
    assert {fmt for _, fmt in links} == {"csv", "html", "pdf"} and len(links) == 9
    for href, fmt in links:
        response = dashboard.client.get(html.unescape(href))
        assert response.status_code == 200, href
        assert "attachment" in response.headers["content-disposition"]
        if fmt == "pdf":
            assert response.content.startswith(b"%PDF")
        elif fmt == "csv":
            assert response.text.count("\n") > 1
        else:
            assert "<table" in response.text


def test_the_what_if_page_compares_two_policies(dashboard: Dashboard) -> None:
    if importlib.util.find_spec("interop.reports.whatif") is None:
        pytest.skip("interop.reports.whatif is not in the tree yet")
    page = dashboard.get("/dashboard/what-if?a=as-operated&b=honor-opt-out&state=CA")
    text = _text(page)
    assert "A: as-operated" in text and "B: honor-opt-out" in text
    assert "Policy A: as-operated" in text and "Policy B: honor-opt-out" in text
    assert page.count("<svg") == 1
    default = dashboard.get("/dashboard/what-if")
    assert "Side by side, in IL" in _text(default)
    # a preset with another detainer policy, and a range of booking months
    other = dashboard.get(
        "/dashboard/what-if?a=as-operated&b=as-operated%2Blevel-1-only&state=CA"
        "&since=2009-06&through=2010-12"
    )
    assert "B: as-operated+level-1-only" in _text(other)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/dashboard/bookings/NO-SUCH-TCN", 404),
        ("/dashboard/receipts/NO-SUCH-TCN", 404),
        ("/dashboard/bookings/" + "X" * 41, 422),
        ("/dashboard/jurisdictions/ZZ0000000", 404),
        ("/dashboard/jurisdictions/zz", 422),
        ("/dashboard/jurisdictions/" + "A" * 200, 422),
        ("/dashboard/states/ZZ", 404),
        ("/dashboard/states/California", 422),
        ("/dashboard/?through=2011-13", 422),
        ("/dashboard/?through=" + "2" * 500, 422),
        ("/dashboard/what-if?a=no-such-policy", 422),
        ("/dashboard/what-if?a=" + "a" * 100, 422),
        ("/dashboard/what-if?state=ZZ", 404),
        ("/dashboard/what-if?since=2011-13", 422),
        ("/dashboard/what-if?b=as-operated%2B%3Cscript%3E", 422),
        ("/dashboard/downloads/monthly.exe", 422),
        ("/dashboard/downloads/monthly.csv?scope=planet", 422),
    ],
)
def test_parameters_are_bounded(dashboard: Dashboard, path: str, status: int) -> None:
    assert dashboard.client.get(path).status_code == status


def test_only_the_machine_itself_is_served(dashboard: Dashboard) -> None:
    app = dashboard.client.app
    paths = [*_pages(dashboard), "/", "/dashboard/static/dashboard.css", "/dashboard/states/zz"]
    remote = TestClient(app, client=("192.0.2.7", 50000))
    for path in paths:
        response = remote.get(path, follow_redirects=False)
        assert response.status_code == 404, path
        assert response.json() == {"error": "not-found", "detail": "Not Found"}
    # the API itself still answers
    assert remote.get("/health").status_code == 200
    # a loopback connection from a proxy, or through a rebound DNS name, is not local
    assert (
        dashboard.client.get("/dashboard/", headers={"X-Forwarded-For": "198.51.100.1"}).status_code
        == 404
    )
    assert (
        dashboard.client.get("/dashboard/", headers={"Forwarded": "for=198.51.100.1"}).status_code
        == 404
    )
    for client, host, status in [
        (("127.0.0.1", 40000), "127.0.0.1:8000", 200),
        (("::1", 40000), "[::1]:8000", 200),
        (("127.0.0.1", 40000), "localhost", 200),
        (("127.0.0.1", 40000), "evil.example:8000", 404),
    ]:
        local = TestClient(app, client=client)
        assert local.get("/dashboard/proofs", headers={"Host": host}).status_code == status, host
    # off (the default): not mounted at all
    off = TestClient(create_app(dashboard.prepared.store))
    assert off.get("/dashboard/").status_code == 404
    assert off.get("/").status_code == 404


def test_the_dashboard_is_served_from_the_app_alone(dashboard: Dashboard, tmp_path: Path) -> None:
    page = dashboard.get("/dashboard/")
    policy = dashboard.client.get("/dashboard/").headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', page)
    assert stylesheet is not None and stylesheet.group(1) == "/dashboard/static/dashboard.css"


def test_an_empty_store_has_pages_too(store: Store) -> None:
    app = create_app(store, settings=ApiSettings(dashboard="local"))
    with TestClient(app) as client:
        national = client.get("/dashboard/")
        assert national.status_code == 200 and "the store holds 0 bookings" in _text(national.text)
        assert national.text.count("<svg") == 3 and "No data yet" in national.text
        assert client.get("/dashboard/what-if").status_code in (200, 404)  # no state IL
        assert client.get("/dashboard/what-if?state=").status_code == 200
        for fmt in ("csv", "html", "pdf"):
            assert client.get(f"/dashboard/downloads/monthly.{fmt}").status_code == 200


def test_which_addresses_are_the_loopback() -> None:
    from interop.web.dashboard import loopback_host

    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert loopback_host(host), host
    for host in ("0.0.0.0", "::", "192.0.2.1", "localhost.example.com", "", None):
        assert not loopback_host(host), host
