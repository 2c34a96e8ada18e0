"""MAE encoder, decoder and head on a non-square (16x12) patch grid."""
import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS

from vitpose_plugin.models import ViTPoseBackbone
from vitpose_plugin.pretraining import (ViTPoseMAEPretrainDecoder,
                                        ViTPoseMAEPretrainHead, ViTPoseMAEViT,
                                        sincos_pos_embed)

TINY = dict(embed_dims=32, depth=2, num_heads=2, mlp_ratio=4)


def test_sincos_follows_the_row_major_grid():
    embed = sincos_pos_embed((4, 3), 8)
    assert embed.shape == (1, 1 + 12, 8)
    assert not embed[0, 0].any()  # class slot
    patches = embed[0, 1:].reshape(4, 3, 8)
    # columns vary along the width, rows along the height
    col = torch.arange(3.)
    row = torch.arange(4.)
    torch.testing.assert_close(patches[2, :, 0], torch.sin(col))
    torch.testing.assert_close(patches[:, 1, 4], torch.sin(row))
    torch.testing.assert_close(patches[:, 1, 0], torch.full((4, ), 1.).sin())
    assert sincos_pos_embed((4, 3), 8, class_slot=False).shape == (1, 12, 8)
    with pytest.raises(ValueError, match='divisible by 4'):
        sincos_pos_embed((4, 3), 6)


def test_encoder_has_the_backbone_shapes_and_grid():
    encoder = ViTPoseMAEViT(arch='small', img_size=(256, 192))
    backbone = ViTPoseBackbone(arch='small')
    encoder.init_weights()
    assert encoder.grid == backbone.grid_size == (16, 12)
    torch.testing.assert_close(encoder.pos_embed.data,
                               sincos_pos_embed((16, 12), 384))
    assert encoder.layers[0].attn.qkv.weight.shape == \
        backbone.blocks[0].attn.qkv.weight.shape
    assert encoder.layers[0].ffn.layers[0][0].weight.shape == \
        backbone.blocks[0].mlp.fc1.weight.shape
    assert len(encoder.layers) == backbone.depth == 12


def test_encoder_masks_three_quarters():
    encoder = ViTPoseMAEViT(arch=TINY, img_size=(64, 48))
    encoder.init_weights()
    latent, mask, ids_restore = encoder(torch.rand(2, 3, 64, 48))
    assert mask.shape == ids_restore.shape == (2, 12)
    assert (mask.sum(1) == 9).all()
    assert latent.shape == (2, 1 + 3, 32)  # class token + visible patches


@pytest.mark.parametrize('kwargs, message', [
    (dict(img_size=(100, 48)), 'multiples of 16'),
    (dict(mask_ratio=1.0), 'mask_ratio'),
    (dict(img_size=(16, 16), mask_ratio=0.5), 'at least one'),
])
def test_encoder_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ViTPoseMAEViT(**dict(dict(arch=TINY, img_size=(64, 48)), **kwargs))


def test_decoder_embeds_the_real_grid():
    decoder = ViTPoseMAEPretrainDecoder(
        img_size=(64, 48), embed_dim=32, decoder_embed_dim=16,
        decoder_depth=1, decoder_num_heads=2)
    decoder.init_weights()
    torch.testing.assert_close(decoder.decoder_pos_embed.data,
                               sincos_pos_embed((4, 3), 16))
    ids_restore = torch.randperm(12)[None]
    pred = decoder(torch.rand(1, 1 + 3, 32), ids_restore)
    assert pred.shape == (1, 12, 16 * 16 * 3)
    with pytest.raises(ValueError, match='divisible'):
        ViTPoseMAEPretrainDecoder(decoder_embed_dim=18, decoder_num_heads=4)


def test_head_patchify_round_trip_and_patch_order():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        head = ViTPoseMAEPretrainHead(
            loss=dict(type='PixelReconstructionLoss', criterion='L2'),
            img_size=(64, 48))
    images = torch.rand(2, 3, 64, 48)
    patches = head.patchify(images)
    assert patches.shape == (2, 12, 768)
    torch.testing.assert_close(head.unpatchify(patches), images)
    # patch 4 is row 1, column 1; its first value is pixel (16, 16), red
    assert patches[0, 4, 0] == images[0, 0, 16, 16]
    assert patches[0, 4, 1] == images[0, 1, 16, 16]
    with pytest.raises(ValueError, match='img_size'):
        head.patchify(torch.rand(1, 3, 48, 64))
    with pytest.raises(ValueError, match='patches'):
        head.unpatchify(torch.rand(1, 11, 768))


def test_parts_are_registered_in_mmpretrain():
    for name, cls in [('ViTPoseMAEViT', ViTPoseMAEViT),
                      ('ViTPoseMAEPretrainDecoder',
                       ViTPoseMAEPretrainDecoder),
                      ('ViTPoseMAEPretrainHead', ViTPoseMAEPretrainHead)]:
        assert MODELS.get(name) is cls
