"""1:1 minutiae comparison by Minutia Cylinder-Code."""

from interop.fingerprints.matcher.comparison import compare, compare_templates
from interop.fingerprints.matcher.cylinders import PreparedTemplate, prepare
from interop.fingerprints.matcher.parameters import DEFAULT_PARAMETERS, MatcherParameters

__all__ = [
    "DEFAULT_PARAMETERS",
    "MatcherParameters",
    "PreparedTemplate",
    "compare",
    "compare_templates",
    "prepare",
]
