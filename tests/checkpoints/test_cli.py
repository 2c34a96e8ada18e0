"""python -m vitpose_plugin.checkpoints: convert, extract, inspect; outputs
that never destroy a file."""
import os
import os.path as osp
import signal
import subprocess
import sys
from typing import Dict, List, Tuple

import pytest
import torch

from vitpose_plugin.checkpoints.cli import main
from vitpose_plugin.checkpoints.files import write_atomically
from vitpose_plugin.checkpoints.multi_dataset import merge_single_dataset
from vitpose_plugin.models import ViTPoseBackbone
from ..tools.helpers import tool_env
from .reference_models import (mae_facebook_from_mmpretrain,
                               random_mae_mmpretrain_state_dict)
from .test_round_trip import build, pose_model


def test_inspect_names_every_part_of_a_plugin_checkpoint(tmp_path, capsys):
    model = build(pose_model(attn_types=('window', 'full'),
                             attn_cfg=dict(window_size=2, rel_pos_bias=True)))
    tokens = build(pose_model(knowledge_tokens=2))
    path = str(tmp_path / 'model.pth')
    state = dict(model.state_dict(),
                 **{'backbone.knowledge_token':
                    tokens.backbone.knowledge_token})
    torch.save(dict(state_dict=state, meta=dict(epoch=3)), path)
    assert main(['inspect', path]) == 0
    out = capsys.readouterr().out
    assert f'{path}: {len(state)} tensors, plugin layout' in out
    assert 'embed_dims=16, depth=2, pos_embed (1, 12, 16), a 4x3 grid' in out
    assert 'relative position bias tables in 1 block(s)' in out
    assert 'knowledge token (1, 2, 16): build the backbone with ' \
        'knowledge_tokens=2' in out
    assert 'classic decoder with 5 keypoints' in out
    assert 'other entries: meta' in out


def test_inspect_points_distillation_runs_at_extraction(tmp_path, capsys):
    path = str(tmp_path / 'run.pth')
    torch.save({'student.backbone.pos_embed': torch.zeros(1, 2, 4)}, path)
    assert main(['inspect', path]) == 0
    assert 'extract-student SRC DST' in capsys.readouterr().out


def test_convert_takes_the_token_grid_from_the_patch_embedding(tmp_path):
    src, dst = str(tmp_path / 'mae.pth'), str(tmp_path / 'out.pth')
    torch.save({'model': mae_facebook_from_mmpretrain(
        random_mae_mmpretrain_state_dict())}, src)
    assert main(['convert', src, dst, '--img-size', '64', '48',
                 '--patch-stride', '8']) == 0
    backbone = ViTPoseBackbone(
        arch=dict(embed_dims=32, depth=2, num_heads=2), img_size=(64, 48),
        patch_stride=8)
    pos_embed = torch.load(dst)['state_dict']['backbone.pos_embed']
    assert backbone.grid_size == (7, 5)
    assert pos_embed.shape == backbone.pos_embed.shape


def test_module_entry_point(tmp_path):
    proc = subprocess.run(
        [sys.executable, '-m', 'vitpose_plugin.checkpoints', 'inspect',
         str(tmp_path / 'missing.pth')], cwd=str(tmp_path), env=tool_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=120)
    assert proc.returncode == 1
    assert f'error: inspect {tmp_path}/missing.pth: SRC: no checkpoint ' \
        f'file at {tmp_path}/missing.pth' in proc.stderr


def writing_commands(tmp_path) -> Dict[str, Tuple[str, List[str]]]:
    """Every subcommand that writes a file: its input file and its
    arguments after ``SRC DST``."""
    single = build(pose_model()).state_dict()
    teacher = build(pose_model(knowledge_tokens=1)).state_dict()
    inputs = {
        'single': dict(state_dict=single),
        'multi': dict(state_dict=merge_single_dataset(
            single, ['a', 'b'], head_to=['a'])),
        'student': {f'student.{key}': value for key, value in single.items()},
        'teacher': {f'teacher.{key}': value
                    for key, value in teacher.items()},
    }
    paths = {}
    for name, content in inputs.items():
        paths[name] = str(tmp_path / f'{name}.pth')
        torch.save(content, paths[name])
    return {
        'convert': (paths['single'], []),
        'split': (paths['multi'], ['--index', '0']),
        'merge': (paths['single'], ['--names', 'a', 'b']),
        'extract-student': (paths['student'], []),
        'extract-teacher': (paths['teacher'], []),
    }


def test_output_that_is_the_input_is_refused_even_with_force(tmp_path,
                                                            capsys):
    (tmp_path / 'other').mkdir()
    for command, (src, extra) in writing_commands(tmp_path).items():
        before = open(src, 'rb').read()
        # The same file spelt differently, and through a symbolic link.
        link = str(tmp_path / 'other' / f'link-{command}.pth')
        os.symlink(src, link)
        relative = osp.join(str(tmp_path), 'other', '..',
                            osp.basename(src))
        for dst in (src, relative, link):
            for force in ([], ['--force']):
                assert main([command, src, dst, *extra, *force]) == 1, \
                    (command, dst, force)
                err = capsys.readouterr().err
                assert f'DST {dst} is the input file {src}' in err
                assert open(src, 'rb').read() == before, (command, dst)


def test_existing_output_needs_force(tmp_path, capsys):
    for command, (src, extra) in writing_commands(tmp_path).items():
        dst = tmp_path / f'{command}-out.pth'
        dst.write_bytes(b'precious')
        assert main([command, src, str(dst), *extra]) == 1, command
        err = capsys.readouterr().err
        assert f'DST {dst} exists' in err and '--force' in err, err
        assert dst.read_bytes() == b'precious'

        assert main([command, src, str(dst), *extra, '--force']) == 0
        assert f'to {dst}' in capsys.readouterr().out
        assert torch.load(str(dst), weights_only=True)['state_dict']
        # Written through a temporary file renamed into place: none left.
        assert not [name for name in os.listdir(tmp_path)
                    if name.endswith('.tmp')]


def test_a_directory_as_output_is_refused(tmp_path, capsys):
    src, extra = writing_commands(tmp_path)['convert']
    assert main(['convert', src, str(tmp_path), '--force']) == 1
    assert f'DST {tmp_path} is a directory' in capsys.readouterr().err


KILLED_WRITE = '''
import os, signal, sys
from vitpose_plugin.checkpoints.files import write_atomically

def write(file):
    file.write(b'half of the new ')
    file.flush()
    os.kill(os.getpid(), signal.SIGKILL)

write_atomically(sys.argv[1], write)
'''


def test_killed_write_leaves_the_old_file(tmp_path):
    dst = tmp_path / 'model.pth'
    dst.write_bytes(b'the old checkpoint')
    proc = subprocess.run([sys.executable, '-c', KILLED_WRITE, str(dst)],
                          env=tool_env(), timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert dst.read_bytes() == b'the old checkpoint'
    # What the killed process left is a hidden temporary file beside it.
    [left] = [name for name in os.listdir(tmp_path) if name != 'model.pth']
    assert left.startswith('.model.pth.') and left.endswith('.tmp')


def test_failed_write_removes_its_temporary_file(tmp_path):
    dst = tmp_path / 'model.pth'

    def write(file):
        file.write(b'half')
        raise RuntimeError('disk full')

    with pytest.raises(RuntimeError, match='disk full'):
        write_atomically(str(dst), write)
    assert os.listdir(tmp_path) == []
