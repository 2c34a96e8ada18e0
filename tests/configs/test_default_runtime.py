"""configs/_base_/mmpose_runtime.py holds MMPose's runtime defaults as the
installed MMPose resolves ``mmpose::_base_/default_runtime.py`` (copied, not
inherited: resolving ``mmpose::`` reads all of MMPose's metafiles on every
config load)."""
import os.path as osp

from mmengine.config import Config

from ..conftest import REPO_ROOT

RUNTIME_DIR = osp.join(REPO_ROOT, 'configs', '_base_')


def flat_keys(tree, prefix=''):
    """``{'a.b.c': leaf}`` for a nested dict (lists are leaves)."""
    if not isinstance(tree, dict):
        return {prefix: tree}
    flat = {}
    for key, value in tree.items():
        flat.update(flat_keys(value, f'{prefix}.{key}' if prefix else key))
    return flat


def test_local_runtime_is_mmposes_key_by_key(tmp_path):
    inheriting = tmp_path / 'mmpose_runtime.py'
    inheriting.write_text("_base_ = ['mmpose::_base_/default_runtime.py']\n")
    mmpose = flat_keys(Config.fromfile(str(inheriting)).to_dict())
    ours = flat_keys(Config.fromfile(
        osp.join(RUNTIME_DIR, 'mmpose_runtime.py')).to_dict())
    differing = {key: (ours.get(key, '<missing>'), mmpose.get(
        key, '<missing>')) for key in mmpose.keys() | ours.keys()
        if ours.get(key, '<missing>') != mmpose.get(key, '<missing>')}
    assert not differing, (
        'configs/_base_/mmpose_runtime.py (ours, MMPose) differs from the '
        f'installed MMPose\'s default runtime: {differing}')

