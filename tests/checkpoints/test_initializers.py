"""The checkpoint initializers that the models name in init_cfg (and
never import): registered in mmengine's WEIGHT_INITIALIZERS beside its
own 'Pretrained'."""
import pytest
import torch
from mmengine.model.weight_init import PretrainedInit
from mmengine.registry import WEIGHT_INITIALIZERS
from torch import nn

import vitpose_plugin  # noqa: F401
from vitpose_plugin.checkpoints.initializers import (BackboneCheckpointInit,
                                                     KnowledgeTokenInit)
from vitpose_plugin.models import ViTPoseBackbone

TINY = dict(embed_dims=32, depth=2, num_heads=2)


def test_registered_beside_mmengine_pretrained():
    assert WEIGHT_INITIALIZERS.get('ViTPosePretrained') is \
        BackboneCheckpointInit
    assert WEIGHT_INITIALIZERS.get('Pretrained') is PretrainedInit


@pytest.mark.parametrize('init_type', ['ViTPosePretrained', 'Pretrained'])
def test_backbone_init_cfg_loads_through_the_initializer(tmp_path, init_type):
    source = ViTPoseBackbone(arch=TINY, img_size=(64, 48))
    checkpoint = str(tmp_path / 'backbone.pth')
    torch.save({'state_dict': {f'backbone.{key}': value for key, value in
                               source.state_dict().items()}}, checkpoint)
    backbone = ViTPoseBackbone(
        arch=TINY, img_size=(64, 48),
        init_cfg=dict(type=init_type, checkpoint=checkpoint))
    assert backbone.init_cfg['type'] == 'ViTPosePretrained'
    backbone.init_weights()
    for key, value in source.state_dict().items():
        torch.testing.assert_close(backbone.state_dict()[key], value)


def test_missing_file_and_missing_buffer_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='model.token_checkpoint'):
        KnowledgeTokenInit(str(tmp_path / 'none.pth'),
                           'model.token_checkpoint')
    checkpoint = str(tmp_path / 'token.pth')
    torch.save({'state_dict': {
        'backbone.knowledge_token': torch.ones(1, 2, 8)}}, checkpoint)
    with pytest.raises(TypeError, match='no knowledge_token buffer'):
        KnowledgeTokenInit(checkpoint, 'model.token_checkpoint')(nn.Linear(
            1, 1))
