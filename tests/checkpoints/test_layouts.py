"""Published checkpoint layouts load into the plugin with identical outputs.
"""
import pytest
import torch
from mmengine.runner.checkpoint import load_checkpoint

from vitpose_plugin.checkpoints import (CheckpointShapeError,
                                        convert_checkpoint, detect_layout,
                                        unwrap_state_dict)
from vitpose_plugin.checkpoints.layouts import (MAE_FACEBOOK, MAE_MMPRETRAIN,
                                                MMPOSE_VITPOSE,
                                                OFFICIAL_VITPOSE, PLUGIN)
from vitpose_plugin.models import ViTPoseBackbone
from vitpose_plugin.token_grid import resize_pos_embed
from .reference_models import (DEPTH, HEADS, WIDTH, build,
                               build_mmpose_vitpose, build_plugin_model,
                               mae_facebook_from_mmpretrain,
                               mae_reference_features, official_forward,
                               random_mae_mmpretrain_state_dict,
                               random_official_state_dict)

TINY = dict(embed_dims=WIDTH, depth=DEPTH, num_heads=HEADS)


def convert_official_vitpose(state_dict):
    return convert_checkpoint(state_dict, layout=OFFICIAL_VITPOSE).state_dict


@pytest.fixture(scope='module')
def images():
    return torch.rand(
        2, 3, 256, 192, generator=torch.Generator().manual_seed(5))


@pytest.fixture(scope='module')
def mae_state():
    return random_mae_mmpretrain_state_dict()


@pytest.mark.parametrize('head', ['classic', 'simple'])
def test_official_checkpoint_gives_official_heatmaps(head, images):
    official = random_official_state_dict(head)
    model = build_plugin_model(head)
    model.load_state_dict(convert_official_vitpose(official), strict=True)
    with torch.no_grad():
        ours = model(images, None, mode='tensor')
        expected = official_forward(official, images, head)
    assert ours.shape == expected.shape == (2, 17, 64, 48)
    assert expected.abs().mean() > 0.1  # a meaningful comparison
    assert (ours - expected).abs().max() < 1e-4


def test_class_slot_is_added_to_every_patch():
    official = random_official_state_dict()
    pos = official['backbone.pos_embed']
    converted = convert_official_vitpose(official)['backbone.pos_embed']
    assert converted.shape == (1, 192, WIDTH)
    torch.testing.assert_close(converted[0, 5], pos[0, 6] + pos[0, 0])


def test_detect_layout(mae_state):
    mmpose_keys = build_mmpose_vitpose().state_dict()
    assert detect_layout(random_official_state_dict()) == OFFICIAL_VITPOSE
    assert detect_layout(mmpose_keys) == MMPOSE_VITPOSE
    assert detect_layout(mae_state) == MAE_MMPRETRAIN
    assert detect_layout(mae_facebook_from_mmpretrain(mae_state)) == \
        MAE_FACEBOOK
    assert detect_layout(build_plugin_model().state_dict()) == PLUGIN


def test_unwrap_state_dict():
    weights = {'module.blocks.0.norm1.weight': torch.ones(2)}
    assert set(unwrap_state_dict({'model': weights})) == \
        {'blocks.0.norm1.weight'}
    checkpoint = dict(state_dict={'a': torch.ones(1)}, meta={})
    assert set(unwrap_state_dict(checkpoint)) == {'a'}
    with pytest.raises(ValueError, match='no tensors'):
        unwrap_state_dict({'epoch': 3})


def test_unrecognised_checkpoints_are_clear_errors():
    resnet = {'conv1.weight': torch.ones(1), 'fc.weight': torch.ones(1)}
    with pytest.raises(
            ValueError, match='unrecognised checkpoint layout.*'
            'conv1.weight'):
        detect_layout(resnet)
    official = random_official_state_dict()
    official['backbone.blocks.0.attn.rel_pos_h'] = torch.ones(3)
    with pytest.raises(
            ValueError,
            match=r'not recognised in the official_vitpose layout: '
            r'backbone\.blocks\.0\.attn\.rel_pos_h'):
        convert_official_vitpose(official)


