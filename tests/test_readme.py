"""The README's tables stay true: every setting and every feature is documented as the code has it."""

from __future__ import annotations

import re
from pathlib import Path

from musicflow.config import ENV_PREFIX, Settings
from musicflow.core.feature_spec import FEATURES, Kind

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def table_rows(heading: str) -> list[list[str]]:
    section = README.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_every_setting_is_in_the_settings_table():
    documented = {re.sub(r"`", "", row[0]) for row in table_rows("Settings")}
    expected = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    assert expected <= documented
    assert documented - expected <= {f"{ENV_PREFIX}CONFIG_FILE"}


def test_the_feature_table_matches_the_code():
    rows = {row[0].strip("`"): row for row in table_rows("The feature table")}
    assert list(rows) == [spec.name for spec in FEATURES]
    for spec in FEATURES:
        _, kind, allowed, _ = rows[spec.name]
        assert kind == spec.kind.value
        if spec.kind is Kind.BOOL:
            assert allowed == ""
        else:
            assert allowed == f"{spec.low:.15g}..{spec.high:.15g}", spec.name
