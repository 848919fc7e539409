"""``/log``: signed heads, consistency proofs and a booking's disclosures with
inclusion proofs, checked as an outside party would (public key only)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import pytest

from interop.agencies.agencies import agency_handlers
from interop.agencies.intake import submit_car
from interop.agencies.services import Services
from interop.audit import (
    ConsistencyProof,
    LogKey,
    Receipt,
    SignedTreeHead,
    load_public_key,
    verify_receipt,
    verify_tree_head,
)
from interop.bus import Worker
from interop.store import Store
from interop.store.transparency import Sequencer
from interop.web import create_app, issue_key
from tests.agencies.test_pipeline import COOK, COUNTY, _car, _seed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TCN = "IL099000000000000001"


@dataclass
class Log:
    store: Store
    client: TestClient
    key: LogKey
    keys: dict[str, str]

    def get(self, path: str, party: str | None = None) -> object:
        headers = {"Authorization": f"Bearer {self.keys[party]}"} if party else {}
        return self.client.get(path, headers=headers)

    def book(self, person: int, tcn: str, on: date) -> None:
        submit_car(self.store, _car(person, COUNTY, on, tcn), submitter_ori=COUNTY)
        Worker(self.store, agency_handlers(Services()), sequencer=Sequencer(self.key)).run(
            until_idle=True
        )


@pytest.fixture
def log(store: Store) -> Iterator[Log]:
    _seed(store)
    key = LogKey.generate()
    with store.session() as s:
        keys = {
            "county": issue_key(s, COUNTY, "agency"),
            "cook": issue_key(s, COOK, "agency"),
            "ice": issue_key(s, "CHI", "ice"),
            "bureau": issue_key(s, "ILISP0000", "bureau"),
        }
    client = TestClient(create_app(store, log_public_key=key.public_key))
    with client:
        yield Log(store, client, key, keys)


def test_the_head_verifies_with_the_published_key(log: Log) -> None:
    assert log.client.get("/log/head").status_code == 404  # nothing published yet
    log.book(1, TCN, date(2010, 3, 1))
    head = SignedTreeHead.from_json(log.client.get("/log/head").json())
    published = log.client.get("/log/public-key").json()
    raw = load_public_key(published["public_key_pem"].encode())
    assert raw == log.key.public_key and published["key_id"] == log.key.key_id.hex()
    verify_tree_head(head, raw)
    assert head.head.size >= 13


def test_an_agency_gets_receipts_for_what_it_may_see(log: Log) -> None:
    log.book(1, TCN, date(2010, 3, 1))
    path = f"/log/disclosures/{quote(TCN, safe='')}"
    mine = log.get(path, "county").json()  # type: ignore[attr-defined]
    responses = log.get(f"/transactions/{quote(TCN, safe='')}/responses", "county").json()  # type: ignore[attr-defined]
    assert mine and {d["message_id"] for d in mine} == {r["id"] for r in responses}
    for d in mine:
        receipt = Receipt.from_json(d["receipt"])
        verify_receipt(receipt, log.key.public_key)
        assert receipt.proof.leaf_index == d["leaf_index"]
    ice = log.get(path, "ice").json()  # type: ignore[attr-defined]
    assert {"IAR", "DETN"} <= {d["kind"] for d in ice}
    assert log.get(path, "cook").status_code == 404  # type: ignore[attr-defined]
    assert log.get(path).status_code in (401, 403)  # type: ignore[attr-defined]


def test_a_later_head_extends_an_earlier_one(log: Log) -> None:
    log.book(1, TCN, date(2010, 3, 1))
    old = SignedTreeHead.from_json(log.client.get("/log/head").json())
    log.book(2, "IL099000000000000002", date(2010, 3, 2))
    new = SignedTreeHead.from_json(log.client.get("/log/head").json())
    assert new.head.size > old.head.size
    answer = log.client.get(
        "/log/consistency", params={"first": old.head.size, "second": new.head.size}
    )
    assert answer.status_code == 200
    proof = ConsistencyProof.from_json(answer.json())
    proof.verify(old.head.root, new.head.root)
    with pytest.raises(ValueError):
        proof.verify(new.head.root, old.head.root)
    beyond = log.client.get("/log/consistency", params={"first": 1, "second": new.head.size + 1})
    assert beyond.status_code == 422 and beyond.json()["error"] == "out-of-range"
    backwards = log.client.get("/log/consistency", params={"first": 5, "second": 2})
    assert backwards.status_code == 422
