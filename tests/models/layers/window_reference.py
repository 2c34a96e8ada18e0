"""A slow, loop-based reference of window attention, for tests only."""
import math

import torch


def reference_window_attention(module, x, grid):
    """Recompute ``WindowAttention`` token by token from its parameters.

    Independent of the implementation's masks: in the rolled, padded grid a
    query attends to the keys of its window that are real tokens and lie
    within one window of it in *original* coordinates (tokens brought
    together by the cyclic wrap are far apart there). Pooled keys/values are
    the means over the real tokens of every unshifted window.
    """
    batch, _, dims = x.shape
    heads, head_dims = module.num_heads, module.head_dims
    height, width = grid
    win_h, win_w = (min(w, g) for w, g in zip(module.window_size, grid))
    shift_h = module.shift_size[0] if win_h < height else 0
    shift_w = module.shift_size[1] if win_w < width else 0
    padded_h = math.ceil(height / win_h) * win_h
    padded_w = math.ceil(width / win_w) * win_w
    qkv = module.qkv(x).view(batch, height, width, 3, heads, head_dims)
    q, k, v = qkv.unbind(3)

    pooled_k, pooled_v = [], []
    if module.pool:
        for top in range(0, height, win_h):
            for left in range(0, width, win_w):
                pooled_k.append(k[:, top:top + win_h,
                                  left:left + win_w].mean((1, 2)))
                pooled_v.append(v[:, top:top + win_h,
                                  left:left + win_w].mean((1, 2)))

    table = module.relative_position_bias_table
    out = torch.zeros(batch, height, width, heads, head_dims)
    for top in range(0, padded_h, win_h):
        for left in range(0, padded_w, win_w):
            # Rolled position (r, c) holds padded-grid token r+shift mod size.
            cells = [((top + i + shift_h) % padded_h,
                      (left + j + shift_w) % padded_w, i, j)
                     for i in range(win_h) for j in range(win_w)]
            real = [cell for cell in cells
                    if cell[0] < height and cell[1] < width]
            for qr, qc, qi, qj in real:
                keys = [cell for cell in real
                        if abs(cell[0] - qr) < win_h
                        and abs(cell[1] - qc) < win_w]
                key = torch.stack([k[:, r, c] for r, c, _, _ in keys] +
                                  pooled_k, 1)
                value = torch.stack([v[:, r, c] for r, c, _, _ in keys] +
                                    pooled_v, 1)
                logits = torch.einsum('bhd,bnhd->bhn', q[:, qr, qc],
                                      key) / math.sqrt(head_dims)
                if table is not None:
                    rows = [(qi - ki + module.window_size[0] - 1) *
                            (2 * module.window_size[1] - 1) +
                            (qj - kj + module.window_size[1] - 1)
                            for _, _, ki, kj in keys]
                    logits[..., :len(keys)] += table[rows].T
                weights = logits.softmax(-1)
                out[:, qr, qc] = torch.einsum('bhn,bnhd->bhd', weights,
                                              value)
    return module.proj(out.reshape(batch, height * width, dims))
