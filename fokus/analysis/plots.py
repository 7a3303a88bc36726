"""Figures for reports: frequencies as bars, co-occurrence as a heatmap, written as PNG or SVG with matplotlib.

matplotlib is imported here only, with the non-interactive Agg backend, so no command that does not draw pays for
it and nothing needs a screen. Labels are code ids and case names: no participant appears in a figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from fokus.analysis.report import heading
from fokus.errors import FokusError
from fokus.files.output import open_binary
from fokus.i18n import _

SUFFIXES = (".png", ".svg")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _check(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise FokusError(
            _("a plot is written as .png or .svg"), path=str(path), hint=_("name the file plot.png or plot.svg")
        )


def _save(figure: Any, path: Path, out: BinaryIO | None) -> None:
    """Into ``out`` when the caller writes the file with others (fokus.files.output.Outputs), else into ``path``:
    whole or not at all, and a device or a pipe written into."""
    if out is None:
        with open_binary(path) as stream:
            _save(figure, path, stream)
        return
    figure.savefig(out, format=path.suffix.lower().lstrip("."), dpi=150, bbox_inches="tight")


def plot_frequencies(report: Any, path: Path, *, measure: str = "messages", out: BinaryIO | None = None) -> None:
    """Horizontal bars per code; with a split, one bar per group (a grouped bar chart), top-level themes in bold."""
    _check(path)
    plt = _pyplot()
    rows = report.rows()
    codes = list(dict.fromkeys(row["code"] for row in rows))
    groups = report.groups if report.split else [None]
    height = 0.8 / max(len(groups), 1)
    figure, axes = plt.subplots(figsize=(9, max(3.0, 0.32 * len(codes) * max(1, min(len(groups), 4)) + 1)))
    positions = {code: i for i, code in enumerate(codes)}
    for g, group in enumerate(groups):
        values = [0] * len(codes)
        for row in rows:
            if group is None or row.get(report.split) == group:
                values[positions[row["code"]]] = row[measure]
        offset = (g - (len(groups) - 1) / 2) * height
        axes.barh([positions[c] + offset for c in codes], values, height=height, label=group)
    axes.set_yticks(range(len(codes)), codes)
    for label, row_code in zip(axes.get_yticklabels(), codes, strict=True):
        if "/" not in row_code:
            label.set_fontweight("bold")
    axes.invert_yaxis()
    axes.set_xlabel(heading(measure))
    axes.set_title(report.title)
    if report.split and len(groups) <= 12:
        axes.legend(title=heading(report.split), fontsize="small")
    try:
        _save(figure, path, out)
    finally:
        plt.close(figure)


def plot_cooccurrence(report: Any, path: Path, *, value: str = "jaccard", out: BinaryIO | None = None) -> None:
    """A heatmap of one co-occurrence figure between every pair of codes, the counts written in the cells."""
    _check(path)
    plt = _pyplot()
    codes, grid = report.matrix(value)
    counts = report.matrix("n_ab")[1]
    size = max(4.0, 0.35 * len(codes) + 2)
    figure, axes = plt.subplots(figsize=(size + 1, size))
    if not codes:  # an empty heatmap makes matplotlib warn about singular limits and shows a blank square
        axes.set_axis_off()
        axes.text(0.5, 0.5, _("No coded units: nothing co-occurs yet"), ha="center", va="center")
        axes.set_title(report.title)
        try:
            _save(figure, path, out)
        finally:
            plt.close(figure)
        return
    image = axes.imshow(grid, cmap="viridis")
    axes.set_xticks(range(len(codes)), codes, rotation=90)
    axes.set_yticks(range(len(codes)), codes)
    if len(codes) <= 40:
        for i in range(len(codes)):
            for j in range(len(codes)):
                if counts[i, j]:
                    axes.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=6, color="white")
    figure.colorbar(image, ax=axes, label=heading(value))
    axes.set_title(report.title)
    try:
        _save(figure, path, out)
    finally:
        plt.close(figure)