def test_missing_tensors_are_named():
    official = random_official_state_dict()
    del official['backbone.blocks.1.mlp.fc2.bias']
    del official['keypoint_head.deconv_layers.4.running_var']
    with pytest.raises(
            ValueError,
            match=r'lacks 2 tensor.*'
            r'backbone\.blocks\.1\.mlp\.fc2\.bias, '
            r'head\.deconv_layers\.4\.running_var'):
        convert_official_vitpose(official)


def test_mae_needs_a_grid_and_a_class_slot(mae_state):
    with pytest.raises(ValueError, match='token grid'):
        convert_checkpoint(mae_state)
    no_slot = dict(mae_state)
    no_slot['backbone.pos_embed'] = no_slot['backbone.pos_embed'][:, 1:]
    with pytest.raises(ValueError, match=r'\(1, 1 \+ S\*S, D\)'):
        convert_checkpoint(no_slot, (16, 12))


@pytest.mark.parametrize('layout', [MAE_MMPRETRAIN, MAE_FACEBOOK])
@pytest.mark.parametrize('img_size', [(256, 192), (384, 288)])
def test_mae_init_cfg_follows_official_semantics(layout, img_size, mae_state,
                                                 tmp_path):
    checkpoint = str(tmp_path / 'mae.pth')
    if layout == MAE_MMPRETRAIN:
        torch.save({'state_dict': mae_state, 'meta': {}}, checkpoint)
    else:
        torch.save({'model': mae_facebook_from_mmpretrain(mae_state)},
                   checkpoint)
    backbone = ViTPoseBackbone(
        arch=TINY,
        img_size=img_size,
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint)).eval()
    backbone.init_weights()
    images = torch.rand(2, 3, *img_size)
    with torch.no_grad():
        (ours, ) = backbone(images)
    expected = mae_reference_features(mae_state, images, img_size)
    assert ours.shape == expected.shape == (2, WIDTH, img_size[0] // 16,
                                            img_size[1] // 16)
    assert (ours - expected).abs().max() < 1e-4
    torch.testing.assert_close(backbone.last_norm.weight,
                               mae_state['backbone.ln1.weight'])


def test_init_cfg_through_the_pose_model_and_with_prefix(mae_state, tmp_path):
    checkpoint = str(tmp_path / 'wrapped.pth')
    wrapped = {
        f'encoder.{k}': v
        for k, v in mae_facebook_from_mmpretrain(mae_state).items()
    }
    torch.save(wrapped, checkpoint)
    model = build(
        dict(
            type='TopdownPoseEstimator',
            backbone=dict(
                type='ViTPoseBackbone',
                arch=TINY,
                init_cfg=dict(
                    type='Pretrained',
                    checkpoint=checkpoint,
                    prefix='encoder.')),
            head=dict(
                type='ViTPoseSimpleHead', in_channels=WIDTH, out_channels=17)))
    model.init_weights()
    torch.testing.assert_close(
        model.backbone.blocks[1].mlp.fc1.weight,
        mae_state['backbone.layers.1.ffn.layers.0.0.weight'])


def test_init_cfg_with_wrong_width_names_keys_and_shapes(mae_state, tmp_path):
    checkpoint = str(tmp_path / 'mae.pth')
    torch.save({'state_dict': mae_state}, checkpoint)
    backbone = ViTPoseBackbone(
        arch=dict(embed_dims=16, depth=DEPTH, num_heads=2),
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint))
    with pytest.raises(CheckpointShapeError) as error:
        backbone.init_weights()
    assert str(error.value).startswith(
        f'init_cfg.checkpoint: {checkpoint} does not fit ViTPoseBackbone')
    assert ('blocks.0.attn.qkv.weight', (96, 32), (48, 16)) in \
        error.value.mismatches


def test_init_cfg_with_other_depth_is_an_error(mae_state, tmp_path):
    checkpoint = str(tmp_path / 'mae.pth')
    torch.save({'state_dict': mae_state}, checkpoint)
    backbone = ViTPoseBackbone(
        arch=dict(TINY, depth=3),
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint))
    with pytest.raises(ValueError, match=r'missing \[.blocks\.2\.'):
        backbone.init_weights()


