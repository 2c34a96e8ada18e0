"""mmpretrain's MAE with the ViTPose parts: it learns, and its checkpoint
initialises ViTPoseBackbone with every encoder tensor."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS

from vitpose_plugin.checkpoints import (convert_checkpoint, load_backbone,
                                        read_state_dict)
from vitpose_plugin.models import ViTPoseBackbone
from vitpose_plugin.pretraining import sincos_pos_embed

from ..conftest import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs', 'mae_pretraining',
                  'mae_ViTPose-tiny_1xb64-20e_synthetic-128x96.py')
TINY = dict(embed_dims=32, depth=2, num_heads=2, mlp_ratio=4)


def build_mae(img_size=(64, 48)):
    """The tiny config's MAE, narrower and at ``img_size``."""
    model = Config.fromfile(CONFIG).model
    model.backbone.update(arch=TINY, img_size=img_size)
    model.neck.update(img_size=img_size, embed_dim=32,
                      decoder_embed_dim=32, decoder_num_heads=2)
    model.head.update(img_size=img_size)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        mae = MODELS.build(model)
    mae.init_weights()
    return mae


def test_mae_loss_decreases():
    torch.manual_seed(0)
    mae = build_mae()
    # smooth images: masked patches follow from the visible ones
    images = torch.nn.functional.interpolate(
        torch.rand(4, 3, 4, 3), size=(64, 48), mode='bilinear')
    optimizer = torch.optim.AdamW(mae.parameters(), lr=3e-3,
                                  betas=(0.9, 0.95))
    losses = []
    for _ in range(60):
        loss = mae.loss(images, [])['loss']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    first, last = sum(losses[:5]) / 5, sum(losses[-10:]) / 10
    assert last < 0.9 * first, losses


@pytest.mark.parametrize('img_size, patch_padding, grid', [
    ((64, 48), 0, (4, 3)),
    ((64, 48), 2, (4, 3)),  # the paper configs' padded patch embedding
    ((128, 96), 2, (8, 6)),  # another input size: the embedding is resized
])
def test_checkpoint_initialises_the_backbone(tmp_path, img_size,
                                             patch_padding, grid):
    mae = build_mae()
    checkpoint = str(tmp_path / 'mae.pth')
    torch.save(dict(meta=dict(epoch=1), state_dict=mae.state_dict()),
               checkpoint)

    backbone = ViTPoseBackbone(arch=TINY, img_size=img_size,
                               patch_padding=patch_padding)
    assert backbone.grid_size == grid
    assert load_backbone(backbone, checkpoint) == 'mae_mmpretrain'

    source = read_state_dict(checkpoint)
    dropped = convert_checkpoint(source, grid).dropped
    # Only what the backbone has no place for is left out.
    assert sorted(dropped) == sorted(
        ['backbone.cls_token'] +
        [key for key in source if key.startswith(('neck.', 'head.'))])
    loaded = backbone.state_dict()
    for index in range(2):
        torch.testing.assert_close(
            loaded[f'blocks.{index}.mlp.fc2.weight'],
            source[f'backbone.layers.{index}.ffn.layers.1.weight'])
        torch.testing.assert_close(
            loaded[f'blocks.{index}.attn.qkv.bias'],
            source[f'backbone.layers.{index}.attn.qkv.bias'])
    torch.testing.assert_close(loaded['patch_embed.proj.weight'],
                               source['backbone.patch_embed.projection.'
                                      'weight'])
    torch.testing.assert_close(loaded['last_norm.weight'],
                               source['backbone.ln1.weight'])
    if grid == (4, 3):  # the sine-cosine embedding itself (zero class slot)
        torch.testing.assert_close(
            loaded['pos_embed'], sincos_pos_embed(grid, 32, False))
    else:
        assert loaded['pos_embed'].shape == (1, 48, 32)
