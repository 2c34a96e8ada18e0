"""Fixed 2-D sine-cosine position embeddings on a rows x cols patch grid."""
from typing import Tuple

import torch
from torch import Tensor


def sincos_pos_embed(grid: Tuple[int, int], dims: int,
                     class_slot: bool = True,
                     temperature: float = 10000.) -> Tensor:
    """MAE's 2-D sine-cosine embedding for a (possibly non-square) grid.

    Token ``r * cols + c`` (row-major, the order of a flattened patch
    embedding) gets ``[sin(c w), cos(c w), sin(r w), cos(r w)]`` with
    ``dims / 4`` frequencies ``w_k = temperature ** (-k / (dims / 4))``, the
    column half first as in MAE and mmpretrain.

    Args:
        grid (tuple[int, int]): (rows, cols) of patches.
        dims (int): Embedding width, a multiple of 4.
        class_slot (bool): Prepend an all-zero class-token slot, giving
            (1, 1 + rows*cols, dims). Defaults to True.
        temperature (float): Frequency base. Defaults to 10000.

    Returns:
        Tensor: (1, [1 +] rows*cols, dims), float32.

    Raises:
        ValueError: ``dims`` not a multiple of 4 or an empty grid.
    """
    rows, cols = (int(size) for size in grid)
    if dims % 4 or dims <= 0:
        raise ValueError(f'a 2-D sine-cosine embedding needs a positive '
                         f'width divisible by 4, got {dims}')
    if rows < 1 or cols < 1:
        raise ValueError(f'the patch grid must be at least 1x1, got {grid}')
    quarter = dims // 4
    omega = 1. / temperature**(torch.arange(quarter, dtype=torch.float32) /
                               quarter)
    row_index, col_index = torch.meshgrid(
        torch.arange(rows, dtype=torch.float32),
        torch.arange(cols, dtype=torch.float32),
        indexing='ij')
    col_angle = col_index.flatten()[:, None] * omega[None]
    row_angle = row_index.flatten()[:, None] * omega[None]
    embed = torch.cat([col_angle.sin(), col_angle.cos(),
                       row_angle.sin(), row_angle.cos()], dim=1)[None]
    if class_slot:
        embed = torch.cat([embed.new_zeros(1, 1, dims), embed], dim=1)
    return embed
