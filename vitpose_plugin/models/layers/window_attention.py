"""Window, shifted-window and pooling-window multi-head self-attention.

The whole window concept lives here: how a token grid is cut into
(possibly shifted, padded) windows (:class:`WindowLayout`), the tensors
derived from that geometry (gather indices, shift/padding mask, relative
position index, pooled-window summaries) and the :class:`WindowAttention`
module, which owns those tensors as non-persistent buffers.
"""
from typing import NamedTuple, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .attention import MultiheadSelfAttention
from ...token_grid import to_2tuple

Device = Union[torch.device, str, None]


class WindowLayout(NamedTuple):
    """Geometry of one window partition of a token grid.

    Attributes:
        grid (tuple[int, int]): Token grid (rows, cols) before padding.
        window (tuple[int, int]): Effective window (rows, cols): the
            configured window clamped to the grid.
        shift (tuple[int, int]): Effective cyclic shift (rows, cols); 0
            along a dimension covered by a single window.
        padded_grid (tuple[int, int]): Grid padded at the bottom/right to a
            multiple of ``window``.
        num_windows (tuple[int, int]): Windows along (rows, cols).
    """
    grid: Tuple[int, int]
    window: Tuple[int, int]
    shift: Tuple[int, int]
    padded_grid: Tuple[int, int]
    num_windows: Tuple[int, int]

    @property
    def tokens_per_window(self) -> int:
        return self.window[0] * self.window[1]

    @property
    def total_windows(self) -> int:
        return self.num_windows[0] * self.num_windows[1]

    @property
    def is_padded(self) -> bool:
        return self.padded_grid != self.grid

    @property
    def is_shifted(self) -> bool:
        return self.shift != (0, 0)

    @property
    def keeps_token_order(self) -> bool:
        """Whether window order equals row-major token order (no padding,
        no shift, windows spanning whole rows)."""
        return not self.needs_mask and self.num_windows[1] == 1

    @property
    def needs_mask(self) -> bool:
        """Whether some query must not see some key of its own window."""
        return self.is_padded or self.is_shifted


