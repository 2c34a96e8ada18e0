"""python -m vitpose_plugin.checkpoints: convert, extract, inspect."""
import subprocess
import sys

import torch

from vitpose_plugin.checkpoints.cli import main
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
