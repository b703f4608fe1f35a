"""The package is layered by pipeline stage: a module imports only its own stage or earlier ones."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefgen"

# Stages in pipeline order; a module may import from its own stage and from earlier ones only.
STAGES: list[tuple[str, ...]] = [
    ("errors", "textsafe", "fileio", "outputs", "limits", "outline", "config"),  # foundations
    ("brief",),  # models, section registry, reading brief files, grounding, checks
    ("sources",),  # reading source documents
    ("draft", "compose"),  # sources -> brief; brief -> outline
    ("writers",),  # outline -> bytes
    ("mail", "parallel", "build"),  # packaging and the spine
    ("commands", "cli", "__main__", "__init__", "data"),  # the command line, the API, maintenance scripts
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}
# The one import from a later stage: a template's settings for the writers are built as the
# writers' own RenderOptions (the registry package, never a writer module).
ALLOWED = {("compose", "briefgen.writers"), ("compose", "briefgen.writers.RenderOptions")}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path):
    """(line, module) for every briefgen module ``path`` imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # 'from briefgen.writers import docx' imports a module too
                yield node.lineno, node.module
                if node.module.startswith("briefgen"):
                    yield node.lineno, f"{node.module}.{alias.name}"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        yield path, ".".join(relative.parts)


def test_every_module_belongs_to_a_stage():
    assert not [module for _, module in _modules() if _stage(module) not in RANK]


def test_no_module_imports_a_later_stage():
    upward = []
    for path, module in _modules():
        stage = _stage(module)
        for line, imported in _imports(path):
            if not imported.startswith("briefgen.") or _stage(imported) not in RANK:
                continue
            target = _stage(imported)
            if RANK[target] > RANK[stage] and (stage, imported) not in ALLOWED:
                upward.append(f"{module}:{line} imports {imported}")
    assert not upward, upward


def test_writers_see_only_the_outline():
    bad = [f"{module}:{line} imports {imported}" for path, module in _modules() if _stage(module) == "writers"
           for line, imported in _imports(path)
           if imported.startswith(("briefgen.brief", "briefgen.compose", "briefgen.sources", "briefgen.draft"))]
    assert not bad, bad


def test_only_the_command_line_imports_click():
    users = sorted({module for path, module in _modules() for _, imported in _imports(path)
                    if imported == "click" or imported.startswith("click.")})
    assert users and all(_stage(module) in ("commands", "cli") for module in users), users


def test_the_error_classes_import_without_click():
    probe = ("import sys\n"
             "class Block:\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             "        if name == 'click' or name.startswith('click.'):\n"
             "            raise ImportError('click is blocked')\n"
             "sys.meta_path.insert(0, Block())\n"
             "from briefgen.errors import BriefgenError, InputError, InternalError\n"
             "import briefgen.brief.check, briefgen.build, briefgen.mail.message\n"
             "assert issubclass(InputError, BriefgenError) and not issubclass(BriefgenError, type(None))\n"
             "assert InputError('x').exit_code == 1 and InternalError(ValueError('v')).exit_code == 70\n"
             "assert 'click' not in sys.modules\n"
             "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_no_import_cycle_between_modules():
    graph = {}
    names = {module for _, module in _modules()}
    for path, module in _modules():
        graph[module] = {imported for _, imported in _imports(path) if imported in names and imported != module}
    # a cycle through package __init__ files is harmless only if none exists at all: check strictly
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in graph.get(node, ()):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert not cycles, cycles[:3]
