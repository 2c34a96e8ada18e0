"""tools/analysis/benchmark.py refuses an existing --json before it builds
a model."""
import pytest

from vitpose_plugin.checkpoints.files import OutputPathError
from .helpers import load_tool


def test_an_existing_json_is_refused_before_anything_is_built(tmp_path):
    out = tmp_path / 'benchmark.json'
    out.write_bytes(b'[{"size": "base"}]')
    tool = load_tool('benchmark', 'analysis')
    with pytest.raises(OutputPathError,
                       match=f'--json {out} exists; refusing to overwrite '
                       'it: choose another output path or pass --force'):
        tool.main(['--sizes', 'huge', '--json', str(out)])
    assert out.read_bytes() == b'[{"size": "base"}]'
