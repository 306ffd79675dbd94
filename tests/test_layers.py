"""The layering of ARCHITECTURE.md, checked on the source: every `campaign.<area>` import that
`ast` finds in campaign/ points up the list of areas, never down, and no module imports
another area's views or command-line modules. campaign/__init__.py and campaign/cli.py put
the app together and may import anything."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CAMPAIGN = Path(__file__).resolve().parent.parent / "campaign"

# Top first: an area may import the areas before it in this list, never those after it. The
# code differs from ARCHITECTURE.md's picture in two places, both kept here as the code has
# them: officials and agreements come before campaigns (a campaign targets officials and an
# agreement), and forums before pledges (a pledge links a forum).
AREAS = (
    "core",
    "jobs",
    "outbox",
    "geo",
    "people",
    "accounts",
    "officials",
    "agreements",
    "campaigns",
    "petitions",
    "forums",
    "meetings",
    "pledges",
    "packets",
    "supporters",
    "broadcasts",
    "accountability",
    "dashboard",
)
RANK = {area: rank for rank, area in enumerate(AREAS)}
SHARED_MODULES = {"extensions", "config", "startup"}  # top-level modules every area may import
COMPOSITION_ROOT = {CAMPAIGN / "__init__.py", CAMPAIGN / "cli.py"}
# Edges that break the rule today, reported and waiting for a fix; the test fails when one of
# them is gone too, so this list only ever shrinks.
KNOWN: set[str] = set()


def _is_entry_module(name: str) -> bool:
    """Modules nothing else imports: the web and command-line ends of an area."""
    return name in {"views", "views_organize", "cli"} or name.startswith("views_")


def _module_name(path: Path) -> str:
    parts = path.relative_to(CAMPAIGN.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.Module, module: str, is_package: bool) -> list[list[str]]:
    """The module names each import statement of `tree` reaches, relative imports resolved:
    `from campaign.x import y` reaches campaign.x, and campaign.x.y as y may be a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [[alias.name] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append([base] + [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"])
    return [[name for name in names if name.startswith("campaign.")] for names in found]


def _violations() -> list[str]:
    """One line per file, area imported and broken rule."""
    found = set()
    for path in sorted(CAMPAIGN.rglob("*.py")):
        if path in COMPOSITION_ROOT:
            continue
        module = _module_name(path)
        source = _area(module)
        filename = path.relative_to(CAMPAIGN.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for names in _imported(tree, module, path.name == "__init__.py"):
            for name in names:
                found |= _broken_rules(filename, source, name)
    return sorted(found)


def _area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _broken_rules(filename: str, source: str | None, name: str) -> set[str]:
    target = _area(name)
    if target is None or target == source or target in SHARED_MODULES:
        return set()
    if target not in RANK:
        if (CAMPAIGN / target).is_dir() or (CAMPAIGN / f"{target}.py").exists():
            return {f"{filename}: {target} is not in the list of areas"}
        return set()  # a name defined in campaign/__init__.py (create_app), not an area
    broken = set()
    if source in RANK and RANK[target] > RANK[source]:
        broken.add(f"{filename}: {source} imports {target}, which is below it")
    parts = name.split(".")
    if len(parts) > 2 and _is_entry_module(parts[2]):
        broken.add(f"{filename}: imports the {parts[2]} module of {target}")
    return broken


def test_every_area_of_the_source_tree_has_its_place():
    """A new area must join the list, or its imports would never be checked."""
    on_disk = {path.name for path in CAMPAIGN.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    assert on_disk - {"translations"} <= set(AREAS)


def test_imports_point_up_the_layers():
    violations = set(_violations())
    assert not violations - KNOWN, "\n".join(sorted(violations - KNOWN))
    assert not KNOWN - violations, f"fixed, remove from KNOWN: {sorted(KNOWN - violations)}"


@pytest.mark.parametrize(
    "module, source, message",
    [
        ("campaign.petitions.services", "from campaign.supporters import erasure", "below it"),
        ("campaign.petitions.services", "from ..supporters.erasure import erase", "below it"),
        ("campaign.pledges.models", "import campaign.dashboard.views", "below it"),
        ("campaign.packets.services", "from campaign.petitions.views_organize import bp", "views_organize module"),
        ("campaign.packets.services", "from campaign.petitions import cli", "cli module"),
        ("campaign.dashboard.views", "from campaign.forums.views import bp", "views module"),
    ],
)
def test_the_check_catches_a_bad_edge(module, source, message, monkeypatch, tmp_path):
    """The checker itself: a planted import of each forbidden kind is reported."""
    area, leaf = module.split(".")[1:]
    root = tmp_path / "campaign"
    (root / area).mkdir(parents=True)
    for name in AREAS:
        (root / name).mkdir(exist_ok=True)
        (root / name / "__init__.py").touch()
    (root / area / f"{leaf}.py").write_text(f"{source}\n")
    _check_tree(monkeypatch, root)
    violations = _violations()
    assert violations and any(message in violation for violation in violations), violations


def test_an_import_up_the_layers_passes(monkeypatch, tmp_path):
    root = tmp_path / "campaign"
    (root / "pledges").mkdir(parents=True)
    (root / "pledges" / "services.py").write_text(
        "from campaign.forums.models import Forum\nfrom campaign.core import text\nfrom campaign.extensions import db\n"
    )
    _check_tree(monkeypatch, root)
    assert _violations() == []


def _check_tree(monkeypatch, root: Path) -> None:
    """Point the checker at a planted source tree instead of campaign/."""
    monkeypatch.setattr(sys.modules[__name__], "CAMPAIGN", root)
    monkeypatch.setattr(sys.modules[__name__], "COMPOSITION_ROOT", set())
