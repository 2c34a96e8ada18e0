"""The package's imports only run down: read every module's imports (no
import is run) and check the graph of its subpackages."""
import ast
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterator, Set

import pytest

import vitpose_plugin

PACKAGE = Path(vitpose_plugin.__file__).parent
#: What the model code must never import: files, training, data, tools.
ABOVE_MODELS = ('checkpoints', 'engine', 'datasets', 'apis', 'deployment',
                'evaluation', 'pretraining')


def _imports(path: Path) -> Iterator[str]:
    """Absolute names of the modules ``path`` imports."""
    module = '.'.join(path.relative_to(PACKAGE.parent).with_suffix('').parts)
    package = module if path.name == '__init__.py' else \
        module.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = package.split('.')
                parts = parts[:len(parts) - node.level + 1]
                base = '.'.join(parts + ([base] if base else []))
            yield base
            if node.module is None:
                yield from (f'{base}.{alias.name}' for alias in node.names)


def _part(module: str) -> str:
    """``models`` of ``vitpose_plugin.models.heads``; '' outside."""
    parts = module.split('.')
    return parts[1] if parts[0] == 'vitpose_plugin' and len(parts) > 1 \
        else ''


def subpackage_graph() -> Dict[str, Dict[str, Set[str]]]:
    """{part: {imported part: files}}, the package's face left out."""
    graph: Dict[str, Dict[str, Set[str]]] = defaultdict(
        lambda: defaultdict(set))
    for path in PACKAGE.rglob('*.py'):
        if path == PACKAGE / '__init__.py':
            continue
        source = _part('vitpose_plugin.' + '.'.join(
            path.relative_to(PACKAGE).with_suffix('').parts))
        for module in _imports(path):
            target = _part(module)
            if target and target != source:
                graph[source][target].add(str(path.relative_to(PACKAGE)))
    return graph


@pytest.fixture(scope='module')
def graph() -> Dict[str, Dict[str, Set[str]]]:
    return subpackage_graph()


def test_models_never_import_files_training_or_data(graph):
    imported = graph['models']
    wrong = {part: files for part, files in imported.items()
             if part in ABOVE_MODELS}
    assert not wrong, f'models/ imports {wrong}'


def test_token_grid_is_a_leaf(graph):
    assert not graph['token_grid']


def test_no_circle_between_subpackages(graph):
    done: Set[str] = set()

    def visit(part: str, path: tuple) -> None:
        assert part not in path, f'circle: {" -> ".join(path + (part, ))}'
        if part in done:
            return
        for target in graph.get(part, {}):
            visit(target, path + (part, ))
        done.add(part)

    for part in list(graph):
        visit(part, ())
