import gc
import weakref

import pytest
import torch

from vitpose_plugin.models.layers import (MultiheadSelfAttention,
                                          WindowAttention, WindowTensors,
                                          build_attention,
                                          relative_position_bias,
                                          relative_position_index,
                                          relative_position_table_size,
                                          window_attention_mask, window_layout,
                                          window_token_index)
from .window_reference import reference_window_attention

DIMS, HEADS = 16, 2
LEARNED = {'qkv.weight', 'qkv.bias', 'proj.weight', 'proj.bias'}


def make_attention(grid, seed=0, **kwargs):
    torch.manual_seed(seed)
    module = WindowAttention(DIMS, HEADS, grid, **kwargs).eval()
    if module.relative_position_bias_table is not None:
        torch.nn.init.normal_(module.relative_position_bias_table, std=0.5)
    return module


# Numerics ------------------------------------------------------------------
@pytest.mark.parametrize('built_for', ['grid', 'other grid'])
@pytest.mark.parametrize('shift, pool', [(False, False), (True, False),
                                         (False, True), (True, True)])
@pytest.mark.parametrize('grid, window, rel_pos_bias', [
    ((8, 6), (4, 3), True),  # divisible, non-square window
    ((7, 10), (4, 4), True),  # padded along both dimensions
    ((5, 9), (8, 4), False),  # window taller than the grid: clamped
])
def test_matches_per_window_reference(built_for, shift, pool, grid, window,
                                      rel_pos_bias):
    """Both the buffers of the built grid and the tensors built per call
    for another grid match the loop-based reference."""
    module = make_attention(
        grid if built_for == 'grid' else (9, 9),
        window_size=window,
        shift=shift,
        pool=pool,
        rel_pos_bias=rel_pos_bias)
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
    windowed = make_attention((6, 4), window_size=window, shift=True)
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
    module = make_attention(grid, window_size=4, shift=True)

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
    grid = (8, 6)
    module = make_attention(grid, window_size=(4, 3))
    window = {r * 6 + c for r in range(4, 8) for c in range(3, 6)}
    assert _attended_keys(module, grid, 5 * 6 + 4) == window


def test_pooling_window_reaches_every_token():
    module = make_attention((8, 6), window_size=(4, 3), pool=True)
    assert _attended_keys(module, (8, 6), 0) == set(range(48))


@pytest.mark.parametrize('attn_type', ['shift_pool_window', 'window'])
def test_bf16_autocast_close_to_fp32(attn_type):
    module = build_attention(
        attn_type,
        DIMS,
        HEADS,
        grid=(7, 10),
        attn_cfg=dict(window_size=(4, 4), rel_pos_bias=True)).eval()
    torch.nn.init.normal_(module.relative_position_bias_table, std=0.5)
    x = torch.randn(2, 7 * 10, DIMS)
    with torch.no_grad():
        expected = module(x, (7, 10))
        with torch.autocast('cpu', dtype=torch.bfloat16):
            actual = module(x, (7, 10))
    assert actual.dtype == torch.bfloat16
    assert module.attn_mask.dtype == torch.float32  # cast per call only
    torch.testing.assert_close(actual.float(), expected, atol=0.05, rtol=0.05)


def test_gradients_reach_the_bias_table_and_inputs():
    module = make_attention((7, 7), window_size=4, shift=True, pool=True,
                            rel_pos_bias=True).train()
    x = torch.randn(2, 49, DIMS, requires_grad=True)
    module(x, (7, 7)).square().mean().backward()
    assert torch.isfinite(x.grad).all()
    assert module.relative_position_bias_table.grad.abs().sum() > 0


# Configuration -------------------------------------------------------------
def test_bad_configs_are_clear_errors():
    with pytest.raises(ValueError, match='shift_size'):
        WindowAttention(DIMS, HEADS, (8, 8), window_size=4, shift=True,
                        shift_size=4)
    with pytest.raises(ValueError, match='non-zero shift'):
        WindowAttention(DIMS, HEADS, (8, 8), window_size=1, shift=True)
    with pytest.raises(ValueError, match='grid'):
        WindowAttention(DIMS, HEADS, (3, 3))(torch.randn(1, 10, DIMS), (3, 3))
    with pytest.raises(ValueError, match='unknown attention type'):
        build_attention('swin', DIMS, HEADS)
    with pytest.raises(ValueError, match='needs the token grid'):
        build_attention('window', DIMS, HEADS)


