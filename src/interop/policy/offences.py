"""NCIC offence codes as the law classifies them: felony, aggravated felony, Level 1.

A realistic subset of the NCIC Uniform Offense Codes (4 digits; the first
two give the category: 09 homicide, 10 kidnapping, 11 sexual assault,
12 robbery, 13 assault, 35 dangerous drugs, 54 traffic, 03 immigration, ...)
with, for each, whether it is a felony (punishable by more than one year),
its maximum sentence, whether ICE's Secure Communities scheme listed it as a
Level 1 offence, and the misdemeanour a felony charge is typically pleaded
down to.

Here an *aggravated felony* is a felony conviction for an offence on ICE's
Level 1 list (homicide, kidnapping, sexual assault, sexual exploitation of
minors, robbery, aggravated assault, threats of bodily harm, extortion,
cocaine, heroin and methamphetamine trafficking). INA §101(a)(43) reaches
further (e.g. a theft with a sentence of a year or more); the simplification
is deliberate.

A code missing from the table is an error (:class:`~interop.policy.errors.UnknownOffenceError`
from :func:`offence`), never a guess from its NCIC category: categories mix
felonies and misdemeanours (13xx holds both aggravated and simple assault,
35xx both trafficking, an aggravated felony, and possession, a misdemeanour
or a plain felony), and a guessed flag would silently change a priority
level and so a detainer. Extend the table instead.

The priority levels these flags lead to are in :mod:`interop.policy.priority`;
arrest frequencies of the codes are calibration, in
:mod:`interop.population.calibration`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from interop.policy.errors import InvalidFactError, UnknownOffenceError

__all__ = [
    "OFFENCES",
    "Offence",
    "offence",
]

_CODE = re.compile(r"[0-9]{4}")


@dataclass(frozen=True, slots=True)
class Offence:
    """One NCIC offence code.

    Attributes
    ----------
    code : str
        4-digit NCIC code.
    title : str
    max_sentence_months : int or None
        Statutory maximum, months; None for life.
    level_1 : bool
        On ICE's Level 1 offence list (an aggravated felony when convicted
        as a felony).
    lesser : str or None
        NCIC code of the misdemeanour usually pleaded to; None if none.
    """

    code: str
    title: str
    max_sentence_months: int | None
    level_1: bool = False
    lesser: str | None = None

    @property
    def felony(self) -> bool:
        """Punishable by more than one year."""
        return self.max_sentence_months is None or self.max_sentence_months > 12

    @property
    def aggravated_felony(self) -> bool:
        """A conviction for it makes the person Level 1 on its own."""
        return self.level_1 and self.felony


LIFE = None
_TABLE = (
    # 03 immigration
    Offence("0399", "Immigration (illegal entry)", 6),
    # 09 homicide
    Offence("0909", "Homicide - negligent manslaughter - vehicle", 120, level_1=True),
    Offence("0911", "Homicide - willful kill - gun", LIFE, level_1=True),
    Offence("0912", "Homicide - willful kill - weapon", LIFE, level_1=True),
    # 10 kidnapping
    Offence("1005", "Kidnap minor", LIFE, level_1=True),
    Offence("1006", "Kidnap adult", 360, level_1=True),
    Offence("1008", "Abduct - no ransom or assault", 240, level_1=True),
    # 11 sexual assault
    Offence("1103", "Rape - strongarm", LIFE, level_1=True),
    Offence("1199", "Sexual assault", 240, level_1=True),
    # 12 robbery
    Offence("1201", "Robbery - business - gun", 360, level_1=True, lesser="2303"),
    Offence("1204", "Robbery - street - gun", 360, level_1=True, lesser="2303"),
    Offence("1206", "Robbery - street - strongarm", 180, level_1=True, lesser="2303"),
    Offence("1299", "Robbery", 180, level_1=True, lesser="2303"),
    # 13 assault, 16 threats
    Offence("1302", "Aggravated assault - family - weapon", 240, level_1=True, lesser="1313"),
    Offence("1304", "Aggravated assault - nonfamily - gun", 240, level_1=True, lesser="1313"),
    Offence("1305", "Aggravated assault - nonfamily - weapon", 240, level_1=True, lesser="1313"),
    Offence("1313", "Simple assault", 12),
    Offence("1316", "Intimidation", 12),
    Offence("1601", "Threat - terroristic (bodily harm)", 60, level_1=True, lesser="1316"),
    # 20 arson, 21 extortion, 22 burglary, 23 larceny, 24 stolen vehicle
    Offence("2099", "Arson", 240, lesser="2999"),
    Offence("2101", "Extort - threat to injure person", 180, level_1=True, lesser="1316"),
    Offence("2199", "Extortion", 120, level_1=True, lesser="1316"),
    Offence("2202", "Burglary - forced entry - residence", 240, lesser="5707"),
    Offence("2203", "Burglary - forced entry - nonresidence", 120, lesser="5707"),
    Offence("2299", "Burglary", 120, lesser="5707"),
    Offence("2303", "Shoplifting (petty theft)", 12),
    Offence("2399", "Larceny (grand theft)", 120, lesser="2303"),
    Offence("2499", "Stolen vehicle", 120, lesser="2303"),
    # 25-29 forgery, fraud, embezzlement, stolen property, damage
    Offence("2599", "Forgery", 60, lesser="2303"),
    Offence("2699", "Fraud", 60, lesser="2303"),
    Offence("2799", "Embezzlement", 120, lesser="2303"),
    Offence("2899", "Stolen property - receiving", 60, lesser="2303"),
    Offence("2999", "Damage property (vandalism)", 12),
    # 35 dangerous drugs
    Offence("3510", "Heroin - sell", 240, level_1=True, lesser="3550"),
    Offence("3512", "Heroin - possess", 36, lesser="3550"),
    Offence("3530", "Cocaine - sell", 240, level_1=True, lesser="3550"),
    Offence("3531", "Cocaine - smuggle", 240, level_1=True, lesser="3550"),
    Offence("3532", "Cocaine - possess", 36, lesser="3550"),
    Offence("3550", "Narcotic equipment - possess", 12),
    Offence("3560", "Marijuana - sell", 60, lesser="3562"),
    Offence("3562", "Marijuana - possess", 12),
    Offence("3571", "Amphetamine (methamphetamine) - sell", 240, level_1=True, lesser="3550"),
    Offence("3573", "Amphetamine (methamphetamine) - possess", 36, lesser="3550"),
    Offence("3599", "Dangerous drugs", 36, lesser="3550"),
    # 36 sex offences, 38 family, 39 gambling, 40 commercialised sex, 41 liquor
    Offence("3601", "Sex offence - against child - fondling", 180, level_1=True, lesser="3699"),
    Offence("3699", "Sex offence (indecent exposure)", 12),
    Offence("3802", "Cruelty toward child", 60, lesser="3899"),
    Offence("3899", "Family offence (non-support)", 12),
    Offence("3999", "Gambling", 12),
    Offence("4099", "Commercialised sex (prostitution)", 12),
    Offence("4104", "Liquor - minor in possession", 12),
    Offence("4199", "Liquor (open container)", 6),
    # 48 obstructing police, 49 flight/escape, 50 obstructing the judiciary
    Offence("4801", "Resisting officer", 12),
    Offence("4901", "Escape", 60, lesser="4801"),
    Offence("5011", "Parole violation", 12),
    Offence("5012", "Probation violation", 12),
    Offence("5015", "Failure to appear", 12),
    # 52 weapons, 53 public peace, 54 traffic, 57 privacy, 73 public order
    Offence("5202", "Carrying concealed weapon", 12),
    Offence("5299", "Weapon offence (prohibited possession)", 60, lesser="5202"),
    Offence("5311", "Disorderly conduct", 6),
    Offence("5399", "Public peace (drunkenness)", 6),
    Offence("5401", "Hit and run", 12),
    Offence("5403", "Driving under influence - drugs", 12),
    Offence("5404", "Driving under influence - liquor", 12),
    Offence("5499", "Traffic offence (driving without licence)", 6),
    Offence("5707", "Trespassing", 6),
    Offence("7399", "Public order crimes", 12),
)

OFFENCES = MappingProxyType({o.code: o for o in _TABLE})
"""Every offence code of the model, by code."""


def offence(code: str) -> Offence:
    """The table entry of an NCIC offence code.

    Parameters
    ----------
    code : str
        4-digit NCIC offence code.

    Returns
    -------
    Offence

    Raises
    ------
    InvalidFactError
        If ``code`` is not four ASCII digits.
    UnknownOffenceError
        If the code is well formed but not in :data:`OFFENCES`.

    Examples
    --------
    >>> offence("1206").aggravated_felony
    True
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidFactError(f"NCIC offence code must be 4 digits, got {code!r}")
    try:
        return OFFENCES[code]
    except KeyError:
        raise UnknownOffenceError(code) from None
