"""The policy what-if: one recorded booking stream, two policy configurations.

::

    result = what_if(store, ("as-operated", "honor-opt-out"), state="IL")
    for measure, a, b, difference in result.rows():
        ...
    result.to_dict()                      # JSON-ready

:func:`what_if` takes the bookings a store recorded (its ``cases``) and
asks, for each, what each configuration would have done with it:
forwarded to IDENT or not, matched, at which priority level, IAR returned
to the state, detainer lodged, removal that followed. It reports per
configuration (:class:`WhatIfOutcome`) and as differences
(:meth:`WhatIf.rows`).

A configuration is named as in :data:`interop.policy.POLICY_PRESETS`
(``as-operated``, ``honor-opt-out``), optionally with another detainer
policy of :data:`interop.policy.DETAINER_POLICIES` after a ``+``
(``as-operated+level-1-only``); a :class:`~interop.policy.PolicyConfig`
may be given instead of a name.

How a booking is replayed
-------------------------
The fingerprint results do not depend on policy; the decisions do. So:

* **The FBI's answer is the recorded one**: the case's FBI number (the
  criminal search runs before any policy decision). A booking the FBI
  rejected (``stage = 'rejected'``) is a booking, never forwarded. A
  booking the FBI has not answered yet (no FBI number: still in flight) is
  left out altogether.
* **Forwarding** is :meth:`PolicyConfig.forward_to_ident` of the
  configuration, on the facts the FBI reads: the jurisdiction's activation
  and its state's MOA and opt-out as of the booking day
  (:func:`interop.agencies.services.jurisdiction_terms`; the program's
  dated facts as the store holds them now).
* **The IDENT result** of a forwarded booking is the recorded one when the
  recorded run forwarded it and IDENT answered (``cases.ident_match``,
  ``cases.a_number``). Otherwise it is not guessed: the booking's own
  fingers (its submitted transaction, kept by SHA-256 in ``evidence``, read
  as the FBI read it and passed on as IDENT received it: ISO/IEC 19794-2)
  are searched in IDENT as it stood that day, the gallery of the store's
  IDENT subjects restricted to those with an encounter on or before the
  booking day (an encounter comes before the bookings of its day, as in
  :func:`interop.agencies.seed.replay`), with the pipeline's search
  parameters (:data:`interop.agencies.services.PIPELINE_SEARCH`). The
  decision threshold of such a search is the one for the subjects searched,
  so it decides as a search of that day's gallery would. A match needs the
  IDENT record to exist (as IDENT's handler requires).
* **The priority level** of a match is :func:`interop.policy.classify`
  of the person's criminal history in the store (the entries under the
  case's FBI number arrested on or before the booking day), as of the
  booking day, citizen or not as the IDENT record says: what the LESC
  computes. A history the LESC cannot classify (an unknown offence code)
  leaves the match without level, IAR or detainer, as the LESC's failure
  does.
* **The IAR returned to the state** is
  :meth:`PolicyConfig.return_response_to_state` on the booking day, for a
  classified match.
* **A detainer** is :meth:`PolicyConfig.decide_detainer` of the level (never
  for a US citizen), for a classified match.
* **Removals** are the store's: a configuration does not change who DHS
  removed, only which removals follow a booking the program matched and
  held. A removal (``immigration_encounters.kind = 'removal'``) counts for a
  configuration when it follows a booking matched *and detained* under it,
  by the rule of the monthly report
  (:func:`interop.reports.monthly.attributed_removals`): once per removal,
  for the person's latest such booking on or before the removal day, at
  that booking's level (non-criminal removals: level non-criminal). The
  removal may fall after ``through``: ``since`` and ``through`` select
  bookings, not removals.
* **US citizens matched** are matches whose IDENT record is a citizen's.

Assumptions: policy does not feed back into the fingerprint systems (the
FBI's master file, its identifications and the criminal histories are the
same under every configuration; no handler enrols into IDENT), and what
happens after a detainer (custody, release) is not replayed: removals are
the recorded ones, attributed as above.

Under the configuration a completed run was recorded with, every total
equals what the store's own cases, decisions and detainers say, and
nothing is searched; under another, only the bookings it forwards and the
recorded run did not (or whose IDENT answer is not recorded yet) are
searched, one search each (tens of milliseconds). Nothing is written to
the store.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interop.agencies.agencies import history_entries, probe_templates
from interop.agencies.services import IMMIGRATION_SYSTEM, GalleryMirror, jurisdiction_terms
from interop.fingerprints.codecs import decode_template, encode_template
from interop.fingerprints.template import Template
from interop.nist import parse
from interop.nist.car import read_car
from interop.policy import (
    DETAINER_POLICIES,
    POLICY_PRESETS,
    PROGRAM,
    HistoryEntry,
    JurisdictionActivation,
    LevelDecision,
    PolicyConfig,
    PolicyConfigError,
    PolicyError,
    PriorityLevel,
    StateTerms,
    classify,
)
from interop.reports.monthly import attributed_removals
from interop.store import Store
from interop.store.models import (
    Agreement,
    Case,
    CriminalHistoryEntry,
    Evidence,
    ImmigrationEncounter,
    ImmigrationSubject,
    Jurisdiction,
    OptOutRequest,
    TransactionRecord,
)

__all__ = [
    "LEVEL_KEYS",
    "MEASURES",
    "EmptyStoreError",
    "UnknownPolicyError",
    "WhatIf",
    "WhatIfError",
    "WhatIfOutcome",
    "ident_probe",
    "known_policies",
    "policy_config",
    "what_if",
]

log = logging.getLogger(__name__)

LEVEL_KEYS = ("L1", "L2", "L3", "NC")
"""Keys of :attr:`WhatIfOutcome.matches_by_level`: priority levels 1, 2, 3, non-criminal."""

MEASURES: tuple[tuple[str, str], ...] = (
    ("bookings", "Bookings"),
    ("forwarded", "Forwarded to IDENT"),
    ("matches", "IDENT matches"),
    ("L1", "IDENT matches: Level 1"),
    ("L2", "IDENT matches: Level 2"),
    ("L3", "IDENT matches: Level 3"),
    ("NC", "IDENT matches: non-criminal"),
    ("iars_to_state", "IARs returned to the state"),
    ("detainers", "Detainers lodged"),
    ("removals", "Removals"),
    ("non_criminal_removals", "Non-criminal removals"),
    ("citizens_matched", "US citizens matched"),
)
"""(key, label) of each measure, in the order of :meth:`WhatIf.rows`; a key is a
field of :class:`WhatIfOutcome` or one of :data:`LEVEL_KEYS`."""

DETAINER_SEPARATOR = "+"
"""Between a preset's name and another detainer policy's (``as-operated+level-1-only``)."""

QUERY_IDS = 500
"""Keys per ``IN (...)`` query (and CARs read at a time)."""

_LEVEL_KEY = {
    PriorityLevel.LEVEL_1: "L1",
    PriorityLevel.LEVEL_2: "L2",
    PriorityLevel.LEVEL_3: "L3",
    PriorityLevel.NON_CRIMINAL: "NC",
}


# ------------------------------------------------------------------ errors


class WhatIfError(Exception):
    """Base of the errors :func:`what_if` raises on purpose."""


class UnknownPolicyError(WhatIfError, PolicyConfigError):
    """A configuration name that is neither a preset nor a preset with a detainer policy.

    Attributes
    ----------
    name : str
    known : tuple of str
        Every name :func:`policy_config` takes (:func:`known_policies`).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.known = known_policies()
        super().__init__(f"no policy {name!r}; known: {', '.join(self.known)}")


