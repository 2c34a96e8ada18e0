"""Backbone variants of the paper: attention types, patch embedding options
and partial fine-tuning."""
import pytest
import torch

from vitpose_plugin.models import ViTPoseBackbone
from vitpose_plugin.models.layers import (MultiheadSelfAttention,
                                          WindowAttention)

TINY = dict(embed_dims=32, depth=4, num_heads=2)
SMALL_IMAGES = (128, 96)  # 8x6 tokens: fast


def tiny(**kwargs):
    torch.manual_seed(0)
    return ViTPoseBackbone(arch=TINY, img_size=SMALL_IMAGES, **kwargs)


def images(batch=2, size=SMALL_IMAGES):
    generator = torch.Generator().manual_seed(1)
    return torch.rand(batch, 3, *size, generator=generator)


# Attention types ------------------------------------------------------------
def test_per_block_attention_types():
    model = tiny(
        attn_types=('window', 'shift_window', 'pool_window',
                    'shift_pool_window'),
        attn_cfg=dict(window_size=(4, 3)))
    kinds = [(type(b.attn), getattr(b.attn, 'shift_size', None),
              getattr(b.attn, 'pool', None)) for b in model.blocks]
    assert kinds == [(WindowAttention, (0, 0), False),
                     (WindowAttention, (2, 1), False),
                     (WindowAttention, (0, 0), True),
                     (WindowAttention, (2, 1), True)]
    assert all(b.attn.window_size == (4, 3) for b in model.blocks)


@pytest.mark.parametrize('attn_types, expected', [
    ('window', ('window', ) * 4),
    (('window', 'full'), ('window', 'full') * 2),
    (('window', ) * 3 + ('full', ), ('window', 'window', 'window', 'full')),
])
def test_attention_type_patterns_repeat(attn_types, expected):
    model = tiny(attn_types=attn_types)
    assert model.attn_types == expected
    assert [b.attn_type for b in model.blocks] == list(expected)
    assert isinstance(model.blocks[-1].attn, MultiheadSelfAttention)


@pytest.mark.parametrize('attn_types, match', [
    ('swin', 'unknown attention type'),
    (('window', 'full', 'full'), 'divides 4'),
    ((), 'divides 4'),
])
def test_bad_attention_types_are_clear_errors(attn_types, match):
    with pytest.raises(ValueError, match=match):
        tiny(attn_types=attn_types)


@pytest.mark.parametrize('attn_types', ['full', 'window'])
def test_unknown_attn_cfg_keys_are_clear_errors(attn_types):
    allowed = r"\['window_size', 'shift_size', 'rel_pos_bias'\]"
    with pytest.raises(ValueError, match=r"\['shift'\].*" + allowed):
        tiny(attn_types=attn_types, attn_cfg=dict(window_size=4, shift=2))


@pytest.mark.parametrize('rel_pos_bias', [False, True])
def test_window_buffers_stay_out_of_the_state_dict(rel_pos_bias):
    """Checkpoints are those of full attention, plus the bias tables."""
    full = tiny()
    windowed = tiny(
        attn_types=('shift_window', 'pool_window', 'shift_pool_window',
                    'full'),
        attn_cfg=dict(window_size=(4, 4), rel_pos_bias=rel_pos_bias))
    assert dict(windowed.named_buffers())  # gather indices, masks, ...
    tables = {f'blocks.{i}.attn.relative_position_bias_table'
              for i in range(3)} if rel_pos_bias else set()
    assert set(windowed.state_dict()) == set(full.state_dict()) | tables
    assert all(windowed.blocks[i].attn.grid == (8, 6) for i in range(3))


@pytest.mark.parametrize('size', [SMALL_IMAGES, (112, 80)])
def test_mixed_attention_runs_on_divisible_and_padded_grids(size):
    model = tiny(
        attn_types=('window', 'shift_window', 'shift_pool_window', 'full'),
        attn_cfg=dict(window_size=(4, 4), rel_pos_bias=True)).eval()
    with torch.no_grad():
        (feature, ) = model(images(size=size))
    assert feature.shape == (2, 32, size[0] // 16, size[1] // 16)
    assert torch.isfinite(feature).all()


def test_window_as_large_as_the_grid_equals_full_attention():
    full = tiny().eval()
    windowed = tiny(attn_types='shift_window',
                    attn_cfg=dict(window_size=(8, 6))).eval()
    windowed.load_state_dict(full.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(windowed(images())[0], full(images())[0])


def test_relative_position_bias_hooks():
    model = tiny(attn_types=('window', 'full'),
                 attn_cfg=dict(rel_pos_bias=True))
    tables = {
        name
        for name, _ in model.named_parameters()
        if 'relative_position_bias_table' in name
    }
    assert tables == {
        'blocks.0.attn.relative_position_bias_table',
        'blocks.2.attn.relative_position_bias_table'
    }
    assert model.no_weight_decay() == tables | {'pos_embed'}
    assert model.get_layer_depth(
        'blocks.2.attn.relative_position_bias_table') == (3, 6)
    assert model.blocks[0].attn.relative_position_bias_table.shape == (15 * 15,
                                                                       2)


def test_layer_decay_constructor_skips_decay_of_bias_tables():
    from vitpose_plugin.engine.optim_wrappers.layer_decay_constructor import \
        ViTPoseLayerDecayConstructor
    model = tiny(attn_types='window', attn_cfg=dict(rel_pos_bias=True))
    constructor = ViTPoseLayerDecayConstructor(
        dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.1)),
        dict(layer_decay_rate=0.75))
    params = []
    constructor.add_params(params, model)
    table = model.blocks[1].attn.relative_position_bias_table
    (group, ) = [g for g in params if any(p is table for p in g['params'])]
    assert group['weight_decay'] == 0


