"""tools/analysis/cpu_ablation.py updates its own table (both files there),
refuses any other existing --out or .json twin before training unless
--force, and writes the table atomically."""
import os

import pytest

from vitpose_plugin.checkpoints.files import OutputPathError
from .helpers import load_tool

tool = load_tool('cpu_ablation', 'analysis')


def test_another_file_is_refused_before_training(tmp_path):
    out = tmp_path / 'results.md'
    out.write_text('# my notes')
    with pytest.raises(OutputPathError,
                       match=f'--out {out} exists; refusing to overwrite '
                       'it: choose another output path or pass --force'):
        tool.main(['--groups', 'decoder', '--work-root',
                   str(tmp_path / 'work'), '--out', str(out)])
    assert out.read_text() == '# my notes'
    assert sorted(os.listdir(tmp_path)) == ['results.md']  # nothing ran
    twin = tmp_path / 'results.json'
    out.unlink()
    twin.write_text('{"mine": 1}')
    with pytest.raises(OutputPathError,
                       match=f"--out's .json twin {twin} exists"):
        tool.check_outputs(str(out), str(twin), force=False)
    tool.check_outputs(str(out), str(twin), force=True)
    with pytest.raises(ValueError, match='give the Markdown table'):
        tool.check_outputs(str(twin), str(twin), force=True)


def test_its_own_table_is_updated_atomically(tmp_path):
    out, twin = tmp_path / 'results.md', tmp_path / 'results.json'
    out.write_text('# an earlier table')
    twin.write_text('[]')
    tool.check_outputs(str(out), str(twin), force=False)
    os.link(out, tmp_path / 'reader.md')  # the old table under another name
    tool.write_table([dict(group='decoder', variant='classic',
                           status='skipped (test)')], str(out))
    assert '| classic | recipe | - | - | - | - | skipped (test) |' in \
        out.read_text()
    assert (tmp_path / 'reader.md').read_text() == '# an earlier table'
    assert sorted(os.listdir(tmp_path)) == ['reader.md', 'results.json',
                                            'results.md']
