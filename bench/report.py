"""Presenting figures: plain-text and Markdown tables, the machine, RESULTS.md, the plot."""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import psutil

PACKAGES = ("talks-bot", "python-telegram-bot", "httpx", "rapidfuzz", "thefuzz", "rank-bm25",
            "numpy", "PyYAML", "psutil", "matplotlib")

_FIGURE = re.compile(r"^(?:[-+]?[\d.,]+(?:x|%)?|n/a)$")


@dataclass
class Table:
    """A titled table of already-formatted cells, with notes printed under it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _right(self) -> list[bool]:
        """Which columns hold only figures (and so align right)."""
        return [i > 0 and all(_FIGURE.match(r[i]) for r in self.rows)
                for i in range(len(self.columns))]

    def text(self) -> str:
        """The table for a terminal: figures right-aligned, words left-aligned."""
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) if self.rows else len(c)
                  for i, c in enumerate(self.columns)]
        right = self._right()

        def line(cells: list[str]) -> str:
            return "  ".join(cell.rjust(width) if r else cell.ljust(width)
                             for cell, width, r in zip(cells, widths, right, strict=True)
                             ).rstrip()

        out = [self.title, "=" * len(self.title), line(self.columns),
               line(["-" * w for w in widths])]
        out += [line(row) for row in self.rows]
        out += [f"  * {note}" for note in self.notes]
        return "\n".join(out)

    def markdown(self) -> str:
        """The table for RESULTS.md."""
        out = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
               "|" + "|".join("---:" if r else "---" for r in self._right()) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"
                for row in self.rows]
        if self.notes:
            out.append("")
            out += [f"- {note}" for note in self.notes]
        return "\n".join(out)


def ms(value: float) -> str:
    """Milliseconds with three significant digits or so."""
    if value < 1:
        return f"{value:.3f}"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def rate(value: float) -> str:
    """A count per second."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def share(value: float | None) -> str:
    """A share as a percentage, or "n/a"."""
    return "n/a" if value is None else f"{value:.1%}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(load: tuple[float, float] | None = None) -> list[tuple[str, str]]:
    """What the figures were measured on; ``load``: load average at start and end."""
    memory = psutil.virtual_memory().total / 2**30
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return [
        ("CPU", _cpu_model()),
        ("cores", f"{os.cpu_count()} logical, {psutil.cpu_count(logical=False)} physical"),
        ("RAM", f"{memory:.1f} GiB"),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", ", ".join(versions)),
        *([("load average (1 min)", f"{load[0]:.2f} at the start, {load[1]:.2f} at the end "
            "(other work on the machine makes the figures noisier)")] if load else []),
    ]


def results_markdown(tables: list[Table], when: str, command: str, plot: str | None,
                     method: list[str], load: tuple[float, float] | None = None) -> str:
    """The text of bench/RESULTS.md."""
    out = ["# Benchmark results", "",
           f"Produced by `{command}` on {when}. Re-run it to refresh this file; figures from "
           "another machine are not comparable.", "", "## Machine", "",
           "| | |", "|---|---|"]
    out += [f"| {key} | {value} |" for key, value in machine(load)]
    out += ["", "## How it is measured", ""]
    out += [f"- {line}" for line in method]
    out += ["", "## Results", ""]
    for table in tables:
        out += [table.markdown(), ""]
    if plot:
        out += [f"![p50 latency against knowledge-base size]({plot})", ""]
    return "\n".join(out)


def plot_latency(series: dict[str, list[tuple[int, float]]], path: Path,
                 target: tuple[int, float] | None = None) -> None:
    """p50 latency against knowledge-base size, log-log, one line (or point) per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for label, points in series.items():
        points = sorted(points)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        alone = len(points) == 1
        ax.plot(xs, ys, marker="o", linestyle="none" if alone else "-",
                label=f"{label} (real base only)" if alone else label)
    if target is not None:
        ax.plot([target[0]], [target[1]], marker="*", markersize=14, linestyle="none",
                color="black", label=f"target: ≤ {target[1]:g} ms at {target[0]:,} entries")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("knowledge-base entries")
    ax.set_ylabel("p50 latency per question (ms)")
    ax.set_title("Per-question latency against knowledge-base size")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