@pytest.mark.parametrize('attn_types', ['shift_pool_window', 'full'])
def test_gradient_checkpointing_same_gradients(attn_types):
    model = tiny(attn_types=attn_types,
                 attn_cfg=dict(window_size=(4, 4), rel_pos_bias=True))
    for block in model.blocks:
        if block.attn_type != 'full':
            torch.nn.init.normal_(block.attn.relative_position_bias_table)
    x = images(size=(112, 80)).requires_grad_()

    def grads():
        model.zero_grad()
        model(x)[0].square().mean().backward()
        return [p.grad.clone() for p in model.parameters()]

    plain = grads()
    model.set_grad_checkpointing(True)
    for a, b in zip(plain, grads()):
        torch.testing.assert_close(a, b)


def test_bf16_autocast_close_to_fp32():
    model = tiny(
        attn_types=('shift_pool_window', 'window'),
        attn_cfg=dict(window_size=(4, 4), rel_pos_bias=True)).eval()
    x = images(size=(112, 80))
    with torch.no_grad():
        expected = model(x)[0]
        with torch.autocast('cpu', dtype=torch.bfloat16):
            actual = model(x)[0]
    assert torch.isfinite(actual).all()
    torch.testing.assert_close(actual.float(), expected, atol=0.1, rtol=0.05)


# Patch embedding -----------------------------------------------------------
def test_overlapping_patches_make_a_finer_grid():
    model = tiny(patch_stride=8).eval()
    assert model.grid_size == (15, 11)
    assert model.pos_embed.shape == (1, 15 * 11, 32)
    with torch.no_grad():
        (feature, ) = model(images())
    assert feature.shape == (2, 32, 15, 11)


def test_vitpose_h_style_14x14_kernel():
    model = tiny(patch_kernel_size=14)
    weight = model.patch_embed.proj.weight
    assert weight.shape[-2:] == (16, 16)
    assert (weight[..., 0, :] == 0).all() and (weight[..., :, -1] == 0).all()
    assert weight[..., 1:15, 1:15].abs().sum() > 0


# Partial fine-tuning -------------------------------------------------------
def _trainable(model):
    return {n for n, p in model.named_parameters() if p.requires_grad}


def _step_changes(model):
    """Parameters an AdamW step changes, with weight decay."""
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1,
                                  weight_decay=0.1)
    model(images())[0].square().mean().backward()
    optimizer.step()
    return {
        n
        for n, p in model.named_parameters() if not torch.equal(p, before[n])
    }


def test_freeze_attn_freezes_attention_and_its_norm():
    model = tiny(freeze_attn=True, drop_path_rate=0.5).train()
    for block in model.blocks:
        assert not block.attn.training and not block.norm1.training
        assert not block.drop_path1.training
        assert block.mlp.training and block.drop_path2.training
    frozen = {n for n, _ in model.named_parameters()} - _trainable(model)
    assert frozen and all('.attn.' in n or '.norm1.' in n for n in frozen)
    assert len(frozen) == 4 * 6  # qkv, proj, norm1: weight + bias each
    changed = _step_changes(model)
    assert not changed & frozen
    assert changed == _trainable(model)


def test_freeze_ffn_freezes_mlp_and_its_norm():
    model = tiny(freeze_ffn=True).train()
    frozen = {n for n, _ in model.named_parameters()} - _trainable(model)
    assert frozen and all('.mlp.' in n or '.norm2.' in n for n in frozen)
    assert not model.blocks[0].mlp.training
    assert not _step_changes(model) & frozen
    for block in model.blocks:
        assert block.mlp.fc1.weight.grad is None


def test_frozen_stages_freeze_embeddings_and_first_blocks():
    model = tiny(frozen_stages=2, drop_rate=0.3).train()
    trainable = _trainable(model)
    assert not any(n.startswith(('patch_embed', 'pos_embed', 'blocks.0.',
                                 'blocks.1.')) for n in trainable)
    assert any(n.startswith('blocks.2.') for n in trainable)
    assert 'last_norm.weight' in trainable
    assert not model.pos_drop.training and not model.blocks[1].training
    assert model.blocks[2].training
    assert model.pos_embed.grad is None
    model(images())[0].sum().backward()
    assert model.pos_embed.grad is None
    assert model.blocks[0].attn.qkv.weight.grad is None
    assert model.blocks[2].attn.qkv.weight.grad is not None


def test_everything_frozen_is_deterministic_in_train_mode():
    model = tiny(frozen_stages=4, drop_rate=0.3, attn_drop_rate=0.3,
                 drop_path_rate=0.5)
    assert not _trainable(model)
    model.train()
    leaves = [m for m in model.modules() if not list(m.children())]
    assert not any(m.training for m in leaves)
    x = images()
    first, second = model(x)[0], model(x)[0]
    torch.testing.assert_close(first, second)
    torch.testing.assert_close(first, model.eval()(x)[0])


def test_frozen_stages_bounds():
    with pytest.raises(ValueError, match='frozen_stages'):
        tiny(frozen_stages=5)
    with pytest.raises(ValueError, match='frozen_stages'):
        tiny(frozen_stages=-2)
