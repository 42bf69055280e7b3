"""The apps are layers that only point down: accounts ← proposals ← replies.

Read from the source with ``ast``, so an import inside a function counts as much as one at the
top. Also: no app imports another app's views, and the timeline has exactly one writer.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["accounts", "proposals", "replies"]  # each may import only those before it


def modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module named by an import anywhere in ``source`` (relative imports resolved)."""
    names = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def violations(app: str, module: str, imports: set[str]) -> list[str]:
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    found = []
    for name in sorted(imports):
        top = name.split(".")[0]
        if top in LAYERS and top not in allowed:
            found.append(f"{module} imports {name} (a layer above {app})")
        if top in LAYERS and top != app and ".views" in f".{name.partition('.')[2]}":
            found.append(f"{module} imports another app's views: {name}")
    return found


def test_layers_only_point_down():
    found = []
    for app, path in modules():
        module = module_name(path)
        imports = imported_modules(path.read_text(), module, is_package=path.name == "__init__.py")
        found += violations(app, module, imports)
    assert found == []


@pytest.mark.parametrize(
    "app,module,source,refused",
    [
        ("proposals", "proposals.workflow", "def f():\n    from replies.drafts import reply_start\n", True),
        ("proposals", "proposals.views", "import replies.models\n", True),
        ("accounts", "accounts.roles", "from proposals.models import Proposal\n", True),
        ("replies", "replies.views", "from proposals.views import home\n", True),
        ("replies", "replies.demo.loader", "from ..workflow import reply_sign\n", False),
        ("replies", "replies.views", "from proposals.selectors import proposal_get_visible\n", False),
    ],
)
def test_the_layer_check_sees_what_it_must(app, module, source, refused):
    assert bool(violations(app, module, imported_modules(source, module))) is refused


def event_writers(source: str) -> int:
    """Calls that create Event rows: Event(...), Event.objects.create/bulk_create(...)."""
    count = 0
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Event":
            count += 1
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in ("create", "bulk_create", "get_or_create", "update_or_create")
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "Event"
        ):
            count += 1
    return count


def test_events_have_one_writer():
    writers = {
        module_name(path): n
        for _app, path in modules()
        if (n := event_writers(path.read_text()))
    }
    assert writers == {"proposals.events": 1}
    assert event_writers("Event.objects.create(action='x')\nEvent(action='y').save()\n") == 2


def test_templates_read_the_transition_registry_and_never_test_action_names():
    """Forms for actions come from each registry entry's fields, not from `t.name == …`."""
    for path in (ROOT / "templates").rglob("*.html"):
        assert not re.search(r"\.name\s*[!=]=", path.read_text()), path
