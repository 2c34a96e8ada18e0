"""A pre-norm transformer encoder block."""
from typing import Optional, Tuple, Union

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
        window_size (int | tuple[int, int]): Window of windowed attention.
            Defaults to 8.
        shift_size (int | tuple[int, int], optional): Shift of shifted
            windows; ``None`` is half the window. Defaults to None.
        rel_pos_bias (bool): Relative position bias in windowed attention.
            Defaults to False.
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
                 window_size: Union[int, Tuple[int, int]] = 8,
                 shift_size: Union[int, Tuple[int, int], None] = None,
                 rel_pos_bias: bool = False) -> None:
        super().__init__()
        self.attn_type = attn_type
        self.norm1 = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.attn = build_attention(
            attn_type,
            embed_dims,
            num_heads,
            window_size=window_size,
            shift_size=shift_size,
            rel_pos_bias=rel_pos_bias,
            qkv_bias=qkv_bias,
            attn_drop=attn_drop,
            proj_drop=drop)
        self.drop_path1 = StochasticDepth(drop_path, mode='row')
        self.norm2 = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.mlp = Mlp(embed_dims, int(embed_dims * mlp_ratio), drop=drop)
        self.drop_path2 = StochasticDepth(drop_path, mode='row')

    def forward(self,
                x: Tensor,
                grid: Optional[Tuple[int, int]] = None) -> Tensor:
        """Transform tokens ``x`` (B, N, D) laid out on a (H, W) ``grid``
        (needed by windowed attention)."""
        x = x + self.drop_path1(self.attn(self.norm1(x), grid))
        return x + self.drop_path2(self.mlp(self.norm2(x)))
