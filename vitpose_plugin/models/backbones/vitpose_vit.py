"""The plain Vision Transformer backbone of ViTPose."""
from typing import Dict, Sequence, Set, Tuple, Union

import torch
from mmengine.model import BaseModule
from mmpose.registry import MODELS
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from ..layers import PatchEmbed, TransformerBlock, resize_pos_embed
from ..layers.utils import to_2tuple
from ..utils import (check_loaded_shapes, load_pretrained_backbone,
                     resize_pos_embed_on_load)

#: Published ViTPose sizes. ``mlp_ratio`` is 4 for all of them.
ARCH_ZOO: Dict[str, Dict[str, int]] = {
    'small': dict(embed_dims=384, depth=12, num_heads=12, mlp_ratio=4),
    'base': dict(embed_dims=768, depth=12, num_heads=12, mlp_ratio=4),
    'large': dict(embed_dims=1024, depth=24, num_heads=16, mlp_ratio=4),
    'huge': dict(embed_dims=1280, depth=32, num_heads=16, mlp_ratio=4),
}
ARCH_ALIASES = {'s': 'small', 'b': 'base', 'l': 'large', 'h': 'huge'}
_ARCH_KEYS = {'embed_dims', 'depth', 'num_heads', 'mlp_ratio'}


def resolve_arch(arch: Union[str, dict]) -> Dict[str, int]:
    """Turn an arch name (``'base'``, ``'b'``...) or dict into its settings.

    Raises:
        KeyError: unknown arch name.
        ValueError: a dict missing or adding keys.
    """
    if isinstance(arch, str):
        name = ARCH_ALIASES.get(arch.lower(), arch.lower())
        if name not in ARCH_ZOO:
            raise KeyError(f'unknown ViTPose arch {arch!r}; choose one of '
                           f'{sorted(ARCH_ZOO)} or pass a dict with keys '
                           f'{sorted(_ARCH_KEYS)}')
        return dict(ARCH_ZOO[name])
    arch = dict(arch)
    arch.setdefault('mlp_ratio', 4)
    missing, unknown = _ARCH_KEYS - set(arch), set(arch) - _ARCH_KEYS
    if missing or unknown:
        raise ValueError(f'a custom arch needs exactly the keys '
                         f'{sorted(_ARCH_KEYS)}; missing {sorted(missing)}, '
                         f'unknown {sorted(unknown)}')
    return arch


