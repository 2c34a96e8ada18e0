"""Token-grid geometry: patch grids, grids of token counts, embeddings
resized between grids, padded patch kernels."""
import pytest
import torch

from vitpose_plugin.token_grid import (conv_patch_grid, infer_grid,
                                       pad_patch_kernel, resize_pos_embed,
                                       tiled_patch_grid)


@pytest.mark.parametrize('image_size, stride, padding, expected', [
    ((256, 192), None, 2, (16, 12)),  # official ViTPose
    ((256, 192), 8, 2, (31, 23)),  # overlapping patches
    ((384, 288), None, 2, (24, 18)),
])
def test_conv_patch_grid(image_size, stride, padding, expected):
    assert conv_patch_grid(image_size, 16, stride, padding) == expected


def test_tiled_patch_grid_needs_whole_tiles():
    assert tiled_patch_grid((256, 192), 16) == (16, 12)
    with pytest.raises(ValueError, match='multiples of 16'):
        tiled_patch_grid((250, 192), 16)


@pytest.mark.parametrize('num_tokens, like, expected', [
    (192, (24, 18), (16, 12)),  # same aspect
    (196, (16, 12), (14, 14)),  # square count: ImageNet
    (576, (16, 12), (24, 24)),  # square, though 32x18 is as close to 4:3
    (180, (16, 12), (15, 12)),  # closest aspect (5:4)
    (7, (16, 12), None),  # prime: no grid within a factor 2
])
def test_infer_grid(num_tokens, like, expected):
    assert infer_grid(num_tokens, like) == expected


def test_infer_grid_with_exact_aspect_only():
    assert infer_grid(180, (16, 12), max_aspect_change=1.0) is None
    assert infer_grid(48, (16, 12), max_aspect_change=1.0) == (8, 6)


def test_resize_pos_embed_keeps_or_resamples():
    embed = torch.randn(1, 16 * 12, 8)
    assert resize_pos_embed(embed, (16, 12), (16, 12)) is embed
    assert resize_pos_embed(embed, (16, 12), (24, 18)).shape == (1, 432, 8)
    with pytest.raises(ValueError, match='not a 14x14 grid'):
        resize_pos_embed(embed, (14, 14), (16, 12))


def test_pad_patch_kernel_centres_the_kernel():
    weight = torch.randn(4, 3, 14, 14)
    padded = pad_patch_kernel(weight, 16)
    assert padded.shape == (4, 3, 16, 16)
    torch.testing.assert_close(padded[..., 1:15, 1:15], weight)
    inner = torch.zeros(16, 16, dtype=torch.bool)
    inner[1:15, 1:15] = True
    assert (padded[..., ~inner] == 0).all()
    with pytest.raises(ValueError, match='smaller'):
        pad_patch_kernel(weight, 12)
