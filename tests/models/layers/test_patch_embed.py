import pytest
import torch
import torch.nn.functional as F

from vitpose_plugin.models.layers import PatchEmbed


@pytest.mark.parametrize('stride, padding, expected', [
    (16, 2, (16, 12)),  # official ViTPose
    (8, 2, (31, 23)),  # overlapping patches, twice as fine
    (12, 4, (21, 16)),
    ((8, 16), 2, (31, 12)),
])
def test_overlapping_patch_grid(stride, padding, expected):
    embed = PatchEmbed(embed_dims=8, stride=stride, padding=padding)
    tokens, grid = embed(torch.rand(1, 3, 256, 192))
    assert grid == expected == embed.grid_size((256, 192))
    assert tokens.shape == (1, expected[0] * expected[1], 8)


@pytest.mark.parametrize('keep_ring_zero', [False, True])
def test_14x14_kernel_in_16x16_embedding(keep_ring_zero):
    torch.manual_seed(0)
    embed = PatchEmbed(
        embed_dims=8,
        kernel_size=14,
        keep_kernel_ring_zero=keep_ring_zero)
    weight = embed.proj.weight
    assert weight.shape[-2:] == (16, 16)
    ring = torch.ones(16, 16, dtype=torch.bool)
    ring[1:15, 1:15] = False
    assert (weight[..., ring] == 0).all()
    # Same as a 14x14 convolution at stride 16 with one pixel less padding.
    images = torch.rand(2, 3, 256, 192)
    tokens, grid = embed(images)
    expected = F.conv2d(images, weight[..., 1:15, 1:15], embed.proj.bias, 16,
                        1)
    assert grid == (16, 12)
    torch.testing.assert_close(tokens,
                               expected.flatten(2).transpose(1, 2))
    tokens.square().mean().backward()
    ring_grad = weight.grad[..., ring].abs().sum()
    assert (ring_grad == 0) == keep_ring_zero
    assert state_dict_keys(embed) == {'proj.weight', 'proj.bias'}


def test_ring_stays_out_even_if_loaded_non_zero():
    embed = PatchEmbed(embed_dims=8, kernel_size=14,
                       keep_kernel_ring_zero=True)
    images = torch.rand(1, 3, 64, 64)
    before = embed(images)[0]
    with torch.no_grad():
        embed.proj.weight[..., 0, :] = 1.0
    torch.testing.assert_close(embed(images)[0], before)


def state_dict_keys(module):
    return set(module.state_dict())


def test_bad_patch_settings():
    with pytest.raises(ValueError, match='kernel_size'):
        PatchEmbed(kernel_size=18)
    with pytest.raises(ValueError, match='keep_kernel_ring_zero'):
        PatchEmbed(keep_kernel_ring_zero=True)
    with pytest.raises(ValueError, match='stride'):
        PatchEmbed(stride=0)
