"""tools/test.py refuses an existing --out or --dump before it builds
anything (both files named, with the flag that allows replacing them)."""
import subprocess
import sys

from .helpers import REPO_ROOT, tool_env


def test_existing_outputs_are_refused_before_the_test_runs(
        sample_config, tmp_path):
    checkpoint = tmp_path / 'not_read.pth'
    checkpoint.write_bytes(b'never read: the refusal comes first')
    out, dump = tmp_path / 'metrics.json', tmp_path / 'predictions.pkl'
    out.write_bytes(b'{"AP": 0.75}')
    dump.write_bytes(b'earlier predictions')
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', sample_config, str(checkpoint),
         '--work-dir', str(tmp_path / 'work'), '--out', str(out),
         '--dump', str(dump)],
        cwd=REPO_ROOT, env=tool_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode != 0
    assert f'--out {out} exists; refusing to overwrite it' in proc.stdout
    assert f'--dump {dump} exists; refusing to overwrite it' in proc.stdout
    assert 'pass --force to replace it' in proc.stdout
    assert out.read_bytes() == b'{"AP": 0.75}'
    assert dump.read_bytes() == b'earlier predictions'
    assert not (tmp_path / 'work').exists()  # no runner was built
