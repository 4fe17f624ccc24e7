"""Declared results (issue 19): one generic writer and reader; a new field needs no other change."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from zspace.analysis import AnalysisOptions, analyze, load_analysis
from zspace.analysis.result import AnalysisResult
from zspace.errors import ZspaceError
from zspace.results import array_field, not_saved, read, read_fields, save, to_json, write, write_fields


@dataclasses.dataclass
class Part:
    name: str
    values: np.ndarray = array_field("(n,) values")
    scores: dict[str, np.ndarray] = array_field("(n,) score per name", default_factory=dict)


@dataclasses.dataclass
class Toy:
    FILE = "toy.json"

    count: int
    ratio: float
    parts: list[Part]
    table: np.ndarray  # small: JSON
    matrix: np.ndarray = array_field("(a, b) a matrix")
    maybe: Part | None = None
    mixed: dict[str, float | int | str] = dataclasses.field(default_factory=dict)
    cache: np.ndarray | None = not_saved(default=None)


def toy() -> Toy:
    rng = np.random.default_rng(0)
    return Toy(3, float("nan"), [Part("a", rng.standard_normal(4), {"x": np.arange(3)}), Part("b", np.zeros(2))],
               np.array([1.5, 2.5]), rng.standard_normal((3, 2)).astype(np.float32), None,
               {"perplexity": 30.0, "method": "bh", "points": 7}, np.ones(5))


def test_round_trip_keeps_types_values_and_dtypes(tmp_path) -> None:
    original = toy()
    write(original, tmp_path)
    back = read(Toy, tmp_path)
    assert back.count == 3 and np.isnan(back.ratio) and back.maybe is None and back.cache is None
    assert back.mixed == {"perplexity": 30.0, "method": "bh", "points": 7}
    assert isinstance(back.mixed["points"], int) and isinstance(back.parts[0], Part)
    np.testing.assert_array_equal(back.parts[0].values, original.parts[0].values)
    np.testing.assert_array_equal(back.parts[0].scores["x"], np.arange(3))
    assert back.matrix.dtype == np.float32 and np.array_equal(back.matrix, original.matrix)
    np.testing.assert_array_equal(back.table, [1.5, 2.5])
    saved = json.loads((tmp_path / "toy.json").read_text())
    assert saved["layout"] == 2 and saved["ratio"] is None  # strict JSON: NaN is null
    assert saved["parts"][0]["values"] == {"npy": "parts_0_values.npy"}
    assert set(saved["arrays"]) == {"parts_0_values.npy", "parts_0_scores_x.npy", "parts_1_values.npy", "matrix.npy"}
    assert all((tmp_path / name).is_file() for name in saved["arrays"]) and "cache" not in saved


def test_a_new_field_is_saved_and_loaded_with_no_other_change(tmp_path) -> None:
    """The acceptance test of issue 19: add a field to a real result type, nothing else."""
    vectors = np.random.default_rng(1).standard_normal((200, 4)).astype(np.float32)
    result = analyze(vectors, None, AnalysisOptions(pca_planes=((1, 2),), plane_points=50))
    toy_fields = [("toy_note", str, dataclasses.field(default="")),
                  ("toy_curve", np.ndarray | None, array_field("(k,) a toy array", default=None))]
    Extended = dataclasses.make_dataclass("AnalysisResult", toy_fields, bases=(AnalysisResult,))
    extended = Extended(**{f.name: getattr(result, f.name) for f in dataclasses.fields(AnalysisResult)},
                        toy_note="hello", toy_curve=np.linspace(0, 1, 7))
    save(extended, tmp_path / "a")
    back = read(Extended, tmp_path / "a")
    assert back.toy_note == "hello" and np.array_equal(back.toy_curve, np.linspace(0, 1, 7))
    assert (tmp_path / "a" / "toy_curve.npy").is_file()
    np.testing.assert_array_equal(back.correlation, result.correlation)
    plain = load_analysis(tmp_path / "a")  # the type without the field reads the folder too
    assert plain.count == 200
    save(result, tmp_path / "b")  # and a folder written before the field existed loads with its default
    older = read(Extended, tmp_path / "b")
    assert older.toy_note == "" and older.toy_curve is None


def test_a_missing_required_field_and_an_old_layout_each_say_what_to_do(tmp_path) -> None:
    write(toy(), tmp_path)
    saved = json.loads((tmp_path / "toy.json").read_text())
    del saved["count"]
    (tmp_path / "toy.json").write_text(json.dumps(saved))
    with pytest.raises(ZspaceError, match="has no 'count'.*make it again"):
        read(Toy, tmp_path)
    old = tmp_path / "old"
    old.mkdir()
    (old / "metrics.json").write_text(json.dumps({"n": 10, "dim": 2, "arrays": {"correlation.npy": "(d, d)"}}))
    with pytest.raises(ZspaceError) as raised:
        load_analysis(old)
    message = str(raised.value)
    assert "before its results had a declared layout" in message and "\n" not in message
    with pytest.raises(ZspaceError, match="no metrics.json"):
        load_analysis(tmp_path / "nowhere")


def test_array_references_cannot_leave_the_folder(tmp_path) -> None:
    write(toy(), tmp_path)
    saved = json.loads((tmp_path / "toy.json").read_text())
    saved["matrix"] = {"npy": "../../etc/passwd"}
    (tmp_path / "toy.json").write_text(json.dumps(saved))
    with pytest.raises(ZspaceError, match="not a file name"):
        read(Toy, tmp_path)


def test_partial_fields_written_and_read(tmp_path) -> None:
    part = Part("p", np.arange(5.0))
    write_fields(Toy, tmp_path, {"parts": [part], "count": 9})
    found = read_fields(Toy, tmp_path, ["parts", "count", "matrix"])
    assert set(found) == {"parts", "count"} and np.array_equal(found["parts"][0].values, np.arange(5.0))


def test_described_extras_are_written_never_read() -> None:
    vectors = np.random.default_rng(2).standard_normal((300, 3))
    tree = to_json(analyze(vectors, None, AnalysisOptions(pca_planes=())))
    assert tree["pca"]["components_for_90pct"] >= 1  # from PCAResult.described()
    assert len(tree["components"]["ranked_by_half_width"]) == 3
