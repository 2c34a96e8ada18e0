"""mmpretrain's MAE encoder on a non-square patch grid, in ViTPose sizes."""
from typing import List, Optional, Tuple, Union

import torch
from mmpretrain.models import MAEViT, VisionTransformer
from mmpretrain.registry import MODELS

from ..models.backbones.vitpose_vit import resolve_arch
from ..token_grid import tiled_patch_grid, to_2tuple
from .sincos_pos_embed import sincos_pos_embed


@MODELS.register_module()
class ViTPoseMAEViT(MAEViT):
    """MAE encoder with ViTPose's sizes and a rows x cols patch grid.

    mmpretrain's :class:`MAEViT` (random masking, class token, fixed
    sine-cosine position embedding, pre-norm blocks with LayerNorm eps
    1e-6), except that the embedding follows the real grid, e.g. 16x12 at
    256x192 (``MAEViT`` assumes a square one), and that ``arch`` names
    ViTPose's sizes, so the weights have exactly the shapes of
    ``ViTPoseBackbone(arch=...)`` and load into it through ``init_cfg``
    (layout ``mae_mmpretrain``). The patch embedding is the plain one of
    MAE (kernel = stride = ``patch_size``, no padding).

    Args:
        arch (str | dict): A ViTPose arch (``'small'``, ``'base'``,
            ``'large'``, ``'huge'``) or a dict with ``embed_dims``,
            ``depth``, ``num_heads`` and optional ``mlp_ratio``, as for
            ``ViTPoseBackbone``. Defaults to ``'base'``.
        img_size (int | tuple): Input (H, W), multiples of ``patch_size``.
            Defaults to (256, 192).
        patch_size (int): Patch side. Defaults to 16.
        mask_ratio (float): Fraction of patches masked, in (0, 1), leaving
            at least one visible. Defaults to 0.75.
        drop_path_rate (float): Stochastic depth of the last block.
            Defaults to 0.
        init_cfg (dict | list, optional): mmengine initialisation config.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: Union[int, Tuple[int, int]] = (256, 192),
                 patch_size: int = 16,
                 mask_ratio: float = 0.75,
                 drop_path_rate: float = 0.,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        grid = tiled_patch_grid(img_size, patch_size)
        if not 0. < mask_ratio < 1. or \
                int(grid[0] * grid[1] * (1 - mask_ratio)) < 1:
            raise ValueError(
                f'mask_ratio must lie in (0, 1) and leave at least one of '
                f'the {grid[0] * grid[1]} patches visible, got {mask_ratio}')
        settings = resolve_arch(arch)
        super().__init__(
            arch=dict(
                embed_dims=settings['embed_dims'],
                num_layers=settings['depth'],
                num_heads=settings['num_heads'],
                feedforward_channels=settings['embed_dims'] *
                settings['mlp_ratio']),
            img_size=to_2tuple(img_size),
            patch_size=patch_size,
            drop_path_rate=drop_path_rate,
            mask_ratio=mask_ratio,
            init_cfg=init_cfg)
        self.grid = grid

    def init_weights(self) -> None:
        """As ``MAEViT.init_weights`` with the embedding of the real grid."""
        VisionTransformer.init_weights(self)
        if isinstance(self.init_cfg, dict) and \
                self.init_cfg.get('type') == 'Pretrained':
            return  # MAEViT would overwrite the loaded patch embedding
        self.pos_embed.data.copy_(
            sincos_pos_embed(self.grid, self.embed_dims, class_slot=True))
        weight = self.patch_embed.projection.weight.data
        torch.nn.init.xavier_uniform_(weight.view([weight.shape[0], -1]))
        torch.nn.init.normal_(self.cls_token, std=.02)
