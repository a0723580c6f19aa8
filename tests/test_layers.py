"""The import rules of docs/architecture.md, as tests: each layer imports only the layers below it.

Read from the source (every `import`, including the lazy ones inside functions), so a rule broken on a code
path no other test runs still fails here; and checked at run time for Qt, whose absence is what keeps the
engine and the CLI usable without a display."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ALLOWED: dict[str, set[str]] = {
    "models": {"models"},
    "engine": {"models", "engine"},
    "server": {"server"},
    "app": {"models", "engine", "app", "server"},
    "ui": {"models", "engine", "app", "ui"},
}
"""Our top-level packages each layer may import. `server/` stands alone (it is deployed on its own);
`app/` may start it (`serve-sync`, `bench sync`)."""

QT_FREE = ("models", "engine", "app", "server")
OURS = set(ALLOWED)


def imported_modules(path: Path) -> set[tuple[str, int]]:
    """Every module a file imports (full dotted names), with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module, node.lineno))
    return found


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """Our top-level packages (and Qt) that a module imports, with the line of each import."""
    return {
        (top, line)
        for name, line in imported_modules(path)
        if (top := name.split(".")[0]) in OURS or top.startswith(("PySide6", "shiboken6"))
    }


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_is_below_it(layer: str) -> None:
    broken = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for top, line in imported_packages(path):
            is_qt = top.startswith(("PySide6", "shiboken6"))
            if (is_qt and layer in QT_FREE) or (not is_qt and top not in ALLOWED[layer]):
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    assert broken == [], f"{layer}/ may import only {sorted(ALLOWED[layer])}:\n" + "\n".join(broken)


HARNESS = ("app.bench", "ui.bench")
"""Benchmarks and evaluation harnesses: they measure the product and are not part of it."""
HARNESS_ENTRY_POINTS = {Path("app/cli/bench_cmd.py"), Path("ui/cli.py")}
"""The `bench` commands: the only product modules that start a harness (lazily, when the command runs)."""


def test_the_product_does_not_import_its_harnesses() -> None:
    broken = []
    for layer in ("app", "ui"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative.parts[1] == "bench" or relative in HARNESS_ENTRY_POINTS:
                continue
            broken += [
                f"{relative}:{line} imports {name}"
                for name, line in imported_modules(path)
                if name.startswith(HARNESS)
            ]
    assert broken == [], "only the bench commands may start a harness:\n" + "\n".join(broken)


def test_harnesses_live_in_the_bench_packages() -> None:
    """A benchmark or evaluation written inside a product package is the harness creeping back."""
    strays = [
        str(path.relative_to(ROOT))
        for layer in ("app", "ui")
        for path in sorted((ROOT / layer).rglob("*.py"))
        if ("bench" in path.stem or "evaluation" in path.stem)
        and path.relative_to(ROOT).parts[1] != "bench"
        and path.relative_to(ROOT) not in HARNESS_ENTRY_POINTS
    ]
    assert strays == [], f"move these to app/bench/ or ui/bench/: {strays}"


def test_rule_checker_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from ui.app import run_desktop\n    import PySide6.QtCore\n")
    assert imported_packages(module) == {("ui", 2), ("PySide6", 3)}


def test_importing_every_app_module_loads_no_qt() -> None:
    code = (
        "import importlib, pkgutil, sys, app, engine, models\n"
        "for pkg in (app, engine, models):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'): importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.startswith(('PySide', 'PyQt', 'shiboken', 'ui'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=180
    )
    assert result.stdout.strip() == "[]"


def test_main_composes_the_desktop_commands_and_app_alone_has_none(capsys: pytest.CaptureFixture) -> None:
    from app.cli import build_parser, main
    from ui.cli import DESKTOP_EXTENSIONS

    assert "talk" in build_parser(DESKTOP_EXTENSIONS).format_help()
    assert "talk" not in build_parser().format_help()
    assert main([]) == 2  # no desktop handler without the shell: the help, not a crash
    assert "python main.py" in capsys.readouterr().out
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "bench", "--help"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "startup" in result.stdout
