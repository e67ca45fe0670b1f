"""Project-wide rules that keep the core platform-neutral and the commands consistent."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.commands import convert
from bot.features import Catalog
from cogs import all_features

ROOT = Path(__file__).resolve().parent.parent
CHAT_LIBRARIES = {"discord", "nio", "mautrix", "aiohttp"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_chat_library_outside_the_adapters() -> None:
    offenders = []
    for folder in ("bot", "cogs"):
        for path in (ROOT / folder).rglob("*.py"):
            if "adapters" in path.relative_to(ROOT).parts[:2] and path.name != "base.py":
                continue
            if bad := _imports(path) & CHAT_LIBRARIES:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_sql_stays_in_storage() -> None:
    offenders = []
    for folder in ("bot", "cogs"):
        for path in (ROOT / folder).rglob("*.py"):
            if "storage" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if any(word in text for word in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_commands_are_unique_documented_and_convertible() -> None:
    registry = Catalog.of(all_features()).registry  # raises on duplicate names
    assert len(registry) > 0
    for spec in registry:
        assert spec.help, spec.name
        assert len(spec.help) <= 100, f"{spec.name}: Discord descriptions are at most 100 characters"
        for param in spec.params:
            assert len(param.help) <= 100, f"{spec.name} {param.name}"
            sample = param.choices[0] if param.choices else "1"
            try:
                convert(spec, param, sample, None)
            except TypeError as exc:  # pragma: no cover - a declaration bug
                raise AssertionError(f"{spec.name}: no converter for {param.name}") from exc
            except Exception:
                pass  # a UserError for the sample value is fine: the converter exists
