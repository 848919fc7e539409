"""NCIC place-of-birth codes, and the EBTS code tables kept in separate files.

EBTS writes a place of birth (2.020 POB) and a citizenship (2.021 CTZ) as the
two-letter state and country codes of the NCIC Code Manual, which are not
ISO 3166: Mexico is ``MM``, India ``II``, El Salvador ``EL``, Germany ``GE``;
a US state, Canadian province or Mexican state is written by its own code.
The population model keeps ISO codes (``"US-IL"``, ``"MX"``);
:func:`place_of_birth_code` turns them into NCIC codes for the countries the
model draws from (:data:`NCIC_COUNTRY`). A country not in that table is
written ``YY`` (NCIC: "place of birth not contained in code table"), an
unknown place ``XX``.

The rule file leaves four code tables to separate files (``T2_POB.txt``,
``T2_CTZ.txt``, ``T2_SMT.txt``, ``T2_GEO.txt``: one code per line, a tab,
its meaning). They are not part of the rule file in ``../shared/data``;
:class:`CodeTables` reads them from a folder (``INTEROP_EBTS_CODE_TABLES``,
or ``interop nist validate --code-tables DIR``) and
:func:`interop.nist.validation.validate` checks those fields against them
when given; without them it checks those fields' length and characters only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

NCIC_COUNTRY: Mapping[str, str] = {
    # ISO 3166-1 alpha-2 -> NCIC Code Manual state/country code (POB, CTZ)
    "BD": "BL",  # Bangladesh
    "BR": "BZ",  # Brazil
    "CA": "CD",  # Canada, province unknown
    "CN": "RC",  # People's Republic of China
    "CO": "CB",  # Colombia
    "CU": "CC",  # Cuba
    "DE": "GE",  # Germany
    "DO": "DR",  # Dominican Republic
    "EC": "EU",  # Ecuador
    "EG": "EY",  # Egypt
    "ET": "EO",  # Ethiopia
    "FR": "FN",  # France
    "GB": "EN",  # United Kingdom: NCIC codes its parts; England
    "GH": "GG",  # Ghana
    "GR": "GC",  # Greece
    "GT": "GT",  # Guatemala
    "GY": "GY",  # Guyana
    "HN": "HD",  # Honduras
    "HT": "HT",  # Haiti
    "IE": "IE",  # Ireland
    "IL": "IS",  # Israel
    "IN": "II",  # India
    "IR": "IR",  # Iran
    "IT": "IT",  # Italy
    "JM": "JM",  # Jamaica
    "JP": "JA",  # Japan
    "KE": "KE",  # Kenya
    "KR": "KO",  # South Korea
    "MX": "MM",  # Mexico, state unknown
    "NG": "NG",  # Nigeria
    "NI": "NU",  # Nicaragua
    "PE": "PU",  # Peru
    "PH": "PI",  # Philippines
    "PK": "PK",  # Pakistan
    "PL": "PO",  # Poland
    "RU": "SX",  # Russia (the code the manual keeps for the former USSR)
    "SV": "EL",  # El Salvador
    "TT": "TT",  # Trinidad and Tobago
    "TW": "TW",  # Taiwan
    "VE": "VZ",  # Venezuela
    "VN": "RV",  # Vietnam
}
"""NCIC country codes of the countries the population model draws from
(others are written ``YY``)."""

NOT_IN_TABLE = "YY"
UNKNOWN = "XX"

US_STATES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NB",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    }
)
"""NCIC codes of the states and DC (NCIC writes Nebraska ``NB``, not ``NE``)."""


def place_of_birth_code(place: str) -> str:
    """The NCIC code (2.020 POB, 2.021 CTZ) of a population-model place.

    Parameters
    ----------
    place : str
        ``"US-IL"`` for a US state (ISO 3166-2), an ISO alpha-2 country code
        otherwise, ``""`` when unknown.

    Examples
    --------
    >>> place_of_birth_code("US-IL"), place_of_birth_code("MX"), place_of_birth_code("US-NE")
    ('IL', 'MM', 'NB')
    """
    place = place.strip().upper()
    if not place:
        return UNKNOWN
    if place.startswith("US-"):
        state = place[3:]
        state = "NB" if state == "NE" else state
        return state if state in US_STATES else NOT_IN_TABLE
    return NCIC_COUNTRY.get(place, NOT_IN_TABLE)


CODE_TABLES_ENV = "INTEROP_EBTS_CODE_TABLES"
_MAX_TABLE_BYTES = 1 << 20


@dataclass(frozen=True)
class CodeTables:
    """Code tables kept in separate files, by file name (``"T2_POB.txt"``).

    Attributes
    ----------
    tables : dict of str to frozenset of str
        Codes each file allows.
    folder : Path or None
        Where they were read from.
    """

    tables: Mapping[str, frozenset[str]] = field(default_factory=dict)
    folder: Path | None = None

    @classmethod
    def read(cls, folder: Path) -> CodeTables:
        """Every ``*.txt`` code file of ``folder`` (one ``CODE<TAB>meaning`` per line).

        Raises
        ------
        ValueError
            If ``folder`` is not a folder, or a file is larger than 1 MiB or
            not text.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise ValueError(f"code table folder {folder} does not exist")
        tables = {}
        for path in sorted(folder.glob("*.txt")):
            if path.stat().st_size > _MAX_TABLE_BYTES:
                raise ValueError(f"code table {path.name} is larger than 1 MiB")
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:
                text = path.read_text("latin-1")
            codes = set()
            for line in text.splitlines():
                code = line.split("\t", 1)[0].strip()
                if code and code != "--" and not code.startswith("#"):
                    codes.add(code)
            tables[path.name] = frozenset(codes)
        return cls(tables, folder)

    @classmethod
    def from_environment(cls) -> CodeTables:
        """The tables of the folder ``INTEROP_EBTS_CODE_TABLES`` names; none if unset."""
        folder = os.environ.get(CODE_TABLES_ENV)
        return cls.read(Path(folder)) if folder else cls()

    def codes(self, file_name: str) -> frozenset[str] | None:
        """The codes ``file_name`` allows, or ``None`` when it was not given."""
        return self.tables.get(file_name)
