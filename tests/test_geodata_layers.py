"""geodata's layering: data flows one way (readers -> checks -> compact) and nothing in
geodata reaches up to the web, the map or their libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

GEODATA = Path(__file__).parent.parent / "geodata"
UPPER_LAYERS = ("flask", "folium", "almaty_map.web", "almaty_map.maprender", "almaty_map.ogcapi")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, absolute names (geodata uses no relative imports)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.py"))


@pytest.mark.parametrize("path", _modules(GEODATA) + _modules(GEODATA / "readers"), ids=str)
def test_geodata_knows_nothing_of_the_layers_above(path):
    for name in _imports(path):
        assert not name.startswith(UPPER_LAYERS), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _modules(GEODATA / "readers"), ids=lambda p: p.name)
def test_readers_never_import_checks_or_compact(path):
    for name in _imports(path):
        assert not name.startswith(("almaty_map.geodata.checks", "almaty_map.geodata.compact")), (
            f"{path.name} imports {name}"
        )


@pytest.mark.parametrize("path", _modules(GEODATA / "checks"), ids=lambda p: p.name)
def test_checks_take_only_the_shared_types_from_readers(path):
    for name in _imports(path):
        assert not name.startswith(UPPER_LAYERS), f"{path.name} imports {name}"
        assert not name.startswith("almaty_map.geodata.compact"), f"{path.name} imports {name}"
        if name.startswith("almaty_map.geodata.readers"):
            assert name.startswith("almaty_map.geodata.readers.table."), name


@pytest.mark.parametrize("folder", ["", "readers", "checks"])
def test_package_files_are_docstrings_only(folder):
    """Callers import submodules directly, so importing one loads only what it needs."""
    tree = ast.parse((GEODATA / folder / "__init__.py").read_text())
    assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Constant)


def test_checking_loads_no_parser():
    code = (
        "import sys, almaty_map.geodata.checks.events, almaty_map.geodata.checks.places; "
        "print(sorted({'pyogrio', 'ijson', 'flask', 'folium'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=GEODATA.parent
    )
    assert out.stdout.strip() == "[]"
