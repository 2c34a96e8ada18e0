"""Position embeddings of MAE checkpoints on non-square grids (person-crop
MAE at 256x192: 16x12 patches)."""
import pytest
import torch

from vitpose_plugin.checkpoints.layouts import (_mae_source_grid,
                                                mae_pos_embed_to_grid)
from vitpose_plugin.token_grid import resize_pos_embed


def mae_embed(rows, cols, dims=8):
    return torch.randn(1, 1 + rows * cols, dims)


@pytest.mark.parametrize('source, target', [
    ((14, 14), (16, 12)),  # ImageNet MAE: square, as before
    ((16, 12), (16, 12)),  # person-crop MAE at its own size
    ((16, 12), (24, 18)),  # ... fine-tuned at 384x288
    ((16, 12), (8, 6)),
    ((4, 3), (16, 12)),
])
def test_source_grid(source, target):
    assert _mae_source_grid(mae_embed(*source), target) == source


def test_person_crop_embedding_is_kept_or_resized_with_its_class_slot():
    embed = mae_embed(16, 12)
    same = mae_pos_embed_to_grid(embed, (16, 12))
    torch.testing.assert_close(same, embed[:, 1:] + embed[:, :1])
    larger = mae_pos_embed_to_grid(embed, (24, 18))
    torch.testing.assert_close(
        larger, resize_pos_embed(embed[:, 1:], (16, 12), (24, 18)) +
        embed[:, :1])


@pytest.mark.parametrize('shape, target, message', [
    ((1, 1 + 16 * 12, 8), (16, 16), 'neither a square grid nor a 16:16'),
    ((1, 1 + 7, 8), (16, 12), 'neither a square grid nor a 16:12'),
    ((1, 1, 8), (16, 12), r'should be .* got \(1, 1, 8\)$'),
    ((1 + 16 * 12, 8), (16, 12), r'got \(193, 8\)$'),
])
def test_unknown_grids_are_refused(shape, target, message):
    with pytest.raises(ValueError, match=message):
        _mae_source_grid(torch.zeros(shape), target)
