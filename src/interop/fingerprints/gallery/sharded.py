"""A gallery split into shards held by Ray actors, searched by scatter-gather.

::

    import ray
    ray.init()                                   # or ray.init(address="auto")
    gallery = ShardedGallery(4)                  # four actors, one Gallery each
    gallery.enrol("S-0001", {2: right_index, 7: left_index})
    result = gallery.search({2: probe_right_index})   # what one Gallery returns

Each shard is a Ray actor wrapping one :class:`~.gallery.Gallery`. A subject
lives on one shard, chosen by a stable hash of its id (the first 8 bytes of
its BLAKE2b digest, modulo the number of shards: the same on every machine
and in every process, unlike Python's ``hash``).

Search runs in three phases, each on all the shards it concerns at once:

1. *Pre-filter.* Every shard returns its n best subjects (n =
   ``params.shortlist_size(probe fingers)``, :meth:`.Gallery.shortlist`); the driver keeps the n
   best of them all (:func:`~.gallery.merge_shortlists`).
2. *Comparison.* The driver encodes the probe fingers once, codes and
   cylinders (:func:`~.gallery.probe_forms`), and every shard compares its own
   members of that global shortlist in full (:meth:`.Gallery.compare_subjects`);
   the driver ranks all the candidates (:func:`~.gallery.assemble_result`),
   with the number of subjects searched summed over the shards.
3. *Verification.* The shards holding the best candidates of them all
   (:func:`~.gallery.to_verify`) compare those again
   (:meth:`.Gallery.verify_subjects`).

Why this is exact: a subject's pre-filter score depends only on its own
fingers and the probe (no gallery-wide statistic such as a key's frequency
enters it), so it is the same in a shard as in one gallery holding
everyone; all stages order by score and then by subject id, so the ranking
is total. The ``shortlist`` best subjects overall are therefore among the
``shortlist`` best of their own shards, and the merge picks exactly the
shortlist one gallery would. Full comparison and score fusion are per
subject, so the candidates and their scores are those of one gallery, and
so are the ones chosen for verification; the decision threshold depends
only on the number of subjects searched, which is the sum over shards. The
:class:`~.gallery.SearchResult` is the in-process one, bit for bit:
candidates, scores, ``threshold``, ``searched``, ``probe_fingers``,
``compared`` and ``verified``. Only the measures of work
done differ: ``timings_s``, and ``scanned`` (summed over the shards), since
how many index entries a pre-filter reads depends on when each index was
last compacted (:meth:`.index.PairIndex.compact`), which differs between
one large index and several small ones.

Consistency: a search is not atomic across shards and phases. A subject
enrolled, replaced or removed while a search runs may be seen by one phase
and not the other: one removed between the phases is left out, one replaced
is compared with its new fingers. Each shard on its own behaves as
:class:`~.gallery.Gallery` does.

Several machines: start a Ray cluster and connect to it before building the
gallery::

    head$    ray start --head --port=6379
    other$   ray start --address=HEAD:6379      # on each other machine
    driver:  ray.init(address="auto")           # on a cluster machine
             gallery = ShardedGallery(
                 8, actor_options={"scheduling_strategy": "SPREAD", "num_cpus": 1}
             )

Ray 2.60 uses token authentication when ``~/.ray/auth_token`` exists (a
local ``ray.init()`` writes one): give every machine the head's token file
(or ``RAY_AUTH_TOKEN``) and set ``RAY_AUTH_MODE=token`` for every ``ray
start`` and the driver, or a node joining fails with ``InvalidAuthToken``.
``SPREAD`` is best effort: actors that reserve no CPU (Ray's default) may
still share a node, so give each shard ``num_cpus``; for exactly one shard
per node, make a placement group of one ``{"CPU": 1}`` bundle per shard
with ``strategy="STRICT_SPREAD"`` and pass ``num_cpus=1`` and
``scheduling_strategy=PlacementGroupSchedulingStrategy(group)``.
:meth:`ShardedGallery.nodes` tells where the shards run.

``actor_options`` go to Ray's ``.options()`` for every shard actor
(``num_cpus``, ``memory``, ``max_concurrency`` for concurrent searches on a
shard, ``scheduling_strategy``, ...). :meth:`ShardedGallery.save` and
:meth:`ShardedGallery.load` read and write through the actors, so on several
machines the folder must be on a file system every node sees at the same
path (the path is made absolute on the driver).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from interop.fingerprints.gallery.gallery import (
    DEFAULT_SEARCH_PARAMETERS,
    Candidate,
    Gallery,
    GalleryError,
    GalleryFileError,
    SearchParameters,
    SearchResult,
    assemble_result,
    merge_shortlists,
    prefilter_probe,
    probe_forms,
    to_verify,
    usable_probe,
    with_verified,
)
from interop.fingerprints.gallery.index import DEFAULT_INDEX_PARAMETERS, IndexParameters
from interop.fingerprints.matcher import PreparedTemplate
from interop.fingerprints.matcher.codes import CodedProbe
from interop.fingerprints.template import Template

__all__ = ["ShardedGallery", "shard_of"]

_FORMAT = "interop-sharded-gallery-1"
_ROUTING = "blake2b-64-mod"

_UNWRAPPED = (GalleryError, KeyError)
"""Errors of the :class:`Gallery` contract, re-raised as themselves."""


def shard_of(subject_id: object, shards: int) -> int:
    """The shard (``0 .. shards - 1``) a subject id belongs to.

    The first 8 bytes of the BLAKE2b digest of the id's UTF-8 encoding, as
    a big-endian integer, modulo ``shards``: stable across processes,
    machines and Python versions. Anything but a string goes to shard 0
    (where the gallery rejects it as it would in-process).
    """
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards!r}")
    if not isinstance(subject_id, str):
        return 0
    digest = hashlib.blake2b(subject_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


class _Shard:
    """The actor class: one :class:`Gallery` and the calls the driver makes."""

    def __init__(self, index_params: IndexParameters) -> None:
        self.gallery = Gallery(index_params)

    def enrol(self, subject_id: str, fingers: Any) -> None:
        self.gallery.enrol(subject_id, fingers)

    def replace(self, subject_id: str, fingers: Any) -> None:
        self.gallery.replace(subject_id, fingers)

    def remove(self, subject_id: str) -> None:
        self.gallery.remove(subject_id)

    def contains(self, subject_id: str) -> bool:
        return subject_id in self.gallery

    def subject_ids(self) -> list[str]:
        return self.gallery.subject_ids()

    def fingers(self, subject_id: str) -> dict[int, Template]:
        return self.gallery.fingers(subject_id)

    def stats(self) -> tuple[int, int, int]:
        """Subjects, fingers, bytes."""
        g = self.gallery
        return len(g), g.finger_count, g.memory_bytes()

    def index_params(self) -> IndexParameters:
        return self.gallery.index_params

    def node(self) -> tuple[str, str]:
        """The Ray node id and the host name this actor runs on."""
        context = _ray().get_runtime_context()
        return str(context.get_node_id()), socket.gethostname()

    def shortlist(
        self,
        fingers: Mapping[int, Template],
        size: int,
        subset: Collection[str] | None,
        margin: float,
        common: float | None,
    ) -> tuple[list[tuple[str, float]], int, int]:
        return self.gallery.shortlist(fingers, size, subset, margin=margin, common=common)

    def compare_subjects(
        self, probe: Mapping[int, CodedProbe], entries: list[tuple[str, float]]
    ) -> tuple[list[Candidate], int]:
        return self.gallery.compare_subjects(probe, entries)

    def verify_subjects(
        self, probe: Mapping[int, PreparedTemplate], candidates: list[Candidate]
    ) -> tuple[list[Candidate], int]:
        return self.gallery.verify_subjects(probe, candidates)

    def save(self, path: str) -> None:
        self.gallery.save(path)

    def load(self, path: str, mmap: bool) -> IndexParameters:
        gallery = Gallery.load(path, mmap=mmap)
        self.gallery = gallery
        return gallery.index_params


def _ray() -> Any:
    """The ``ray`` module, imported on first use."""
    import ray

    return ray


def _get(refs: Any) -> Any:
    """``ray.get``, re-raising the :class:`Gallery` errors of an actor as themselves."""
    ray = _ray()
    try:
        return ray.get(refs)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, _UNWRAPPED):
            raise cause from None
        raise


def _fingers_arg(
    fingers: Mapping[int, Template | None] | Iterable[Template],
) -> dict[int, Template | None] | list[Template]:
    """Fingers in a form that pickles (a generator or a view does not)."""
    if isinstance(fingers, Mapping):
        return dict(fingers)
    return list(fingers)


class ShardedGallery:
    """A :class:`~.gallery.Gallery` split over Ray actors; same results.

    Ray must be initialised (``ray.init()``) before a sharded gallery is
    made; see the module docstring for a cluster of several machines.

    Parameters
    ----------
    shards : int
        Number of shards, one actor each.
    index_params : IndexParameters, keyword-only
        Pre-filter key parameters of every shard.
    actor_options : mapping, optional, keyword-only
        Options for Ray's ``.options()`` of each actor (``num_cpus``,
        ``max_concurrency``, ``scheduling_strategy``, ...).

    Attributes
    ----------
    actors : list
        The shard actors' handles, shard 0 first.
    index_params : IndexParameters
    """

    def __init__(
        self,
        shards: int,
        *,
        index_params: IndexParameters = DEFAULT_INDEX_PARAMETERS,
        actor_options: Mapping[str, Any] | None = None,
    ) -> None:
        if shards < 1:
            raise ValueError(f"shards must be at least 1, got {shards!r}")
        ray = _ray()
        actor_class = ray.remote(_Shard)
        if actor_options:
            actor_class = actor_class.options(**dict(actor_options))
        self.index_params = index_params
        self.actors: list[Any] = [actor_class.remote(index_params) for _ in range(shards)]

    @classmethod
    def from_actors(
        cls, actors: Sequence[Any], *, index_params: IndexParameters | None = None
    ) -> ShardedGallery:
        """A sharded gallery over existing shard actors (e.g. those of another
        :class:`ShardedGallery`, or named actors found with ``ray.get_actor``).

        The actors must have been filled by a :class:`ShardedGallery` of the
        same number of shards, in the same order: subjects are looked for on
        the shard :func:`shard_of` names.
        """
        if not actors:
            raise ValueError("no actor given")
        gallery = cls.__new__(cls)
        gallery.actors = list(actors)
        gallery.index_params = (
            index_params
            if index_params is not None
            else _get(gallery.actors[0].index_params.remote())
        )
        return gallery

    @property
    def shards(self) -> int:
        """Number of shards."""
        return len(self.actors)

    def shard_of(self, subject_id: object) -> int:
        """The shard holding (or to hold) a subject (:func:`shard_of`)."""
        return shard_of(subject_id, len(self.actors))

    def _actor(self, subject_id: object) -> Any:
        return self.actors[self.shard_of(subject_id)]

    # --- contents ---------------------------------------------------------------
    def _stats(self) -> list[tuple[int, int, int]]:
        stats: list[tuple[int, int, int]] = _get([a.stats.remote() for a in self.actors])
        return stats

    def __len__(self) -> int:
        return sum(s[0] for s in self._stats())

    def __contains__(self, subject_id: object) -> bool:
        if not isinstance(subject_id, str):
            return False
        return bool(_get(self._actor(subject_id).contains.remote(subject_id)))

    def subject_ids(self) -> list[str]:
        """Enrolled subjects, shard by shard, each in enrolment order."""
        lists: list[list[str]] = _get([a.subject_ids.remote() for a in self.actors])
        return [s for ids in lists for s in ids]

    @property
    def finger_count(self) -> int:
        """Enrolled fingers."""
        return sum(s[1] for s in self._stats())

    def memory_bytes(self) -> int:
        """Bytes held by all the shards (:meth:`.Gallery.memory_bytes`)."""
        return sum(s[2] for s in self._stats())

    def shard_sizes(self) -> list[int]:
        """Subjects enrolled in each shard."""
        return [s[0] for s in self._stats()]

    def nodes(self) -> list[tuple[str, str]]:
        """Where each shard runs: (Ray node id, host name), shard 0 first."""
        nodes: list[tuple[str, str]] = _get([a.node.remote() for a in self.actors])
        return nodes

    def fingers(self, subject_id: str) -> dict[int, Template]:
        """The stored fingers of a subject (:meth:`.Gallery.fingers`).

        Raises
        ------
        KeyError
            If the subject is not enrolled.
        """
        fingers: dict[int, Template] = _get(self._actor(subject_id).fingers.remote(subject_id))
        return fingers

    # --- enrolment ----------------------------------------------------------------
    def enrol(
        self, subject_id: str, fingers: Mapping[int, Template | None] | Iterable[Template]
    ) -> None:
        """Add a subject to its shard (:meth:`.Gallery.enrol`).

        Raises
        ------
        GalleryError
            If the subject is already enrolled, or the fingers are invalid.
        """
        _get(self._actor(subject_id).enrol.remote(subject_id, _fingers_arg(fingers)))

    def replace(
        self, subject_id: str, fingers: Mapping[int, Template | None] | Iterable[Template]
    ) -> None:
        """Replace a subject's fingers (or add the subject), atomically
        (:meth:`.Gallery.replace`).

        Raises
        ------
        GalleryError
            If the subject id or the fingers are invalid.
        """
        _get(self._actor(subject_id).replace.remote(subject_id, _fingers_arg(fingers)))

    def remove(self, subject_id: str) -> None:
        """Remove a subject (:meth:`.Gallery.remove`).

        Raises
        ------
        KeyError
            If the subject is not enrolled.
        """
        _get(self._actor(subject_id).remove.remote(subject_id))

    # --- search -------------------------------------------------------------------
    def search(
        self,
        probe: Mapping[int, Template | None] | Iterable[Template],
        *,
        params: SearchParameters = DEFAULT_SEARCH_PARAMETERS,
        subset: Collection[str] | None = None,
    ) -> SearchResult:
        """Search a probe on every shard; returns what :meth:`.Gallery.search`
        of one gallery holding every subject returns.

        Parameters
        ----------
        probe : mapping of position to Template (``None`` for a missing
            finger), or templates carrying their positions
        params : SearchParameters, keyword-only
        subset : collection of str, optional, keyword-only
            Search only these subjects; unknown ids are ignored.

        Returns
        -------
        SearchResult
            ``timings_s`` has ``prefilter`` (phase 1, with the transfers) and
            ``compare`` (phase 2).

        Raises
        ------
        GalleryError
            If the probe is invalid (see :meth:`.Gallery.enrol`).
        """
        ray = _ray()
        fingers = usable_probe(probe, params)
        voters = prefilter_probe(fingers, params)
        size = params.shortlist_size(len(voters))
        n = len(self.actors)
        subsets: list[list[str] | None] = [None] * n
        if subset is not None:
            # Each shard gets the ids that can be enrolled there.
            split: list[list[str]] = [[] for _ in range(n)]
            for s in subset:
                if isinstance(s, str):
                    split[shard_of(s, n)].append(s)
            subsets = [ids for ids in split]
        t0 = time.perf_counter()
        fingers_ref = ray.put(voters)
        refs = [
            a.shortlist.remote(
                fingers_ref, size, subsets[i], params.prefilter_margin, params.prefilter_common
            )
            for i, a in enumerate(self.actors)
        ]
        # Encode the probe while the shards pre-filter.
        coded, prepared = probe_forms(fingers)
        shortlists: list[tuple[list[tuple[str, float]], int, int]] = _get(refs)
        entries = merge_shortlists([s[0] for s in shortlists], size)
        searched = sum(s[1] for s in shortlists)
        scanned = sum(s[2] for s in shortlists)
        t1 = time.perf_counter()
        home = {sid: i for i, s in enumerate(shortlists) for sid, _ in s[0]}
        per_shard: list[list[tuple[str, float]]] = [[] for _ in range(n)]
        for entry in entries:
            per_shard[home[entry[0]]].append(entry)
        candidates: list[Candidate] = []
        compared = 0
        if entries:
            coded_ref = ray.put(coded)
            compare_refs = [
                self.actors[i].compare_subjects.remote(coded_ref, shard_entries)
                for i, shard_entries in enumerate(per_shard)
                if shard_entries
            ]
            for shard_candidates, shard_compared in _get(compare_refs):
                candidates.extend(shard_candidates)
                compared += shard_compared
        t2 = time.perf_counter()
        chosen = to_verify(candidates, params, len(fingers), searched)
        n_verified = 0
        if chosen:
            wanted = {p for c in chosen for p in c.finger_scores}
            prepared_ref = ray.put({p: prepared[p] for p in sorted(wanted)})
            per_shard_chosen: list[list[Candidate]] = [[] for _ in range(n)]
            for c in chosen:
                per_shard_chosen[home[c.subject_id]].append(c)
            verify_refs = [
                self.actors[i].verify_subjects.remote(prepared_ref, shard_chosen)
                for i, shard_chosen in enumerate(per_shard_chosen)
                if shard_chosen
            ]
            verified: list[Candidate] = []
            for shard_verified, shard_count in _get(verify_refs):
                verified.extend(shard_verified)
                n_verified += shard_count
            candidates = with_verified(candidates, verified)
        t3 = time.perf_counter()
        return assemble_result(
            candidates,
            searched=searched,
            probe_fingers=tuple(sorted(fingers)),
            params=params,
            scanned=scanned,
            compared=compared,
            verified=n_verified,
            shortlisted=tuple(subject for subject, _ in entries),
            timings_s={"prefilter": t1 - t0, "compare": t2 - t1, "verify": t3 - t2},
        )

    # --- persistence --------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the gallery to folder ``path``, replacing it atomically.

        One subfolder per shard (``shard-000``, ...; :meth:`.Gallery.save`,
        written by the shard's actor, all at once) and a JSON manifest. Each
        shard is a consistent snapshot; shards are not snapshot at one
        instant if subjects are enrolled meanwhile. On several machines the
        folder must be on a file system every node sees.
        """
        target = Path(path).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            names = [f"shard-{i:03d}" for i in range(len(self.actors))]
            _get(
                [a.save.remote(str(tmp / name)) for a, name in zip(self.actors, names, strict=True)]
            )
            manifest = {
                "format": _FORMAT,
                "routing": _ROUTING,
                "shards": names,
                "index": dataclasses.asdict(self.index_params),
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
            old = target.with_name(f".{target.name}.old")
            if target.exists():
                os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        actor_options: Mapping[str, Any] | None = None,
        mmap: bool = True,
    ) -> ShardedGallery:
        """Read a sharded gallery written by :meth:`save` into new actors
        (as many as it was saved with).

        Parameters
        ----------
        path : str or path-like
        actor_options : keyword-only
            As for :class:`ShardedGallery`.
        mmap : bool, keyword-only
            Memory-map each shard's arrays (:meth:`.Gallery.load`).

        Raises
        ------
        GalleryFileError
            If the folder or a shard is missing, incomplete, or not a gallery.
        """
        folder = Path(path).resolve()
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
                raise GalleryFileError(f"{folder}: not an {_FORMAT} folder")
            if manifest.get("routing") != _ROUTING:
                raise GalleryFileError(f"{folder}: unknown routing {manifest.get('routing')!r}")
            names = [str(name) for name in manifest["shards"]]
            index_params = IndexParameters(**manifest["index"])
        except GalleryFileError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise GalleryFileError(f"{folder}: cannot read sharded gallery: {exc}") from exc
        if not names or any(Path(name).name != name for name in names):
            raise GalleryFileError(f"{folder}: bad shard list in the manifest")
        gallery = cls(
            len(names),
            index_params=index_params,
            actor_options=actor_options,
        )
        try:
            loaded: list[IndexParameters] = _get(
                [
                    a.load.remote(str(folder / name), mmap)
                    for a, name in zip(gallery.actors, names, strict=True)
                ]
            )
        except BaseException:
            gallery.close()
            raise
        if any(p != index_params for p in loaded):
            gallery.close()
            raise GalleryFileError(f"{folder}: shards saved with other index parameters")
        return gallery

    # --- lifetime -----------------------------------------------------------------
    def close(self) -> None:
        """End the shard actors (their contents are lost: :meth:`save` first).

        Actors also end when the last handle to them goes away.
        """
        ray = _ray()
        for actor in self.actors:
            ray.kill(actor)
        self.actors = []

    def __enter__(self) -> ShardedGallery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
