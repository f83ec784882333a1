"""Two LightGBM boosters written as one: a weighted sum of their raw scores, tree by tree.

The count model averages a booster on every column with one on the listener's history alone (see
`CountRegressor.anchor_columns`). Serving, batch scoring, the workers of a cluster and the reasons
behind an answer all read one LightGBM model text with one checksum; writing the average as a single
model keeps every one of them unchanged. A booster's raw score is the sum of its trees' leaf values, so
scaling each tree's leaf and internal values by its booster's weight and listing the trees of both gives
a booster whose raw score, and whose per-feature contributions, are the weighted sums of the two.
"""

from __future__ import annotations

import itertools
import re

_TREE_START = re.compile(r"^Tree=\d+$", re.MULTILINE)
_SCALED_KEYS = frozenset({"leaf_value", "internal_value"})
_END = "end of trees"


def blend_models(first: str, second: str, first_weight: float) -> str:
    """The model text of `first_weight` x `first` + (1 - `first_weight`) x `second`.

    Both must be LightGBM models of the same objective over the same columns (the second may leave
    columns unused); the header and parameters are the first's.
    """
    if not 0.0 <= first_weight <= 1.0:
        raise ValueError(f"a blend weight is between 0 and 1, got {first_weight}")
    head, trees, tail = _parts(first)
    _, second_trees, _ = _parts(second)
    if _line(first, "objective") != _line(second, "objective"):
        raise ValueError("only boosters with the same objective can be blended")
    if _line(first, "max_feature_idx") != _line(second, "max_feature_idx"):
        raise ValueError("only boosters over the same columns can be blended")
    blocks = [_scaled(tree, i, first_weight) for i, tree in enumerate(trees)]
    offset = len(blocks)
    blocks += [_scaled(tree, offset + i, 1.0 - first_weight) for i, tree in enumerate(second_trees)]
    sizes = " ".join(str(len(block.encode())) for block in blocks)
    head = re.sub(r"^tree_sizes=.*$", f"tree_sizes={sizes}", head, count=1, flags=re.MULTILINE)
    return head + "".join(blocks) + tail


def _parts(model: str) -> tuple[str, list[str], str]:
    """The header (up to the first tree), each tree's block, and everything from "end of trees"."""
    start = _TREE_START.search(model)
    end = model.find(_END)
    if start is None or end < 0:
        raise ValueError("not a LightGBM model text with trees")
    body = model[start.start() : end]
    bounds = [m.start() for m in _TREE_START.finditer(body)] + [len(body)]
    trees = [body[a:b] for a, b in itertools.pairwise(bounds)]
    return model[: start.start()], trees, model[end:]


def _scaled(tree: str, index: int, weight: float) -> str:
    lines = []
    for line in tree.strip("\n").split("\n"):
        key, _, value = line.partition("=")
        if key == "Tree":
            line = f"Tree={index}"
        elif key in _SCALED_KEYS:
            line = f"{key}=" + " ".join([repr(float(v) * weight) for v in value.split()])
        lines.append(line)
    return "\n".join(lines) + "\n\n\n"


def _line(model: str, key: str) -> str | None:
    found = re.search(rf"^{key}=(.*)$", model, flags=re.MULTILINE)
    return found.group(1) if found else None
