"""1:N identification: galleries of enrolled subjects, pre-filter, search, fusion.

:class:`ShardedGallery` spreads a gallery over Ray actors (:mod:`.sharded`);
Ray is imported only when one is made.
"""

from interop.fingerprints.gallery.fusion import fused_score, threshold_for_fpir
from interop.fingerprints.gallery.gallery import (
    DEFAULT_SEARCH_PARAMETERS,
    FINGER_POSITIONS,
    Candidate,
    EnrolmentBatch,
    Gallery,
    GalleryError,
    GalleryFileError,
    SearchParameters,
    SearchResult,
    assemble_result,
    merge_shortlists,
    pack_enrolments,
    to_verify,
    usable_probe,
    with_verified,
)
from interop.fingerprints.gallery.index import (
    DEFAULT_INDEX_PARAMETERS,
    IndexParameters,
    PairIndex,
    enrolment_keys,
    search_keys,
)
from interop.fingerprints.gallery.sharded import ShardedGallery, shard_of
from interop.fingerprints.matcher.codes import pack_minutiae, unpack_minutiae

__all__ = [
    "DEFAULT_INDEX_PARAMETERS",
    "DEFAULT_SEARCH_PARAMETERS",
    "FINGER_POSITIONS",
    "Candidate",
    "EnrolmentBatch",
    "Gallery",
    "GalleryError",
    "GalleryFileError",
    "IndexParameters",
    "PairIndex",
    "SearchParameters",
    "SearchResult",
    "ShardedGallery",
    "assemble_result",
    "enrolment_keys",
    "fused_score",
    "merge_shortlists",
    "pack_enrolments",
    "pack_minutiae",
    "search_keys",
    "shard_of",
    "threshold_for_fpir",
    "to_verify",
    "unpack_minutiae",
    "usable_probe",
    "with_verified",
]
