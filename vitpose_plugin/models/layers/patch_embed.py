"""Convolutional patch embedding used by the ViTPose backbone."""
from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ...token_grid import conv_patch_grid, pad_patch_kernel, to_2tuple


class PatchEmbed(nn.Module):
    """Split an image into patches with a strided convolution.

    ViTPose uses a 16x16 convolution with stride 16 and **padding 2**, which
    turns a 256x192 crop into a 16x12 token grid. A stride smaller than the
    kernel gives overlapping patches (a finer token grid).

    ``kernel_size`` smaller than ``patch_size`` reproduces ViTPose-H: a
    14x14 kernel (as in MAE ViT-H/14) placed in the centre of a 16x16
    stride-16 convolution whose outer ring is zero at initialisation. The
    official code only zero-pads the 14x14 weights when loading them and
    then trains the full 16x16 kernel, so by default the ring is trainable;
    ``keep_kernel_ring_zero=True`` masks it in every forward instead (it
    then gets zero gradient and a loaded non-zero ring is ignored).

    Args:
        in_channels (int): Image channels. Defaults to 3.
        embed_dims (int): Token width. Defaults to 768.
        patch_size (int | tuple): Convolution kernel size. Defaults to 16.
        stride (int | tuple, optional): Convolution stride. ``None`` means
            ``patch_size`` (non-overlapping patches). Defaults to None.
        padding (int | tuple): Zero padding on each side. Defaults to 2.
        kernel_size (int | tuple, optional): Active kernel inside the
            ``patch_size`` convolution, centred; ``None`` is the whole
            kernel. Defaults to None.
        keep_kernel_ring_zero (bool): Keep the weights outside
            ``kernel_size`` at zero during training. Defaults to False.
    """

    def __init__(self,
                 in_channels: int = 3,
                 embed_dims: int = 768,
                 patch_size: Union[int, Tuple[int, int]] = 16,
                 stride: Union[int, Tuple[int, int], None] = None,
                 padding: Union[int, Tuple[int, int]] = 2,
                 kernel_size: Union[int, Tuple[int, int], None] = None,
                 keep_kernel_ring_zero: bool = False) -> None:
        super().__init__()
        self.patch_size = to_2tuple(patch_size)
        self.stride = to_2tuple(stride) if stride is not None \
            else self.patch_size
        if min(self.stride) < 1:
            raise ValueError(f'patch stride must be positive, got '
                             f'{self.stride}')
        self.padding = to_2tuple(padding)
        self.kernel_size = to_2tuple(kernel_size) if kernel_size is not None \
            else self.patch_size
        if any(k < 1 or k > p
               for k, p in zip(self.kernel_size, self.patch_size)):
            raise ValueError(f'kernel_size {self.kernel_size} must lie in '
                             f'[1, patch_size {self.patch_size}]')
        self.proj = nn.Conv2d(
            in_channels,
            embed_dims,
            kernel_size=self.patch_size,
            stride=self.stride,
            padding=self.padding)
        self.kernel_mask: Optional[Tensor]
        if self.kernel_size != self.patch_size:
            mask = pad_patch_kernel(
                torch.ones(1, 1, *self.kernel_size), self.patch_size)
            with torch.no_grad():
                self.proj.weight.mul_(mask)
            self.register_buffer(
                'kernel_mask',
                mask if keep_kernel_ring_zero else None,
                persistent=False)
        else:
            if keep_kernel_ring_zero:
                raise ValueError('keep_kernel_ring_zero needs a kernel_size '
                                 'smaller than patch_size')
            self.register_buffer('kernel_mask', None, persistent=False)

    def grid_size(self, image_size: Tuple[int, int]) -> Tuple[int, int]:
        """Token grid (rows, cols) produced for an ``(H, W)`` image."""
        return conv_patch_grid(image_size, self.patch_size, self.stride,
                               self.padding)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tuple[int, int]]:
        """Embed ``x`` (B, C, H, W) into tokens (B, N, D) and their grid."""
        if self.kernel_mask is None:
            x = self.proj(x)
        else:
            x = F.conv2d(x, self.proj.weight * self.kernel_mask,
                         self.proj.bias, self.stride, self.padding)
        grid = (x.shape[2], x.shape[3])
        return x.flatten(2).transpose(1, 2), grid
