"""Multi-head self-attention on top of PyTorch's fused SDPA kernels."""
from typing import Optional, Tuple

import torch.nn.functional as F
from torch import Tensor, nn


class MultiheadSelfAttention(nn.Module):
    """Global multi-head self-attention over a token sequence.

    The attention itself is :func:`torch.nn.functional.scaled_dot_product_attention`,
    which picks the flash / memory-efficient kernels on GPU and a fused
    kernel on CPU. Parameter names (``qkv``, ``proj``) follow the official
    ViTPose checkpoints.

    Args:
        embed_dims (int): Token width.
        num_heads (int): Number of attention heads; must divide
            ``embed_dims``.
        qkv_bias (bool): Add a bias to the query/key/value projection.
            Defaults to True.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        proj_drop (float): Dropout after the output projection.
            Defaults to 0.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 qkv_bias: bool = True,
                 attn_drop: float = 0.,
                 proj_drop: float = 0.) -> None:
        super().__init__()
        if embed_dims % num_heads != 0:
            raise ValueError(f'embed_dims ({embed_dims}) must be divisible '
                             f'by num_heads ({num_heads})')
        self.num_heads = num_heads
        self.head_dims = embed_dims // num_heads
        self.attn_drop = attn_drop
        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=qkv_bias)
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self,
                x: Tensor,
                grid: Optional[Tuple[int, int]] = None) -> Tensor:
        """Attend ``x`` (B, N, D) to itself; ``grid`` is not needed."""
        batch, tokens, dims = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads,
                                  self.head_dims).permute(2, 0, 3, 1, 4)
        query, key, value = qkv.unbind(0)
        x = F.scaled_dot_product_attention(
            query,
            key,
            value,
            dropout_p=self.attn_drop if self.training else 0.)
        x = x.transpose(1, 2).reshape(batch, tokens, dims)
        return self.proj_drop(self.proj(x))
