"""How a token grid is cut into (possibly shifted) attention windows."""
import functools
from typing import NamedTuple, Tuple

import torch
from torch import Tensor


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


@functools.lru_cache(maxsize=256)
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

    Returns:
        WindowLayout: The geometry, cached per arguments.
    """
    grid, window, shift = tuple(grid), tuple(window), tuple(shift)
    effective = tuple(min(w, g) for w, g in zip(window, grid))
    effective_shift = tuple(
        s if w < g else 0 for s, w, g in zip(shift, effective, grid))
    num_windows = tuple(-(-g // w) for g, w in zip(grid, effective))
    padded = tuple(n * w for n, w in zip(num_windows, effective))
    return WindowLayout(grid, effective, effective_shift, padded,
                        num_windows)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=128)
def window_token_index(layout: WindowLayout,
                       device: torch.device) -> Tuple[Tensor, Tensor]:
    """Gather indices between row-major tokens and window order.

    Window order is: windows row-major over the rolled, padded grid, tokens
    row-major inside a window. Gathering tokens with the first index pads,
    rolls and partitions in a single copy; padding slots point at token 0
    (their keys are masked and their queries discarded). The second index
    gathers the window-ordered results back into row-major token order.

    Args:
        layout (WindowLayout): The window partition.
        device (torch.device): Device of the indices.

    Returns:
        tuple[Tensor, Tensor]: ``(windows * tokens_per_window,)`` token of
        every window slot, and ``(H * W,)`` window slot of every token;
        cached.
    """
    with torch.inference_mode(False):
        (height, width), (padded_h, padded_w) = layout.grid, layout.padded_grid
        rows = (torch.arange(padded_h, device=device) +
                layout.shift[0]) % padded_h
        cols = (torch.arange(padded_w, device=device) +
                layout.shift[1]) % padded_w
        real = (rows < height)[:, None] & (cols < width)[None, :]
        token = torch.where(real, rows[:, None] * width + cols[None, :], 0)
        (num_rows, num_cols), (win_h, win_w) = layout.num_windows, \
            layout.window
        token, real = (
            m.view(num_rows, win_h, num_cols, win_w).transpose(1, 2).flatten()
            for m in (token, real))
        slot = torch.empty(height * width, dtype=torch.long, device=device)
        slot[token[real]] = torch.nonzero(real).flatten()
        return token, slot
