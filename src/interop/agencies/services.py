"""What the agencies' handlers share: inbox names, the two fingerprint
galleries kept in step with the store, and the policy inputs read from it.

The galleries live in the worker's memory (:class:`interop.fingerprints.Gallery`)
and are filled from the ``subject_templates`` table: at start, and before
each search with the enrolments other workers committed since
(:meth:`GalleryMirror.refresh`). A mirror given a snapshot folder starts
from a saved copy of its gallery and reads only the rows after it
(:meth:`GalleryMirror.save_snapshot`, :meth:`Services.with_snapshots`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, Row, event, insert, or_, select, text
from sqlalchemy.orm import Session, SessionTransaction

from interop.fingerprints.codecs import decode_template, encode_template
from interop.fingerprints.gallery import (
    DEFAULT_INDEX_PARAMETERS,
    EnrolmentBatch,
    Gallery,
    GalleryFileError,
    IndexParameters,
    SearchParameters,
    SearchResult,
    pack_enrolments,
)
from interop.fingerprints.gallery.gallery import coded_form
from interop.fingerprints.matcher.codes import CodedTemplate, coded_bytes, coded_from_bytes
from interop.fingerprints.template import Template
from interop.policy.config import POLICY_PRESETS, PolicyConfig
from interop.policy.sharing import JurisdictionActivation, StateTerms
from interop.store.database import home
from interop.store.models import (
    Agreement,
    Jurisdiction,
    OptOutRequest,
    StateBureau,
    SubjectTemplate,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from interop.fingerprints.gallery.sharded import ShardedGallery

FBI = "fbi:WVIAFIS0Z"
IDENT = "ident:IDENT"
LESC = "lesc:LESC"


def booking(ori: str) -> str:
    """Inbox of a booking agency."""
    return f"booking:{ori}"


def bureau(ori: str) -> str:
    """Inbox of a State Identification Bureau."""
    return f"bureau:{ori}"


def field_office(state: str) -> str:
    """Inbox of the ICE field office whose area covers ``state``."""
    return f"field_office:{state}"


def ori_of(inbox: str) -> str:
    """The ORI (or name) part of an inbox."""
    return inbox.partition(":")[2]


LOOKBACK_ROWS = 4096
"""Template rows re-read below the highest id a mirror has seen."""

CRIMINAL_SYSTEM = "fbi"
"""``subject_templates.system`` of the FBI's criminal master file."""
IMMIGRATION_SYSTEM = "ident"
"""``subject_templates.system`` of IDENT."""

REFRESH_SUBJECTS = 500
"""Subjects whose templates one refresh query reads and one batch enrols."""
PARALLEL_SUBJECTS = 2_000
"""Subjects a refresh must read before a mirror with ``workers`` > 1 packs
them in worker processes (starting them costs a few seconds)."""
SNAPSHOT_EVERY = 10_000
"""Subjects a mirror enrols from the store before it saves a new snapshot."""
SNAPSHOTS_KEPT = 2
"""Snapshots kept per store and system (older ones are deleted)."""
_SNAPSHOT_FORMAT = "interop-mirror-1"

PIPELINE_SEARCH = SearchParameters(
    prefilter_fingers=5, prefilter_margin=0.35, prefilter_common=4.0, verify_band=40.0
)
"""How the FBI and IDENT search a booking's ten-print: the five fingers with
the most minutiae vote in the pre-filter; each probe pair looks up a
neighbouring bin only along the axes where it lies within 0.35 of a bin
width of the edge, and no key whose row list is over four times the mean
list (and over :data:`~interop.fingerprints.gallery.index.COMMON_FLOOR_BYTES`);
every finger is compared; only candidates within 40 points of the
threshold are verified with cylinders. Against the FBI's gallery of the
pipeline benchmark (about 107,000 subjects), with the 1,483 mated bookings
among the first 2,000 of its scenario, the pre-filter reads about seven
times fewer index entries than four fingers looking up every key's nearer
neighbours (margin 0.5), and every mate ranks in the top 10
(``benchmarks/prefilter_variants.py``; BENCHMARKS.md, "The pipeline")."""


TemplateRow = tuple[str, int, bytes, bytes | None]
"""(subject id, position, ISO/IEC 19794-2 bytes, stored codes or None) of a finger."""