@pytest.mark.parametrize('attn_type', ['full', 'shift_window'])
def test_attn_cfg_rejects_unknown_keys_naming_the_allowed_ones(attn_type):
    with pytest.raises(ValueError) as error:
        build_attention(attn_type, DIMS, HEADS, grid=(8, 8),
                        attn_cfg=dict(window=4, rel_pos_bias=True))
    message = str(error.value)
    assert "['window']" in message
    assert "['window_size', 'shift_size', 'rel_pos_bias']" in message


def test_attn_cfg_reaches_the_window_attention():
    module = build_attention(
        'shift_pool_window',
        DIMS,
        HEADS,
        grid=(8, 6),
        attn_cfg=dict(window_size=(4, 3), shift_size=(1, 2),
                      rel_pos_bias=True))
    assert (module.window_size, module.shift_size, module.pool) == \
        ((4, 3), (1, 2), True)
    assert module.relative_position_bias_table.shape == (7 * 5, HEADS)
    assert isinstance(
        build_attention('full', DIMS, HEADS, attn_cfg=dict(window_size=4)),
        MultiheadSelfAttention)


# Module-owned buffers ------------------------------------------------------
def _full_featured(grid=(7, 10)):
    """Shifted pooling windows with bias on a padded grid: every buffer."""
    return make_attention(grid, window_size=4, shift=True, pool=True,
                          rel_pos_bias=True)


def test_window_tensors_are_non_persistent_buffers():
    module = _full_featured()
    buffers = dict(module.named_buffers())
    assert set(buffers) == set(WindowTensors._fields)
    assert all(tensor is not None for tensor in buffers.values())
    assert set(module.state_dict()) == \
        LEARNED | {'relative_position_bias_table'}
    plain = make_attention((7, 10), window_size=4, shift=True, pool=True)
    assert set(plain.state_dict()) == LEARNED
    assert plain.relative_position_index is None


def test_unneeded_buffers_are_none():
    """A divisible, unshifted grid with full-width windows keeps token
    order: no gather, no mask."""
    module = make_attention((8, 6), window_size=(4, 6))
    assert all(getattr(module, name) is None
               for name in WindowTensors._fields)


def test_buffers_follow_dtype_and_device_moves():
    module = _full_featured()
    x = torch.randn(2, 70, DIMS)
    with torch.no_grad():
        expected = module(x, (7, 10))
        module.double()
        actual = module(x.double(), (7, 10))
    assert module.to_windows.dtype == module.to_tokens.dtype == torch.long
    assert module.relative_position_index.dtype == torch.long
    assert module.attn_mask.dtype == module.window_means.dtype == \
        torch.float64
    assert actual.dtype == torch.float64
    torch.testing.assert_close(actual.float(), expected, atol=1e-5,
                               rtol=1e-5)
    module.to(torch.device('meta'))
    assert all(tensor.is_meta for tensor in module.buffers())


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_buffers_and_forward_without_host_syncs():
    module = _full_featured().cuda()
    assert all(tensor.is_cuda for tensor in module.buffers())
    x = torch.randn(2, 70, DIMS, device='cuda')
    expected = module.cpu()(x.cpu(), (7, 10))
    module.cuda()
    torch.cuda.set_sync_debug_mode('error')
    try:
        with torch.no_grad():
            actual = module(x, (7, 10))
            module(torch.randn(2, 63, DIMS, device='cuda'), (7, 9))
    finally:
        torch.cuda.set_sync_debug_mode('default')
    torch.testing.assert_close(actual.cpu(), expected, atol=1e-4, rtol=1e-4)


def test_each_module_owns_its_tensors():
    small, large, same = _full_featured((7, 10)), _full_featured(
        (12, 9)), _full_featured((7, 10))
    assert small.to_tokens.shape == (70, )
    assert large.to_tokens.shape == (108, )
    assert small.attn_mask.shape[0] == 6 and large.attn_mask.shape[0] == 9
    for name in WindowTensors._fields:
        assert getattr(small, name) is not getattr(same, name)
        assert getattr(small, name).data_ptr() != \
            getattr(same, name).data_ptr()


