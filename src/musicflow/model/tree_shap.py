"""LightGBM's per-feature contributions (path-dependent TreeSHAP), read from tables built once per model.

Why: every explained prediction asks the booster for `pred_contrib`, whose recursion over every leaf of
every tree costs most of an uncached prediction (about half a millisecond for our 400 trees), and costs
the same per row in a batch. The numbers it computes depend on a row only through which way the row goes
at the splits above each leaf, so they can be worked out in advance, for every way, and looked up.

How (exact, not an approximation): in path-dependent TreeSHAP each leaf, of value v, contributes on its
own. On its root-to-leaf path, merge the splits on one feature m: the zero fraction z_m is the product of
child count / parent count over those splits (LightGBM's own counts), the one fraction o_m the product of
"the row goes this way" over them (0 or 1). The leaf adds v (o_k - z_k) ∫₀¹ Π_{m≠k} (z_m (1-t) + o_m t) dt
to feature k: Shapley's weighted sum over the other path features, written as an integral (computed by
Gauss-Legendre quadrature, exact for these polynomials). The bias, the last column, is each tree's
expected value as LightGBM computes it. As o depends on the row only through those "goes this way" bits,
each leaf's contributions are tabulated for every pattern of its bits; and to look up fewer, the leaves
under one node are tabulated together, for every pattern of the bits on the way to the node and of the
splits below it (at most `GROUP_BITS` of them). A row then costs each table's bits (LightGBM's decision
rule, missing values included), one value per table and feature, and a sum per feature, all done for
every row at once with numpy.

The raw score (the sum of the leaves a row reaches) is read from the same tables and added tree by tree
in LightGBM's order, so it equals `booster.predict(x, raw_score=True)` to the bit.

A model the tables do not cover (a categorical split, a linear tree, a path deeper than `MAX_PATH`,
several trees per iteration, averaged output) is answered by LightGBM itself; `fallback` says why.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import lightgbm as lgb

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]
Indices = npt.NDArray[np.intp]

# Trees with a longer root-to-leaf path are left to LightGBM: a leaf's table has 2**path entries.
MAX_PATH = 10
# The most bits a table of several leaves is indexed by (the splits on the way to a node and below it).
GROUP_BITS = 8
# LightGBM's zero: `const double kZeroThreshold = 1e-35f`, a float literal, so not the double 1e-35.
# Values this close to 0 are read as 0 when a dense matrix is predicted, and are "zero" for a split
# whose missing type is Zero.
ZERO_THRESHOLD = float(np.float32(1e-35))

# How a split treats a missing value (LightGBM's missing type, and where it sends them). The values a
# split compares with its threshold are prepared for its kind: a missing value sent left becomes -inf
# (<= any threshold) and one sent right NaN (<= none), so that one comparison decides.
_PLAIN, _NAN_LEFT, _NAN_RIGHT, _ZERO_LEFT, _ZERO_RIGHT = range(5)
_CATEGORICAL_MASK, _DEFAULT_LEFT_MASK = 1, 2
_MISSING_TYPES = {0: "None", 1: "Zero", 2: "NaN"}
# Eight bytes of 0 or 1 read as one little-endian integer, times this, hold the eight bits in their top
# byte (byte j lands on bit 56 + j; the other products fall below it without carrying into it, or
# overflow away: checked for all 256 patterns).
_GATHER_BITS = np.uint64(0x0102040810204080)
_ROWS_PER_CHUNK = 32  # rows at a time: what one chunk compares and gathers stays in cache
# When the tables are built: (leaf, pattern of its group) pairs, and (leaf, pattern of its own bits)
# pairs at a time.
_PAIRS_PER_CHUNK = 1 << 20
_LEAF_PATTERNS_PER_CHUNK = 1 << 16


class UnsupportedModelError(ValueError):
    """The model has something the tables do not cover; the message says what."""


class TreeContributions:
    """`booster.predict(x, pred_contrib=True)` and `booster.predict(x, raw_score=True)`, from tables.

    Built once per booster (a fraction of a second for ours) and safe to call from many threads. The
    contributions equal LightGBM's to about 1e-15 (the sums run in another order); the raw score equals
    it to the bit. `fallback` is None, or why LightGBM answers instead (then at one thread per call).
    """

    def __init__(self, booster: lgb.Booster, group_bits: int = GROUP_BITS) -> None:
        self._setup(booster.model_to_string(), lambda: booster, group_bits)

    @classmethod
    def of_text(
        cls, model: str, booster: Callable[[], lgb.Booster], group_bits: int = GROUP_BITS
    ) -> TreeContributions:
        """From LightGBM's text model; `booster` gives the booster itself, asked only where LightGBM
        answers instead (`fallback`): serving a supported model never loads LightGBM."""
        made = cls.__new__(cls)
        made._setup(model, booster, group_bits)
        return made

    def _setup(self, model: str, booster: Callable[[], lgb.Booster], group_bits: int) -> None:
        if not 1 <= group_bits <= 16:
            raise ValueError(f"group_bits is between 1 and 16, got {group_bits}")
        self._booster_of = booster
        self.n_features = feature_count(model)
        self.fallback: str | None = None
        try:
            self._tables = _tables_of(model, self.n_features, group_bits)
        except UnsupportedModelError as unsupported:
            self.fallback = f"LightGBM computes the contributions: the model has {unsupported}"

    @property
    def booster(self) -> lgb.Booster:
        return self._booster_of()

    @property
    def expected_value(self) -> float:
        """The bias (the contributions' last column): the trees' mean output, weighed by their counts."""
        if self.fallback is not None:
            zeros = np.zeros((1, self.n_features))
            contributions = self.booster.predict(zeros, pred_contrib=True, num_threads=1)
            return float(np.asarray(contributions, dtype=np.float64)[0, -1])
        return self._tables.bias

    def contributions(self, x: npt.ArrayLike) -> Matrix:
        """Per row, each feature's contribution to the raw score, then the bias (the last column)."""
        rows = self._checked(x)
        if self.fallback is not None:
            return np.asarray(self.booster.predict(rows, pred_contrib=True, num_threads=1), dtype=np.float64)
        out = np.empty((len(rows), self.n_features + 1), dtype=np.float64)
        for start, chunk in _chunks(rows):
            self._tables.contributions(self._tables.patterns(chunk), out[start : start + len(chunk)])
        return out

    def raw_score(self, x: npt.ArrayLike) -> Vector:
        """Per row, the booster's raw score (the sum of the leaves it reaches), to the bit."""
        rows = self._checked(x)
        if self.fallback is not None:
            return np.asarray(self.booster.predict(rows, raw_score=True, num_threads=1), dtype=np.float64)
        out = np.empty(len(rows), dtype=np.float64)
        for start, chunk in _chunks(rows):
            out[start : start + len(chunk)] = self._tables.raw_score(self._tables.patterns(chunk))
        return out

    def raw_score_and_contributions(self, x: npt.ArrayLike) -> tuple[Vector, Matrix]:
        """Both, for one pass over the splits."""
        rows = self._checked(x)
        if self.fallback is not None:
            return self.raw_score(rows), self.contributions(rows)
        raw = np.empty(len(rows), dtype=np.float64)
        out = np.empty((len(rows), self.n_features + 1), dtype=np.float64)
        for start, chunk in _chunks(rows):
            patterns = self._tables.patterns(chunk)
            raw[start : start + len(chunk)] = self._tables.raw_score(patterns)
            self._tables.contributions(patterns, out[start : start + len(chunk)])
        return raw, out

    def _checked(self, x: npt.ArrayLike) -> Matrix:
        rows = np.asarray(x, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != self.n_features:
            raise ValueError(
                f"expected rows of {self.n_features} features, got an array of shape {rows.shape}"
            )
        return rows


def _chunks(rows: Matrix) -> Iterator[tuple[int, Matrix]]:
    for start in range(0, len(rows), _ROWS_PER_CHUNK):
        yield start, rows[start : start + _ROWS_PER_CHUNK]


# -- the model's text ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TreeText:
    """One tree as LightGBM writes it: internal nodes 0..n-2; a child < 0 is leaf ~child."""

    split_feature: list[int]
    threshold: list[float]
    decision_type: list[int]
    left_child: list[int]
    right_child: list[int]
    leaf_value: list[float]
    leaf_count: list[float]
    internal_count: list[float]


def model_header(model: str) -> dict[str, str]:
    """The `key=value` lines of a LightGBM text model before its first tree."""
    return _header_of(model.partition("\nTree=")[0])


def _header_of(head: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in head.splitlines() if "=" in line)


def feature_count(model: str) -> int:
    """How many features a LightGBM text model takes (its `max_feature_idx` + 1)."""
    try:
        return int(model_header(model)["max_feature_idx"]) + 1
    except (KeyError, ValueError):
        raise UnsupportedModelError("no feature count in its header (not a LightGBM text model)") from None


def _read_model(model: str) -> list[_TreeText]:
    """The trees of a LightGBM model text (the same numbers as `dump_model`, read ten times faster;
    an infinite threshold stays infinite)."""
    head, _, body = model.partition("\nTree=")
    header = _header_of(head)
    if header.get("num_tree_per_iteration", "1") != "1":
        raise UnsupportedModelError("several trees per iteration (a multi-class model)")
    if "average_output" in head.splitlines():
        raise UnsupportedModelError("averaged output (a random forest)")
    trees = []
    for block in ("\nTree=" + body).split("\nTree=")[1:] if body else []:
        fields = dict(
            line.split("=", 1) for line in block.split("end of trees")[0].splitlines() if "=" in line
        )
        if int(fields.get("num_cat", "0")) > 0:
            raise UnsupportedModelError("a categorical split")
        if fields.get("is_linear", "0") != "0":
            raise UnsupportedModelError("a linear tree")
        trees.append(
            _TreeText(
                split_feature=[int(v) for v in fields["split_feature"].split()],
                threshold=[float(v) for v in fields["threshold"].split()],
                decision_type=[int(v) for v in fields["decision_type"].split()],
                left_child=[int(v) for v in fields["left_child"].split()],
                right_child=[int(v) for v in fields["right_child"].split()],
                leaf_value=[float(v) for v in fields["leaf_value"].split()],
                leaf_count=[float(v) for v in fields["leaf_count"].split()],
                internal_count=[float(v) for v in fields["internal_count"].split()],
            )
        )
    return trees


# -- the tables ------------------------------------------------------------------------------------


_Step = tuple[int, float, int, bool]  # see `_Structure.leaf_steps`


@dataclass
class _Structure:
    """Every tree's splits, groups and leaves, numbered across the model."""

    split_feature: list[int] = field(default_factory=list)
    split_threshold: list[float] = field(default_factory=list)
    split_kind: list[int] = field(default_factory=list)
    # Per group, its bits: (split, flip), the bit being "goes left" xor flip. The first ones are the
    # splits on the way to the group's node (flipped to say "goes towards it"), then those below it.
    group_bits: list[list[tuple[int, bool]]] = field(default_factory=list)
    # Per leaf: value, group, and per step of its path: feature, data count of the child on the way /
    # data count of the split, the group bit the step reads, and whether to flip that bit so that it
    # says "goes the leaf's way".
    leaf_value: list[float] = field(default_factory=list)
    leaf_group: list[int] = field(default_factory=list)
    leaf_steps: list[list[_Step]] = field(default_factory=list)
    bias: float = 0.0


_last_tables: tuple[str, int, _Tables] | None = None  # the model's digest, the group bits, its tables
_last_tables_lock = threading.Lock()


def _tables_of(model: str, n_features: int, group_bits: int) -> _Tables:
    """The tables of this model text. Those of the model last tabulated in this process are taken as
    they are (they are only read): a model loaded again (a server, then a command, in one process;
    a copy of a data directory) costs its digest, not a fifth of a second."""
    global _last_tables
    digest = hashlib.sha256(model.encode()).hexdigest()
    with _last_tables_lock:
        last = _last_tables
    if last is not None and last[0] == digest and last[1] == group_bits:
        return last[2]
    tables = _Tables(_read_model(model), n_features, group_bits)
    with _last_tables_lock:
        _last_tables = (digest, group_bits, tables)
    return tables


class _Tables:
    """The numbers the row-time lookups read; see the module docstring."""

    def __init__(self, trees: Sequence[_TreeText], n_features: int, group_bits: int) -> None:
        structure = _Structure()
        for tree in trees:
            _add_tree(tree, structure, group_bits)
        self.bias = structure.bias
        self._prepare(structure, n_features)
        self._tabulate(structure, n_features)

    # -- row time --

    def patterns(self, rows: Matrix) -> Indices:
        """Per row and group, the pattern of the group's bits (bit j of the index is bit j)."""
        # `take` rather than fancy indexing: the same gather, in less time for a few rows.
        compared = np.empty((len(rows), len(self._bit_column)), dtype=np.bool_)
        np.less_equal(self._values(rows).take(self._bit_column, axis=1), self._bit_threshold, out=compared)
        words = (compared.view(np.dtype("<u8")) * _GATHER_BITS) >> np.uint64(56)
        if self._bytes_per_group == 2:
            words = words[:, 0::2] | (words[:, 1::2] << np.uint64(8))
        return (words ^ self._flip).astype(np.intp)

    def contributions(self, patterns: Indices, out: Matrix) -> None:
        if len(self._features) < out.shape[1] - 1:  # a feature no split reads contributes 0
            out[:] = 0.0
        if len(self._entry_group):
            values = self._table.take(patterns.take(self._entry_group, axis=1) + self._entry_base)
            out[:, self._features] = np.add.reduceat(values, self._segments, axis=1)
        out[:, -1] = self.bias

    def raw_score(self, patterns: Indices) -> Vector:
        # One value per group, in tree order; every group of a tree but the one holding the leaf the row
        # reaches gives 0.0, so a sequential sum (cumsum, never pairwise) adds the trees as LightGBM does.
        leaves = self._raw_table.take(patterns + self._raw_base)
        return np.cumsum(leaves, axis=1)[:, -1] if leaves.shape[1] else np.zeros(len(patterns))

    def _values(self, rows: Matrix) -> Matrix:
        """The values each kind of split compares, side by side, then a column of NaN for unused bits.
        A dense matrix reaches LightGBM's trees with a value within `ZERO_THRESHOLD` of 0 read as 0;
        unless the split's missing type is NaN, a NaN is read as 0 too."""
        width = rows.shape[1]
        values = np.empty((len(rows), len(self._kinds) * width + 1), dtype=np.float64)
        kept = np.where(np.abs(rows) <= ZERO_THRESHOLD, 0.0, rows)
        nan = np.isnan(kept)
        for i, kind in enumerate(self._kinds):
            part = values[:, i * width : (i + 1) * width]
            if kind == _NAN_RIGHT:
                part[:] = kept
            elif kind == _PLAIN:
                np.copyto(part, np.where(nan, 0.0, kept))
            elif kind == _NAN_LEFT:
                np.copyto(part, np.where(nan, -np.inf, kept))
            else:
                missing = (kept == 0.0) | nan
                np.copyto(part, np.where(missing, -np.inf if kind == _ZERO_LEFT else np.nan, kept))
        values[:, -1] = np.nan
        return values

    # -- build time --

    def _prepare(self, structure: _Structure, n_features: int) -> None:
        """Per group and bit, the prepared value's column and the threshold it is compared with."""
        self._kinds = sorted(set(structure.split_kind)) or [_PLAIN]
        kind = np.array(structure.split_kind, dtype=np.intp)
        rank = np.searchsorted(np.array(self._kinds), kind) if len(kind) else kind
        column = np.concatenate(
            [
                rank * n_features + np.array(structure.split_feature, dtype=np.intp),
                [len(self._kinds) * n_features],
            ]
        ).astype(np.intp)  # the last: the NaN column, read by the unused bits
        threshold = np.array([*structure.split_threshold, 0.0], dtype=np.float64)
        widest = max((len(bits) for bits in structure.group_bits), default=0)
        self._bytes_per_group = 1 if widest <= 8 else 2
        width = 8 * self._bytes_per_group
        split = np.full((len(structure.group_bits), width), len(structure.split_feature), dtype=np.intp)
        flip = np.zeros(len(structure.group_bits), dtype=np.uint64)
        for g, bits in enumerate(structure.group_bits):
            split[g, : len(bits)] = [s for s, _ in bits]
            flip[g] = sum(1 << j for j, (_, flipped) in enumerate(bits) if flipped)
        self._bit_column = column[split].reshape(-1)
        self._bit_threshold = threshold[split].reshape(-1)
        self._flip = flip

    def _tabulate(self, structure: _Structure, n_features: int) -> None:
        """The tables: per group, feature after feature, a contribution per pattern of its bits; and per
        group, the value of the leaf each pattern reaches (0 where the row does not reach the group)."""
        leaves = _Leaves(structure)
        group_size = np.left_shift(1, np.array([len(b) for b in structure.group_bits], dtype=np.intp))
        self._raw_base = _starts(group_size)
        self._raw_table = np.zeros(int(group_size.sum()), dtype=np.float64)
        # Each group's features (the keys group * (n_features + 1) + feature, sorted) and columns.
        keys = leaves.group[:, None] * (n_features + 1) + leaves.feature
        unique, inverse = np.unique(keys[leaves.first], return_inverse=True)
        owner, feature = np.divmod(unique, n_features + 1)
        group_start = np.searchsorted(owner, np.arange(len(group_size)))
        column = np.full(keys.shape, -1, dtype=np.intp)
        column[leaves.first] = np.arange(len(unique))[inverse] - group_start[owner[inverse]]
        table_size = group_size * np.bincount(owner, minlength=len(group_size))
        table_base = _starts(table_size)
        self._table = np.zeros(int(table_size.sum()), dtype=np.float64)
        _fill(leaves, column, group_size, table_base, self._table, self._raw_base, self._raw_table)
        order = np.lexsort((owner, feature))  # by feature, then group
        self._entry_group = owner[order].astype(np.intp)
        self._entry_base = (
            table_base[owner] + (np.arange(len(unique)) - group_start[owner]) * group_size[owner]
        )[order].astype(np.intp)
        self._features, self._segments = np.unique(feature[order], return_index=True)


def _starts(sizes: Indices) -> Indices:
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp) if len(sizes) else sizes


class _Leaves:
    """Every leaf's path as arrays (leaf, step), padded to the longest path."""

    def __init__(self, structure: _Structure) -> None:
        self.length = np.array([len(steps) for steps in structure.leaf_steps], dtype=np.intp)
        self.value = np.array(structure.leaf_value, dtype=np.float64)
        self.group = np.array(structure.leaf_group, dtype=np.intp)
        count, depth = len(self.length), max(1, int(self.length.max(initial=0)))
        self.valid = np.arange(depth) < self.length[:, None]
        steps = [step for leaf in structure.leaf_steps for step in leaf]
        self.feature = np.full((count, depth), -1, dtype=np.intp)
        self.fraction = np.ones((count, depth), dtype=np.float64)
        self.position = np.zeros((count, depth), dtype=np.intp)
        self.flip = np.zeros((count, depth), dtype=np.intp)
        if steps:
            self.feature[self.valid] = [step[0] for step in steps]
            self.fraction[self.valid] = [step[1] for step in steps]
            self.position[self.valid] = [step[2] for step in steps]
            self.flip[self.valid] = [step[3] for step in steps]
        # The step whose column each step adds to: the first on the path with its feature.
        self.first_of = np.argmax(self.feature[:, :, None] == self.feature[:, None, :], axis=2)
        self.first = (self.first_of == np.arange(depth)) & self.valid
        self.tables, self.table_base = _leaf_tables(self)


def _add_tree(tree: _TreeText, structure: _Structure, budget: int) -> None:
    """Numbers the tree's splits after those already in `structure` and parts its leaves into groups:
    the leaves under a node form one when the splits on the way to it and below it are at most
    `budget` bits (a leaf always does, as long as its path is at most `MAX_PATH`)."""
    offset = len(structure.split_feature)
    for node, feature in enumerate(tree.split_feature):
        decision = tree.decision_type[node]
        if decision & _CATEGORICAL_MASK:
            raise UnsupportedModelError("a categorical split")
        missing = _MISSING_TYPES.get((decision >> 2) & 3)
        if missing is None:
            raise UnsupportedModelError(f"a split with an unknown missing type ({decision})")
        left = bool(decision & _DEFAULT_LEFT_MASK)
        kinds = {"None": (_PLAIN, _PLAIN), "NaN": (_NAN_LEFT, _NAN_RIGHT), "Zero": (_ZERO_LEFT, _ZERO_RIGHT)}
        structure.split_feature.append(feature)
        structure.split_threshold.append(tree.threshold[node])
        structure.split_kind.append(kinds[missing][0 if left else 1])
    structure.bias += _expected_value(tree)
    if not tree.split_feature:  # a single leaf
        structure.group_bits.append([])
        structure.leaf_value.append(tree.leaf_value[0])
        structure.leaf_group.append(len(structure.group_bits) - 1)
        structure.leaf_steps.append([])
        return
    below = _splits_below(tree)

    def fraction(node: int, left: bool) -> float:
        child = tree.left_child[node] if left else tree.right_child[node]
        count = tree.internal_count[child] if child >= 0 else tree.leaf_count[~child]
        parent = tree.internal_count[node]
        return count / parent if parent else math.nan  # LightGBM's 0 / 0

    def collect(node: int, steps: list[_Step], bits: list[tuple[int, bool]]) -> None:
        if node < 0:
            if len(steps) > MAX_PATH:
                raise UnsupportedModelError(
                    f"a leaf {len(steps)} splits deep (at most {MAX_PATH} are tabulated)"
                )
            structure.leaf_value.append(tree.leaf_value[~node])
            structure.leaf_group.append(len(structure.group_bits) - 1)
            structure.leaf_steps.append(steps)
            return
        at = len(bits)
        bits.append((offset + node, False))
        feature = tree.split_feature[node]
        collect(tree.left_child[node], [*steps, (feature, fraction(node, True), at, False)], bits)
        collect(tree.right_child[node], [*steps, (feature, fraction(node, False), at, True)], bits)

    def place(node: int, path: list[tuple[int, bool]]) -> None:
        if node < 0 or len(path) + below[node] <= budget:
            bits = [(offset + s, not left) for s, left in path]
            structure.group_bits.append(bits)
            steps = [(tree.split_feature[s], fraction(s, left), j, False) for j, (s, left) in enumerate(path)]
            collect(node, steps, bits)
            return
        place(tree.left_child[node], [*path, (node, True)])
        place(tree.right_child[node], [*path, (node, False)])

    place(0, [])


def _splits_below(tree: _TreeText) -> list[int]:
    """Per internal node, the number of splits in its subtree (itself included)."""
    below = [0] * len(tree.split_feature)
    for node in reversed(range(len(below))):  # LightGBM numbers a child after its parent
        below[node] = 1 + sum(below[c] for c in (tree.left_child[node], tree.right_child[node]) if c >= 0)
    return below


def _expected_value(tree: _TreeText) -> float:
    """LightGBM's `Tree::ExpectedValue`: the leaves weighed by their share of the root's count."""
    if not tree.split_feature:
        return tree.leaf_value[0]
    total = tree.internal_count[0]
    value = 0.0
    for count, leaf in zip(tree.leaf_count, tree.leaf_value, strict=True):
        value += (count / total if total else math.nan) * leaf
    return value


def _fill(
    leaves: _Leaves,
    column: Indices,
    group_size: Indices,
    table_base: Indices,
    table: Vector,
    raw_base: Indices,
    raw_table: Vector,
) -> None:
    """Adds every leaf's contributions into its group's table, for every pattern of the group's bits,
    and writes into `raw_table` the value of the leaf each pattern reaches. Leaves whose groups have
    as many bits are done together, as arrays (leaf, pattern)."""
    size = group_size[leaves.group]
    for bits in sorted(set(size.tolist())):
        patterns = np.arange(bits)
        chosen = np.flatnonzero(size == bits)
        for start in range(0, len(chosen), max(1, _PAIRS_PER_CHUNK // bits)):
            leaf = chosen[start : start + max(1, _PAIRS_PER_CHUNK // bits)]
            # The pattern of the leaf's own bits, for each pattern of its group's.
            own = np.zeros((len(leaf), bits), dtype=np.intp)
            for j in range(leaves.feature.shape[1]):
                bit = ((patterns >> leaves.position[leaf, j, None]) & 1) ^ leaves.flip[leaf, j, None]
                own |= np.where(leaves.valid[leaf, j, None], bit, 0) << j
            group = leaves.group[leaf]
            for j in range(leaves.feature.shape[1]):
                adds = leaves.first[leaf, j]
                by, at_own, to = leaf[adds], own[adds], group[adds]
                if not len(by):
                    continue
                contribution = leaves.tables[
                    leaves.table_base[by, None] + at_own * leaves.length[by, None] + j
                ]
                at = (table_base[to] + column[by, j] * bits)[:, None] + patterns
                low = int(at.min())
                table[low : int(at.max()) + 1] += np.bincount((at - low).ravel(), contribution.ravel())
            reached = own == np.left_shift(1, leaves.length[leaf])[:, None] - 1
            at = raw_base[group][:, None] + patterns
            raw_table[at[reached]] = np.broadcast_to(leaves.value[leaf, None], reached.shape)[reached]


def _leaf_tables(leaves: _Leaves) -> tuple[Vector, Indices]:
    """Per leaf of path length d, its contributions for each of the 2**d patterns of its bits (rows)
    to the feature of each step (columns; a feature met again adds to its first step's column, the
    later ones hold 0), flattened one after the other; and where each leaf's starts."""
    sizes = np.left_shift(1, leaves.length) * leaves.length
    base = _starts(sizes)
    tables = np.zeros(int(sizes.sum()), dtype=np.float64)
    for length in sorted(set(leaves.length.tolist()) - {0}):
        indices = np.flatnonzero(leaves.length == length)
        chunk = max(1, _LEAF_PATTERNS_PER_CHUNK >> length)
        for start in range(0, len(indices), chunk):
            part = indices[start : start + chunk]
            block = _path_tables(leaves, part, length)
            tables[base[part][:, None] + np.arange(block[0].size)] = block.reshape(len(part), -1)
    return tables, base


def _path_tables(leaves: _Leaves, part: Indices, length: int) -> Matrix:
    """`_leaf_tables` for leaves of one path length: (leaves, 2**length patterns, length steps)."""
    first_of = leaves.first_of[part, :length]
    fractions = leaves.fraction[part, :length]
    values = leaves.value[part]
    bits = ((np.arange(1 << length)[:, None] >> np.arange(length)) & 1).astype(bool)  # (pattern, step)
    zero: list[Vector] = []  # per column: (leaf,)
    one: list[Matrix] = []  # per column: (leaf, pattern), 1 where the row goes the leaf's way at every
    # step on that column's feature
    for m in range(length):
        member = first_of == m  # (leaf, step)
        zero.append(np.prod(np.where(member, fractions, 1.0), axis=1))
        away = member[:, None, :] & ~bits[None, :, :]
        one.append((~away.any(axis=2)).astype(np.float64))
    # ∫₀¹ Π_{m≠k} (z_m (1-t) + o_m t) dt: a polynomial of degree < length, exact with these nodes.
    nodes, weights = np.polynomial.legendre.leggauss(length // 2 + 1)
    t = (nodes + 1.0) / 2.0
    factor = [z[:, None, None] * (1.0 - t) + o[:, :, None] * t for z, o in zip(zero, one, strict=True)]
    before = [np.ones_like(factor[0])]
    for m in range(length - 1):
        before.append(before[-1] * factor[m])
    after = np.ones_like(factor[0])
    out = np.empty((len(part), 1 << length, length), dtype=np.float64)
    for k in reversed(range(length)):
        integral = (before[k] * after) @ (weights / 2.0)
        out[:, :, k] = values[:, None] * (one[k] - zero[k][:, None]) * integral
        after = after * factor[k]
    return out