def window_layout(grid: Tuple[int, int], window: Tuple[int, int],
                  shift: Tuple[int, int] = (0, 0)) -> WindowLayout:
    """Partition ``grid`` into ``window``-sized windows shifted by ``shift``.

    A window larger than the grid is clamped to it (one window along that
    dimension, so full attention there), and the shift along such a
    dimension is dropped, as in Swin.

    Args:
        grid (tuple[int, int]): Token grid (rows, cols).
        window (tuple[int, int]): Configured window (rows, cols).
        shift (tuple[int, int]): Configured cyclic shift, each in
            ``[0, window)``. Defaults to (0, 0).
    """
    grid, window, shift = tuple(grid), tuple(window), tuple(shift)
    effective = tuple(min(w, g) for w, g in zip(window, grid))
    effective_shift = tuple(
        s if w < g else 0 for s, w, g in zip(shift, effective, grid))
    num_windows = tuple(-(-g // w) for g, w in zip(grid, effective))
    padded = tuple(n * w for n, w in zip(num_windows, effective))
    return WindowLayout(grid, effective, effective_shift, padded,
                        num_windows)  # type: ignore[arg-type]


def grid_to_windows(grid_map: Tensor, layout: WindowLayout) -> Tensor:
    """Reorder a (Hp, Wp, ...) map into (num_windows, tokens, ...).

    Windows are in row-major order, tokens row-major within a window: the
    order :class:`WindowAttention` uses.
    """
    (rows, cols), (win_h, win_w) = layout.num_windows, layout.window
    rest = grid_map.shape[2:]
    return grid_map.reshape(rows, win_h, cols, win_w, *rest).transpose(
        1, 2).reshape(layout.total_windows, layout.tokens_per_window, *rest)


def _rolled_grid(layout: WindowLayout,
                 device: Device) -> Tuple[Tensor, Tensor, Tensor]:
    """(Hp, Wp) maps of the padded-grid row and column held by every
    position of the rolled grid, and whether that is a real token."""
    (height, width), (padded_h, padded_w) = layout.grid, layout.padded_grid
    # Rolled position p holds the padded-grid token (p + shift) mod size.
    rows = (torch.arange(padded_h, device=device) +
            layout.shift[0]) % padded_h
    cols = (torch.arange(padded_w, device=device) +
            layout.shift[1]) % padded_w
    rows, cols = torch.meshgrid(rows, cols, indexing='ij')
    return rows, cols, (rows < height) & (cols < width)


def _token_slots(layout: WindowLayout, device: Device) -> Tensor:
    """(H * W,) window slot (``window * T + position``) of every token."""
    (height, width), (padded_h, padded_w) = layout.grid, layout.padded_grid
    win_h, win_w = layout.window
    rows = (torch.arange(height, device=device) - layout.shift[0]) % padded_h
    cols = (torch.arange(width, device=device) - layout.shift[1]) % padded_w
    window = (rows // win_h)[:, None] * layout.num_windows[1] + \
        (cols // win_w)[None, :]
    inside = (rows % win_h)[:, None] * win_w + (cols % win_w)[None, :]
    return (window * layout.tokens_per_window + inside).flatten()


def window_token_index(layout: WindowLayout,
                       device: Device = None) -> Tuple[Tensor, Tensor]:
    """Gather indices between row-major tokens and window order.

    Window order is: windows row-major over the rolled, padded grid, tokens
    row-major inside a window. Gathering tokens with the first index pads,
    rolls and partitions in a single copy; padding slots point at token 0
    (their keys are masked and their queries discarded). The second index
    gathers the window-ordered results back into row-major token order.
    Built from arithmetic only (no host sync).

    Args:
        layout (WindowLayout): The window partition.
        device (torch.device, optional): Device of the indices.
            Defaults to None (the default device).

    Returns:
        tuple[Tensor, Tensor]: ``(windows * tokens_per_window,)`` token of
        every window slot, and ``(H * W,)`` window slot of every token.
    """
    rows, cols, real = _rolled_grid(layout, device)
    token = torch.where(real, rows * layout.grid[1] + cols, 0)
    return grid_to_windows(token, layout).flatten(), _token_slots(
        layout, device)


def window_attention_mask(layout: WindowLayout,
                          num_pooled: int = 0,
                          device: Device = None) -> Optional[Tensor]:
    """Per-window additive float32 attention mask.

    Queries and keys are laid out as in :class:`WindowAttention`: tokens of
    a window in row-major order, then ``num_pooled`` pooled tokens. In
    the cyclically rolled grid a window may hold tokens from opposite image
    borders (the wrapped-around part) and padding tokens; a real query sees
    only real keys from its own side of the wrap. The ``num_pooled`` extra
    key columns (pooled window summaries) are visible to everyone. Padding
    queries see everything, so no row is fully masked (their outputs are
    discarded) and ``-inf`` can be used for exact zeros.

    Args:
        layout (WindowLayout): The window partition.
        num_pooled (int): Pooled key/value tokens appended to each window.
            Defaults to 0.
        device (torch.device, optional): Device of the mask.
            Defaults to None (the default device).

    Returns:
        Tensor | None: ``(windows, 1, T, T + num_pooled)`` with 0 (attend)
        or ``-inf`` (blocked); None when no key of any window needs masking.
    """
    if not layout.needs_mask:
        return None
    rows, cols, real = _rolled_grid(layout, device)
    # Rows/cols that wrapped around (rolled in from the top/left border).
    side = (rows < layout.shift[0]).long() * 2 + (cols < layout.shift[1])
    real, side = grid_to_windows(real, layout), grid_to_windows(side, layout)
    other_side = side[:, :, None] != side[:, None, :]
    blocked = real[:, :, None] & (~real[:, None, :] | other_side)
    windows, tokens = blocked.shape[:2]
    mask = torch.zeros(windows, tokens, tokens + num_pooled, device=device)
    mask[:, :, :tokens].masked_fill_(blocked, float('-inf'))
    return mask.unsqueeze(1)


def window_means(layout: WindowLayout, device: Device = None) -> Tensor:
    """(windows, H * W) float32 matrix averaging the real tokens of each
    unshifted window (the pooled window summaries).

    Args:
        layout (WindowLayout): The window partition; its shift is ignored.
        device (torch.device, optional): Device of the matrix.
            Defaults to None (the default device).
    """
    window = _token_slots(layout._replace(shift=(0, 0)),
                          device) // layout.tokens_per_window
    membership = (window == torch.arange(
        layout.total_windows, device=device)[:, None]).float()
    return membership / membership.sum(1, keepdim=True)


def relative_position_table_size(window: Tuple[int, int]) -> int:
    """Rows of the bias table: one per (dy, dx) offset inside a window."""
    return (2 * window[0] - 1) * (2 * window[1] - 1)


def relative_position_index(window: Tuple[int, int],
                            table_window: Tuple[int, int],
                            device: Device = None) -> Tensor:
    """Table row of every (query, key) pair of a window.

    Offsets ``dy = y_q - y_k`` in ``[-(h - 1), h - 1]`` and ``dx`` likewise
    map to row ``(dy + H - 1) * (2W - 1) + dx + W - 1`` of a table built for
    a ``table_window`` (H, W) window. ``window`` may be smaller than
    ``table_window`` (a window clamped to a small grid) and then uses the
    central part of the table.

    Args:
        window (tuple[int, int]): Window (h, w) being attended.
        table_window (tuple[int, int]): Window (H, W) the table was made for.
        device (torch.device, optional): Device of the index.
            Defaults to None (the default device).

    Returns:
        Tensor: Long tensor of shape ``(h * w, h * w)``.
    """
    if window[0] > table_window[0] or window[1] > table_window[1]:
        raise ValueError(f'window {window} is larger than the relative '
                         f'position table window {table_window}')
    ys, xs = torch.meshgrid(
        torch.arange(window[0], device=device),
        torch.arange(window[1], device=device),
        indexing='ij')
    ys, xs = ys.flatten(), xs.flatten()
    dy = ys[:, None] - ys[None, :] + table_window[0] - 1
    dx = xs[:, None] - xs[None, :] + table_window[1] - 1
    return dy * (2 * table_window[1] - 1) + dx


def relative_position_bias(table: Tensor, index: Tensor) -> Tensor:
    """Gather the (heads, T, T) bias of a window from its table.

    Args:
        table (Tensor): ``(relative_position_table_size(table_window),
            heads)`` learned bias.
        index (Tensor): ``(T, T)`` :func:`relative_position_index`.
    """
    return table[index].permute(2, 0, 1)


class WindowTensors(NamedTuple):
    """What :class:`WindowAttention` derives from a grid; the field names
    are its buffer names. A field is None where it is not needed."""
    to_windows: Optional[Tensor]
    to_tokens: Optional[Tensor]
    attn_mask: Optional[Tensor]
    relative_position_index: Optional[Tensor]
    window_means: Optional[Tensor]


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
    Everything is vectorised: a single gather pads, rolls and partitions
    the projected tokens into windows that join the batch dimension of one
    :func:`~torch.nn.functional.scaled_dot_product_attention` call (q/k/v
    are strided views, so the fused kernels apply), and a second gather
    puts the results back in token order.

    The gather indices, the mask (float32, cast to the query dtype in
    forward), the relative position index and the pooling matrix of
    ``grid`` are non-persistent buffers (:class:`WindowTensors` names
    them): they follow ``.to()`` and are freed with the module, and the
    ``state_dict`` holds only ``relative_position_bias_table``.

    ``window_size``, ``shift_size`` and ``rel_pos_bias`` are the keys of
    the ``attn_cfg`` dict that the backbone and
    :func:`~vitpose_plugin.models.layers.build_attention` take.

    Args:
        embed_dims (int): Token width.
        num_heads (int): Attention heads.
        grid (tuple[int, int]): Token grid (rows, cols) the buffers are
            built for, the backbone's ``grid_size``. Other grids work too,
            at the cost of rebuilding the tensors in every forward.
        window_size (int | tuple[int, int]): Window (rows, cols); need not
            divide the grid. Defaults to 8.
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
                 grid: Tuple[int, int],
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
        self.grid = to_2tuple(grid)
        self.grid_layout = self._layout(self.grid)
        tensors = self._window_tensors(self.grid_layout,
                                       self.qkv.weight.device)
        for name, tensor in tensors._asdict().items():
            self.register_buffer(name, tensor, persistent=False)

    def extra_repr(self) -> str:
        has_bias = self.relative_position_bias_table is not None
        return (f'grid={self.grid}, window_size={self.window_size}, '
                f'shift_size={self.shift_size}, pool={self.pool}, '
                f'rel_pos_bias={has_bias}')

    def _layout(self, grid: Tuple[int, int]) -> WindowLayout:
        return window_layout(grid, self.window_size, self.shift_size)

    def _window_tensors(self, layout: WindowLayout,
                        device: Device) -> WindowTensors:
        """The tensors of a layout, None where this module needs none."""
        to_windows, to_tokens = (None, None) if layout.keeps_token_order \
            else window_token_index(layout, device)
        num_pooled = layout.total_windows if self.pool else 0
        return WindowTensors(
            to_windows=to_windows,
            to_tokens=to_tokens,
            attn_mask=window_attention_mask(layout, num_pooled, device),
            relative_position_index=None
            if self.relative_position_bias_table is None else
            relative_position_index(layout.window, self.window_size, device),
            window_means=window_means(layout, device) if self.pool else None)

    def forward(self,
                x: Tensor,
                grid: Optional[Tuple[int, int]] = None) -> Tensor:
        """Attend ``x`` (B, H*W, D), a row-major ``grid`` (H, W), in windows.
        """
        if grid is None:
            raise ValueError('WindowAttention needs the token grid (H, W)')
        grid = tuple(grid)
        batch, tokens, dims = x.shape
        if tokens != grid[0] * grid[1]:
            raise ValueError(f'{tokens} tokens do not form a {grid} grid')
        if grid == self.grid:
            layout = self.grid_layout
            tensors = WindowTensors(
                *(getattr(self, name) for name in WindowTensors._fields))
        else:
            # Another grid (multi-scale inference): built per call, with a
            # few dozen small sync-free kernels. Not cached, so the module
            # holds no state that .to() would not move or that could grow.
            layout = self._layout(grid)
            tensors = self._window_tensors(layout, x.device)
        windows, window_tokens = layout.total_windows, layout.tokens_per_window

        qkv = self.qkv(x)
        # One gather pads, rolls and partitions: (B, windows * T, 3D).
        windowed = qkv if tensors.to_windows is None \
            else qkv.index_select(1, tensors.to_windows)
        query = windowed[..., :dims].view(batch * windows, window_tokens,
                                          self.num_heads,
                                          self.head_dims).transpose(1, 2)
        key_value = windowed[..., dims:].view(batch, windows, window_tokens,
                                              2 * dims)
        if self.pool:
            pooled = tensors.window_means.to(qkv.dtype) @ qkv[..., dims:]
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
            attn_mask=self._attention_bias(tensors, query, key.shape[-2],
                                           batch),
            dropout_p=self.attn_drop if self.training else 0.)
        x = x.transpose(1, 2).reshape(batch, windows * window_tokens, dims)
        if tensors.to_tokens is not None:
            x = x.index_select(1, tensors.to_tokens)
        return self.proj_drop(self.proj(x))

    def _attention_bias(self, tensors: WindowTensors, query: Tensor,
                        num_keys: int, batch: int) -> Optional[Tensor]:
        """Padding/shift mask plus relative position bias, or None.

        Shapes broadcast against the (B * windows, heads, T, S) logits.
        """
        mask = tensors.attn_mask
        if mask is not None:
            mask = mask.to(query.dtype)
        table = self.relative_position_bias_table
        if table is not None:
            bias = relative_position_bias(
                table, tensors.relative_position_index).to(query.dtype)
            tokens = bias.shape[-1]
            if num_keys > tokens:
                bias = F.pad(bias, (0, num_keys - tokens))
            if mask is None:
                return bias.unsqueeze(0)
            mask = mask + bias
        if mask is None:
            return None
        return mask.unsqueeze(0).expand(batch, *mask.shape).flatten(0, 1)
