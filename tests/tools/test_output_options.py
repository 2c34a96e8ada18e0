"""Every tool that writes a file the user names (tools/model_converters:
see test_model_converters.py) has ``--force`` and a test of its refusal: a
new output option fails here until it is listed with one."""
import ast
import glob
import os.path as osp
from typing import Set

import pytest

from .helpers import REPO_ROOT

TOOLS = osp.join(REPO_ROOT, 'tools')
OUTPUT_OPTIONS = {'--out', '--dump', '--json', '--output', '--output-root'}
#: tool -> (its output options, the test file that proves the refusal)
WRITING_TOOLS = {
    'test.py': ({'--out', '--dump'}, 'test_test.py'),
    'analysis/benchmark.py': ({'--json'}, 'test_benchmark.py'),
    'analysis/train_throughput.py': ({'--json'}, 'test_train_throughput.py'),
    'analysis/cpu_ablation.py': ({'--out'}, 'test_cpu_ablation.py'),
    'analysis/mae_reconstructions.py': ({'--out'},
                                        'test_mae_reconstructions.py'),
    'demo/topdown_demo.py': ({'--output-root'}, 'test_topdown_demo.py'),
    'deployment/pytorch2onnx.py': ({'--output'}, 'test_pytorch2onnx.py'),
}


def options(tool: str) -> Set[str]:
    """The option strings of every ``add_argument`` call in ``tool``."""
    with open(osp.join(TOOLS, tool)) as file:
        tree = ast.parse(file.read())
    return {
        arg.value
        for node in ast.walk(tree) if isinstance(node, ast.Call)
        and getattr(node.func, 'attr', None) == 'add_argument'
        for arg in node.args if isinstance(arg, ast.Constant)
    }


def test_every_tool_with_an_output_option_is_listed():
    found = {}
    for path in glob.glob(osp.join(TOOLS, '**', '*.py'), recursive=True):
        tool = osp.relpath(path, TOOLS)
        outputs = options(tool) & OUTPUT_OPTIONS
        if outputs and not tool.startswith('model_converters'):
            found[tool] = outputs
    assert found == {tool: outputs
                     for tool, (outputs, _) in WRITING_TOOLS.items()}


@pytest.mark.parametrize('tool', list(WRITING_TOOLS))
def test_each_has_force_and_a_refusal_test(tool):
    assert '--force' in options(tool)
    with open(osp.join(REPO_ROOT, 'tests', 'tools',
                       WRITING_TOOLS[tool][1])) as file:
        test = file.read()
    assert 'exists' in test and '--force' in test
