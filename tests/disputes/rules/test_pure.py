"""The rules modules are pure: no Django, no ORM, importable without settings."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[3] / "disputes" / "rules"
MODULES = sorted(path.stem for path in RULES.glob("*.py") if path.stem != "__init__")


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_rules_are_split_by_subject():
    assert MODULES == [
        "chain",
        "checklist",
        "clock",
        "dates",
        "deadlines",
        "filenames",
        "ladder",
        "lessons",
        "money",
        "phrasebook",
        "risk",
        "tone",
        "words",
    ]


@pytest.mark.parametrize("module", MODULES)
def test_a_rules_module_imports_neither_django_nor_the_models(module):
    """Only the standard library and other rules modules."""
    names = imported_names(RULES / f"{module}.py")
    outside = {name for name in names if name.startswith("disputes.") and not name.startswith("disputes.rules.")}
    assert not {name for name in names if name.split(".")[0] == "django"} | outside, names


def test_the_rules_import_in_a_bare_interpreter_without_django_settings():
    code = "; ".join(f"import disputes.rules.{module}" for module in MODULES)
    result = subprocess.run(
        [sys.executable, "-c", f"{code}; import sys; assert 'django.db' not in sys.modules, 'django.db was loaded'"],
        cwd=RULES.parents[1],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