def _packed(
    rows: list[TemplateRow], params: IndexParameters = DEFAULT_INDEX_PARAMETERS
) -> EnrolmentBatch:
    """Decode and pack template rows for :meth:`Gallery.enrol_batch`
    (module-level, so worker processes can run it).

    A finger whose row holds its codes (the worker that enrolled it wrote
    them, :meth:`GalleryMirror.enrol`) is not encoded again; one without
    (seeded rows, or codes of another version) is, about 1 ms a finger.
    """
    fingers: dict[str, dict[int, Template]] = {}
    stored: dict[tuple[str, int], CodedTemplate] = {}
    for subject_id, position, blob, coded in rows:
        fingers.setdefault(subject_id, {})[position] = decode_template(blob)
        if coded is not None:
            try:
                found = coded_from_bytes(coded)
            except ValueError:
                log.warning("stored codes of a template row are malformed: encoding it again")
                found = None
            if found is not None:
                stored[subject_id, position] = found
    return pack_enrolments(fingers.items(), params, stored)


def snapshot_folder() -> Path:
    """The default folder of gallery snapshots: ``INTEROP_HOME``/galleries."""
    return home() / "galleries"


def _store_key(session: Session) -> str:
    """Which database (and PostgreSQL schema) a session reads, as 16 hex digits."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    where = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "postgresql":
        where += "#" + str(
            session.scalar(text("SELECT current_database() || '.' || current_schema()"))
        )
    return hashlib.sha256(where.encode()).hexdigest()[:16]


_CHECKPOINTS = "interop.mirror_checkpoints"
"""``Session.info`` key: the mirrors refreshed in the session's transaction."""


@dataclass
class _Checkpoint:
    """A mirror as it stood before its first refresh in a transaction."""

    high_water: int
    gaps: set[int] | None
    added: list[str]


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    session.info.pop(_CHECKPOINTS, None)


@event.listens_for(Session, "after_transaction_end")
def _undo_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """A transaction ended without a commit (rolled back, or closed): each
    mirror refreshed in it forgets the subjects it enrolled from it, which
    may have been the transaction's own uncommitted rows."""
    if transaction.parent is None:
        for mirror, checkpoint in session.info.pop(_CHECKPOINTS, {}).items():
            mirror._forget(checkpoint)