class EmptyStoreError(WhatIfError):
    """The store holds no booking at all: nothing to replay (seeded but not replayed,
    or another database than meant)."""


# ---------------------------------------------------------------- policies


def known_policies() -> tuple[str, ...]:
    """Every configuration name :func:`policy_config` takes: the presets, then each
    preset with each other detainer policy (``PRESET+DETAINER``)."""
    combined = [
        f"{preset}{DETAINER_SEPARATOR}{detainer}"
        for preset, config in POLICY_PRESETS.items()
        for detainer in DETAINER_POLICIES
        if detainer != config.detainer_policy.name
    ]
    return (*POLICY_PRESETS, *combined)


def policy_config(policy: str | PolicyConfig) -> tuple[str, PolicyConfig]:
    """A configuration and its label, from its name (or itself).

    Parameters
    ----------
    policy : str or PolicyConfig
        A preset's name (:data:`~interop.policy.POLICY_PRESETS`), a preset's
        name ``+`` a detainer policy's (:data:`~interop.policy.DETAINER_POLICIES`),
        or a configuration.

    Returns
    -------
    label : str
        The name; for a configuration, the name of the preset it equals, else
        ``sharing-mode+detainer-policy`` (``*`` appended when its program
        facts are not the historical ones).
    config : PolicyConfig

    Raises
    ------
    UnknownPolicyError
        On an unknown name (the message lists the known ones).
    """
    if isinstance(policy, PolicyConfig):
        for name, preset in POLICY_PRESETS.items():
            if preset == policy:
                return name, policy
        label = f"{policy.sharing_mode.value}{DETAINER_SEPARATOR}{policy.detainer_policy.name}"
        return (label if policy.program == PROGRAM else label + "*"), policy
    if not isinstance(policy, str):
        raise UnknownPolicyError(repr(policy))
    preset_name, plus, detainer_name = policy.partition(DETAINER_SEPARATOR)
    base = POLICY_PRESETS.get(preset_name)
    if base is None or (plus and detainer_name not in DETAINER_POLICIES):
        raise UnknownPolicyError(policy)
    if not plus:
        return policy, base
    return policy, PolicyConfig(base.sharing_mode, DETAINER_POLICIES[detainer_name], base.program)


