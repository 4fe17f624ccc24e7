"""The house rules that a refactor can silently break: no import cycles, one owner of the run folder's layout."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).parents[1] / "src"


def modules() -> dict[str, Path]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        name = ".".join(path.relative_to(SOURCE).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the zspace modules it imports (at the top or inside functions)."""
    known = modules()

    def owner(target: str) -> str | None:
        parts = target.split(".")
        return next((".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in known), None)

    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
            for target in targets:
                found = owner(target)
                if found and found != name:
                    graph[name].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan 1972)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 50 and graph["zspace.encoding"] >= {"zspace.run", "zspace.models.inference"}
    assert cycles(graph) == []


def test_cycle_finder_finds_a_planted_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_run_spells_the_run_folder_layout() -> None:
    from zspace.run import Run

    files = [Run.CONFIG, Run.TRAIN_CONFIG, Run.MODEL, Run.CHECKPOINT, Run.HISTORY, Run.LATENTS, Run.LOGVAR,
             Run.LATENTS_META, Run.REPORT]
    folders = [Run.ANALYSIS, Run.SAMPLERS, Run.SAMPLES, Run.EVALUATION]  # common words: only as path parts
    pattern = re.compile("|".join([re.escape(f'"{name}"') for name in files]
                                  + [r"/\s*" + re.escape(f'"{name}"') for name in folders]))
    # These two read folders that Hugging Face's save_pretrained writes (config.json, model.safetensors): the
    # same names as a run's, another layout.
    hugging_face = {"zspace/evaluation/hf_features.py", "zspace/models/factory.py"}
    offenders = [f"{path.relative_to(SOURCE)}:{number}" for path in SOURCE.rglob("*.py")
                 if path.name != "run.py" and str(path.relative_to(SOURCE)) not in hugging_face
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line.split("#")[0])]
    assert offenders == []
