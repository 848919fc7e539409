"""A seeded world for the API tests: two states, their bureaus, three
booking agencies, one API key per party, on a real migrated store (SQLite
and PostgreSQL, by the ``store`` fixture)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from interop.bus.queue import Bus, Outgoing
from interop.nist.car import CarSubmission, Offence, build_car
from interop.store import Store
from interop.store.models import Jurisdiction, State, StateBureau
from interop.web import ApiSettings, create_app, issue_key

with warnings.catch_warnings():  # starlette's notice about httpx, at import time
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

AGENCY_A = "IL0310000"  # Cook County, IL
AGENCY_B = "IL0990000"  # Will County, IL
AGENCY_C = "CA0190000"  # Fresno County, CA
BUREAU_IL = "IL0000000"
BUREAU_CA = "CA0000000"

PARTIES = {
    "agency_a": (AGENCY_A, "agency"),
    "agency_b": (AGENCY_B, "agency"),
    "agency_c": (AGENCY_C, "agency"),
    "bureau_il": (BUREAU_IL, "bureau"),
    "bureau_ca": (BUREAU_CA, "bureau"),
    "ice": ("CHI", "ice"),
    "program": ("SCOMM0000", "program"),
    "fbi": ("WVIAFIS0Z", "fbi"),
}

SURNAME = "ZYXWVUT"
GIVEN_NAME = "QUENTINA"
DATE_OF_BIRTH = date(1979, 3, 14)


def car(tcn: str, ori: str, *, weight_lb: int = 180, finger: bool = False) -> bytes:
    """A CAR from the project's own builder (one small synthetic image if ``finger``)."""
    fingers = {}
    if finger:
        y, x = np.mgrid[0:64, 0:48]
        fingers[2] = (127 + 100 * np.sin((x + 0.3 * y) / 2.5)).astype(np.uint8)
    return build_car(
        CarSubmission(
            tcn=tcn,
            ori=ori,
            sent_on=date(2011, 5, 3),
            surname=SURNAME,
            given_name=GIVEN_NAME,
            date_of_birth=DATE_OF_BIRTH,
            sex="F",
            race="W",
            place_of_birth="MX",
            height="504",
            weight_lb=weight_lb,
            eyes="BRO",
            hair="BLK",
            arrested_on=date(2011, 5, 2),
            offences=(Offence(date(2011, 5, 2), "5404", "5404 DRIVING UNDER INFLUENCE"),),
            fingers=fingers,
        )
    )


@dataclass
class World:
    store: Store
    client: TestClient
    keys: dict[str, str]

    def auth(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[party]}"}

    def submit(self, party: str, data: bytes) -> int:
        response = self.client.post(
            "/transactions",
            content=data,
            headers={**self.auth(party), "Content-Type": "application/octet-stream"},
        )
        return response.status_code

    def publish(self, tcn: str, kind: str, recipient: str, data: bytes | None = None) -> str:
        """A message about ``tcn`` put straight on the bus (as an agency would)."""
        with self.store.session() as s:
            [mid] = Bus().publish(
                s,
                [Outgoing(kind, recipient, tcn, {}, data)],
                sender="test:sender",
                parent=f"test:{tcn}:{kind}:{recipient}",
            )
        return mid


def seed(store: Store) -> dict[str, str]:
    """States, bureaus, jurisdictions and one key per party."""
    with store.session() as s:
        s.add_all([State(code="IL", name="Illinois"), State(code="CA", name="California")])
        s.flush()
        s.add_all(
            [
                StateBureau(ori=BUREAU_IL, state="IL", name="Illinois State Police"),
                StateBureau(ori=BUREAU_CA, state="CA", name="California DOJ"),
                Jurisdiction(
                    ori=AGENCY_A,
                    state="IL",
                    name="Cook County",
                    time_zone="America/Chicago",
                    activated_on=None,
                    deactivated_on=None,
                ),
                Jurisdiction(
                    ori=AGENCY_B,
                    state="IL",
                    name="Will County",
                    time_zone="America/Chicago",
                    activated_on=date(2009, 11, 24),
                    deactivated_on=None,
                ),
                Jurisdiction(
                    ori=AGENCY_C,
                    state="CA",
                    name="Fresno County",
                    time_zone="America/Los_Angeles",
                    activated_on=date(2009, 5, 1),
                    deactivated_on=None,
                ),
            ]
        )
        s.flush()
        return {party: issue_key(s, ori, role) for party, (ori, role) in PARTIES.items()}


def make_world(store: Store, settings: ApiSettings | None = None) -> World:
    return World(store, TestClient(create_app(store, settings=settings)), seed(store))


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    w = make_world(store)
    with w.client:
        yield w
