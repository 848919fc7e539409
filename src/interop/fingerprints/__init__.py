"""The fingerprint engine: images in, minutiae templates out, templates compared.

    pixels = load_fingerprint("101_1.tif", resolution_ppi=500)   # (H, W) uint8 at 500 ppi
    template = extract(pixels)                                    # Template (ISO conventions)
    score = compare(prepare(template), prepare(other))            # t => FMR ~ 10**(-t/10)
    record = encode_template(template)                            # ISO/IEC 19794-2:2005 bytes

Public names are re-exported here; the stage modules below stay the place to
read how each step works.
"""

from __future__ import annotations

from interop.fingerprints.codecs import (
    decode_record,
    decode_template,
    detect,
    encode_record,
    encode_template,
)
from interop.fingerprints.errors import (
    ExtractionError,
    FailureToEnrol,
    FingerprintError,
    ImageDecodeError,
    ImageError,
    ImageLimitError,
    TemplateDecodeError,
    TemplateEncodeError,
    TemplateError,
)
from interop.fingerprints.extraction import ExtractionParameters, extract
from interop.fingerprints.image import (
    DecodedImage,
    decode_image,
    decode_raw,
    load_fingerprint,
    normalize_resolution,
)
from interop.fingerprints.matcher import (
    MatcherParameters,
    PreparedTemplate,
    compare,
    compare_templates,
    prepare,
)
from interop.fingerprints.template import Minutia, MinutiaType, Template

__all__ = [
    "DecodedImage",
    "ExtractionError",
    "ExtractionParameters",
    "FailureToEnrol",
    "FingerprintError",
    "ImageDecodeError",
    "ImageError",
    "ImageLimitError",
    "MatcherParameters",
    "Minutia",
    "MinutiaType",
    "PreparedTemplate",
    "Template",
    "TemplateDecodeError",
    "TemplateEncodeError",
    "TemplateError",
    "compare",
    "compare_templates",
    "decode_image",
    "decode_raw",
    "decode_record",
    "decode_template",
    "detect",
    "encode_record",
    "encode_template",
    "extract",
    "load_fingerprint",
    "normalize_resolution",
    "prepare",
]
