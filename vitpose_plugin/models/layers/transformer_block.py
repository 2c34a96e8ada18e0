"""A pre-norm transformer encoder block."""
from typing import Any, Mapping, Optional, Sequence, Tuple

from torch import Tensor, nn
from torchvision.ops import StochasticDepth

from .attention_types import build_attention
from .mlp import Mlp


class TransformerBlock(nn.Module):
    """``x + attn(norm1(x))`` then ``x + mlp(norm2(x))``, with drop path.

    Each residual branch has its own drop-path module (``drop_path1`` for
    attention, ``drop_path2`` for the MLP) so that freezing one branch (eval
    mode) switches off only that branch's stochastic depth.

    Args:
        embed_dims (int): Token width.
        num_heads (int): Attention heads.
        mlp_ratio (float): Hidden width of the MLP over ``embed_dims``.
            Defaults to 4.
        qkv_bias (bool): Bias on the qkv projection. Defaults to True.
        drop (float): Dropout after projections. Defaults to 0.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        drop_path (float): Stochastic-depth probability of this block's
            residual branches. Defaults to 0.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-6.
        attn_type (str): See
            :data:`~vitpose_plugin.models.layers.ATTENTION_TYPES`.
            Defaults to ``'full'``.
        attn_cfg (dict, optional): Windowed-attention settings, see
            :func:`~vitpose_plugin.models.layers.build_attention`.
            Defaults to None (all defaults).
        grid (tuple[int, int], optional): Token grid (rows, cols) of the
            model, needed by windowed attention. Defaults to None.
        num_experts (int): Dataset experts of the MLP, see :class:`Mlp`.
            Defaults to 0 (none).
        expert_dims (int, optional): Output width of each expert.
            Defaults to None.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop: float = 0.,
                 attn_drop: float = 0.,
                 drop_path: float = 0.,
                 norm_eps: float = 1e-6,
                 attn_type: str = 'full',
                 attn_cfg: Optional[Mapping[str, Any]] = None,
                 grid: Optional[Tuple[int, int]] = None,
                 num_experts: int = 0,
                 expert_dims: Optional[int] = None) -> None:
        super().__init__()
        self.attn_type = attn_type
        self.norm1 = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.attn = build_attention(
            attn_type,
            embed_dims,
            num_heads,
            grid=grid,
            attn_cfg=attn_cfg,
            qkv_bias=qkv_bias,
            attn_drop=attn_drop,
            proj_drop=drop)
        self.drop_path1 = StochasticDepth(drop_path, mode='row')
        self.norm2 = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.mlp = Mlp(
            embed_dims,
            int(embed_dims * mlp_ratio),
            drop=drop,
            num_experts=num_experts,
            expert_dims=expert_dims)
        self.drop_path2 = StochasticDepth(drop_path, mode='row')

    def forward(self,
                x: Tensor,
                grid: Optional[Tuple[int, int]] = None,
                group_sizes: Optional[Sequence[int]] = None) -> Tensor:
        """Transform tokens ``x`` (B, N, D) laid out on a (H, W) ``grid``
        (needed by windowed attention); ``group_sizes`` select the MLP's
        dataset experts (see :class:`Mlp`)."""
        x = x + self.drop_path1(self.attn(self.norm1(x), grid))
        return x + self.drop_path2(self.mlp(self.norm2(x), group_sizes))