def test_tensors_are_freed_with_their_module():
    module = _full_featured()
    x = torch.randn(1, 70, DIMS)
    with torch.no_grad():
        module(x, (7, 10))
        module(torch.randn(1, 63, DIMS), (7, 9))  # per-call tensors
    refs = [weakref.ref(tensor) for tensor in module.buffers()]
    del module
    gc.collect()
    assert refs and all(ref() is None for ref in refs)


# Geometry helpers ----------------------------------------------------------
def test_mask_shape_type_and_rows():
    layout = window_layout((7, 7), (4, 4), (2, 2))
    mask = window_attention_mask(layout, 0)
    assert mask.dtype == torch.float32
    assert mask.shape == (4, 1, 16, 16)
    assert window_attention_mask(layout, 4).shape == (4, 1, 16, 20)
    # No query row is fully masked (padding queries see everything).
    assert torch.isfinite(mask).any(-1).all()
    divisible = window_layout((8, 8), (4, 4), (0, 0))
    assert window_attention_mask(divisible, 0) is None


def test_layout_pads_clamps_and_drops_useless_shift():
    layout = window_layout((7, 10), (4, 16), (2, 8))
    assert layout.window == (4, 10)
    assert layout.shift == (2, 0)
    assert layout.padded_grid == (8, 10)
    assert layout.num_windows == (2, 1)
    assert layout.needs_mask


def test_token_index_round_trips():
    for layout in (window_layout((7, 10), (4, 4), (2, 2)),
                   window_layout((8, 6), (4, 3), (0, 0)),
                   window_layout((8, 6), (4, 6), (0, 0))):
        to_windows, to_tokens = window_token_index(layout)
        assert len(to_windows) == layout.total_windows * \
            layout.tokens_per_window
        assert to_windows[to_tokens].tolist() == list(range(len(to_tokens)))
    assert layout.keeps_token_order
    assert to_windows.tolist() == list(range(48))


# Relative position bias ----------------------------------------------------
def test_table_has_one_row_per_offset():
    assert relative_position_table_size((8, 8)) == 15 * 15
    assert relative_position_table_size((16, 12)) == 31 * 23


def test_index_of_a_non_square_window():
    # 2x3 window: offsets dy in [-1, 1], dx in [-2, 2]; rows (dy+1)*5+dx+2.
    index = relative_position_index((2, 3), (2, 3))
    assert index.shape == (6, 6)
    assert index[0, 0] == 7  # same token: centre of the table
    assert index[0, 5] == 0  # query (0, 0), key (1, 2): dy=-1, dx=-2
    assert index[5, 0] == 14  # dy=+1, dx=+2
    assert index[1, 3] == 0 * 5 + 3  # query (0, 1), key (1, 0): dy=-1, dx=1
    # Pairs with the same offset share a row, distinct offsets do not.
    ys, xs = torch.meshgrid(torch.arange(2), torch.arange(3), indexing='ij')
    ys, xs = ys.flatten(), xs.flatten()
    offsets = torch.stack(
        [ys[:, None] - ys[None, :], xs[:, None] - xs[None, :]], -1)
    for a in range(36):
        for b in range(36):
            same_offset = bool(
                (offsets.view(36, 2)[a] == offsets.view(36, 2)[b]).all())
            assert (index.flatten()[a] == index.flatten()[b]) == same_offset


def test_smaller_window_uses_the_table_centre():
    small = relative_position_index((1, 2), (3, 4))
    # Table for 3x4: rows (dy+2)*7 + dx+3; same token -> 2*7+3.
    assert small.tolist() == [[17, 16], [18, 17]]
    with pytest.raises(ValueError, match='larger'):
        relative_position_index((4, 4), (3, 4))


def test_bias_gathers_per_head():
    table = torch.randn(relative_position_table_size((2, 3)), 4)
    bias = relative_position_bias(table, relative_position_index((2, 3),
                                                                 (2, 3)))
    assert bias.shape == (4, 6, 6)
    torch.testing.assert_close(bias[:, 0, 5], table[0])
    torch.testing.assert_close(bias[:, 2, 2], table[7])


def test_clamped_window_uses_the_table_centre_in_the_module():
    module = make_attention((3, 4), window_size=(8, 8), rel_pos_bias=True)
    assert module.relative_position_bias_table.shape == (15 * 15, HEADS)
    torch.testing.assert_close(
        module.relative_position_index,
        relative_position_index((3, 4), (8, 8)))
