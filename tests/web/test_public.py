"""What anyone may see: aggregate statistics, health, the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from interop.store import Store
from interop.store.models import Case
from interop.web import ApiSettings
from interop.web.suppression import suppress_small_counts
from tests.web.conftest import (
    AGENCY_A,
    AGENCY_C,
    DATE_OF_BIRTH,
    GIVEN_NAME,
    SURNAME,
    World,
    car,
    make_world,
)


def test_statistics_are_counts_without_personal_data(store: Store) -> None:
    world = make_world(store, ApiSettings(statistics_min_count=1))  # every count published
    tcns = ["IL031000020110503000001", "IL031000020110503000002", "CA019000020110503000001"]
    assert world.submit("agency_a", car(tcns[0], AGENCY_A)) == 202
    assert world.submit("agency_a", car(tcns[1], AGENCY_A)) == 202
    assert world.submit("agency_c", car(tcns[2], AGENCY_C)) == 202
    r = world.client.get("/statistics")
    assert r.status_code == 200
    assert r.json() == {
        "cases_submitted": 3,
        "cases_final": 0,
        "by_stage": {"submitted": 3},
        "by_state": {"CA": 1, "IL": 2},
        "min_count": 1,
    }
    text = r.text
    for secret in [*tcns, SURNAME, GIVEN_NAME, DATE_OF_BIRTH.isoformat(), "19790314", AGENCY_A]:
        assert secret not in text
    assert world.client.get(f"/transactions/{tcns[0]}").status_code == 401


def _stages(world: World, stages: dict[str, int]) -> None:
    """Bookings from agency A at those stages (by count)."""
    n = 0
    for stage, count in stages.items():
        for _ in range(count):
            n += 1
            tcn = f"{AGENCY_A}{n:010d}"
            assert world.submit("agency_a", car(tcn, AGENCY_A)) == 202
            with world.store.session() as s:
                s.execute(update(Case).where(Case.tcn == tcn).values(stage=stage, final=True))


def test_small_outcome_counts_are_withheld_with_their_complements(store: Store) -> None:
    world = make_world(store, ApiSettings(statistics_min_count=3))
    _stages(world, {"identified": 6, "ident_searched": 4, "detainer_lodged": 1})
    body = world.client.get("/statistics").json()
    # the lone detainer is withheld, and so is the next smallest count, else
    # 11 - 6 - 4 would give it away; the final count would too
    assert body["by_stage"] == {"identified": 6, "ident_searched": None, "detainer_lodged": None}
    assert body["cases_final"] is None and body["cases_submitted"] == 11
    assert body["by_state"] == {"IL": 11} and body["min_count"] == 3


def test_statistics_withhold_every_stage_when_too_few_bookings(world: World) -> None:
    _stages(world, {"matched": 2, "detainer_lodged": 1})  # default: counts under 10 withheld
    body = world.client.get("/statistics").json()
    assert body["by_stage"] is None and body["cases_final"] is None
    assert body["cases_submitted"] == 3 and body["min_count"] == 10


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"a": 40, "b": 12}, {"a": 40, "b": 12}),
        ({"a": 40, "b": 0}, {"a": 40, "b": 0}),  # zero is about no one
        ({"a": 40, "b": 2, "c": 9, "d": 0}, {"a": 40, "b": None, "c": None, "d": 0}),
        ({"a": 40, "b": 2, "c": 3, "d": 12}, {"a": 40, "b": None, "c": None, "d": None}),
        ({"a": 40, "b": 2, "c": 30}, {"a": 40, "b": None, "c": None}),
        ({"a": 5, "b": 4}, None),
        ({"a": 1}, None),
        ({}, {}),
    ],
)
def test_suppression_leaves_no_small_count_or_small_sum(
    counts: dict[str, int], expected: dict[str, int | None] | None
) -> None:
    assert suppress_small_counts(counts, 10) == expected
    if expected:
        withheld = [counts[k] for k, v in expected.items() if v is None]
        assert not withheld or (len(withheld) >= 2 and sum(withheld) >= 10)
    assert suppress_small_counts(counts, 1) == counts


def test_health(world: World) -> None:
    r = world.client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_unknown_paths_answer_the_error_shape(world: World) -> None:
    r = world.client.get("/no-such-thing")
    assert r.status_code == 404 and r.json()["error"] == "not-found"
    assert world.client.delete("/statistics").status_code == 405


def test_openapi_documents_every_endpoint(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    documented = {(p, m.upper()) for p, ops in spec["paths"].items() for m in ops}
    expected = {
        ("/transactions", "POST"),
        ("/transactions/{tcn}", "GET"),
        ("/transactions/{tcn}/responses", "GET"),
        ("/transactions/{tcn}/responses/{message_id}", "GET"),
        ("/jurisdictions", "GET"),
        ("/jurisdictions", "POST"),
        ("/jurisdictions/{ori}", "GET"),
        ("/jurisdictions/{ori}", "PATCH"),
        ("/agreements", "GET"),
        ("/agreements", "POST"),
        ("/agreements/{agreement_id}/terminate", "POST"),
        ("/opt-out-requests", "GET"),
        ("/opt-out-requests", "POST"),
        ("/detainers", "GET"),
        ("/detainers/{tcn}/custody", "POST"),
        ("/statistics", "GET"),
        ("/log/head", "GET"),
        ("/log/public-key", "GET"),
        ("/log/consistency", "GET"),
        ("/log/disclosures/{tcn}", "GET"),
        ("/health", "GET"),
    }
    assert documented == expected
    app = world.client.app
    assert isinstance(app, FastAPI)
    for route in app.routes:  # every route the app serves is in the document
        path, methods = getattr(route, "path", ""), getattr(route, "methods", None) or set()
        if path.startswith(("/docs", "/redoc", "/openapi")):
            continue
        path = path.replace(":path}", "}")
        assert {(path, m) for m in methods if m != "HEAD"} <= expected, path
    for path, method in expected:
        op = spec["paths"][path][method.lower()]
        assert op["summary"] and op["tags"], (path, method)
        if path != "/health":
            assert "429" in op["responses"], (path, method)
    submit = spec["paths"]["/transactions"]["post"]
    assert {"202", "400", "401", "403", "409", "413", "422"} <= set(submit["responses"])
    assert "application/octet-stream" in submit["requestBody"]["content"]
    assert "ErrorBody" in spec["components"]["schemas"]
    assert "ApiKey" in spec["components"]["securitySchemes"]
    assert {} in spec["paths"]["/statistics"]["get"]["security"]  # the key is optional
    assert {} not in spec["paths"]["/agreements"]["get"]["security"]
    assert json.dumps(spec)  # serialisable