# ----------------------------------------------------------------- results


@dataclass(frozen=True)
class WhatIfOutcome:
    """One configuration's totals over the bookings replayed (counts of bookings,
    except :attr:`removals`, a count of removals).

    Attributes
    ----------
    policy : str
        The configuration's name.
    bookings : int
        Bookings replayed (the FBI answered them).
    forwarded : int
        Forwarded to IDENT.
    matches : int
        IDENT matches.
    matches_by_level : dict of str to int
        Matches by the LESC's priority level, keys :data:`LEVEL_KEYS`
        (a match the LESC could not classify is in none).
    iars_to_state : int
        Matches whose IAR went back to the state bureau and the agency.
    detainers : int
        Detainers (I-247) lodged.
    removals : int
        Removals following a booking matched and detained under the configuration.
    non_criminal_removals : int
        Those whose booking was classified non-criminal.
    citizens_matched : int
        Matches of US citizens (born or naturalised).
    """

    policy: str
    bookings: int
    forwarded: int
    matches: int
    matches_by_level: dict[str, int]
    iars_to_state: int
    detainers: int
    removals: int
    non_criminal_removals: int
    citizens_matched: int

    def value(self, key: str) -> int:
        """The figure of a measure key (:data:`MEASURES`).

        Raises
        ------
        KeyError
            On an unknown key.
        """
        if key in LEVEL_KEYS:
            return self.matches_by_level.get(key, 0)
        if key == "policy" or key not in {f.name for f in fields(self)}:
            raise KeyError(key)
        result = getattr(self, key)
        assert isinstance(result, int)
        return result

    def to_dict(self) -> dict[str, object]:
        """JSON-ready ``dict`` of the fields."""
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["matches_by_level"] = {k: self.matches_by_level.get(k, 0) for k in LEVEL_KEYS}
        return out


