"""mmpretrain's MAE reconstruction head for non-square images."""
from typing import Tuple, Union

from mmpretrain.models import MAEPretrainHead
from mmpretrain.registry import MODELS
from torch import Tensor

from ..token_grid import tiled_patch_grid


@MODELS.register_module()
class ViTPoseMAEPretrainHead(MAEPretrainHead):
    """MAE's loss on the masked patches, with (normalised) pixel targets of
    rows x cols patches; mmpretrain's :class:`MAEPretrainHead` assumes
    square images.

    Args:
        loss (dict): The loss, e.g. ``dict(type='PixelReconstructionLoss',
            criterion='L2')``.
        norm_pix (bool): Normalise each target patch by its own mean and
            variance (MAE's best setting). Defaults to True.
        img_size (int | tuple): Input (H, W), multiples of ``patch_size``.
            Defaults to (256, 192).
        patch_size (int): Patch side. Defaults to 16.
        in_channels (int): Image channels. Defaults to 3.
    """

    def __init__(self,
                 loss: dict,
                 norm_pix: bool = True,
                 img_size: Union[int, Tuple[int, int]] = (256, 192),
                 patch_size: int = 16,
                 in_channels: int = 3) -> None:
        super().__init__(
            loss=loss, norm_pix=norm_pix, patch_size=patch_size,
            in_channels=in_channels)
        self.grid = tiled_patch_grid(img_size, patch_size)

    def patchify(self, imgs: Tensor) -> Tensor:
        """(B, C, H, W) images -> (B, rows*cols, p*p*C) patches, row-major,
        pixels of a patch in (row, col, channel) order.

        Raises:
            ValueError: images of another size than ``img_size``.
        """
        p = self.patch_size
        rows, cols = self.grid
        if imgs.dim() != 4 or tuple(imgs.shape[1:]) != (
                self.in_channels, rows * p, cols * p):
            raise ValueError(
                f'expected ({self.in_channels}, {rows * p}, {cols * p}) '
                f'images (img_size), got {tuple(imgs.shape)}')
        x = imgs.reshape(imgs.shape[0], self.in_channels, rows, p, cols, p)
        x = x.permute(0, 2, 4, 3, 5, 1)
        return x.reshape(imgs.shape[0], rows * cols, p * p * self.in_channels)

    def unpatchify(self, x: Tensor) -> Tensor:
        """The inverse of :meth:`patchify`: (B, rows*cols, p*p*C) ->
        (B, C, H, W)."""
        p = self.patch_size
        rows, cols = self.grid
        if x.dim() != 3 or tuple(x.shape[1:]) != (
                rows * cols, p * p * self.in_channels):
            raise ValueError(
                f'expected (B, {rows * cols}, {p * p * self.in_channels}) '
                f'patches, got {tuple(x.shape)}')
        x = x.reshape(x.shape[0], rows, cols, p, p, self.in_channels)
        x = x.permute(0, 5, 1, 3, 2, 4)
        return x.reshape(x.shape[0], self.in_channels, rows * p, cols * p)
