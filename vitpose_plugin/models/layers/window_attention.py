"""Window, shifted-window and pooling-window multi-head self-attention."""
import functools
from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .attention import MultiheadSelfAttention
from .relative_position_bias import (relative_position_bias,
                                     relative_position_table_size)
from .utils import to_2tuple
from .window_attention_mask import window_attention_mask
from .window_layout import WindowLayout, window_layout, window_token_index


class WindowAttention(MultiheadSelfAttention):
    """Self-attention restricted to non-overlapping windows of the grid.

    The variants studied in the ViTPose paper (sec. 3.3, table 4):

    - **window**: each token attends to the tokens of its window only.
    - **shifted window** (``shift=True``): the grid is cyclically rolled by
      ``shift_size`` before partitioning (Swin), so windows straddle the
      borders of the unshifted ones; tokens that the roll brought together
      from opposite borders are masked from each other.
    - **pooling window** (``pool=True``): the tokens of every (unshifted)
      window are average-pooled into one summary token, and all the summary
      tokens are appended to the keys and values of every window, so each
      query also sees a coarse global context. Pooling is done on the
      projected keys/values, which equals projecting pooled tokens since
      the projection is affine. Summary tokens get no relative position
      bias and ignore padding.

    A grid not divisible by the window is padded at the bottom/right and
    padding keys are masked. A window larger than the grid is clamped to
    it, so a window covering the whole grid is exactly full attention.
    Everything is vectorised: a single cached gather pads, rolls and
    partitions the projected tokens into windows that join the batch
    dimension of one :func:`~torch.nn.functional.scaled_dot_product_attention`
    call (q/k/v are strided views, so the fused kernels apply), and a second
    gather puts the results back in token order. Masks, bias indices and
    gather indices are built once per geometry, device and dtype and cached.

    Args:
        embed_dims (int): Token width.
        num_heads (int): Attention heads.
        window_size (int | tuple[int, int]): Window (rows, cols).
            Defaults to 8.
        shift (bool): Use shifted windows. Defaults to False.
        shift_size (int | tuple[int, int], optional): Cyclic shift
            (rows, cols), each in ``[0, window)``; ``None`` is half the
            window. Only used if ``shift``. Defaults to None.
        pool (bool): Append pooled window summaries to the keys/values.
            Defaults to False.
        rel_pos_bias (bool): Learn a relative position bias table
            (``relative_position_bias_table``, zero-initialised so that
            pre-trained weights start unchanged). Defaults to False.
        qkv_bias (bool): Bias on the qkv projection. Defaults to True.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        proj_drop (float): Dropout after the output projection.
            Defaults to 0.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 window_size: Union[int, Tuple[int, int]] = 8,
                 shift: bool = False,
                 shift_size: Union[int, Tuple[int, int], None] = None,
                 pool: bool = False,
                 rel_pos_bias: bool = False,
                 qkv_bias: bool = True,
                 attn_drop: float = 0.,
                 proj_drop: float = 0.) -> None:
        super().__init__(
            embed_dims,
            num_heads,
            qkv_bias=qkv_bias,
            attn_drop=attn_drop,
            proj_drop=proj_drop)
        self.window_size = to_2tuple(window_size)
        if min(self.window_size) < 1:
            raise ValueError(
                f'window_size must be positive, got {self.window_size}')
        if not shift:
            self.shift_size = (0, 0)
        elif shift_size is None:
            self.shift_size = tuple(w // 2 for w in self.window_size)
        else:
            self.shift_size = to_2tuple(shift_size)
        if not all(0 <= s < w
                   for s, w in zip(self.shift_size, self.window_size)):
            raise ValueError(f'shift_size {self.shift_size} must lie in '
                             f'[0, window_size {self.window_size})')
        if shift and self.shift_size == (0, 0):
            raise ValueError('a shifted window needs a non-zero shift; got '
                             f'window_size {self.window_size} and shift_size '
                             f'{shift_size}')
        self.pool = pool
        if rel_pos_bias:
            self.relative_position_bias_table = nn.Parameter(
                torch.zeros(
                    relative_position_table_size(self.window_size),
                    num_heads))
        else:
            self.relative_position_bias_table = None

    def extra_repr(self) -> str:
        has_bias = self.relative_position_bias_table is not None
        return (f'window_size={self.window_size}, '
                f'shift_size={self.shift_size}, pool={self.pool}, '
                f'rel_pos_bias={has_bias}')

    def layout(self, grid: Tuple[int, int]) -> WindowLayout:
        """The window partition used for a (rows, cols) token grid."""
        return window_layout(tuple(grid), self.window_size, self.shift_size)

    def forward(self,
                x: Tensor,
                grid: Optional[Tuple[int, int]] = None) -> Tensor:
        """Attend ``x`` (B, H*W, D), a row-major ``grid`` (H, W), in windows.
        """
        if grid is None:
            raise ValueError('WindowAttention needs the token grid (H, W)')
        batch, tokens, dims = x.shape
        layout = self.layout(grid)
        if tokens != layout.grid[0] * layout.grid[1]:
            raise ValueError(f'{tokens} tokens do not form a {grid} grid')
        windows, window_tokens = layout.total_windows, layout.tokens_per_window
        to_windows, to_tokens = window_token_index(layout, x.device)
        in_token_order = layout.keeps_token_order

        qkv = self.qkv(x)
        # One gather pads, rolls and partitions: (B, windows * T, 3D).
        windowed = qkv if in_token_order else qkv.index_select(1, to_windows)
        query = windowed[..., :dims].view(batch * windows, window_tokens,
                                          self.num_heads,
                                          self.head_dims).transpose(1, 2)
        key_value = windowed[..., dims:].view(batch, windows, window_tokens,
                                              2 * dims)
        if self.pool:
            pooled = _window_means(layout, x.device, qkv.dtype) @ \
                qkv[..., dims:]
            key_value = torch.cat(
                (key_value,
                 pooled.unsqueeze(1).expand(batch, windows, -1, -1)),
                dim=2)
        key, value = key_value.view(batch * windows, key_value.shape[2], 2,
                                    self.num_heads,
                                    self.head_dims).permute(2, 0, 3, 1, 4)

        x = F.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=self._attention_bias(layout, query, key.shape[-2],
                                           batch),
            dropout_p=self.attn_drop if self.training else 0.)
        x = x.transpose(1, 2).reshape(batch, windows * window_tokens, dims)
        if not in_token_order:
            x = x.index_select(1, to_tokens)
        return self.proj_drop(self.proj(x))

    def _attention_bias(self, layout: WindowLayout, query: Tensor,
                        num_keys: int, batch: int) -> Optional[Tensor]:
        """Padding/shift mask plus relative position bias, or None.

        Shapes broadcast against the (B * windows, heads, T, S) logits.
        """
        tokens = layout.tokens_per_window
        mask = window_attention_mask(layout, num_keys - tokens, query.device,
                                     query.dtype)
        table = self.relative_position_bias_table
        if table is not None:
            bias = relative_position_bias(table, layout.window,
                                          self.window_size).to(query.dtype)
            if num_keys > tokens:
                bias = F.pad(bias, (0, num_keys - tokens))
            if mask is None:
                return bias.unsqueeze(0)
            mask = mask + bias
        if mask is None:
            return None
        return mask.unsqueeze(0).expand(batch, *mask.shape).flatten(0, 1)


@functools.lru_cache(maxsize=128)
def _window_means(layout: WindowLayout, device: torch.device,
                  dtype: torch.dtype) -> Tensor:
    """(windows, H*W) matrix averaging the real tokens of each unshifted
    window; cached."""
    with torch.inference_mode(False):
        _, slot = window_token_index(layout._replace(shift=(0, 0)), device)
        membership = torch.zeros(
            layout.total_windows, len(slot), device=device)
        membership[slot // layout.tokens_per_window,
                   torch.arange(len(slot), device=device)] = 1
        return (membership / membership.sum(1, keepdim=True)).to(dtype)