@MODELS.register_module()
class ViTPoseBackbone(BaseModule):
    """ViTPose: a plain, non-hierarchical ViT that outputs a 1/16 feature map.

    Semantics follow the official ViTPose model: a padded convolutional patch
    embedding, no class token, a learned absolute position embedding, pre-norm
    blocks (LayerNorm eps 1e-6) with linearly increasing drop path and a final
    LayerNorm. Outputs are reshaped to (B, C, H/16, W/16).

    Args:
        arch (str | dict): ``'small'``, ``'base'``, ``'large'``, ``'huge'``
            (or ``'s'``/``'b'``/``'l'``/``'h'``), or a dict with
            ``embed_dims``, ``depth``, ``num_heads`` and optional
            ``mlp_ratio``. Defaults to ``'base'``.
        img_size (int | tuple): Training input (H, W); sets the position
            embedding grid. Other input sizes are served by interpolation.
            Defaults to (256, 192).
        patch_size (int): Patch-embedding kernel. Defaults to 16.
        patch_padding (int): Patch-embedding padding. Defaults to 2.
        in_channels (int): Image channels. Defaults to 3.
        qkv_bias (bool): Bias on the qkv projections. Defaults to True.
        drop_rate (float): Dropout after embeddings and projections.
            Defaults to 0.
        attn_drop_rate (float): Attention dropout. Defaults to 0.
        drop_path_rate (float): Drop-path probability of the last block; it
            rises linearly from 0 at the first. Defaults to 0.
        out_indices (int | Sequence[int]): Blocks whose output is returned;
            negative indices count from the end. Defaults to -1.
        final_norm (bool): Apply the final LayerNorm to the last block's
            output. Defaults to True.
        with_cp (bool): Gradient checkpointing of every block.
            Defaults to False.
        init_cfg (dict | list, optional): mmengine initialisation config.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: Union[int, Tuple[int, int]] = (256, 192),
                 patch_size: int = 16,
                 patch_padding: int = 2,
                 in_channels: int = 3,
                 qkv_bias: bool = True,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 out_indices: Union[int, Sequence[int]] = -1,
                 final_norm: bool = True,
                 with_cp: bool = False,
                 init_cfg: Union[dict, list, None] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        settings = resolve_arch(arch)
        self.embed_dims = settings['embed_dims']
        self.depth = settings['depth']
        self.num_heads = settings['num_heads']
        self.img_size = to_2tuple(img_size)
        self.with_cp = with_cp
        self.final_norm = final_norm

        self.patch_embed = PatchEmbed(
            in_channels=in_channels,
            embed_dims=self.embed_dims,
            patch_size=patch_size,
            padding=patch_padding)
        self.grid_size = self.patch_embed.grid_size(self.img_size)
        self.pos_embed = nn.Parameter(
            torch.zeros(1, self.grid_size[0] * self.grid_size[1],
                        self.embed_dims))
        self.pos_drop = nn.Dropout(drop_rate)

        drop_paths = torch.linspace(0, drop_path_rate, self.depth).tolist()
        self.blocks = nn.ModuleList(
            TransformerBlock(
                self.embed_dims,
                self.num_heads,
                mlp_ratio=settings['mlp_ratio'],
                qkv_bias=qkv_bias,
                drop=drop_rate,
                attn_drop=attn_drop_rate,
                drop_path=drop_paths[i]) for i in range(self.depth))
        self.last_norm = nn.LayerNorm(self.embed_dims, eps=1e-6) \
            if final_norm else nn.Identity()

        self.out_indices = self._normalise_out_indices(out_indices)
        if not init_cfg:
            self._init_random_weights()
        # Resize first, so a checkpoint for another input size still fits.
        self._register_load_state_dict_pre_hook(
            resize_pos_embed_on_load, with_module=True)
        self._register_load_state_dict_pre_hook(
            check_loaded_shapes, with_module=True)

    def _normalise_out_indices(
            self, out_indices: Union[int, Sequence[int]]) -> Tuple[int, ...]:
        indices = [out_indices] if isinstance(out_indices, int) \
            else list(out_indices)
        normalised = []
        for index in indices:
            positive = index + self.depth if index < 0 else index
            if not 0 <= positive < self.depth:
                raise ValueError(f'out index {index} is outside a '
                                 f'{self.depth}-block backbone')
            normalised.append(positive)
        return tuple(normalised)

    def _init_random_weights(self) -> None:
        nn.init.trunc_normal_(self.pos_embed, std=.02)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def init_weights(self) -> None:
        """Load ``init_cfg=dict(type='Pretrained', checkpoint=PATH[,
        prefix=P])`` strictly from any supported layout (MAE, ViTPose); any
        other init_cfg is mmengine's."""
        if isinstance(self.init_cfg, dict) and \
                self.init_cfg.get('type') == 'Pretrained':
            load_pretrained_backbone(
                self,
                self.init_cfg['checkpoint'],
                prefix=self.init_cfg.get('prefix'),
                map_location=self.init_cfg.get('map_location', 'cpu'))
            self._is_init = True
            return
        super().init_weights()

    # Hooks used by the rest of the stack ------------------------------------
    def no_weight_decay(self) -> Set[str]:
        """Parameter names (relative to this module) exempt from decay."""
        return {'pos_embed'}

    def get_layer_depth(self, param_name: str) -> Tuple[int, int]:
        """Layer id of a parameter for layer-wise learning-rate decay.

        Args:
            param_name (str): Name relative to this backbone
                (``'blocks.3.attn.qkv.weight'``).

        Returns:
            tuple[int, int]: ``(layer_id, num_layers)``: 0 for the patch and
            position embeddings, ``i + 1`` for block ``i``, ``depth + 1``
            for the final norm; ``num_layers`` is the number of blocks.
        """
        if param_name.startswith(('patch_embed.', 'pos_embed')):
            return 0, self.depth
        if param_name.startswith('blocks.'):
            return int(param_name.split('.')[1]) + 1, self.depth
        return self.depth + 1, self.depth

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        """Recompute block activations in backward to save memory."""
        self.with_cp = enable

    # Forward -----------------------------------------------------------------
    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Encode images (B, 3, H, W) into feature maps (B, C, H/16, W/16)."""
        batch = x.shape[0]
        x, grid = self.patch_embed(x)
        x = self.pos_drop(
            x + resize_pos_embed(self.pos_embed, self.grid_size, grid))

        outs = []
        for index, block in enumerate(self.blocks):
            if self.with_cp and self.training and x.requires_grad:
                x = checkpoint(block, x, use_reentrant=False)
            else:
                x = block(x)
            if index == self.depth - 1:
                x = self.last_norm(x)
            if index in self.out_indices:
                outs.append(
                    x.transpose(1, 2).reshape(batch, self.embed_dims, *grid))
        return tuple(outs)
