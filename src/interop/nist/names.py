"""Mnemonics of the ANSI/NIST-ITL 1-2011 fields that ``interop nist show`` names.

User-defined records (Type-2) take their names from the EBTS rules
(:mod:`.ebts_rules`); the record types here are the standard's own.
"""

from __future__ import annotations

_COMMON = {1: "LEN", 2: "IDC"}
# fields of every tagged image record (10, 13, 14, ...)
_IMAGE = {
    **_COMMON,
    4: "SRC",
    6: "HLL",
    7: "VLL",
    8: "SLC",
    9: "THPS",
    10: "TVPS",
    11: "CGA",
    999: "DATA",
}
# and those the latent (13) and fingerprint (14) image records share
_FRICTION_RIDGE_IMAGE = {
    **_IMAGE,
    3: "IMP",
    12: "BPX",
    13: "FGP",
    15: "PPC",
    16: "SHPS",
    17: "SVPS",
    20: "COM",
}

FIELD_NAMES: dict[int, dict[int, str]] = {
    1: {
        1: "LEN",
        2: "VER",
        3: "CNT",
        4: "TOT",
        5: "DAT",
        6: "PRY",
        7: "DAI",
        8: "ORI",
        9: "TCN",
        10: "TCR",
        11: "NSR",
        12: "NTR",
        13: "DOM",
        14: "GMT",
        15: "DCS",
        16: "APS",
        17: "ANM",
        18: "GNS",
    },
    2: dict(_COMMON),
    9: {
        **_COMMON,
        3: "IMP",
        4: "FMT",
        5: "OFR",
        6: "FGP",
        7: "FPC",
        8: "CRP",
        9: "DLT",
        10: "MIN",
        11: "RDG",
        12: "MRC",
    },
    10: {**_IMAGE, 3: "IMT", 5: "PHD", 12: "CSP", 13: "SAP", 20: "POS", 21: "POA"},
    13: {**_FRICTION_RIDGE_IMAGE, 5: "LCD", 14: "SPD", 24: "LQM"},
    14: {
        **_FRICTION_RIDGE_IMAGE,
        5: "FCD",
        14: "PPD",
        18: "AMP",
        21: "SEG",
        22: "NQM",
        23: "SQM",
        24: "FQM",
        25: "ASEG",
    },
}
"""Record type -> field number -> mnemonic."""

RECORD_NAMES = {
    1: "Transaction information",
    2: "User-defined descriptive text",
    4: "High-resolution grayscale fingerprint image",
    7: "User-defined image",
    8: "Signature image",
    9: "Minutiae data",
    10: "Photographic body part image",
    13: "Friction-ridge latent image",
    14: "Fingerprint image",
    15: "Palm print image",
    17: "Iris image",
}


def field_name(record_type: int, tag: int) -> str:
    """The field's mnemonic: the standard's, else the EBTS rules' (Type-2
    fields), else ``""``."""
    name = FIELD_NAMES.get(record_type, {}).get(tag, "")
    if name:
        return name
    from interop.nist.ebts_rules import load_rules

    prefix = f"T{record_type}_"
    for rule in load_rules().fields:
        if rule.record == record_type and rule.tag == tag and rule.item is None:
            return rule.mnemonic.removeprefix(prefix)
    return ""
