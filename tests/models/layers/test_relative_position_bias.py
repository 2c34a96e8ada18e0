import pytest
import torch

from vitpose_plugin.models.layers import (relative_position_bias,
                                          relative_position_index,
                                          relative_position_table_size)

CPU = torch.device('cpu')


def test_table_has_one_row_per_offset():
    assert relative_position_table_size((8, 8)) == 15 * 15
    assert relative_position_table_size((16, 12)) == 31 * 23


def test_index_of_a_non_square_window():
    # 2x3 window: offsets dy in [-1, 1], dx in [-2, 2]; rows (dy+1)*5+dx+2.
    index = relative_position_index((2, 3), (2, 3), CPU).view(6, 6)
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
    small = relative_position_index((1, 2), (3, 4), CPU).view(2, 2)
    # Table for 3x4: rows (dy+2)*7 + dx+3; same token -> 2*7+3.
    assert small.tolist() == [[17, 16], [18, 17]]
    with pytest.raises(ValueError, match='larger'):
        relative_position_index((4, 4), (3, 4), CPU)


def test_bias_gathers_per_head():
    table = torch.randn(relative_position_table_size((2, 3)), 4)
    bias = relative_position_bias(table, (2, 3), (2, 3))
    assert bias.shape == (4, 6, 6)
    torch.testing.assert_close(bias[:, 0, 5], table[0])
    torch.testing.assert_close(bias[:, 2, 2], table[7])
