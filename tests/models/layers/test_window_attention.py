import pytest
import torch

from vitpose_plugin.models.layers import (MultiheadSelfAttention,
                                          WindowAttention, build_attention,
                                          window_attention_mask, window_layout)
from .window_reference import reference_window_attention

DIMS, HEADS = 16, 2


def make_attention(seed=0, **kwargs):
    torch.manual_seed(seed)
    module = WindowAttention(DIMS, HEADS, **kwargs).eval()
    if module.relative_position_bias_table is not None:
        torch.nn.init.normal_(module.relative_position_bias_table, std=0.5)
    return module


@pytest.mark.parametrize('shift, pool', [(False, False), (True, False),
                                         (False, True), (True, True)])
@pytest.mark.parametrize('grid, window, rel_pos_bias', [
    ((8, 6), (4, 3), True),  # divisible, non-square window
    ((7, 10), (4, 4), True),  # padded along both dimensions
    ((5, 9), (8, 4), False),  # window taller than the grid: clamped
])
def test_matches_per_window_reference(shift, pool, grid, window,
                                      rel_pos_bias):
    module = make_attention(
        window_size=window, shift=shift, pool=pool, rel_pos_bias=rel_pos_bias)
    x = torch.randn(2, grid[0] * grid[1], DIMS)
    with torch.no_grad():
        torch.testing.assert_close(
            module(x, grid),
            reference_window_attention(module, x, grid),
            atol=1e-5,
            rtol=1e-5)


@pytest.mark.parametrize('window', [(6, 4), (9, 5)])
def test_window_covering_the_grid_is_full_attention(window):
    full = MultiheadSelfAttention(DIMS, HEADS).eval()
    windowed = make_attention(window_size=window, shift=True, pool=False)
    windowed.load_state_dict(full.state_dict())
    x = torch.randn(2, 24, DIMS)
    with torch.no_grad():
        torch.testing.assert_close(windowed(x, (6, 4)), full(x), atol=1e-6,
                                   rtol=1e-5)


def _attended_keys(module, grid, query):
    """Tokens whose input changes the output of ``query`` (via autograd)."""
    x = torch.randn(1, grid[0] * grid[1], DIMS, requires_grad=True)
    module(x, grid)[0, query].sum().backward()
    return set(torch.nonzero(x.grad[0].abs().sum(-1)).flatten().tolist())


@pytest.mark.parametrize('grid', [(8, 8), (7, 7)])
def test_shifted_windows_never_mix_wrapped_regions(grid):
    """Swin's example: 8x8 grid, 4x4 windows shifted by 2. The bottom-right
    rolled window holds four regions of the original grid (the four corners
    of the image); each corner token sees exactly its own corner."""
    module = make_attention(window_size=4, shift=True)

    def index(row, col):
        return row * grid[1] + col

    last = grid[0] - 1
    corners = {
        'bottom_right': {index(r, c) for r in (6, last) for c in (6, last)},
        'top_left': {index(r, c) for r in (0, 1) for c in (0, 1)},
        'top_right': {index(r, c) for r in (0, 1) for c in (6, last)},
        'bottom_left': {index(r, c) for r in (6, last) for c in (0, 1)},
    }
    for region in corners.values():
        for query in region:
            assert _attended_keys(module, grid, query) == region


def test_unshifted_window_sees_only_its_window():
    module = make_attention(window_size=(4, 3))
    grid = (8, 6)
    window = {r * 6 + c for r in range(4, 8) for c in range(3, 6)}
    assert _attended_keys(module, grid, 5 * 6 + 4) == window


def test_pooling_window_reaches_every_token():
    module = make_attention(window_size=(4, 3), pool=True)
    assert _attended_keys(module, (8, 6), 0) == set(range(48))


def test_mask_is_cached_and_typed():
    layout = window_layout((7, 7), (4, 4), (2, 2))
    args = (layout, 0, torch.device('cpu'))
    mask = window_attention_mask(*args, torch.bfloat16)
    assert mask.dtype == torch.bfloat16
    assert mask.shape == (4, 1, 16, 16)
    assert window_attention_mask(*args, torch.bfloat16) is mask
    assert window_attention_mask(*args, torch.float32).dtype == torch.float32
    # No query row is fully masked (padding queries see everything).
    assert torch.isfinite(mask).any(-1).all()
    divisible = window_layout((8, 8), (4, 4), (0, 0))
    assert window_attention_mask(divisible, 0, torch.device('cpu'),
                                 torch.float32) is None


def test_layout_pads_clamps_and_drops_useless_shift():
    layout = window_layout((7, 10), (4, 16), (2, 8))
    assert layout.window == (4, 10)
    assert layout.shift == (2, 0)
    assert layout.padded_grid == (8, 10)
    assert layout.num_windows == (2, 1)
    assert layout.needs_mask


@pytest.mark.parametrize('attn_type', ['shift_pool_window', 'window'])
def test_bf16_autocast_close_to_fp32(attn_type):
    module = build_attention(
        attn_type, DIMS, HEADS, window_size=(4, 4), rel_pos_bias=True).eval()
    torch.nn.init.normal_(module.relative_position_bias_table, std=0.5)
    x = torch.randn(2, 7 * 10, DIMS)
    with torch.no_grad():
        expected = module(x, (7, 10))
        with torch.autocast('cpu', dtype=torch.bfloat16):
            actual = module(x, (7, 10))
    assert actual.dtype == torch.bfloat16
    torch.testing.assert_close(actual.float(), expected, atol=0.05, rtol=0.05)


def test_gradients_reach_the_bias_table_and_inputs():
    module = make_attention(window_size=4, shift=True, pool=True,
                            rel_pos_bias=True).train()
    x = torch.randn(2, 49, DIMS, requires_grad=True)
    module(x, (7, 7)).square().mean().backward()
    assert torch.isfinite(x.grad).all()
    assert module.relative_position_bias_table.grad.abs().sum() > 0


def test_bad_configs_are_clear_errors():
    with pytest.raises(ValueError, match='shift_size'):
        WindowAttention(DIMS, HEADS, window_size=4, shift=True, shift_size=4)
    with pytest.raises(ValueError, match='non-zero shift'):
        WindowAttention(DIMS, HEADS, window_size=1, shift=True)
    with pytest.raises(ValueError, match='grid'):
        WindowAttention(DIMS, HEADS)(torch.randn(1, 10, DIMS), (3, 3))
    with pytest.raises(ValueError, match='unknown attention type'):
        build_attention('swin', DIMS, HEADS)


def test_token_index_round_trips():
    from vitpose_plugin.models.layers import window_token_index
    for layout in (window_layout((7, 10), (4, 4), (2, 2)),
                   window_layout((8, 6), (4, 3), (0, 0)),
                   window_layout((8, 6), (4, 6), (0, 0))):
        to_windows, to_tokens = window_token_index(layout,
                                                   torch.device('cpu'))
        assert len(to_windows) == layout.total_windows * \
            layout.tokens_per_window
        assert to_windows[to_tokens].tolist() == list(range(len(to_tokens)))
    assert layout.keeps_token_order
    assert to_windows.tolist() == list(range(48))
