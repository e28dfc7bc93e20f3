"""The seams stay where they are: one door for the timeline, no service cycle, accounts below disputes."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = sorted(
    path
    for folder in ("accounts", "config", "disputes")
    for path in (ROOT / folder).rglob("*.py")
    if "migrations" not in path.parts
)
WRITERS = {"create", "bulk_create", "get_or_create", "update_or_create"}


def tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), filename=str(path))


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def creates_timeline_entries(path: Path) -> list[int]:
    """Lines that construct a TimelineEntry or call a writer on TimelineEntry.objects."""
    lines = []
    for node in ast.walk(tree(path)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "TimelineEntry") or (
            isinstance(func, ast.Attribute)
            and func.attr in WRITERS
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "TimelineEntry"
        ):
            lines.append(node.lineno)
    return lines


def test_exactly_one_function_writes_timeline_entries():
    writers = {str(path.relative_to(ROOT)): lines for path in APP_FILES if (lines := creates_timeline_entries(path))}
    assert list(writers) == ["disputes/services/timeline.py"], writers
    assert len(writers["disputes/services/timeline.py"]) == 1


def test_the_door_detector_finds_a_second_door(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f(case):\n    return TimelineEntry.objects.create(case=case)\n")
    assert creates_timeline_entries(sneaky) == [2]


def test_accounts_never_imports_disputes():
    for path in (ROOT / "accounts").rglob("*.py"):
        assert not any(name.split(".")[0] == "disputes" for name in imports_of(path)), path


def service_graph() -> dict[str, set[str]]:
    services = {path.stem: path for path in (ROOT / "disputes" / "services").glob("*.py") if path.stem != "__init__"}
    graph = {}
    for name, path in services.items():
        targets = set()
        for imported in imports_of(path):
            parts = imported.split(".")
            if parts[:2] == ["disputes", "services"] and len(parts) > 2 and parts[2] in services:
                targets.add(parts[2])
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "active"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "active":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_services_import_each_other_without_a_cycle():
    graph = service_graph()
    assert "timeline" in graph["letters"] and "timeline" not in graph["letter_tracking"]
    assert find_cycle(graph) == []


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


TEST_FILES = sorted((ROOT / "tests").rglob("*.py"))


@pytest.mark.parametrize("path", APP_FILES + TEST_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400
