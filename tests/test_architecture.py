"""Rules of the code base that a test can check."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _app_imports(path: Path) -> set[str]:
    """The app packages a module imports: 'core', 'engine', 'gui.cases', ..."""
    found = set()
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] == "app" and len(parts) > 1:
            found.add(".".join(parts[1:3]) if parts[1] == "gui" and len(parts) > 2 else parts[1])
    return found


# What each package may import of the app (besides itself).
_BELOW_RUNS = {"core", "engine", "importing", "library", "reports", "scoring", "store", "variants"}
ALLOWED = {
    "core": set(),
    "variants": {"core"},
    "store": {"core", "variants"},
    "importing": {"core"},
    "scoring": {"core", "variants"},
    "reports": {"core", "scoring", "variants"},
    "library": {"core"},
    "engine": {"core", "library"},
    "runs": _BELOW_RUNS,
    "commands": _BELOW_RUNS | {"runs"},
    "gui": _BELOW_RUNS | {"runs"},
}


def test_qt_is_imported_only_in_gui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if "gui" not in path.relative_to(ROOT / "app").parts
        and any(name.split(".")[0] in ("PySide6", "shiboken6") for name in _imports(path))
    ]
    assert offenders == []


def test_packages_import_only_what_they_may() -> None:
    offenders = []
    for package, allowed in ALLOWED.items():
        for path in (ROOT / "app" / package).rglob("*.py"):
            bad = {
                name.split(".")[0] for name in _app_imports(path) if name.split(".")[0] != package
            } - allowed
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


CORE_SURFACES = ("app.core.policy", "app.core.verdict")
CORE_CEILING = 25  # modules in app/core, its packages' included; vocabulary and parsing only


def test_core_packages_are_used_through_their_surface() -> None:
    """Outside ``core/policy`` and ``core/verdict``, code imports what their ``__init__``
    names, never a module behind it (tests may reach in, as they test those modules)."""
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        module = _module_name(path)
        for name in _imports(path):
            for surface in CORE_SURFACES:
                inside = module == surface or module.startswith(surface + ".")
                if name.startswith(surface + ".") and not inside:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


BACKENDS = ("app.engine.local", "app.engine.remote")
# Modules outside app/engine and app/runs that reach behind a backend's package, and why.
BACKEND_INTERNALS_ALLOWED = {
    # the settings row shows and clears the saved prefixes' folder: the store is the owner
    "app/gui/settings/prefix_cache_row.py": {"app.engine.local.prefix_store"},
}


def _backend_internals(path: Path) -> set[str]:
    """The modules behind ``app.engine.local`` / ``app.engine.remote`` that a file imports
    (the packages themselves are their surface: ``app.engine.remote`` names RemoteConfig),
    ``from app.engine.local import prefix_store`` included."""
    names = set(_imports(path))
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in BACKENDS:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    modules = {_module_name(p) for p in (ROOT / "app" / "engine").rglob("*.py")}
    return {n for n in names if n in modules and n.startswith(BACKENDS) and n not in BACKENDS}


def test_only_engine_and_runs_reach_into_a_backend() -> None:
    """Engines are built by ``app.runs.backends.config.build_engine``; the window and the CLI use a
    backend's package surface, never its modules (the exceptions are named above)."""
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if path.relative_to(ROOT / "app").parts[0] in ("engine", "runs"):
            continue
        where = str(path.relative_to(ROOT))
        bad = _backend_internals(path) - BACKEND_INTERNALS_ALLOWED.get(where, set())
        if bad:
            offenders.append(f"{where} imports {sorted(bad)}")
    assert offenders == []
    for where, names in BACKEND_INTERNALS_ALLOWED.items():  # an exception no longer needed
        assert names <= _backend_internals(ROOT / where), f"drop {where} from the exceptions"


def test_core_holds_only_vocabulary_and_parsing() -> None:
    modules = [p for p in (ROOT / "app" / "core").rglob("*.py") if p.name != "__init__.py"]
    assert len(modules) < CORE_CEILING, sorted(str(p.relative_to(ROOT)) for p in modules)


def test_gui_features_meet_only_through_shared() -> None:
    gui = ROOT / "app" / "gui"
    features = {p.name for p in gui.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    offenders = []
    for feature in features:
        for path in (gui / feature).rglob("*.py"):
            others = {n.split(".")[1] for n in _app_imports(path) if n.startswith("gui.")}
            bad = others - {feature, "shared"} if feature != "shared" else others - {"shared"}
            bad = {name for name in bad if name in features}
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports gui {sorted(bad)}")
    assert offenders == []


def test_gui_top_level_holds_the_window_the_entry_and_features() -> None:
    top = {p.name for p in (ROOT / "app" / "gui").iterdir() if p.suffix == ".py"}
    # the window is three modules by concept: assembly and wiring, menus, panel layout
    assert top == {
        "__init__.py",
        "app.py",
        "main_window.py",
        "window_actions.py",
        "window_layout.py",
    }


MODULE_CEILING = 400  # 300 is what review aims for; a file is split where concepts part


def test_no_module_over_the_ceiling() -> None:
    long = [
        f"{path.relative_to(ROOT)} ({count})"
        for path in (ROOT / "app").rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_CEILING
    ]
    assert long == []


def test_importing_core_engine_and_cli_loads_no_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, app.core, app.store, app.engine, app.library, app.runs\n"
        "import app.importing, app.scoring, app.reports, app.variants\n"
        "import app.cli\n"
        "for pkg in (app.core, app.store, app.importing, app.scoring, app.reports, app.engine,\n"
        "            app.library, app.runs, app.variants):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "app.cli.build_parser()\n"
        "print(any(name.startswith('PySide6') for name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text("utf-8"))) is None
    ]
    assert missing == []


