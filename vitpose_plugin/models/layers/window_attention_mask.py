"""Additive attention masks for padded and shifted windows."""
import functools
from typing import Optional

import torch
from torch import Tensor

from .window_layout import WindowLayout


def grid_to_windows(grid_map: Tensor, layout: WindowLayout) -> Tensor:
    """Reorder a (Hp, Wp, ...) map into (num_windows, tokens, ...).

    Windows are in row-major order, tokens row-major within a window: the
    order :class:`WindowAttention` uses.
    """
    (rows, cols), (win_h, win_w) = layout.num_windows, layout.window
    rest = grid_map.shape[2:]
    return grid_map.reshape(rows, win_h, cols, win_w, *rest).transpose(
        1, 2).reshape(layout.total_windows, layout.tokens_per_window, *rest)


@functools.lru_cache(maxsize=128)
def window_attention_mask(layout: WindowLayout, num_pooled: int,
                          device: torch.device,
                          dtype: torch.dtype) -> Optional[Tensor]:
    """Per-window additive attention mask.

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
        device (torch.device): Device of the mask.
        dtype (torch.dtype): The query dtype (SDPA requires a float mask of
            the query's dtype, e.g. bfloat16 under autocast).

    Returns:
        Tensor | None: ``(windows, 1, T, T + num_pooled)`` with 0 (attend)
        or ``-inf`` (blocked), cached per arguments; None when no key of any
        window needs masking.
    """
    if not layout.needs_mask:
        return None
    # Cached tensors must be usable outside inference mode later on.
    with torch.inference_mode(False), torch.no_grad():
        (height, width), (padded_h, padded_w) = layout.grid, layout.padded_grid
        shift_h, shift_w = layout.shift
        rows = torch.arange(padded_h, device=device)
        cols = torch.arange(padded_w, device=device)
        # Rolled position p holds the padded-grid token (p + shift) mod size.
        valid = (((rows + shift_h) % padded_h < height)[:, None]
                 & ((cols + shift_w) % padded_w < width)[None, :])
        side = ((rows >= padded_h - shift_h).long()[:, None] * 2
                + (cols >= padded_w - shift_w).long()[None, :])
        valid = grid_to_windows(valid, layout)
        side = grid_to_windows(side, layout)
        other_side = side[:, :, None] != side[:, None, :]
        blocked = valid[:, :, None] & (~valid[:, None, :] | other_side)
        windows, tokens = blocked.shape[:2]
        mask = torch.zeros(
            windows, tokens, tokens + num_pooled, device=device, dtype=dtype)
        mask[:, :, :tokens].masked_fill_(blocked, float('-inf'))
        return mask.unsqueeze(1)
