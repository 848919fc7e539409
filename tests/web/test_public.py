"""What anyone may see: aggregate statistics, health, the OpenAPI document."""

from __future__ import annotations

import json

from fastapi import FastAPI

from tests.web.conftest import (
    AGENCY_A,
    AGENCY_C,
    DATE_OF_BIRTH,
    GIVEN_NAME,
    SURNAME,
    World,
    car,
)


def test_statistics_are_counts_without_personal_data(world: World) -> None:
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
    }
    text = r.text
    for secret in [*tcns, SURNAME, GIVEN_NAME, DATE_OF_BIRTH.isoformat(), "19790314", AGENCY_A]:
        assert secret not in text
    assert world.client.get(f"/transactions/{tcns[0]}").status_code == 401


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
        ("/statistics", "GET"),
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