def test_review_mode_reads_only_core_store_runs_and_shared() -> None:
    """Review mode (app/gui/review) works on stored runs: it never reaches the engine or
    another feature, only app.core, app.scoring (its figures), app.store, app.runs (the
    review session) and app.gui.shared."""
    offenders = []
    for path in (ROOT / "app" / "gui" / "review").rglob("*.py"):
        allowed = {"core", "scoring", "store", "runs", "gui.review", "gui.shared"}
        bad = _app_imports(path) - allowed
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_sqlite3_is_imported_only_in_the_store() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if "store" not in path.relative_to(ROOT / "app").parts[:1]
        and any(name.split(".")[0] == "sqlite3" for name in _imports(path))
    ]
    assert offenders == []


_STORE_PRIVATE = {"_execute", "_select"}  # the store's guarded queries, for its tables


def _reaches_past_the_store(node: ast.AST) -> bool:
    """``x.connection``, ``x._execute``, ``x._select``, or ``store._conn`` (other objects
    have a ``_conn`` of their own, e.g. an HTTP connection)."""
    if not isinstance(node, ast.Attribute):
        return False
    if node.attr == "_conn":
        return "store" in ast.unparse(node.value).lower()
    return node.attr in _STORE_PRIVATE | {"connection"}


def test_every_query_passes_the_store() -> None:
    """No raw connection leaves the store: ``Store.connection()`` is gone, and the guarded
    helpers its table modules use are called only inside app/store."""
    from app.store import Store

    assert not hasattr(Store, "connection")
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno} calls .{node.attr}"
        for path in (ROOT / "app").rglob("*.py")
        if path.relative_to(ROOT / "app").parts[0] != "store"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _reaches_past_the_store(node)
    ]
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_graph() -> dict[str, set[str]]:
    """Which app module imports which, counting every import statement: at the top, inside
    functions and under ``TYPE_CHECKING`` (``from pkg import sub`` names the submodule)."""
    paths = {_module_name(path): path for path in (ROOT / "app").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name in paths)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    found.add(full if full in paths else base)
        graph[name] = {target for target in found if target in paths} - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


# Import cycles that exist today, named here and only shrinking (none since the escaping
# moved to app.reports.markup: report <-> report_analysis was held together by it).
KNOWN_CYCLES: list[set[str]] = []


def test_no_import_cycles() -> None:
    found = _cycles(_module_graph())
    new = [sorted(group) for group in found if group not in KNOWN_CYCLES]
    assert new == [], f"import cycles: {new}"
    assert all(group in found for group in KNOWN_CYCLES), "a known cycle is gone: drop it"


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [{"a", "b", "c"}]


# --- the window's seams: a feature's context names what it holds ---------------------------

_LOOSE_TYPES = {"Any", "object"}


def _is_loose(node: ast.expr) -> bool:
    """``Any`` or ``object``, alone or with None (``Any | None``, ``Optional[object]``,
    ``Union[Any, None]``, ``typing.Any``, a string annotation of any of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = ast.parse(node.value, mode="eval").body
    if isinstance(node, ast.Name):
        return node.id in _LOOSE_TYPES
    if isinstance(node, ast.Attribute):
        return node.attr in _LOOSE_TYPES
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _is_loose(node.left) or _is_loose(node.right)
    if isinstance(node, ast.Subscript) and ast.unparse(node.value).split(".")[-1] in (
        "Optional",
        "Union",
    ):
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return any(_is_loose(part) for part in parts)
    return False


def _loose_context_fields(source: str, where: str) -> tuple[list[str], list[str]]:
    """The classes named ``*Context`` in ``source``, and their fields typed Any/object."""
    contexts, loose = [], []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name.endswith("Context"):
            contexts.append(node.name)
            loose += [
                f"{where}: {node.name}.{ast.unparse(field.target)}: {ast.unparse(field.annotation)}"
                for field in node.body
                if isinstance(field, ast.AnnAssign) and _is_loose(field.annotation)
            ]
    return contexts, loose


def test_gui_contexts_hold_no_any_or_object_fields() -> None:
    """A feature's context hands over typed parts (the ports of app.gui.shared.ports), never
    an ``Any``/``object`` handle that the feature would reach two levels into."""
    contexts, loose = [], []
    for path in (ROOT / "app" / "gui").rglob("*.py"):
        found, bad = _loose_context_fields(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
        contexts += found
        loose += bad
    assert {"AnalysisContext", "EvaluationContext", "ReviewContext"} <= set(contexts)
    assert loose == []


def test_the_context_check_finds_loose_fields() -> None:
    source = (
        "class ShopContext:\n    a: Any\n    b: object | None\n    c: Optional[Any]\n"
        "    d: 'typing.Any'\n    e: Union[int, object]\n    ok: dict[str, object]\n"
        "    fine: Callable[[], object]\nclass Other:\n    x: Any\n"
    )
    contexts, loose = _loose_context_fields(source, "shop.py")
    assert contexts == ["ShopContext"]
    assert loose == [
        "shop.py: ShopContext.a: Any",
        "shop.py: ShopContext.b: object | None",
        "shop.py: ShopContext.c: Optional[Any]",
        "shop.py: ShopContext.d: 'typing.Any'",
        "shop.py: ShopContext.e: Union[int, object]",
    ]


def test_no_function_is_let_past_the_complexity_ceiling() -> None:
    """ruff's C901 (at 12, pyproject.toml) holds for every function of the app: the list of
    functions allowed past it, 16 long when the check came in, is empty and stays so."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "app").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "noqa: C901" in line
    ]
    assert offenders == []
