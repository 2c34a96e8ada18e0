import pytest
import torch

from vitpose_plugin.models import ViTPoseBackbone
from vitpose_plugin.models.backbones.vitpose_vit import ARCH_ZOO

TINY = dict(embed_dims=32, depth=3, num_heads=2)


@pytest.mark.parametrize('arch, width, depth, heads', [
    ('small', 384, 12, 12),
    ('base', 768, 12, 12),
    # a forward of 10-16 s on 2 CPU cores each: with the slow tests
    pytest.param('large', 1024, 24, 16, marks=pytest.mark.slow),
    pytest.param('huge', 1280, 32, 16, marks=pytest.mark.slow),
])
def test_published_sizes_output_shape(arch, width, depth, heads):
    model = ViTPoseBackbone(arch=arch).eval()
    assert (model.embed_dims, model.depth, model.num_heads) == \
        (width, depth, heads)
    assert len(model.blocks) == depth
    assert model.blocks[0].mlp.fc1.out_features == 4 * width
    with torch.no_grad():
        (feature, ) = model(torch.rand(1, 3, 256, 192))
    assert feature.shape == (1, width, 16, 12)
    assert torch.isfinite(feature).all()


def test_arch_aliases_and_custom_dict():
    assert ViTPoseBackbone(arch='s').embed_dims == 384
    model = ViTPoseBackbone(arch=dict(TINY, mlp_ratio=2))
    assert model.blocks[0].mlp.fc1.out_features == 64
    assert set(ARCH_ZOO) == {'small', 'base', 'large', 'huge'}


@pytest.mark.parametrize('arch, error', [
    ('gigantic', KeyError),
    (dict(embed_dims=32, depth=2), ValueError),
    (dict(TINY, heads=2), ValueError),
])
def test_bad_arch_is_a_clear_error(arch, error):
    with pytest.raises(error, match='arch'):
        ViTPoseBackbone(arch=arch)


def test_heads_must_divide_width():
    with pytest.raises(ValueError, match='divisible'):
        ViTPoseBackbone(arch=dict(embed_dims=30, depth=1, num_heads=4))


def test_patch_embedding_has_padding_2_and_no_class_token():
    model = ViTPoseBackbone(arch=TINY)
    assert model.patch_embed.proj.padding == (2, 2)
    assert model.patch_embed.proj.kernel_size == (16, 16)
    assert model.pos_embed.shape == (1, 16 * 12, 32)
    assert not hasattr(model, 'cls_token')


def test_forward_matches_reference_semantics():
    """Recompute the forward pass by hand from the module's parameters."""
    torch.manual_seed(0)
    model = ViTPoseBackbone(arch=TINY).eval()
    images = torch.rand(2, 3, 256, 192)
    conv = model.patch_embed.proj
    x = torch.nn.functional.conv2d(images, conv.weight, conv.bias, 16, 2)
    x = x.flatten(2).transpose(1, 2) + model.pos_embed
    for block in model.blocks:
        h = block.norm1(x)
        qkv = block.attn.qkv(h).reshape(2, -1, 3, 2, 16).permute(2, 0, 3, 1, 4)
        q, k, v = qkv
        attn = (q @ k.transpose(-2, -1) / 4.0).softmax(-1)
        h = (attn @ v).transpose(1, 2).reshape(2, -1, 32)
        x = x + block.attn.proj(h)
        h = block.norm2(x)
        x = x + block.mlp.fc2(torch.nn.functional.gelu(block.mlp.fc1(h)))
    x = model.last_norm(x)
    expected = x.transpose(1, 2).reshape(2, 32, 16, 12)
    with torch.no_grad():
        (actual, ) = model(images)
    torch.testing.assert_close(actual, expected, atol=1e-5, rtol=1e-5)
    assert model.last_norm.eps == 1e-6


def test_other_input_size_interpolates_position_embedding():
    model = ViTPoseBackbone(arch=TINY).eval()
    with torch.no_grad():
        (feature, ) = model(torch.rand(1, 3, 384, 288))
    assert feature.shape == (1, 32, 24, 18)


def test_drop_path_rises_linearly():
    model = ViTPoseBackbone(arch=TINY, drop_path_rate=0.3)
    for branch in ('drop_path1', 'drop_path2'):
        rates = [getattr(block, branch).p for block in model.blocks]
        assert rates == pytest.approx([0.0, 0.15, 0.3])


def test_out_indices_return_intermediate_maps():
    model = ViTPoseBackbone(arch=TINY, out_indices=(0, -1)).eval()
    with torch.no_grad():
        outs = model(torch.rand(1, 3, 256, 192))
    assert [tuple(o.shape) for o in outs] == [(1, 32, 16, 12)] * 2
    assert not torch.allclose(outs[0], outs[1])
    with pytest.raises(ValueError, match='out index 3'):
        ViTPoseBackbone(arch=TINY, out_indices=3)


def test_layer_depth_hook():
    model = ViTPoseBackbone(arch=TINY)
    assert model.get_layer_depth('pos_embed') == (0, 5)
    assert model.get_layer_depth('patch_embed.proj.weight') == (0, 5)
    assert model.get_layer_depth('blocks.0.attn.qkv.weight') == (1, 5)
    assert model.get_layer_depth('blocks.2.mlp.fc2.bias') == (3, 5)
    assert model.get_layer_depth('last_norm.weight') == (4, 5)
    # mmpretrain's prefix argument: other names come after the backbone.
    assert model.get_layer_depth('backbone.blocks.1.norm1.weight',
                                 'backbone.') == (2, 5)
    assert model.get_layer_depth('head.final_layer.weight',
                                 'backbone.') == (4, 5)
    assert model.no_weight_decay() == {'pos_embed'}


def test_gradient_checkpointing_gives_same_gradients():
    torch.manual_seed(0)
    model = ViTPoseBackbone(arch=TINY)
    images = torch.rand(2, 3, 256, 192, requires_grad=True)

    def grads():
        model.zero_grad()
        model(images)[0].square().mean().backward()
        return [p.grad.clone() for p in model.parameters()]

    plain = grads()
    model.set_grad_checkpointing(True)
    checkpointed = grads()
    for a, b in zip(plain, checkpointed):
        torch.testing.assert_close(a, b)
