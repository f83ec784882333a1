"""Scoring rows by the tables single predictions use and by LightGBM, on one thread or two, gives the same
numbers to the bit, and a damaged model is refused either way."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pytest

from musicflow.app.service import MusicFlow
from musicflow.errors import ModelIntegrityError
from musicflow.scale.frames import checked
from musicflow.scale.score_rows import booster_output, model_input
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE


def test_the_tables_and_lightgbm_give_the_same_output_to_the_bit(app: MusicFlow) -> None:
    pack = app.scoring_pack(PROFILE)
    good, _ = checked(bundled_rows(2_000, offset=10_000).with_row_index("row"))
    _, _, matrix = model_input(pack, good)
    tables = booster_output(pack, matrix, by="tables")
    assert len(tables) == 2_000 and np.all(tables > 0)
    np.testing.assert_array_equal(tables, booster_output(pack, matrix, 1))
    np.testing.assert_array_equal(tables, booster_output(pack, matrix, 2))


@pytest.mark.parametrize("by", ["tables", "lightgbm"])
def test_a_damaged_model_is_refused(app: MusicFlow, by: Literal["tables", "lightgbm"]) -> None:
    pack = app.scoring_pack(PROFILE)
    damaged = dataclasses.replace(pack, sha256="0" * 64)  # the text is not the one its checksum names
    with pytest.raises(ModelIntegrityError, match="checksum"):
        booster_output(damaged, np.zeros((1, len(pack.columns))), by=by)
