"""Absolute position-embedding resizing."""
from typing import Tuple

import torch.nn.functional as F
from torch import Tensor


def resize_pos_embed(pos_embed: Tensor, src_grid: Tuple[int, int],
                     dst_grid: Tuple[int, int]) -> Tensor:
    """Bicubically resample a (1, H*W, D) position embedding to a new grid.

    Args:
        pos_embed (Tensor): Embedding of shape (1, src_h * src_w, D), without
            any class-token slot.
        src_grid (tuple[int, int]): (rows, cols) the embedding was made for.
        dst_grid (tuple[int, int]): (rows, cols) wanted.

    Returns:
        Tensor: Embedding of shape (1, dst_h * dst_w, D).
    """
    src_grid, dst_grid = tuple(src_grid), tuple(dst_grid)
    if src_grid == dst_grid:
        return pos_embed
    if pos_embed.shape[1] != src_grid[0] * src_grid[1]:
        raise ValueError(
            f'position embedding has {pos_embed.shape[1]} tokens, which is '
            f'not a {src_grid[0]}x{src_grid[1]} grid')
    dims = pos_embed.shape[-1]
    grid = pos_embed.reshape(1, *src_grid, dims).permute(0, 3, 1, 2)
    grid = F.interpolate(
        grid.float(), size=dst_grid, mode='bicubic', align_corners=False)
    return grid.to(pos_embed.dtype).flatten(2).transpose(1, 2)