@dataclass(frozen=True)
class WhatIf:
    """Two configurations' outcomes over the same bookings.

    Attributes
    ----------
    a, b : WhatIfOutcome
        In the order compared.
    state : str or None
        The bookings' state (USPS code); None: every state.
    since, through : date or None
        First and last booking day replayed; None: unbounded.
    """

    a: WhatIfOutcome
    b: WhatIfOutcome
    state: str | None
    since: date | None
    through: date | None

    def rows(self) -> list[tuple[str, int, int, int]]:
        """(measure label, A, B, B - A) for every measure, in :data:`MEASURES` order."""
        out = []
        for key, label in MEASURES:
            a, b = self.a.value(key), self.b.value(key)
            out.append((label, a, b, b - a))
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON-ready ``dict``: the selection, both outcomes and the rows."""
        return {
            "state": self.state,
            "since": None if self.since is None else self.since.isoformat(),
            "through": None if self.through is None else self.through.isoformat(),
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "rows": [
                {"key": key, "measure": label, "a": a, "b": b, "difference": d}
                for (key, _), (label, a, b, d) in zip(MEASURES, self.rows(), strict=True)
            ],
        }


# ---------------------------------------------------------------- the replay


@dataclass(frozen=True, slots=True)
class _Booking:
    """What the replay reads of one case."""

    tcn: str
    ori: str
    booked_on: date
    fbi_number: str | None
    rejected: bool
    recorded: bool
    """The recorded run forwarded it and IDENT answered."""
    a_number: str | None
    """The recorded match (only with ``recorded``)."""


@dataclass(frozen=True, slots=True)
class _Match:
    """An IDENT match, classified (``level`` None: the LESC could not)."""

    a_number: str
    citizen: bool
    level: LevelDecision | None


class _Terms:
    """:func:`jurisdiction_terms`, asked once per ORI and state of affairs.

    The terms of an ORI on a day depend only on which of its state's MOAs
    were signed and which opt-outs requested by that day, so the answer for
    one day serves every day with the same counts.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.signed: dict[str, list[date]] = defaultdict(list)
        self.opt_outs: dict[str, list[date]] = defaultdict(list)
        for state, on in session.execute(
            select(Agreement.state, Agreement.signed_on).order_by(Agreement.signed_on)
        ):
            self.signed[state].append(on)
        for state, on in session.execute(
            select(OptOutRequest.state, OptOutRequest.requested_on).order_by(
                OptOutRequest.requested_on
            )
        ):
            self.opt_outs[state].append(on)
        self.state_of = dict(session.execute(select(Jurisdiction.ori, Jurisdiction.state)).all())
        self.cache: dict[tuple[str, int, int], tuple[JurisdictionActivation, StateTerms]] = {}

    def __call__(self, ori: str, on: date) -> tuple[JurisdictionActivation, StateTerms]:
        state = self.state_of.get(ori, "")
        key = (ori, bisect_right(self.signed[state], on), bisect_right(self.opt_outs[state], on))
        found = self.cache.get(key)
        if found is None:
            _, activation, terms = jurisdiction_terms(self.session, ori, on)
            found = self.cache[key] = (activation, terms)
        return found


def _chunks(items: Sequence[str], size: int = QUERY_IDS) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bookings(
    session: Session, state: str | None, since: date | None, through: date | None
) -> tuple[list[_Booking], int]:
    """The cases selected, oldest first, and how many of them are still in flight."""
    query = select(
        Case.tcn,
        Case.ori,
        Case.booked_on,
        Case.stage,
        Case.fbi_number,
        Case.forwarded_to_ident,
        Case.ident_match,
        Case.a_number,
    ).order_by(Case.booked_on, Case.tcn)
    if state is not None:
        query = query.where(Case.state == state)
    if since is not None:
        query = query.where(Case.booked_on >= since)
    if through is not None:
        query = query.where(Case.booked_on <= through)
    out, in_flight = [], 0
    for c in session.execute(query):
        rejected = c.stage == "rejected"
        if c.fbi_number is None and not rejected:
            in_flight += 1
            continue
        recorded = bool(c.forwarded_to_ident) and c.ident_match is not None
        out.append(
            _Booking(
                tcn=c.tcn,
                ori=c.ori,
                booked_on=c.booked_on,
                fbi_number=c.fbi_number,
                rejected=rejected,
                recorded=recorded,
                a_number=c.a_number if recorded and c.ident_match else None,
            )
        )
    return out, in_flight


def _submissions(session: Session, tcns: Sequence[str]) -> dict[str, bytes]:
    """The submitted transaction (the CAR as received) of each booking."""
    found: dict[str, bytes] = {}
    query = (
        select(TransactionRecord.tcn, Evidence.data)
        .join(Evidence, Evidence.sha256 == TransactionRecord.sha256)
        .where(TransactionRecord.tcn.in_(tcns), TransactionRecord.tcr.is_(None))
        .order_by(TransactionRecord.id)
    )
    for tcn, data in session.execute(query):
        found.setdefault(tcn, data)
    return found


def ident_probe(data: bytes) -> dict[int, Template]:
    """A submission's fingers as IDENT receives them from the FBI.

    The FBI's probe (:func:`interop.agencies.agencies.probe_templates`: the
    Type-9 minutiae, else minutiae extracted from the images), passed on in
    ISO/IEC 19794-2 form.
    """
    t = parse(data)
    probe = probe_templates(t, read_car(t, decode_images=False).minutiae)
    return {p: decode_template(encode_template(template)) for p, template in probe.items()}


