"""DET plots (FNMR against FMR on normal-deviate axes), drawn with matplotlib Agg.

Both axes are scaled by the standard normal quantile (probit), so score
distributions that are Gaussian give straight lines (Martin et al., 1997).
Tick labels are rates in percent. Operating points with a rate of 0 lie
beyond the drawn range and leave the plot at its left (FMR) or bottom (FNMR)
edge rather than vanishing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from interop.evaluation.metrics import det_curve, eer_interval

__all__ = ["RATE_LIMITS", "plot_det", "probit"]

RATE_LIMITS: tuple[float, float] = (1e-4, 0.6)
"""Range of both axes, as rates (0.01% to 60%)."""

_TICKS = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6)
# Rates are clipped a decade below the axis so that zeros are drawn off-axis.
_CLIP = (RATE_LIMITS[0] / 10, 1 - RATE_LIMITS[0] / 10)
_STD_NORMAL = NormalDist()


def probit(rate: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Standard normal quantile of rates, clipped to ``[1e-5, 1 - 1e-5]``.

    Examples
    --------
    >>> probit([0.5]).tolist()
    [0.0]
    """
    r = np.clip(np.asarray(rate, dtype=np.float64), *_CLIP)
    flat = [_STD_NORMAL.inv_cdf(float(v)) for v in r.ravel()]
    return np.asarray(flat, dtype=np.float64).reshape(r.shape)


def _tick_label(rate: float) -> str:
    pct = 100 * rate
    return f"{pct:g}%"


def plot_det(
    series: Mapping[str, tuple[npt.ArrayLike, npt.ArrayLike]],
    path: str | os.PathLike[str],
    *,
    title: str = "DET curves",
) -> Path:
    """Draw one DET curve per entry and save the figure as an image.

    Parameters
    ----------
    series : mapping of str to (genuine, impostor)
        Label → genuine and impostor score arrays (as for
        :func:`~interop.evaluation.metrics.det_curve`). The legend shows the
        label and its EER.
    path : path
        Output file; the format follows its suffix (``.png``, ``.svg``, ``.pdf``).
    title : str
        Figure title.

    Returns
    -------
    Path
        ``path``.
    """
    # An Agg canvas of our own: no pyplot, no global backend switch.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 6.0), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, (genuine, impostor) in series.items():
        curve = det_curve(genuine, impostor)
        e = eer_interval(genuine, impostor).eer
        ax.plot(
            probit(curve.fmr),
            probit(curve.fnmr),
            linewidth=1.4,
            label=f"{label} (EER {100 * e:.2f}%)",
        )
    lo, hi = probit(np.array(RATE_LIMITS)).tolist()
    ax.plot([lo, hi], [lo, hi], linestyle=":", color="grey", linewidth=0.8, label="FMR = FNMR")
    ticks = probit(np.array(_TICKS)).tolist()
    labels = [_tick_label(t) for t in _TICKS]
    ax.set_xticks(ticks, labels, rotation=45)
    ax.set_yticks(ticks, labels)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("False match rate (FMR)")
    ax.set_ylabel("False non-match rate (FNMR)")
    ax.set_title(title)
    ax.grid(True, linewidth=0.4, alpha=0.6)
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    return out
