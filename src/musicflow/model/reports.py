"""Plain, JSON-ready result objects and a renderer-free table model (the CLI draws them with Rich)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    """Rows of text cells under named columns; no styling, so any front end can draw it."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "notes": self.notes}


@dataclass(frozen=True)
class Spread:
    """One metric over several seeds."""

    mean: float | None
    std: float | None
    low: float | None
    high: float | None
    n: int

    @classmethod
    def of(cls, values: list[float | None]) -> Spread:
        known = [v for v in values if v is not None and not math.isnan(v)]
        if not known:
            return cls(None, None, None, None, 0)
        mean = sum(known) / len(known)
        std = math.sqrt(sum((v - mean) ** 2 for v in known) / len(known))
        return cls(mean, std, min(known), max(known), len(known))

    def as_dict(self) -> dict[str, Any]:
        return {
            "mean": _r(self.mean),
            "std": _r(self.std),
            "min": _r(self.low),
            "max": _r(self.high),
            "n": self.n,
        }

    def text(self, digits: int = 2) -> str:
        if self.mean is None:
            return "n/a"
        if not self.std:
            return f"{self.mean:.{digits}f}"
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}"


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