class _IdentAsOf:
    """IDENT's gallery as it stood on a day: its subjects with an encounter by then."""

    def __init__(self, session: Session, mirror: GalleryMirror) -> None:
        self.session = session
        self.mirror = mirror
        rows = sorted(
            session.execute(
                select(ImmigrationEncounter.a_number, func.min(ImmigrationEncounter.on)).group_by(
                    ImmigrationEncounter.a_number
                )
            ).all(),
            key=lambda r: (r[1], r[0]),
        )
        self.firsts = [on for _, on in rows]
        self.subjects = [a for a, _ in rows]
        self._subset: tuple[int, frozenset[str]] = (0, frozenset())
        self._refreshed = False

    def subset(self, on: date) -> Collection[str]:
        n = bisect_right(self.firsts, on)
        if self._subset[0] != n:
            self._subset = (n, frozenset(self.subjects[:n]))
        return self._subset[1]

    def search(self, probe: Mapping[int, Template], on: date) -> str | None:
        """The subject identified (an A-number or IDENT enumerator), or None."""
        if not self._refreshed:
            self.mirror.refresh(self.session)
            self._refreshed = True
        result = self.mirror.gallery.search(
            probe, params=self.mirror.params, subset=self.subset(on)
        )
        return result.identity


def _history(rows: Sequence[CriminalHistoryEntry], on: date) -> list[HistoryEntry]:
    """The LESC's view of a criminal history: the entries arrested by ``on``."""
    return history_entries(rows, on)


def _classify(
    session: Session, matched: Mapping[str, str], bookings: Mapping[str, _Booking]
) -> dict[str, _Match]:
    """The LESC's classification of each matched booking (by TCN; ``matched``: its
    subject), for the bookings whose IDENT record exists."""
    subjects: dict[str, bool] = {}
    ids = sorted(set(matched.values()))
    for chunk in _chunks(ids):
        subjects.update(
            session.execute(
                select(ImmigrationSubject.a_number, ImmigrationSubject.citizen).where(
                    ImmigrationSubject.a_number.in_(chunk)
                )
            ).all()
        )
    histories: dict[str, list[CriminalHistoryEntry]] = defaultdict(list)
    fbi_numbers = sorted(
        {b.fbi_number for t, b in bookings.items() if t in matched and b.fbi_number}
    )
    for chunk in _chunks(fbi_numbers):
        for row in session.scalars(
            select(CriminalHistoryEntry)
            .where(CriminalHistoryEntry.fbi_number.in_(chunk))
            .order_by(CriminalHistoryEntry.id)
        ):
            histories[row.fbi_number].append(row)
    out: dict[str, _Match] = {}
    unclassified = 0
    for tcn, a_number in matched.items():
        citizen = subjects.get(a_number)
        if citizen is None:
            continue  # IDENT answers no match without the record
        booking = bookings[tcn]
        history = _history(histories.get(booking.fbi_number or "", []), booking.booked_on)
        try:
            level: LevelDecision | None = classify(history, booking.booked_on, citizen=citizen)
        except PolicyError:
            level, unclassified = None, unclassified + 1
        out[tcn] = _Match(a_number, citizen, level)
    if unclassified:
        log.warning("what-if: %d matches the LESC cannot classify (offence table)", unclassified)
    return out


def _outcome(
    session: Session,
    label: str,
    config: PolicyConfig,
    bookings: Sequence[_Booking],
    forwarded: Collection[str],
    matches: Mapping[str, _Match],
    terms: _Terms,
) -> WhatIfOutcome:
    by_level = dict.fromkeys(LEVEL_KEYS, 0)
    iars = detainers = citizens = n_matches = 0
    held: dict[str, list[tuple[date, PriorityLevel]]] = defaultdict(list)
    for booking in bookings:
        match = matches.get(booking.tcn) if booking.tcn in forwarded else None
        if match is None:
            continue
        n_matches += 1
        citizens += match.citizen
        if match.level is None:
            continue
        by_level[_LEVEL_KEY[match.level.level]] += 1
        activation, state_terms = terms(booking.ori, booking.booked_on)
        iars += config.return_response_to_state(booking.booked_on, activation, state_terms).allowed
        if config.decide_detainer(match.level).allowed:
            detainers += 1
            held[match.a_number].append((booking.booked_on, match.level.level))
    removals = attributed_removals(session, held)
    return WhatIfOutcome(
        policy=label,
        bookings=len(bookings),
        forwarded=len(forwarded),
        matches=n_matches,
        matches_by_level=by_level,
        iars_to_state=iars,
        detainers=detainers,
        removals=len(removals),
        non_criminal_removals=sum(level is PriorityLevel.NON_CRIMINAL for _, level in removals),
        citizens_matched=citizens,
    )


