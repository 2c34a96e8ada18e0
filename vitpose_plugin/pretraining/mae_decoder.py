"""mmpretrain's MAE decoder on a non-square patch grid."""
from typing import List, Optional, Tuple, Union

import torch
from mmengine.model import BaseModule
from mmpretrain.models import MAEPretrainDecoder
from mmpretrain.registry import MODELS

from ..token_grid import tiled_patch_grid
from .sincos_pos_embed import sincos_pos_embed


@MODELS.register_module()
class ViTPoseMAEPretrainDecoder(MAEPretrainDecoder):
    """MAE's decoder (mask tokens, fixed sine-cosine position embedding,
    pre-norm blocks, per-patch pixel prediction) for a rows x cols grid.

    mmpretrain's :class:`MAEPretrainDecoder` builds its position embedding
    for a square grid of ``num_patches``; this one takes the input size
    and follows the real grid, e.g. 16x12 at 256x192.

    Args:
        img_size (int | tuple): Input (H, W) of the encoder, multiples of
            ``patch_size``. Defaults to (256, 192).
        patch_size (int): Patch side. Defaults to 16.
        in_chans (int): Image channels. Defaults to 3.
        embed_dim (int): Encoder width. Defaults to 768.
        decoder_embed_dim (int): Decoder width. Defaults to 512 (MAE).
        decoder_depth (int): Decoder blocks. Defaults to 8 (MAE).
        decoder_num_heads (int): Decoder heads. Defaults to 16 (MAE).
        mlp_ratio (int): Decoder MLP ratio. Defaults to 4.
        init_cfg (dict | list, optional): mmengine initialisation config.
    """

    def __init__(self,
                 img_size: Union[int, Tuple[int, int]] = (256, 192),
                 patch_size: int = 16,
                 in_chans: int = 3,
                 embed_dim: int = 768,
                 decoder_embed_dim: int = 512,
                 decoder_depth: int = 8,
                 decoder_num_heads: int = 16,
                 mlp_ratio: int = 4,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        self.grid = tiled_patch_grid(img_size, patch_size)
        if decoder_embed_dim % decoder_num_heads or decoder_embed_dim % 4:
            raise ValueError(
                f'decoder_embed_dim={decoder_embed_dim} must be divisible by '
                f'decoder_num_heads={decoder_num_heads} and by 4 (the '
                f'sine-cosine embedding)')
        super().__init__(
            num_patches=self.grid[0] * self.grid[1],
            patch_size=patch_size,
            in_chans=in_chans,
            embed_dim=embed_dim,
            decoder_embed_dim=decoder_embed_dim,
            decoder_depth=decoder_depth,
            decoder_num_heads=decoder_num_heads,
            mlp_ratio=mlp_ratio,
            init_cfg=init_cfg)

    def init_weights(self) -> None:
        """As ``MAEPretrainDecoder.init_weights`` on the real grid."""
        BaseModule.init_weights(self)
        self.decoder_pos_embed.data.copy_(
            sincos_pos_embed(self.grid, self.decoder_pos_embed.shape[-1]))
        torch.nn.init.normal_(self.mask_token, std=.02)