def test_keypoint_count_mismatch_is_an_error_in_mmengine_loading(tmp_path):
    checkpoint = str(tmp_path / 'converted.pth')
    torch.save({'state_dict': build_plugin_model(keypoints=17).state_dict()},
               checkpoint)
    model = build_plugin_model(keypoints=14)
    with pytest.raises(CheckpointShapeError) as error:
        load_checkpoint(model, checkpoint, strict=False)
    message = str(error.value)
    assert 'head.final_layer.weight: checkpoint (17, 16, 1, 1) vs model ' \
        '(14, 16, 1, 1)' in message
    assert 'head.final_layer.bias: checkpoint (17,) vs model (14,)' in message


def test_width_mismatch_shows_a_few_keys_and_keeps_every_one():
    source = build_plugin_model(width=64).state_dict()
    backbone_weights = {
        k: v
        for k, v in source.items() if k.startswith('backbone.')
    }
    model = build_plugin_model()
    with pytest.raises(CheckpointShapeError) as error:
        model.load_state_dict(backbone_weights, strict=False)
    lines = str(error.value).splitlines()
    assert lines[0].startswith(f'{len(backbone_weights)} checkpoint '
                               f'tensor(s) do not fit ViTPoseBackbone')
    assert len(lines) <= 6
    assert '  backbone.pos_embed: checkpoint (1, 192, 64) vs model ' \
        '(1, 192, 32)' in lines
    assert [key for key, _, _ in error.value.mismatches] == \
        list(backbone_weights)
    assert ('backbone.pos_embed', (1, 192, 64), (1, 192, 32)) in \
        error.value.mismatches


def test_unconverted_official_checkpoint_hints_at_the_converter(tmp_path):
    checkpoint = str(tmp_path / 'official.pth')
    torch.save({'state_dict': random_official_state_dict()}, checkpoint)
    with pytest.raises(
            CheckpointShapeError,
            match=r'(?s)backbone\.pos_embed: checkpoint '
            r'\(1, 193, 32\) vs model \(1, 192, 32\).*'
            r'class-token slot.*vitpose_plugin\.checkpoints convert'):
        load_checkpoint(build_plugin_model(), checkpoint)


def test_pos_embed_of_another_grid_is_resized_on_load(tmp_path, images):
    small = build_plugin_model()
    checkpoint = str(tmp_path / 'small.pth')
    torch.save({'state_dict': small.state_dict()}, checkpoint)
    large = build_plugin_model(img_size=(384, 288))
    load_checkpoint(large, checkpoint, strict=True)
    pos = small.backbone.pos_embed.detach()
    torch.testing.assert_close(large.backbone.pos_embed.detach(),
                               resize_pos_embed(pos, (16, 12), (24, 18)))
    big_images = torch.rand(1, 3, 384, 288)
    with torch.no_grad():
        # The small model interpolates its grid on the fly: same numbers.
        torch.testing.assert_close(
            large(big_images, None, mode='tensor'),
            small(big_images, None, mode='tensor'),
            atol=1e-5,
            rtol=1e-5)


def test_mae_14x14_kernel_is_zero_padded_into_16x16(mae_state, tmp_path):
    """ViTPose-H: MAE ViT-H/14 patch kernels go centred into a 16x16 conv."""
    small = dict(mae_state)
    kernel = small['backbone.patch_embed.projection.weight']
    small['backbone.patch_embed.projection.weight'] = kernel[..., 1:15, 1:15]
    checkpoint = str(tmp_path / 'mae14.pth')
    torch.save({'state_dict': small, 'meta': {}}, checkpoint)
    backbone = ViTPoseBackbone(
        arch=TINY,
        patch_kernel_size=14,
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint))
    backbone.init_weights()
    loaded = backbone.patch_embed.proj.weight
    assert loaded.shape[-2:] == (16, 16)
    torch.testing.assert_close(loaded[..., 1:15, 1:15], kernel[..., 1:15,
                                                               1:15])
    assert loaded[..., 0, :].abs().sum() == 0
    assert loaded[..., :, 15].abs().sum() == 0
