"""NCIC offence codes and the ICE priority levels they lead to.

A realistic subset of the NCIC Uniform Offense Codes (4 digits; the first
two give the category: 09 homicide, 10 kidnapping, 11 sexual assault,
12 robbery, 13 assault, 35 dangerous drugs, 54 traffic, 03 immigration, ...)
with, for each, whether it is a felony (punishable by more than one year),
its maximum sentence, whether ICE's Secure Communities scheme listed it as a
Level 1 offence, and the misdemeanour a felony charge is typically pleaded
down to.

The levels follow ICE's June 2010 definitions (see ``docs/domain.md``):

* **Level 1**: convicted of an aggravated felony (INA §101(a)(43)), or of two
  or more crimes each punishable by more than one year;
* **Level 2**: convicted of any other felony, or of three or more crimes each
  punishable by less than one year;
* **Level 3**: convicted of crimes punishable by less than one year (fewer
  than three);
* **non-criminal**: no conviction (charges alone do not count).

Here an *aggravated felony* is a felony conviction for an offence on ICE's
Level 1 list (homicide, kidnapping, sexual assault, sexual exploitation of
minors, robbery, aggravated assault, threats of bodily harm, extortion,
cocaine, heroin and methamphetamine trafficking). INA §101(a)(43) reaches
further (e.g. a theft with a sentence of a year or more); the simplification
is deliberate.

Arrest frequencies of the codes are calibration, in
:mod:`interop.population.calibration`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from interop.population.model import MatchLevel, PriorityLevel

__all__ = [
    "OFFENCES",
    "Offence",
    "conviction_level",
    "match_level",
]


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


def conviction_level(convictions: Iterable[Offence]) -> PriorityLevel:
    """ICE priority level (June 2010 definitions) of a record of convictions.

    Parameters
    ----------
    convictions : iterable of Offence
        The offences the person stands convicted of (one per conviction).

    Returns
    -------
    PriorityLevel

    Examples
    --------
    >>> conviction_level([])
    <PriorityLevel.NON_CRIMINAL: 4>
    >>> conviction_level([OFFENCES["5404"], OFFENCES["5499"]])
    <PriorityLevel.LEVEL_3: 3>
    >>> conviction_level([OFFENCES["5404"]] * 3)
    <PriorityLevel.LEVEL_2: 2>
    >>> conviction_level([OFFENCES["3532"], OFFENCES["2399"]])
    <PriorityLevel.LEVEL_1: 1>
    """
    felonies = misdemeanours = 0
    for offence in convictions:
        if offence.aggravated_felony:
            return PriorityLevel.LEVEL_1
        if offence.felony:
            felonies += 1
        else:
            misdemeanours += 1
    if felonies >= 2:
        return PriorityLevel.LEVEL_1
    if felonies == 1 or misdemeanours >= 3:
        return PriorityLevel.LEVEL_2
    if misdemeanours:
        return PriorityLevel.LEVEL_3
    return PriorityLevel.NON_CRIMINAL


def match_level(charge: Offence, level_before: PriorityLevel) -> MatchLevel:
    """Level under which ICE's statistics count an IDENT match.

    Parameters
    ----------
    charge : Offence
        The booking's arrest charge.
    level_before : PriorityLevel
        The person's conviction level on the booking day.

    Returns
    -------
    MatchLevel
        ``LEVEL_1`` if charged with a Level 1 offence or already convicted at
        Level 1 (ICE's "charged or convicted" rule before mid-2010).
    """
    if charge.level_1 or level_before is PriorityLevel.LEVEL_1:
        return MatchLevel.LEVEL_1
    return MatchLevel.LEVEL_2_3
