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
from .window_layout import WindowLayout, window_layout


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
    Everything is vectorised: windows are folded into the head dimension of
    a single :func:`~torch.nn.functional.scaled_dot_product_attention` call
    (which keeps the fused kernels and lets a per-window mask broadcast over
    the batch). Masks and bias indices are built once per geometry, device
    and dtype and cached.

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
        (height, width), (padded_h, padded_w) = layout.grid, layout.padded_grid

        qkv = self.qkv(x).view(batch, height, width, 3 * dims)
        if layout.is_padded:
            # Zero padding: padded keys are masked, and zeros keep the
            # pooled sums equal to sums over real tokens.
            qkv = F.pad(qkv, (0, 0, 0, padded_w - width, 0, padded_h - height))
        pooled_kv = self._pool_keys_values(qkv, layout) if self.pool else None
        if layout.is_shifted:
            qkv = torch.roll(qkv, (-layout.shift[0], -layout.shift[1]), (1, 2))
        query, key, value = self._partition(qkv, layout)
        if pooled_kv is not None:
            key, value = (self._append_pooled(t, pooled, layout)
                          for t, pooled in zip((key, value), pooled_kv))

        x = F.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=self._attention_bias(layout, query, key.shape[-2]),
            dropout_p=self.attn_drop if self.training else 0.)
        x = self._merge(x, layout)
        if layout.is_shifted:
            x = torch.roll(x, layout.shift, (1, 2))
        if layout.is_padded:
            x = x[:, :height, :width]
        return self.proj_drop(self.proj(x.reshape(batch, tokens, dims)))

    def _partition(self, qkv: Tensor,
                   layout: WindowLayout) -> Tuple[Tensor, Tensor, Tensor]:
        """(B, Hp, Wp, 3D) -> q, k, v each (B, windows * heads, T, hd)."""
        batch = qkv.shape[0]
        (rows, cols), (win_h, win_w) = layout.num_windows, layout.window
        qkv = qkv.view(batch, rows, win_h, cols, win_w, 3, self.num_heads,
                       self.head_dims).permute(5, 0, 1, 3, 6, 2, 4, 7)
        return qkv.reshape(3, batch, layout.total_windows * self.num_heads,
                           layout.tokens_per_window,
                           self.head_dims).unbind(0)

    def _merge(self, x: Tensor, layout: WindowLayout) -> Tensor:
        """(B, windows * heads, T, hd) -> (B, Hp, Wp, D)."""
        batch = x.shape[0]
        (rows, cols), (win_h, win_w) = layout.num_windows, layout.window
        x = x.view(batch, rows, cols, self.num_heads, win_h, win_w,
                   self.head_dims).permute(0, 1, 4, 2, 5, 3, 6)
        return x.reshape(batch, rows * win_h, cols * win_w,
                         self.num_heads * self.head_dims)

    def _pool_keys_values(self, qkv: Tensor,
                          layout: WindowLayout) -> Tuple[Tensor, Tensor]:
        """Mean key and value of every unshifted window, over real tokens.

        Returns:
            tuple[Tensor, Tensor]: Each (B, heads, windows, hd).
        """
        batch, dims = qkv.shape[0], self.num_heads * self.head_dims
        (rows, cols), (win_h, win_w) = layout.num_windows, layout.window
        sums = qkv[..., dims:].reshape(batch, rows, win_h, cols, win_w, 2,
                                       self.num_heads,
                                       self.head_dims).sum((2, 4))
        counts = _real_token_counts(layout, qkv.device, qkv.dtype)
        means = sums / counts.view(1, rows, cols, 1, 1, 1)
        key, value = means.reshape(batch, layout.total_windows, 2,
                                   self.num_heads,
                                   self.head_dims).permute(2, 0, 3, 1, 4)
        return key, value

    def _append_pooled(self, windowed: Tensor, pooled: Tensor,
                       layout: WindowLayout) -> Tensor:
        """Concatenate the pooled tokens to every window's keys/values."""
        batch, windows = windowed.shape[0], layout.total_windows
        windowed = windowed.view(batch, windows, self.num_heads,
                                 layout.tokens_per_window, self.head_dims)
        pooled = pooled.unsqueeze(1).expand(batch, windows, *pooled.shape[1:])
        return torch.cat((windowed, pooled), dim=3).flatten(1, 2)

    def _attention_bias(self, layout: WindowLayout, query: Tensor,
                        num_keys: int) -> Optional[Tensor]:
        """Padding/shift mask plus relative position bias, or None."""
        tokens = layout.tokens_per_window
        mask = window_attention_mask(layout, self.num_heads,
                                     num_keys - tokens, query.device,
                                     query.dtype)
        table = self.relative_position_bias_table
        if table is None:
            return mask
        bias = relative_position_bias(table, layout.window,
                                      self.window_size).to(query.dtype)
        if num_keys > tokens:
            bias = F.pad(bias, (0, num_keys - tokens))
        windows = layout.total_windows
        if mask is None:
            bias = bias.unsqueeze(0).expand(windows, *bias.shape)
        else:
            bias = mask.view(windows, self.num_heads, tokens,
                             num_keys) + bias
        return bias.reshape(1, windows * self.num_heads, tokens, num_keys)


@functools.lru_cache(maxsize=128)
def _real_token_counts(layout: WindowLayout, device: torch.device,
                       dtype: torch.dtype) -> Tensor:
    """(rows, cols) number of non-padding tokens in each unshifted window."""
    with torch.inference_mode(False):
        per_dim = [(size - torch.arange(num) * window).clamp(max=window)
                   for size, window, num in zip(layout.grid, layout.window,
                                                layout.num_windows)]
        return (per_dim[0][:, None] * per_dim[1][None, :]).to(
            device=device, dtype=dtype)