def what_if(
    store: Store,
    compare: tuple[str | PolicyConfig, str | PolicyConfig],
    *,
    state: str | None = None,
    since: date | None = None,
    through: date | None = None,
    progress: bool = False,
    immigration: GalleryMirror | None = None,
) -> WhatIf:
    """Replay a store's bookings under two policy configurations (see the module docstring).

    Parameters
    ----------
    store : Store
        The store whose bookings are replayed (read only).
    compare : (str or PolicyConfig, str or PolicyConfig)
        Configurations A and B: names (:func:`known_policies`) or configurations.
    state : str, optional, keyword-only
        Only bookings in this state (USPS code).
    since, through : date, optional, keyword-only
        Only bookings on or after ``since`` and on or before ``through``
        (booking days).
    progress : bool, keyword-only
        Show a progress bar of the IDENT searches on standard error (counts only).
    immigration : GalleryMirror, optional, keyword-only
        The IDENT gallery to search, refreshed from the store first (not one
        a worker is using at the same time); by default a new one, read from
        the store only when a search is needed (about 1 ms a finger).

    Returns
    -------
    WhatIf
        Bookings still in flight at the FBI are left out of every figure.

    Raises
    ------
    UnknownPolicyError
        On an unknown configuration name (it lists the known ones).
    EmptyStoreError
        If the store holds no booking at all.
    WhatIfError
        If a booking to search has no submitted transaction in the store.
    """
    if len(compare) != 2:
        raise WhatIfError(f"compare takes two configurations, got {len(compare)}")
    chosen = [policy_config(p) for p in compare]
    with store.session() as session:
        if not session.scalar(select(func.count()).select_from(Case)):
            raise EmptyStoreError(
                "the store holds no bookings: replay a scenario into it first "
                "(or name the store that holds them)"
            )
        bookings, in_flight = _bookings(session, state, since, through)
        if in_flight:
            log.info("what-if: %d bookings still at the FBI left out", in_flight)
        terms = _Terms(session)
        forwarded: list[set[str]] = []
        for _, config in chosen:
            sent = set()
            for b in bookings:
                if b.rejected:
                    continue
                activation, state_terms = terms(b.ori, b.booked_on)
                if config.forward_to_ident(b.booked_on, activation, state_terms).allowed:
                    sent.add(b.tcn)
            forwarded.append(sent)
        either = forwarded[0] | forwarded[1]
        subject_of = {b.tcn: b.a_number for b in bookings if b.recorded and b.tcn in either}
        to_search = [b for b in bookings if b.tcn in either and not b.recorded]
        subject_of.update(_search(session, to_search, immigration, progress))
        matched = {t: a for t, a in subject_of.items() if a is not None}
        by_tcn = {b.tcn: b for b in bookings}
        matches = _classify(session, matched, by_tcn)
        outcomes = [
            _outcome(session, label, config, bookings, sent, matches, terms)
            for (label, config), sent in zip(chosen, forwarded, strict=True)
        ]
    return WhatIf(outcomes[0], outcomes[1], state, since, through)


def _search(
    session: Session,
    bookings: Sequence[_Booking],
    immigration: GalleryMirror | None,
    progress: bool,
) -> dict[str, str | None]:
    """IDENT's answer (subject or None) to each booking, searched as of its day."""
    if not bookings:
        return {}
    ident = _IdentAsOf(session, immigration or GalleryMirror(IMMIGRATION_SYSTEM))
    found: dict[str, str | None] = {}
    day = {b.tcn: b.booked_on for b in bookings}
    bar = Progress(console=Console(stderr=True), transient=True, disable=not progress)
    with bar:
        task = bar.add_task("IDENT searches", total=len(bookings))
        for chunk in _chunks([b.tcn for b in bookings]):
            data = _submissions(session, chunk)
            for tcn in chunk:
                if tcn not in data:
                    raise WhatIfError(f"booking {tcn}: its submitted transaction is not stored")
                found[tcn] = ident.search(ident_probe(data[tcn]), day[tcn])
                bar.update(task, advance=1)
    log.info("what-if: %d IDENT searches", len(found))
    return found
