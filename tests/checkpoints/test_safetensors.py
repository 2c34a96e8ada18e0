"""safetensors as a plugin checkpoint format: tensors and JSON meta, no
pickle, read by load_from, init_cfg, tools/test.py and the inference API."""
import json
import struct
import sys

import pytest
import torch

from tests.apis.helpers import TINY_CONFIG
from tests.checkpoints.reference_models import build, build_plugin_model
from tests.tools.helpers import REPO_ROOT, run
from vitpose_plugin.apis import init_pose_model
from vitpose_plugin.checkpoints import (CorruptCheckpointError,
                                        read_checkpoint, save_checkpoint)
from vitpose_plugin.checkpoints.safetensors_format import META_KEY

META = dict(
    converted_from='hugging_face',
    dataset_names=['coco', 'aic'],
    model_cfg=dict(type='TopdownPoseEstimator', img_size=[256, 192]))


def test_round_trip_keeps_tensors_and_meta_without_pickle(tmp_path):
    state = build_plugin_model().state_dict()
    path = str(tmp_path / 'model.safetensors')
    save_checkpoint(state, path, **META)
    with open(path, 'rb') as file:
        size = struct.unpack('<Q', file.read(8))[0]
        header = json.loads(file.read(size))
    assert json.loads(header['__metadata__'][META_KEY]) == META
    checkpoint = read_checkpoint(path)
    assert checkpoint['meta'] == META
    assert set(checkpoint['state_dict']) == set(state)
    for key, value in state.items():
        assert torch.equal(checkpoint['state_dict'][key], value)


def test_meta_that_json_cannot_hold_is_refused(tmp_path):
    path = tmp_path / 'model.safetensors'
    with pytest.raises(ValueError, match=r"meta\['run'\] cannot be stored"):
        save_checkpoint({'w': torch.zeros(1)}, str(path), run=object())
    assert not path.exists()


def test_unreadable_file_names_the_option(tmp_path):
    path = tmp_path / 'broken.safetensors'
    path.write_bytes(b'not a safetensors file')
    with pytest.raises(CorruptCheckpointError, match='load_from: .*broken'):
        read_checkpoint(str(path), config_key='load_from')


def test_init_cfg_and_the_inference_api_read_safetensors(tmp_path):
    source = init_pose_model(TINY_CONFIG)
    path = str(tmp_path / 'tiny.safetensors')
    save_checkpoint(source.state_dict(), path)
    model = init_pose_model(TINY_CONFIG, path)
    for key, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)
    backbone_cfg = dict(
        source.cfg.model.backbone,
        init_cfg=dict(type='Pretrained', checkpoint=path))
    backbone = build(backbone_cfg)
    backbone.init_weights()
    for key, value in source.backbone.state_dict().items():
        assert torch.equal(backbone.state_dict()[key], value)


@pytest.mark.slow  # an end-to-end tool run: 10-26 s measured
def test_tools_test_evaluates_a_safetensors_checkpoint(sample_config,
                                                       tmp_path):
    model = init_pose_model(sample_config)
    path = str(tmp_path / 'sample.safetensors')
    save_checkpoint(model.state_dict(), path)
    out = run([
        sys.executable, 'tools/test.py', sample_config, path, '--work-dir',
        str(tmp_path / 'work')
    ],
              cwd=REPO_ROOT,
              timeout=300).stdout
    assert f'Load checkpoint from {path}' in out
    assert 'coco/AP' in out
