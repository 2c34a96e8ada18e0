import pytest
import torch
from torch import nn

from vitpose_plugin.engine import ViTPoseLayerDecayConstructor
from vitpose_plugin.models import ViTPoseBackbone, ViTPoseClassicHead

BASE_LR, BASE_WD, RATE = 1.0, 0.5, 2.0


class PoseModel(nn.Module):
    """Backbone + head, named like MMPose's TopdownPoseEstimator."""

    def __init__(self):
        super().__init__()
        self.backbone = ViTPoseBackbone(
            arch=dict(embed_dims=16, depth=3, num_heads=2))
        self.head = ViTPoseClassicHead(
            in_channels=16, out_channels=5, deconv_out_channels=(8, 8))


def build(paramwise_cfg, model=None):
    model = model or PoseModel()
    constructor = ViTPoseLayerDecayConstructor(
        dict(optimizer=dict(type='AdamW', lr=BASE_LR, weight_decay=BASE_WD)),
        paramwise_cfg)
    return model, constructor(model)


def settings_by_name(model, optim_wrapper):
    names = {id(p): n for n, p in model.named_parameters()}
    found = {}
    for group in optim_wrapper.optimizer.param_groups:
        for param in group['params']:
            found[names[id(param)]] = (group['lr'], group['weight_decay'])
    return found


def test_exact_learning_rates_and_weight_decays():
    model, optim_wrapper = build(dict(layer_decay_rate=RATE))
    found = settings_by_name(model, optim_wrapper)
    # depth 3: scale = 2 ** (3 + 1 - layer_id)
    expected = {
        'backbone.pos_embed': (16.0, 0.0),
        'backbone.patch_embed.proj.weight': (16.0, BASE_WD),
        'backbone.patch_embed.proj.bias': (16.0, 0.0),
        'backbone.blocks.0.attn.qkv.weight': (8.0, BASE_WD),
        'backbone.blocks.0.norm1.weight': (8.0, 0.0),
        'backbone.blocks.1.mlp.fc1.bias': (4.0, 0.0),
        'backbone.blocks.2.attn.proj.weight': (2.0, BASE_WD),
        'backbone.last_norm.weight': (1.0, 0.0),
        'head.deconv_layers.0.weight': (1.0, BASE_WD),
        'head.deconv_layers.1.weight': (1.0, 0.0),
        'head.final_layer.bias': (1.0, 0.0),
    }
    for name, settings in expected.items():
        assert found[name] == settings, name
    assert set(found) == {n for n, _ in model.named_parameters()}


def test_one_group_per_distinct_setting():
    model, optim_wrapper = build(dict(layer_decay_rate=RATE))
    groups = optim_wrapper.optimizer.param_groups
    keys = [(g['lr'], g['weight_decay']) for g in groups]
    assert len(keys) == len(set(keys))
    # 5 layer ids x (decay, no decay)
    assert len(groups) == 10


def test_num_layers_override_and_custom_keys():
    model, optim_wrapper = build(
        dict(layer_decay_rate=RATE, num_layers=5,
             custom_keys={'head': dict(lr_mult=0.5),
                          'qkv': dict(lr_mult=3.0, decay_mult=0.1)}))
    found = settings_by_name(model, optim_wrapper)
    assert found['backbone.blocks.0.attn.qkv.weight'] == \
        pytest.approx((2**5 * 3.0, BASE_WD * 0.1))
    assert found['backbone.blocks.0.attn.proj.weight'] == (2.0**5, BASE_WD)
    # Outside the backbone: scale 1 whatever num_layers says.
    assert found['head.final_layer.weight'] == (0.5, BASE_WD)


def test_mmengine_decay_mults_are_honoured():
    model, optim_wrapper = build(
        dict(layer_decay_rate=1.0, bias_decay_mult=1.0, norm_decay_mult=0.5,
             bias_lr_mult=2.0))
    found = settings_by_name(model, optim_wrapper)
    assert found['backbone.blocks.0.attn.qkv.bias'] == (2.0, BASE_WD)
    assert found['backbone.blocks.0.norm1.weight'] == (1.0, BASE_WD * 0.5)
    assert found['backbone.pos_embed'] == (1.0, 0.0)


@pytest.mark.parametrize('paramwise_cfg, error, match', [
    (dict(layer_decay_rate=0.75, decay_multi=0.0), KeyError, 'decay_multi'),
    (dict(layer_decay_rate=0.75,
          custom_keys={'bias': dict(decay_multi=0.0)}), KeyError,
     'decay_multi'),
    (dict(num_layers=12), ValueError, 'layer_decay_rate'),
    (dict(layer_decay_rate=0.75, num_layers=0), ValueError, 'num_layers'),
])
def test_bad_paramwise_cfg_is_an_error(paramwise_cfg, error, match):
    with pytest.raises(error, match=match):
        build(paramwise_cfg)


def test_frozen_parameters_are_left_out():
    model = PoseModel()
    model.backbone.patch_embed.requires_grad_(False)
    model, optim_wrapper = build(dict(layer_decay_rate=RATE), model)
    found = settings_by_name(model, optim_wrapper)
    assert not any(name.startswith('backbone.patch_embed') for name in found)


def test_training_step_moves_trainable_parameters():
    torch.manual_seed(0)
    model = PoseModel()
    model.backbone.blocks[0].requires_grad_(False)
    model, optim_wrapper = build(dict(layer_decay_rate=0.75), model)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    images = torch.rand(2, 3, 256, 192)
    heatmaps = model.head(model.backbone(images))
    optim_wrapper.update_params(heatmaps.square().mean())
    for name, param in model.named_parameters():
        changed = not torch.equal(before[name], param.detach())
        assert changed == param.requires_grad, name


def test_logs_group_table(capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('vitpose_plugin_test_constructor')
    build(dict(layer_decay_rate=RATE))
    out = capsys.readouterr()
    assert 'layer-wise lr decay parameter groups' in out.out + out.err


class MMPretrainStyleModel(PoseModel):
    """Answers ``get_layer_depth`` as mmpretrain's ImageClassifier does."""

    def get_layer_depth(self, param_name):
        return self.backbone.get_layer_depth(param_name, 'backbone.')


def test_same_learning_rates_as_mmpretrains_constructor():
    """get_layer_depth honours mmpretrain's contract: its constructor, fed
    the same backbone, gives every parameter the same learning rate."""
    from mmpretrain.engine.optimizers import \
        LearningRateDecayOptimWrapperConstructor
    model, ours = build(dict(layer_decay_rate=RATE), MMPretrainStyleModel())
    theirs = LearningRateDecayOptimWrapperConstructor(
        dict(optimizer=dict(type='AdamW', lr=BASE_LR, weight_decay=BASE_WD)),
        dict(layer_decay_rate=RATE))(model)
    names = {id(p): n for n, p in model.named_parameters()}
    their_lrs = {
        names[id(param)]: group['lr']
        for group in theirs.optimizer.param_groups
        for param in group['params']
    }
    our_lrs = {name: lr for name, (lr, _) in
               settings_by_name(model, ours).items()}
    assert their_lrs == our_lrs
    assert their_lrs['backbone.pos_embed'] == 16.0
