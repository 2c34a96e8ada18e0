"""Swin-style learned relative position bias inside attention windows."""
import functools
from typing import Tuple

import torch
from torch import Tensor


def relative_position_table_size(window: Tuple[int, int]) -> int:
    """Rows of the bias table: one per (dy, dx) offset inside a window."""
    return (2 * window[0] - 1) * (2 * window[1] - 1)


@functools.lru_cache(maxsize=64)
def relative_position_index(window: Tuple[int, int],
                            table_window: Tuple[int, int],
                            device: torch.device) -> Tensor:
    """Table row of every (query, key) pair of a window, flattened.

    Offsets ``dy = y_q - y_k`` in ``[-(h - 1), h - 1]`` and ``dx`` likewise
    map to row ``(dy + H - 1) * (2W - 1) + dx + W - 1`` of a table built for
    a ``table_window`` (H, W) window. ``window`` may be smaller than
    ``table_window`` (a window clamped to a small grid) and then uses the
    central part of the table.

    Args:
        window (tuple[int, int]): Window (h, w) being attended.
        table_window (tuple[int, int]): Window (H, W) the table was made for.
        device (torch.device): Device of the index.

    Returns:
        Tensor: Long tensor of shape ``(h * w * h * w,)``, cached.
    """
    if window[0] > table_window[0] or window[1] > table_window[1]:
        raise ValueError(f'window {window} is larger than the relative '
                         f'position table window {table_window}')
    with torch.inference_mode(False):
        ys, xs = torch.meshgrid(
            torch.arange(window[0], device=device),
            torch.arange(window[1], device=device),
            indexing='ij')
        ys, xs = ys.flatten(), xs.flatten()
        dy = ys[:, None] - ys[None, :] + table_window[0] - 1
        dx = xs[:, None] - xs[None, :] + table_window[1] - 1
        return (dy * (2 * table_window[1] - 1) + dx).flatten()


def relative_position_bias(table: Tensor, window: Tuple[int, int],
                           table_window: Tuple[int, int]) -> Tensor:
    """Gather the (heads, T, T) bias of a window from its table.

    Args:
        table (Tensor): ``(relative_position_table_size(table_window),
            heads)`` learned bias.
        window (tuple[int, int]): Window (h, w) being attended.
        table_window (tuple[int, int]): Window the table was made for.

    Returns:
        Tensor: Bias of shape ``(heads, h * w, h * w)``.
    """
    tokens = window[0] * window[1]
    index = relative_position_index(window, table_window, table.device)
    return table[index].view(tokens, tokens, -1).permute(2, 0, 1)
