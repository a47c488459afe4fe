"""The layers in pyproject.toml hold, and a wrong-way import breaks them.

`lint-imports` runs in `make check` (so in CI); these tests prove the contract is not a
formality: on a copy of the tree, one import from the shared core up into feedback fails it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ["config", "privacy", "boardpacks", "cms", "surveys", "youthforum", "feedback", "portal"]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own venv's tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def _copy_tree(dest: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name,
            dest / name,
            ignore=shutil.ignore_patterns("__pycache__", "node_modules", "dist", "*.jsonl", "templates"),
        )


def test_the_tree_keeps_its_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken_by"),
    [
        ("portal/selectors.py", "from feedback.models import Theme", "portal.selectors -> feedback.models"),
        ("feedback/selectors.py", "import surveys.models", "feedback.selectors -> surveys.models"),
        ("surveys/selectors.py", "from youthforum import models", "surveys.selectors -> youthforum"),
        ("cms/selectors.py", "import boardpacks.selectors", "cms.selectors -> boardpacks.selectors"),
    ],
)
def test_a_wrong_way_import_fails_the_build(tmp_path, module, line, broken_by):
    _copy_tree(tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # deliberately the wrong way\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert broken_by in result.stdout