class GalleryMirror:
    """An in-memory gallery holding one system's enrolled subjects.

    With ``snapshots``, the mirror starts from the newest snapshot of its
    gallery that matches the store (memory-mapped: processes on one machine
    share its pages) and reads only the template rows after it, instead of
    decoding and packing every row (about 1 ms a finger). It saves a new
    snapshot once it has enrolled ``snapshot_every`` subjects from the store
    since the last, and on :meth:`save_snapshot`. A snapshot is a folder
    ``{system}-{store}-{high water}`` (the store's database and schema as a
    hash, the highest template id the gallery holds) with the gallery
    (:meth:`Gallery.save`) and ``mirror.json``, which names the template
    row at the high water mark; a snapshot whose row the store does not
    hold is ignored (another database under the same name, or one seeded
    anew).

    Parameters
    ----------
    system : str
        ``"fbi"`` (criminal master file) or ``"ident"``.
    gallery : Gallery or ShardedGallery, optional
        Replaced by a snapshot at the first refresh if empty. A
        :class:`~interop.fingerprints.gallery.sharded.ShardedGallery` (Ray
        actors, :meth:`Services.sharded`) is filled subject by subject and
        takes no snapshots.
    snapshots : path, optional, keyword-only
        Folder of snapshots (:func:`snapshot_folder` is the usual one);
        None: none are read or written.
    snapshot_every : int, keyword-only
        Subjects enrolled from the store between two automatic snapshots.
    workers : int, keyword-only
        Processes that decode and pack templates when a refresh reads at
        least :data:`PARALLEL_SUBJECTS` subjects (a start without snapshot);
        1: this process only.
    params : SearchParameters, keyword-only
        How :meth:`search` searches (:data:`PIPELINE_SEARCH`).
    """

    def __init__(
        self,
        system: str,
        gallery: Gallery | ShardedGallery | None = None,
        *,
        snapshots: str | os.PathLike[str] | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
        workers: int = 1,
        params: SearchParameters = PIPELINE_SEARCH,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.system = system
        self.params = params
        self.workers = workers
        self.gallery: Gallery | ShardedGallery = gallery if gallery is not None else Gallery()
        self.snapshots = Path(snapshots) if snapshots is not None else None
        self.snapshot_every = snapshot_every
        self._high_water = 0
        self._gaps: set[int] | None = None  # None: not read yet (see _new_rows)
        self._started = False
        self._unsaved = 0

    @property
    def high_water(self) -> int:
        """The highest template id the gallery holds (0: none)."""
        return self._high_water

    def refresh(self, session: Session) -> int:
        """Enrol the subjects stored since the last refresh; returns how many.

        Reads the rows after the highest id seen and the ids below it not
        seen yet (a row committed late behind a higher id is still found:
        :meth:`_new_rows`), and fetches templates only for subjects not yet in
        the gallery. The first refresh starts from a snapshot when there is one.

        The rows read may include ones the session's own transaction wrote
        (a worker handling several messages in one transaction enrols a
        subject, then searches again): if that transaction does not commit,
        the mirror forgets what it read in it (:func:`_undo_uncommitted`).
        """
        if not self._started:
            self._started = True
            if (
                self.snapshots is not None
                and isinstance(self.gallery, Gallery)
                and len(self.gallery) == 0
            ):
                self._load_snapshot(session)
        checkpoints: dict[GalleryMirror, _Checkpoint] = session.info.setdefault(_CHECKPOINTS, {})
        if self not in checkpoints:
            gaps = None if self._gaps is None else set(self._gaps)
            checkpoints[self] = _Checkpoint(self._high_water, gaps, [])
        rows = self._new_rows(session)
        new = sorted(
            {
                row.subject_id
                for row in rows
                if row.system == self.system and row.subject_id not in self.gallery
            }
        )
        checkpoints[self].added.extend(new)
        chunks = (
            self._template_rows(session, new[start : start + REFRESH_SUBJECTS])
            for start in range(0, len(new), REFRESH_SUBJECTS)
        )
        params = self.gallery.index_params
        gallery = self.gallery
        if not isinstance(gallery, Gallery):
            # a sharded gallery enrols subject by subject, each on its shard
            for chunk in chunks:
                fingers: dict[str, dict[int, Template]] = {}
                for subject_id, position, blob, _coded in chunk:  # shards encode their own
                    fingers.setdefault(subject_id, {})[position] = decode_template(blob)
                for subject_id, by_position in fingers.items():
                    gallery.enrol(subject_id, by_position)
            return len(new)
        if self.workers > 1 and len(new) >= PARALLEL_SUBJECTS:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
                ahead: deque[Future[EnrolmentBatch]] = deque()
                for chunk in chunks:
                    ahead.append(pool.submit(_packed, chunk, params))
                    if len(ahead) > 2 * self.workers:
                        gallery.enrol_batch(ahead.popleft().result())
                while ahead:
                    gallery.enrol_batch(ahead.popleft().result())
        else:
            for chunk in chunks:
                gallery.enrol_batch(_packed(chunk, params))
        self._unsaved += len(new)
        if self.snapshots is not None and self._unsaved >= self.snapshot_every:
            self.save_snapshot(session)
        return len(new)

    def _forget(self, checkpoint: _Checkpoint) -> None:
        """Back to ``checkpoint``: the subjects enrolled since removed, the
        rows read since to be read again."""
        for subject_id in reversed(checkpoint.added):
            if subject_id in self.gallery:
                self.gallery.remove(subject_id)
        self._high_water, self._gaps = checkpoint.high_water, checkpoint.gaps
        log.info(
            "%s gallery: %d subjects of a rolled back transaction forgotten",
            self.system,
            len(checkpoint.added),
        )

    def _new_rows(self, session: Session) -> Sequence[Row[int, str, str]]:
        """Template rows (id, system, subject id) not seen before, of every system.

        The first call reads the :data:`LOOKBACK_ROWS` ids below the high-water
        mark and everything above it; later calls read the ids above it and the
        *gaps*: ids below it not seen yet (on PostgreSQL an id is drawn at
        insert, and a transaction may commit after one that drew a higher id),
        kept while they are within :data:`LOOKBACK_ROWS` of the mark. Reading
        every system's rows tells a gap from another system's row.
        """
        columns = (SubjectTemplate.id, SubjectTemplate.system, SubjectTemplate.subject_id)
        if self._gaps is None:
            where = SubjectTemplate.id > max(0, self._high_water - LOOKBACK_ROWS)
        elif self._gaps:
            where = or_(
                SubjectTemplate.id > self._high_water, SubjectTemplate.id.in_(sorted(self._gaps))
            )
        else:
            where = SubjectTemplate.id > self._high_water
        rows = session.execute(select(*columns).where(where)).all()
        seen = {int(row.id) for row in rows}
        top = max(seen, default=self._high_water)
        floor = max(0, max(top, self._high_water) - LOOKBACK_ROWS)
        if self._gaps is None:
            start = floor
            self._gaps = set()
        else:
            start = self._high_water
        self._gaps = {
            i for i in self._gaps | set(range(start + 1, top + 1)) if i > floor and i not in seen
        }
        self._high_water = max(self._high_water, top)
        return rows

    def _template_rows(self, session: Session, subjects: list[str]) -> list[TemplateRow]:
        """The rows of these subjects' fingers (:data:`TemplateRow`)."""
        query = select(
            SubjectTemplate.subject_id,
            SubjectTemplate.position,
            SubjectTemplate.template,
            SubjectTemplate.coded,
        ).where(SubjectTemplate.system == self.system, SubjectTemplate.subject_id.in_(subjects))
        return [
            (row.subject_id, row.position, row.template, row.coded)
            for row in session.execute(query)
        ]

    def search(self, session: Session, probe: Mapping[int, Template]) -> SearchResult:
        self.refresh(session)
        return self.gallery.search(probe, params=self.params)

    def enrol(self, session: Session, subject_id: str, fingers: Mapping[int, Template]) -> None:
        """Store ``fingers`` for ``subject_id`` (committed with the caller's
        transaction); the gallery picks them up at the next refresh.

        Each row also holds the finger's codes, which the search that found
        no one has just made (:func:`coded_form` takes them from its probe
        forms): every other worker's gallery reads them instead of encoding
        the finger again.
        """
        rows = [
            {
                "system": self.system,
                "subject_id": subject_id,
                "position": position,
                "template": encode_template(template),
                "coded": coded_bytes(coded_form(template)),
            }
            for position, template in fingers.items()
        ]
        if rows:  # one statement for the ten fingers
            session.execute(insert(SubjectTemplate), rows)

    # --- snapshots ------------------------------------------------------------------
    def _marker(self, session: Session, row_id: int) -> dict[str, object] | None:
        """What identifies template row ``row_id`` (None: no such row).

        The row may be of either system: the high water mark is the highest id
        of every system's rows the mirror has read (:meth:`_new_rows`).
        """
        found = session.execute(
            select(
                SubjectTemplate.subject_id, SubjectTemplate.position, SubjectTemplate.template
            ).where(SubjectTemplate.id == row_id)
        ).one_or_none()
        if found is None:
            return None
        return {
            "id": row_id,
            "subject_id": found.subject_id,
            "position": found.position,
            "sha256": hashlib.sha256(found.template).hexdigest(),
        }

    def _snapshot_paths(self, key: str) -> list[Path]:
        """This store's and system's snapshots, newest (highest mark) first."""
        if self.snapshots is None or not self.snapshots.is_dir():
            return []
        return sorted(self.snapshots.glob(f"{self.system}-{key}-*"), reverse=True)

    def _load_snapshot(self, session: Session) -> bool:
        """Start from the newest snapshot the store matches; False if none."""
        for folder in self._snapshot_paths(_store_key(session)):
            try:
                meta = json.loads((folder / "mirror.json").read_text())
                if meta.get("format") != _SNAPSHOT_FORMAT or meta.get("system") != self.system:
                    continue
                high_water = int(meta["high_water"])
                if self._marker(session, high_water) != meta.get("row"):
                    continue
                gallery = Gallery.load(folder, mmap=True)
            except (OSError, ValueError, KeyError, TypeError, GalleryFileError):
                continue  # half-written, of another format, or removed meanwhile
            self.gallery, self._high_water, self._unsaved = gallery, high_water, 0
            log.info(
                "%s gallery: %d subjects from snapshot %s", self.system, len(gallery), folder.name
            )
            return True
        return False

    def save_snapshot(self, session: Session) -> Path | None:
        """Save the gallery as a snapshot (see the class docstring).

        Returns
        -------
        Path or None
            The snapshot's folder; None without a snapshot folder, with
            nothing enrolled yet, or when it cannot be written (logged: the
            mirror goes on without).
        """
        if not isinstance(self.gallery, Gallery):
            return None
        if self.snapshots is None:
            return None
        key = _store_key(session)
        marker = self._marker(session, self._high_water)
        if marker is None:
            return None
        target = self.snapshots / f"{self.system}-{key}-{self._high_water:012d}"
        meta = {
            "format": _SNAPSHOT_FORMAT,
            "system": self.system,
            "high_water": self._high_water,
            "row": marker,
            "subjects": len(self.gallery),
        }
        try:
            if not (target / "mirror.json").is_file():
                self.gallery.save(target)
                tmp = target / ".mirror.json.tmp"
                tmp.write_text(json.dumps(meta))
                os.replace(tmp, target / "mirror.json")
            for old in self._snapshot_paths(key)[SNAPSHOTS_KEPT:]:
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            log.warning("%s gallery snapshot not saved: %s", self.system, type(exc).__name__)
            return None
        self._unsaved = 0
        return target


@dataclass
class Services:
    """Everything the handlers need besides the message and the session.

    Attributes
    ----------
    criminal, immigration : GalleryMirror
        The FBI's and IDENT's galleries.
    policy : PolicyConfig
        Sharing mode, detainer policy and program facts
        (:data:`interop.policy.POLICY_PRESETS`).
    """

    criminal: GalleryMirror = field(default_factory=lambda: GalleryMirror(CRIMINAL_SYSTEM))
    immigration: GalleryMirror = field(default_factory=lambda: GalleryMirror(IMMIGRATION_SYSTEM))
    policy: PolicyConfig = field(default_factory=lambda: POLICY_PRESETS["as-operated"])

    @classmethod
    def sharded(cls, policy: PolicyConfig | None = None, *, shards: int = 2) -> Services:
        """Services whose galleries are Ray-sharded (``shards`` actors each; Ray
        must be initialised: ``ray.init()`` or ``ray.init(address="auto")``)."""
        return _sharded_services(policy, shards)

    @classmethod
    def with_snapshots(
        cls,
        policy: PolicyConfig | None = None,
        *,
        snapshots: str | os.PathLike[str] | None = None,
        workers: int = 1,
    ) -> Services:
        """Services whose galleries start from snapshots (see :class:`GalleryMirror`).

        Parameters
        ----------
        policy : PolicyConfig, optional
            The as-operated preset by default.
        snapshots : path, optional, keyword-only
            :func:`snapshot_folder` by default.
        workers : int, keyword-only
            Processes packing templates when a gallery starts without a snapshot.
        """
        folder = snapshot_folder() if snapshots is None else snapshots
        return cls(
            criminal=GalleryMirror(CRIMINAL_SYSTEM, snapshots=folder, workers=workers),
            immigration=GalleryMirror(IMMIGRATION_SYSTEM, snapshots=folder, workers=workers),
            policy=policy if policy is not None else POLICY_PRESETS["as-operated"],
        )


def _sharded_services(policy: PolicyConfig | None, shards: int) -> Services:
    from interop.fingerprints.gallery.sharded import ShardedGallery

    return Services(
        criminal=GalleryMirror(CRIMINAL_SYSTEM, ShardedGallery(shards)),
        immigration=GalleryMirror(IMMIGRATION_SYSTEM, ShardedGallery(shards)),
        policy=policy if policy is not None else POLICY_PRESETS["as-operated"],
    )


def jurisdiction_terms(
    session: Session, ori: str, on: date
) -> tuple[Jurisdiction, JurisdictionActivation, StateTerms]:
    """The store's facts about a jurisdiction and its state, as policy inputs.

    Raises
    ------
    LookupError
        If the ORI is not a known jurisdiction.
    """
    j = session.get(Jurisdiction, ori)
    if j is None:
        raise LookupError(f"ORI {ori} is not a known jurisdiction")
    moas = session.scalars(
        select(Agreement).where(Agreement.state == j.state).order_by(Agreement.signed_on)
    ).all()
    signed = [m for m in moas if m.signed_on <= on]
    last = signed[-1] if signed else None
    opt_outs = session.scalars(
        select(OptOutRequest.requested_on)
        .where(OptOutRequest.state == j.state, OptOutRequest.requested_on <= on)
        .order_by(OptOutRequest.requested_on)
    ).all()
    state_terminated = (
        last.terminated_on if last is not None and last.terminated_by == "state" else None
    )
    terms = StateTerms(
        state=j.state,
        moa_signed_on=last.signed_on if last is not None else None,
        moa_terminated_on=state_terminated,
        opt_out_requested_on=opt_outs[0] if opt_outs else None,
    )
    activation = JurisdictionActivation(
        ori=j.ori, state=j.state, activated_on=j.activated_on, deactivated_on=j.deactivated_on
    )
    return j, activation, terms


def state_bureau(session: Session, state: str) -> StateBureau:
    """The SIB of ``state``.

    Raises
    ------
    LookupError
        If the state has none.
    """
    found = session.scalars(select(StateBureau).where(StateBureau.state == state)).one_or_none()
    if found is None:
        raise LookupError(f"no State Identification Bureau for {state}")
    return found
