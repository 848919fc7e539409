"""Synthetic fingerprints in the manner of SFinGe (Cappelli, Maio & Maltoni).

A *master* is a whole synthetic finger; an *impression* is one capture of it
by a 500-ppi sensor. Both are pure functions of their seeds::

    master = master_fingerprint(7)          # about 1 s: grows the ridges
    image = impression(master, 0)           # about 20 ms: (400, 304) uint8
    other = impression(master, 1)           # same finger, another capture

Stages, one module each:

* :mod:`.orientation` -- pattern class with natural frequencies, singular
  points, zero-pole orientation field (Sherlock & Monro 1993);
* :mod:`.ridges` -- finger silhouette, ridge-period map, ridge growth by
  iterative contextual Gabor filtering, which creates the minutiae;
* :mod:`.master` -- the two above, bound to a seed;
* :mod:`.impression` -- placement, elastic distortion, contact region,
  pressure, grey levels and sensor noise.

:mod:`.templates` skips the images for scale: minutiae sets drawn directly,
with the perturbations of capture and extraction (``master_minutiae``,
``minutiae_impression``, ``synthetic_templates``; its own numbers are in
``TemplateSynthesisParameters``).

Every tuned number is in :mod:`.parameters`.

References
----------
R. Cappelli, D. Maio, D. Maltoni, "Synthetic fingerprint-image generation",
ICPR 2000. D. Maltoni, D. Maio, A. K. Jain, J. Feng, *Handbook of
Fingerprint Recognition*, 3rd ed., Springer 2022, ch. 7. B. G. Sherlock,
D. M. Monro, "A model for interpreting fingerprint topology", Pattern
Recognition 26(7), 1993.
"""

from __future__ import annotations

from interop.fingerprints.synth.impression import impression
from interop.fingerprints.synth.master import MasterFingerprint, master_fingerprint, pattern_class
from interop.fingerprints.synth.orientation import (
    CLASS_FREQUENCIES,
    PatternClass,
    SingularPoints,
)
from interop.fingerprints.synth.parameters import (
    DEFAULT_IMPRESSION_PARAMETERS,
    DEFAULT_MASTER_PARAMETERS,
    ImpressionParameters,
    MasterParameters,
)
from interop.fingerprints.synth.templates import (
    DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS,
    MasterMinutiae,
    TemplateSynthesisParameters,
    master_minutiae,
    minutiae_impression,
    synthetic_template_arrays,
    synthetic_templates,
)

__all__ = [
    "CLASS_FREQUENCIES",
    "DEFAULT_IMPRESSION_PARAMETERS",
    "DEFAULT_MASTER_PARAMETERS",
    "DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS",
    "ImpressionParameters",
    "MasterFingerprint",
    "MasterMinutiae",
    "MasterParameters",
    "PatternClass",
    "SingularPoints",
    "TemplateSynthesisParameters",
    "impression",
    "master_fingerprint",
    "master_minutiae",
    "minutiae_impression",
    "pattern_class",
    "synthetic_template_arrays",
    "synthetic_templates",
]
