"""Token-grid geometry: the patch grid of an image, the grid of a token
count, a position embedding on another grid, a patch kernel padded to
another size.

Every place that maps images, checkpoints or embeddings to a (rows, cols)
grid of patch tokens uses these functions: the backbone and its patch
embedding, the checkpoint loaders and converters, and MAE pretraining.
This module imports nothing of the package.
"""
import math
from typing import Optional, Tuple, Union

import torch.nn.functional as F
from torch import Tensor

Grid = Tuple[int, int]
Pair = Union[int, Tuple[int, int]]

# The default of infer_grid: a token count is only read as a grid whose
# aspect ratio is within this factor of the expected one.
MAX_ASPECT_CHANGE = 2.0


def to_2tuple(value: Pair) -> Tuple[int, int]:
    """Return ``(value, value)`` for an int, or the 2-sequence as a tuple.

    Raises:
        ValueError: a sequence that is not a pair.
    """
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f'expected an int or a pair, got {value!r}')
    return value  # type: ignore[return-value]


def conv_patch_grid(image_size: Pair,
                    patch_size: Pair = 16,
                    stride: Optional[Pair] = None,
                    padding: Pair = 2) -> Grid:
    """Token grid (rows, cols) of a convolutional patch embedding (ViTPose's:
    kernel 16, padding 2, stride = kernel or smaller for overlapping
    patches) for an ``(H, W)`` image.

    Args:
        image_size (int | tuple[int, int]): Input (H, W).
        patch_size (int | tuple[int, int]): Convolution kernel.
            Defaults to 16.
        stride (int | tuple[int, int], optional): Convolution stride;
            ``None`` is ``patch_size``. Defaults to None.
        padding (int | tuple[int, int]): Zero padding on each side.
            Defaults to 2.
    """
    kernels = to_2tuple(patch_size)
    strides = kernels if stride is None else to_2tuple(stride)
    return tuple(  # type: ignore[return-value]
        (size + 2 * pad - kernel) // step + 1 for size, pad, kernel, step in
        zip(to_2tuple(image_size), to_2tuple(padding), kernels, strides))


def tiled_patch_grid(image_size: Pair, patch_size: int) -> Grid:
    """(rows, cols) of non-overlapping ``patch_size`` tiles that cover an
    (H, W) image exactly (MAE's patch embedding: no padding, no overlap).

    Raises:
        ValueError: a side not divisible by ``patch_size``.
    """
    height, width = to_2tuple(image_size)
    if patch_size < 1 or height % patch_size or width % patch_size:
        raise ValueError(
            f'MAE pretraining cuts the {height}x{width} input into '
            f'{patch_size}x{patch_size} patches without overlap, so both '
            f'sides must be multiples of {patch_size} (e.g. 256x192)')
    return conv_patch_grid((height, width), patch_size, padding=0)


def infer_grid(num_tokens: int,
               like: Grid,
               max_aspect_change: float = MAX_ASPECT_CHANGE) -> Optional[Grid]:
    """The (rows, cols) grid of ``num_tokens`` positions, given the grid
    ``like`` expected of them (a model's).

    A square count is a square grid (196 tokens: 14x14, an ImageNet
    checkpoint); otherwise the factorisation with the aspect of ``like``
    (192 tokens like 24x18: 16x12), or else the one closest to it in aspect
    ratio, within a factor ``max_aspect_change``. A 4:3 grid never has a
    square count (12 k^2 is no square), so square and 4:3 grids are never
    confused.

    Args:
        num_tokens (int): Positions of the embedding, without a class slot.
        like (tuple[int, int]): The expected grid (rows, cols).
        max_aspect_change (float): Largest factor between the aspect ratios
            of the result and of ``like``; 1 accepts only ``like``'s aspect.
            Defaults to 2.

    Returns:
        tuple[int, int] | None: None when no grid fits (e.g. a prime count
        and a non-square ``like``).
    """
    if num_tokens < 1:
        return None
    side = math.isqrt(num_tokens)
    if side * side == num_tokens:
        return side, side
    rows_like, cols_like = like
    target = math.log(rows_like / cols_like)
    best, best_distance = None, math.log(max_aspect_change)
    for rows in range(1, num_tokens + 1):
        if num_tokens % rows:
            continue
        cols = num_tokens // rows
        if rows * cols_like == cols * rows_like:
            return rows, cols
        distance = abs(math.log(rows / cols) - target)
        if distance <= best_distance:
            best, best_distance = (rows, cols), distance
    return best


def resize_pos_embed(pos_embed: Tensor, src_grid: Grid,
                     dst_grid: Grid) -> Tensor:
    """Bicubically resample a (1, H*W, D) position embedding to a new grid.

    Args:
        pos_embed (Tensor): Embedding of shape (1, src_h * src_w, D), without
            any class-token slot.
        src_grid (tuple[int, int]): (rows, cols) the embedding was made for.
        dst_grid (tuple[int, int]): (rows, cols) wanted.

    Returns:
        Tensor: Embedding of shape (1, dst_h * dst_w, D).

    Raises:
        ValueError: ``pos_embed`` does not have ``src_grid``'s positions.
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


def pad_patch_kernel(weight: Tensor, size: Pair) -> Tensor:
    """Zero-pad a (D, C, h, w) patch kernel to ``size``, centred.

    The official ViTPose-H recipe: MAE ViT-H/14 kernels padded to 16x16
    (one zero pixel on every side), odd differences putting the extra zero
    at the bottom/right.

    Raises:
        ValueError: ``size`` smaller than the kernel.
    """
    height, width = to_2tuple(size)
    pad_h, pad_w = height - weight.shape[-2], width - weight.shape[-1]
    if pad_h < 0 or pad_w < 0:
        raise ValueError(f'cannot pad a {tuple(weight.shape[-2:])} kernel '
                         f'to a smaller {(height, width)}')
    return F.pad(weight, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2,
                          pad_h - pad_h // 2))
