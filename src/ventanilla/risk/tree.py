"""The decision tree as data: fitted with scikit-learn, then kept as plain lists (columns, the
nodes' children, split column and threshold, and each node's cases and late cases) that are
stored as JSON, read back without scikit-learn, walked to score a case, and turned into rules.

A row is a dict of features: the numeric ones (``NUMERIC``) as numbers, the others as the code
or id of their value. Each categorical value seen in training becomes a 0/1 column
``feature=value``, so a split reads "the service is X" or "the service is not X"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

NUMERIC = ("backlog", "days_allowed")
CATEGORICAL = ("service", "department", "channel", "priority", "month")
Row = Mapping[str, Any]


def columns_of(rows: Sequence[Row]) -> list[str]:
    seen = {f"{name}={row[name]}" for row in rows for name in CATEGORICAL}
    return [*NUMERIC, *sorted(seen)]


def _matrix(rows: Sequence[Row], columns: Sequence[str]) -> Any:
    """The rows as numbers: the numeric features as they are, a 1 in the column of each
    categorical value (set directly, not compared column by column)."""
    import numpy as np

    matrix = np.zeros((len(rows), len(columns)), dtype=np.float32)
    where = {column: index for index, column in enumerate(columns)}
    for number, name in enumerate(NUMERIC):
        matrix[:, number] = [float(row[name]) for row in rows]
    for r, row in enumerate(rows):
        for name in CATEGORICAL:
            index = where.get(f"{name}={row[name]}")
            if index is not None:
                matrix[r, index] = 1.0
    return matrix


def fit(rows: Sequence[Row], late: Sequence[bool], *, depth: int, min_leaf: int) -> dict[str, Any]:
    """A tree of at most ``depth`` levels whose every leaf holds at least ``min_leaf`` cases.
    Deterministic: the same rows give the same tree."""
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier

    columns = columns_of(rows)
    matrix = _matrix(rows, columns)
    target = np.array(late, dtype=bool)
    model = DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=min_leaf, random_state=0, criterion="gini"
    ).fit(matrix, target)
    inner = model.tree_
    # Count each node's cases and late cases from the training rows themselves (scikit-learn's
    # own values are weighted shares since 1.4).
    paths = model.decision_path(matrix).tocsc()
    cases = np.diff(paths.indptr).tolist()
    late_cases = [int(target[paths.indices[paths.indptr[n] : paths.indptr[n + 1]]].sum())
                  for n in range(inner.node_count)]  # fmt: skip
    return {
        "columns": columns,
        "left": inner.children_left.tolist(),
        "right": inner.children_right.tolist(),
        "feature": inner.feature.tolist(),
        "threshold": [round(float(t), 6) for t in inner.threshold],
        "cases": [int(n) for n in cases],
        "late": late_cases,
    }


def leaf_of(tree: Mapping[str, Any], row: Row) -> int:
    """The leaf a row falls in: the node where its path ends."""
    node = 0
    columns = tree["columns"]
    while tree["left"][node] != -1:
        column = columns[tree["feature"][node]]
        name, _sep, value = column.partition("=")
        x = float(row[name]) if not value else float(str(row[name]) == value)
        node = tree["left"][node] if x <= tree["threshold"][node] else tree["right"][node]
    return int(node)


def knows(tree: Mapping[str, Any], row: Row) -> bool:
    """Whether every categorical value of the row was seen in training. A case of a department
    (or service, or channel) the tree never saw would be judged by rules about the others."""
    columns = set(tree["columns"])
    return all(f"{name}={row[name]}" in columns for name in CATEGORICAL if name != "month")


def share_of(tree: Mapping[str, Any], node: int) -> float:
    cases = tree["cases"][node]
    return tree["late"][node] / cases if cases else 0.0


def rules_of(tree: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every leaf as a rule: the conditions on the way to it, said as simply as they can be (the
    tightest bounds of a number; "is X" rather than "is not Y, is not Z"), with its cases and
    late cases. Riskiest first."""
    rules: list[dict[str, Any]] = []

    def walk(node: int, path: list[tuple[str, str, float | str]]) -> None:
        if tree["left"][node] == -1:
            rules.append(
                {
                    "leaf": node,
                    "conditions": _simplify(path),
                    "cases": tree["cases"][node],
                    "late": tree["late"][node],
                    "share": round(share_of(tree, node), 4),
                }
            )
            return
        column = tree["columns"][tree["feature"][node]]
        name, _sep, value = column.partition("=")
        threshold = tree["threshold"][node]
        if value:
            walk(tree["left"][node], [*path, (name, "not", value)])
            walk(tree["right"][node], [*path, (name, "is", value)])
        else:
            walk(tree["left"][node], [*path, (name, "at_most", threshold)])
            walk(tree["right"][node], [*path, (name, "above", threshold)])

    walk(0, [])
    # "Not this one, not that one" that leaves a single value seen in training names it.
    values: dict[str, set[str]] = {}
    for column in tree["columns"]:
        name, _sep, value = column.partition("=")
        if value:
            values.setdefault(name, set()).add(value)
    for rule in rules:
        for condition in rule["conditions"]:
            rest = values.get(condition["feature"], set()) - set(condition.get("not", ()))
            if "not" in condition and len(rest) == 1:
                del condition["not"]
                condition["is"] = rest.pop()
    rules.sort(key=lambda rule: (-rule["share"], -rule["cases"], rule["leaf"]))
    return rules


def _simplify(path: Sequence[tuple[str, str, float | str]]) -> list[dict[str, Any]]:
    conditions: dict[str, dict[str, Any]] = {}
    for name, kind, value in path:
        condition = conditions.setdefault(name, {"feature": name})
        if kind == "is":
            condition.pop("not", None)
            condition["is"] = value
        elif kind == "not" and "is" not in condition:
            condition.setdefault("not", []).append(value)
        elif kind == "above":
            condition["above"] = max(float(value), condition.get("above", float("-inf")))
        elif kind == "at_most":
            condition["at_most"] = min(float(value), condition.get("at_most", float("inf")))
    return list(conditions.values())
