"""A checkpoint whose tensors have other shapes than the model's: the error
leads with the file, the model and counts, shows a few examples and keeps
every key in its attributes."""
import uuid
from pathlib import Path
from typing import Dict, Set

import pytest
import torch
from torch import Tensor

from vitpose_plugin.apis import load_pose_weights
from vitpose_plugin.checkpoints import (CheckpointShapeError, load_model,
                                        save_checkpoint)
from vitpose_plugin.models import ViTPoseBackbone
from ..models.distillers.helpers import pose_model_cfg
from .reference_models import build_plugin_model
from .test_round_trip import build, pose_model, runner

#: The longest message: a headline, a few examples, where the rest is, the
#: hint.
MAX_LINES = 8


def wrong_shapes(checkpoint: Dict[str, Tensor],
                 model: Dict[str, Tensor]) -> Set[str]:
    return {
        key
        for key, value in checkpoint.items()
        if key in model and value.shape != model[key].shape
    }


def test_load_from_leads_with_file_model_and_counts(tmp_path):
    wide = build(pose_model_cfg(32, depth=2)).state_dict()
    checkpoint = str(tmp_path / 'vitpose-wide.pth')
    save_checkpoint(wide, checkpoint)
    # A name of its own: runners built in the same second share mmengine's
    # timestamp name, and with it the first one's logger and log level.
    loader = runner(pose_model(), str(tmp_path / 'w'), load_from=checkpoint,
                    log_level='DEBUG', experiment_name=f'debug-{uuid.uuid4()}')
    expected = wrong_shapes(wide, build(pose_model()).state_dict())
    with pytest.raises(CheckpointShapeError) as error:
        loader.load_or_resume()
    lines = str(error.value).splitlines()
    assert lines[0].startswith(
        f'load_from: {checkpoint} does not fit TopdownPoseEstimator: '
        f'{len(expected)} tensor(s) of the wrong shape, 0 missing, '
        f'0 unexpected')
    assert len(lines) <= MAX_LINES
    # examples from the backbone and from the head
    assert any(line.startswith('  backbone.') for line in lines)
    assert any(line.startswith('  head.') for line in lines)
    assert {key for key, _, _ in error.value.mismatches} == expected
    assert error.value.checkpoint == checkpoint
    assert error.value.missing == [] and error.value.unexpected == []
    # every key in the runner's log file at debug level (its console
    # handler may write to a stream an earlier test captured)
    log = ''.join(path.read_text()
                  for path in Path(loader.log_dir).glob('*.log'))
    assert all(f'  {key}: checkpoint ' in log for key in expected)


def test_missing_and_unexpected_keys_are_counted(tmp_path):
    wide = build(pose_model_cfg(32, depth=2)).state_dict()
    wide['backbone.extra'] = torch.zeros(1)
    del wide['head.final_layer.bias']
    checkpoint = str(tmp_path / 'wide.pth')
    save_checkpoint(wide, checkpoint)
    with pytest.raises(CheckpointShapeError) as error:
        load_model(build(pose_model()), checkpoint, 'student_checkpoint')
    first = str(error.value).splitlines()[0]
    assert first.startswith(f'student_checkpoint: {checkpoint} does not fit '
                            f'TopdownPoseEstimator: ')
    assert '1 missing, 1 unexpected' in first
    assert error.value.missing == ['head.final_layer.bias']
    assert error.value.unexpected == ['backbone.extra']


def test_init_pose_model_names_the_checkpoint(tmp_path):
    checkpoint = str(tmp_path / 'coco.pth')
    save_checkpoint(build_plugin_model(keypoints=17).state_dict(), checkpoint)
    with pytest.raises(CheckpointShapeError) as error:
        load_pose_weights(build_plugin_model(keypoints=14), checkpoint)
    message = str(error.value)
    assert message.startswith(
        f'checkpoint: {checkpoint} does not fit TopdownPoseEstimator: 2 '
        f'tensor(s) of the wrong shape')
    assert 'head.final_layer.weight: checkpoint (17, ' in message


def test_backbone_init_cfg_names_the_checkpoint(tmp_path):
    checkpoint = str(tmp_path / 'wide_backbone.pth')
    save_checkpoint(build(pose_model_cfg(32, depth=2)).state_dict(),
                    checkpoint)
    backbone = ViTPoseBackbone(
        arch=dict(embed_dims=16, depth=2, num_heads=2),
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint))
    with pytest.raises(CheckpointShapeError) as error:
        backbone.init_weights()
    lines = str(error.value).splitlines()
    assert lines[0].startswith(f'init_cfg.checkpoint: {checkpoint} does not '
                               f'fit ViTPoseBackbone: ')
    assert len(lines) <= MAX_LINES
    assert len(error.value.mismatches) == len(backbone.state_dict())
