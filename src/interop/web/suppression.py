"""Small-cell suppression of published counts.

A count of one or a few people in a published table can identify them: a
national ``detainer_lodged: 1`` read next to a news report of an arrest says
what happened to that person. :func:`suppress_small_counts` withholds every
count from 1 to ``min_count - 1`` (*primary* suppression); because the
group's total is published too, it also withholds as many of the smallest
other counts as it takes for the withheld ones to be at least two and to add
up to at least ``min_count`` (*complementary* suppression), so that no
withheld count can be worked out by subtraction, nor a small sum of them.
When even that cannot be done the whole group is withheld.

Zero counts are published (they are about no one). What this does not stop
is *differencing*: a reader who polls before and after one known booking
sees the counts move by one. Counts served live cannot prevent that; the
rate limits make polling slower, not impossible, and periodic releases (as
ICE published its statistics monthly) are the remedy where it matters.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["suppress_small_counts"]


def suppress_small_counts(
    counts: Mapping[str, int], min_count: int
) -> dict[str, int | None] | None:
    """``counts`` with small ones withheld (``None``), or ``None`` for the whole group.

    Parameters
    ----------
    counts : mapping of str to int
        One group of non-negative counts whose total is published elsewhere.
    min_count : int
        The smallest count published; 1 (or less) publishes everything.

    Returns
    -------
    dict or None
        The same keys, withheld counts as ``None``; ``None`` when the withheld
        counts cannot be made to add up to ``min_count`` (fewer in all).

    Examples
    --------
    >>> suppress_small_counts({"a": 40, "b": 2, "c": 9, "d": 0}, 10)
    {'a': 40, 'b': None, 'c': None, 'd': 0}
    >>> suppress_small_counts({"a": 3, "b": 4}, 10) is None
    True
    """
    if min_count <= 1:
        return dict(counts)
    withheld = {key for key, n in counts.items() if 0 < n < min_count}
    if not withheld:
        return dict(counts)
    others = sorted((n, key) for key, n in counts.items() if n > 0 and key not in withheld)
    while len(withheld) < 2 or sum(counts[key] for key in withheld) < min_count:
        if not others:
            return None
        withheld.add(others.pop(0)[1])
    return {key: None if key in withheld else n for key, n in counts.items()}
