"""Convolutional patch embedding used by the ViTPose backbone."""
from typing import Tuple, Union

import torch
from torch import Tensor, nn

from .utils import to_2tuple


class PatchEmbed(nn.Module):
    """Split an image into patches with a strided convolution.

    ViTPose uses a 16x16 convolution with stride 16 and **padding 2**, which
    turns a 256x192 crop into a 16x12 token grid. A stride smaller than the
    kernel gives overlapping patches.

    Args:
        in_channels (int): Image channels. Defaults to 3.
        embed_dims (int): Token width. Defaults to 768.
        patch_size (int | tuple): Convolution kernel size. Defaults to 16.
        stride (int | tuple, optional): Convolution stride. ``None`` means
            ``patch_size`` (non-overlapping patches). Defaults to None.
        padding (int | tuple): Zero padding on each side. Defaults to 2.
    """

    def __init__(self,
                 in_channels: int = 3,
                 embed_dims: int = 768,
                 patch_size: Union[int, Tuple[int, int]] = 16,
                 stride: Union[int, Tuple[int, int], None] = None,
                 padding: Union[int, Tuple[int, int]] = 2) -> None:
        super().__init__()
        self.patch_size = to_2tuple(patch_size)
        self.stride = to_2tuple(stride) if stride is not None \
            else self.patch_size
        self.padding = to_2tuple(padding)
        self.proj = nn.Conv2d(
            in_channels,
            embed_dims,
            kernel_size=self.patch_size,
            stride=self.stride,
            padding=self.padding)

    def grid_size(self, image_size: Tuple[int, int]) -> Tuple[int, int]:
        """Token grid (rows, cols) produced for an ``(H, W)`` image."""
        return tuple(  # type: ignore[return-value]
            (size + 2 * pad - kernel) // stride + 1 for size, pad, kernel,
            stride in zip(image_size, self.padding, self.patch_size,
                          self.stride))

    def forward(self, x: Tensor) -> Tuple[Tensor, Tuple[int, int]]:
        """Embed ``x`` (B, C, H, W) into tokens (B, N, D) and their grid."""
        x = self.proj(x)
        grid = (x.shape[2], x.shape[3])
        return x.flatten(2).transpose(1, 2), grid
