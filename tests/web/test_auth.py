"""API keys (issue, hash, revoke), the caller's identity, role rules, rate limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from interop.store import Store
from interop.store.models import Credential
from interop.web import ApiSettings, Role, issue_key, revoke_key
from interop.web.access import ADMINISTER, SUBMIT, authorize, inbox
from interop.web.auth import PUBLIC, Caller, authenticate, hash_secret, parse_key
from interop.web.errors import ApiError
from interop.web.ratelimit import TokenBuckets
from tests.web.conftest import AGENCY_A, BUREAU_IL, World, make_world


def test_a_key_is_issued_once_and_stored_hashed(store: Store) -> None:
    with store.session() as s:
        key = issue_key(s, AGENCY_A, "agency")
    key_id, _, secret = key.partition(".")
    assert re.fullmatch(r"[A-Za-z0-9_-]{12,16}", key_id)
    assert len(secret) >= 43  # 32 random bytes
    with store.session() as s:
        credential = s.get(Credential, key_id)
        assert credential is not None
        assert credential.ori == AGENCY_A and credential.role == "agency"
        assert secret not in credential.secret_hash
        assert credential.secret_hash == hash_secret(key_id, secret)
        caller = authenticate(s, key)
        assert caller == Caller(Role.AGENCY, AGENCY_A, None, key_id)  # no jurisdiction seeded
        assert authenticate(s, f"{key_id}.{'A' * 43}") is None  # wrong secret
        assert authenticate(s, f"{'B' * 12}.{secret}") is None  # unknown key id
        assert authenticate(s, "nonsense") is None


def test_a_hash_is_bound_to_its_key_id() -> None:
    secret = "s" * 43
    assert hash_secret("aaaaaaaaaaaa", secret) != hash_secret("bbbbbbbbbbbb", secret)
    assert parse_key("aaaaaaaaaaaa." + secret) == ("aaaaaaaaaaaa", secret)
    assert parse_key("short." + secret) is None and parse_key("aaaaaaaaaaaa.short") is None


def test_issue_key_checks_role_and_ori(store: Store) -> None:
    with store.session() as s:
        with pytest.raises(ValueError):
            issue_key(s, AGENCY_A, "sheriff")
        with pytest.raises(ValueError):
            issue_key(s, "IL 031", "agency")


def test_a_revoked_key_is_refused_with_401(world: World) -> None:
    headers = world.auth("agency_a")
    assert world.client.get("/jurisdictions", headers=headers).status_code == 200
    key_id = world.keys["agency_a"].partition(".")[0]
    with world.store.session() as s:
        assert revoke_key(s, key_id) is True
        assert revoke_key(s, key_id) is False
        with pytest.raises(KeyError):
            revoke_key(s, "nosuchkey0000")
    r = world.client.get("/jurisdictions", headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    assert world.client.get("/statistics", headers=headers).status_code == 401  # even public ones


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not-a-key", "Basic dXNlcjpwYXNz", "Bearer aaaaaaaaaaaa." + "x" * 43],
)
def test_bad_authorization_headers_are_401_not_public(world: World, header: str) -> None:
    r = world.client.get("/statistics", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json() == {
        "error": "unauthenticated",
        "detail": "the API key is malformed, unknown or revoked",
    }


def test_the_bureau_key_knows_its_state(world: World) -> None:
    with world.store.session() as s:
        caller = authenticate(s, world.keys["bureau_il"])
    assert caller is not None and caller.state == "IL" and caller.ori == BUREAU_IL
    assert inbox(caller) == f"bureau:{BUREAU_IL}"


def test_role_rules_answer_401_for_the_public_and_403_for_other_roles() -> None:
    agency = Caller(Role.AGENCY, AGENCY_A, "IL", "k" * 12)
    assert authorize(agency, SUBMIT) is agency
    with pytest.raises(ApiError) as public:
        authorize(PUBLIC, SUBMIT)
    assert public.value.status_code == 401
    with pytest.raises(ApiError) as forbidden:
        authorize(agency, ADMINISTER)
    assert forbidden.value.status_code == 403
    assert inbox(PUBLIC) is None and inbox(Caller(Role.ICE, "CHI")) is None


def test_token_buckets_refill_at_their_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate_per_s=2.0, burst=3, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0.0  # buckets are per client
    now[0] = 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_token_buckets_forget_idle_clients() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate_per_s=1.0, burst=1, clock=lambda: now[0], max_clients=2)
    for k in range(5):
        now[0] = float(k)
        buckets.take(f"c{k}")
    assert len(buckets._buckets) <= 2


def test_rate_limits_answer_429_with_retry_after(store: Store) -> None:
    world = make_world(
        store,
        ApiSettings(key_rate_per_s=0.001, key_burst=3, public_rate_per_s=0.001, public_burst=2),
    )
    statuses = [
        world.client.get("/jurisdictions", headers=world.auth("agency_a")).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    r = world.client.get("/jurisdictions", headers=world.auth("agency_a"))
    assert r.json()["error"] == "rate-limited" and int(r.headers["Retry-After"]) >= 1
    # another key has its own bucket; the public one is per client address
    assert world.client.get("/jurisdictions", headers=world.auth("agency_b")).status_code == 200
    assert [world.client.get("/statistics").status_code for _ in range(3)] == [200, 200, 429]
    # failed attempts count against the address too
    bad = world.client.get("/statistics", headers={"Authorization": "Bearer x"})
    assert bad.status_code == 429
    assert world.client.get("/health").status_code == 200  # never limited


def test_credentials_are_never_returned(world: World) -> None:
    with world.store.session() as s:
        hashes = list(s.scalars(select(Credential.secret_hash)))
    spec = world.client.get("/openapi.json").text
    for party in ("program", "agency_a"):
        body = world.client.get("/jurisdictions", headers=world.auth(party)).text
        assert not any(h in body or h in spec for h in hashes)
