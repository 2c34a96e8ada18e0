"""The plain Vision Transformer backbone of ViTPose."""
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import torch
from mmengine.model import BaseModule
from mmpose.registry import MODELS
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from ...token_grid import resize_pos_embed, to_2tuple
from ..layers import PatchEmbed, TransformerBlock, resolve_attn_types
from ..layers.mlp import check_group_sizes
from ..utils.state_dict_hooks import (check_loaded_shapes,
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
#: The initializer (registered by ``vitpose_plugin.checkpoints``) that
#: reads a backbone from any checkpoint layout; mmengine's ``'Pretrained'``
#: in a backbone's init_cfg means it.
PRETRAINED_INIT = 'ViTPosePretrained'


def _pretrained_any_layout(
        init_cfg: Union[dict, list, None]) -> Union[dict, list, None]:
    """``init_cfg`` with ``type='Pretrained'`` read as
    :data:`PRETRAINED_INIT` (mmengine's loader reads no other layout)."""
    if isinstance(init_cfg, (list, tuple)):
        return [_pretrained_any_layout(cfg) for cfg in init_cfg]
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        return {**init_cfg, 'type': PRETRAINED_INIT}
    return init_cfg


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

    The variants studied in the paper are selected from the config:
    attention type per block (full, window, shifted window, pooling window;
    sec. 3.3 / 4.4), overlapping patches (``patch_stride``), the ViTPose-H
    14x14 kernel in a 16x16 patch embedding (``patch_kernel_size``) and
    partial fine-tuning (``freeze_attn``, ``freeze_ffn``,
    ``frozen_stages``; sec. 4.5). For example, window attention with a
    shifted window every other block and full attention in the last block
    of each third of ViTPose-B::

        backbone = dict(
            type='ViTPoseBackbone', arch='base',
            attn_types=('window', 'shift_window', 'window', 'full'),
            attn_cfg=dict(window_size=(8, 8), rel_pos_bias=True))

    Args:
        arch (str | dict): ``'small'``, ``'base'``, ``'large'``, ``'huge'``
            (or ``'s'``/``'b'``/``'l'``/``'h'``), or a dict with
            ``embed_dims``, ``depth``, ``num_heads`` and optional
            ``mlp_ratio``. Defaults to ``'base'``.
        img_size (int | tuple): Training input (H, W); sets the position
            embedding grid, which windowed blocks build their window tensors
            for. Other input sizes are served by interpolation (and window
            tensors built per call). Defaults to (256, 192).
        patch_size (int): Patch-embedding kernel. Defaults to 16.
        patch_padding (int): Patch-embedding padding. Defaults to 2.
        patch_stride (int | tuple, optional): Patch-embedding stride; smaller
            than ``patch_size`` gives overlapping patches and a finer grid.
            ``None`` is ``patch_size``. Defaults to None.
        patch_kernel_size (int, optional): Active kernel centred in the
            ``patch_size`` convolution, e.g. 14 for ViTPose-H with MAE
            ViT-H/14 weights; the ring around it starts at zero.
            Defaults to None (the whole kernel).
        keep_kernel_ring_zero (bool): Keep that ring at zero while training
            (the official model trains it). Defaults to False.
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
        attn_types (str | Sequence[str]): Attention of each block: one of
            ``'full'``, ``'window'``, ``'shift_window'``, ``'pool_window'``,
            ``'shift_pool_window'`` for all blocks, one per block, or a
            pattern whose length divides ``depth`` repeated over the blocks.
            Defaults to ``'full'`` (the official model).
        attn_cfg (dict, optional): Settings of the windowed blocks, e.g.
            ``dict(window_size=(16, 12), shift_size=None,
            rel_pos_bias=True)``; the keys are documented in
            :func:`~vitpose_plugin.models.layers.build_attention`, unknown
            keys are an error. The relative position bias tables
            (``blocks.N.attn.relative_position_bias_table``) get no weight
            decay. Defaults to None: ``dict(window_size=8, shift_size=None,
            rel_pos_bias=False)``.
        freeze_attn (bool): Freeze every block's attention and ``norm1``.
            Defaults to False.
        freeze_ffn (bool): Freeze every block's MLP (with its experts) and
            ``norm2``. Defaults to False.
        frozen_stages (int): -1 freezes nothing, 0 the patch and position
            embeddings, ``k`` also the first ``k`` blocks; ``depth`` freezes
            everything including the final norm. Frozen parts get
            ``requires_grad=False`` and stay in eval mode (no dropout or
            drop path) through ``train()``. Defaults to -1.
        knowledge_tokens (int): Learnable knowledge tokens (paper sec. 3.4)
            appended to the patch tokens after the position embedding and
            dropped before the output; needs full attention in every block.
            Defaults to 0 (none).
        freeze_knowledge_token (bool): Keep the knowledge tokens fixed
            (``requires_grad=False``), e.g. a student using the teacher's
            tuned token. Defaults to False.
        num_experts (int): ViTPose++ dataset experts in every block's MLP
            (one per dataset): ``fc2`` keeps ``embed_dims - expert_dims``
            outputs and ``blocks.N.mlp.experts.E`` adds ``expert_dims``;
            :meth:`forward` then needs ``group_sizes``. Defaults to 0 (the
            plain MLP).
        expert_dims (int, optional): Output width of each expert, in
            ``(0, embed_dims)``; 192 for ViTPose++-S/B, 256 for L, 320 for
            H. Required with experts. Defaults to None.
        init_cfg (dict | list, optional): mmengine initialisation config;
            ``dict(type='ViTPosePretrained', checkpoint=PATH[, prefix=P])``
            (or mmengine's ``type='Pretrained'``, read the same way) loads
            the backbone strictly from any supported checkpoint layout
            (MAE, ViTPose). Defaults to None.
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
                 patch_stride: Union[int, Tuple[int, int], None] = None,
                 patch_kernel_size: Union[int, Tuple[int, int], None] = None,
                 keep_kernel_ring_zero: bool = False,
                 attn_types: Union[str, Sequence[str]] = 'full',
                 attn_cfg: Optional[dict] = None,
                 freeze_attn: bool = False,
                 freeze_ffn: bool = False,
                 frozen_stages: int = -1,
                 knowledge_tokens: int = 0,
                 freeze_knowledge_token: bool = False,
                 num_experts: int = 0,
                 expert_dims: Optional[int] = None,
                 init_cfg: Union[dict, list, None] = None) -> None:
        super().__init__(init_cfg=_pretrained_any_layout(init_cfg))
        settings = resolve_arch(arch)
        self.embed_dims = settings['embed_dims']
        self.depth = settings['depth']
        self.num_heads = settings['num_heads']
        self.img_size = to_2tuple(img_size)
        self.with_cp = with_cp
        self.final_norm = final_norm
        self.attn_types = resolve_attn_types(attn_types, self.depth)
        if not -1 <= frozen_stages <= self.depth:
            raise ValueError(f'frozen_stages must lie in [-1, {self.depth}], '
                             f'got {frozen_stages}')
        self.frozen_stages = frozen_stages
        self.freeze_attn = freeze_attn
        self.freeze_ffn = freeze_ffn
        self.num_experts = num_experts
        self.expert_dims = expert_dims

        self.patch_embed = PatchEmbed(
            in_channels=in_channels,
            embed_dims=self.embed_dims,
            patch_size=patch_size,
            stride=patch_stride,
            padding=patch_padding,
            kernel_size=patch_kernel_size,
            keep_kernel_ring_zero=keep_kernel_ring_zero)
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
                drop_path=drop_paths[i],
                attn_type=attn_type,
                attn_cfg=attn_cfg,
                grid=self.grid_size,
                num_experts=num_experts,
                expert_dims=expert_dims)
            for i, attn_type in enumerate(self.attn_types))
        self.last_norm = nn.LayerNorm(self.embed_dims, eps=1e-6) \
            if final_norm else nn.Identity()

        self.out_indices = self._normalise_out_indices(out_indices)
        if not init_cfg:
            self._init_random_weights()
        self.knowledge_tokens = knowledge_tokens
        self._build_knowledge_token(knowledge_tokens, freeze_knowledge_token)
        # Resize first, so a checkpoint for another input size still fits.
        self._register_load_state_dict_pre_hook(
            resize_pos_embed_on_load, with_module=True)
        self._register_load_state_dict_pre_hook(
            check_loaded_shapes, with_module=True)
        self._frozen_module_names = self._freeze()
        self.train(self.training)

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

    def _build_knowledge_token(self, count: int, freeze: bool) -> None:
        if count < 0:
            raise ValueError(f'knowledge_tokens must be >= 0, got {count}')
        if count == 0:
            return
        windowed = sorted({t for t in self.attn_types if t != 'full'})
        if windowed:
            raise ValueError(f'knowledge_tokens need full attention in every '
                             f'block; this backbone has {windowed} blocks, '
                             f'whose windows have no slot for extra tokens')
        self.knowledge_token = nn.Parameter(
            torch.zeros(1, count, self.embed_dims), requires_grad=not freeze)
        # On a forked RNG: adding a token leaves the random initialisation of
        # everything else (this backbone, the head built next) unchanged.
        with torch.random.fork_rng(devices=[]):
            nn.init.trunc_normal_(self.knowledge_token, std=.02)

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

    # Partial fine-tuning ----------------------------------------------------
    def _freeze(self) -> List[str]:
        """Stop gradients of the frozen parts; return their module names."""
        names: List[str] = []
        if self.frozen_stages >= 0:
            self.pos_embed.requires_grad_(False)
            names += ['patch_embed', 'pos_drop']
        for index in range(self.depth):
            prefix = f'blocks.{index}'
            if index < self.frozen_stages:
                names.append(prefix)
                continue
            if self.freeze_attn:
                names += [f'{prefix}.{part}'
                          for part in ('norm1', 'attn', 'drop_path1')]
            if self.freeze_ffn:
                names += [f'{prefix}.{part}'
                          for part in ('norm2', 'mlp', 'drop_path2')]
        if self.frozen_stages == self.depth:
            names.append('last_norm')
        for name in names:
            self.get_submodule(name).requires_grad_(False)
        return names

    def train(self, mode: bool = True) -> 'ViTPoseBackbone':
        """Set train/eval mode, keeping frozen parts in eval mode."""
        super().train(mode)
        for name in self._frozen_module_names:
            self.get_submodule(name).eval()
        return self

    # Hooks used by the rest of the stack ------------------------------------
    def no_weight_decay(self) -> Set[str]:
        """Parameter names (relative to this module) exempt from decay: the
        position embedding, knowledge tokens and relative position bias
        tables."""
        return {'pos_embed'} | {
            name
            for name, _ in self.named_parameters()
            if name.endswith('relative_position_bias_table')
            or name == 'knowledge_token'
        }

    def get_layer_depth(self,
                        param_name: str,
                        prefix: str = '') -> Tuple[int, int]:
        """Layer depth of a parameter for layer-wise learning-rate decay,
        with mmpretrain's contract (``VisionTransformer.get_layer_depth``).

        Args:
            param_name (str): Parameter name (``'blocks.3.attn.qkv.weight'``,
                or ``prefix`` + that).
            prefix (str): Prefix of this backbone's parameters, e.g.
                ``'backbone.'``; other names belong to later modules (the
                head). Defaults to ``''``.

        Returns:
            tuple[int, int]: ``(layer_depth, num_layers)`` with
            ``num_layers = depth + 2``: 0 for the patch and position
            embeddings and the knowledge tokens, ``i + 1`` for block ``i``,
            ``num_layers - 1`` for the final norm and anything after the
            backbone. A constructor scales the lr by
            ``rate ** (num_layers - layer_depth - 1)``.
        """
        num_layers = self.depth + 2
        if not param_name.startswith(prefix):
            return num_layers - 1, num_layers
        param_name = param_name[len(prefix):]
        if param_name.startswith(
                ('patch_embed.', 'pos_embed', 'knowledge_token')):
            return 0, num_layers
        if param_name.startswith('blocks.'):
            return int(param_name.split('.')[1]) + 1, num_layers
        return num_layers - 1, num_layers

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        """Recompute block activations in backward to save memory."""
        self.with_cp = enable

    # Forward -----------------------------------------------------------------
    def forward(
            self,
            x: Tensor,
            knowledge_token: Optional[Tensor] = None,
            group_sizes: Optional[Sequence[int]] = None) -> Tuple[Tensor, ...]:
        """Encode images (B, 3, H, W) into feature maps (B, C, H/16, W/16).

        Args:
            x (Tensor): Images (B, 3, H, W).
            knowledge_token (Tensor, optional): (1 or B, n, C) tokens used
                instead of the ``knowledge_token`` parameter (a distiller
                passes the teacher's projected token). Defaults to None.
            group_sizes (Sequence[int], optional): With experts (and only
                then), the number of samples of each dataset, ``num_experts``
                ints summing to B (zeros allowed); the batch must be sorted
                by dataset index. Defaults to None.
        """
        batch = x.shape[0]
        if self.num_experts:
            check_group_sizes(group_sizes, self.num_experts, batch)
            group_sizes = tuple(group_sizes)
        elif group_sizes is not None:
            raise ValueError('group_sizes given to a backbone built with '
                             'num_experts=0 (no dataset experts)')
        x, grid = self.patch_embed(x)
        x = self.pos_drop(
            x + resize_pos_embed(self.pos_embed, self.grid_size, grid))
        num_extra = self.knowledge_tokens
        if num_extra:
            token = self.knowledge_token if knowledge_token is None \
                else knowledge_token
            if token.shape[1:] != self.knowledge_token.shape[1:]:
                raise ValueError(
                    f'knowledge_token must be (1 or B, {num_extra}, '
                    f'{self.embed_dims}), got {tuple(token.shape)}')
            x = torch.cat([token.to(x.dtype).expand(batch, -1, -1), x], 1)
        elif knowledge_token is not None:
            raise ValueError('knowledge_token given to a backbone built '
                             'with knowledge_tokens=0')

        outs = []
        for index, block in enumerate(self.blocks):
            if self.with_cp and self.training and x.requires_grad:
                x = checkpoint(block, x, grid, group_sizes,
                               use_reentrant=False)
            else:
                x = block(x, grid, group_sizes)
            if index == self.depth - 1:
                x = self.last_norm(x)
            if index in self.out_indices:
                outs.append(x[:, num_extra:].transpose(1, 2).reshape(
                    batch, self.embed_dims, *grid))
        return tuple(outs)
