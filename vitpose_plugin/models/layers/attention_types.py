"""Names of the attention variants and a factory to build them."""
from typing import Dict, Sequence, Tuple, Union

from torch import nn

from .attention import MultiheadSelfAttention
from .window_attention import WindowAttention

#: ``WindowAttention`` flags of each windowed attention type.
_WINDOW_FLAGS: Dict[str, Dict[str, bool]] = {
    'window': dict(shift=False, pool=False),
    'shift_window': dict(shift=True, pool=False),
    'pool_window': dict(shift=False, pool=True),
    'shift_pool_window': dict(shift=True, pool=True),
}
#: Every attention type a block can use.
ATTENTION_TYPES: Tuple[str, ...] = ('full', ) + tuple(_WINDOW_FLAGS)


def resolve_attn_types(attn_types: Union[str, Sequence[str]],
                       depth: int) -> Tuple[str, ...]:
    """Expand an ``attn_types`` config into one type per block.

    Args:
        attn_types (str | Sequence[str]): One type for all blocks, one per
            block, or a pattern whose length divides ``depth`` and that is
            repeated, e.g. ``('window', 'shift_window')`` alternates and
            ``('window',) * 3 + ('full',)`` puts full attention in every
            fourth block.
        depth (int): Number of blocks.

    Returns:
        tuple[str, ...]: ``depth`` attention types.

    Raises:
        ValueError: an unknown type, or a length that does not divide
            ``depth``.
    """
    pattern = (attn_types, ) if isinstance(attn_types, str) \
        else tuple(attn_types)
    unknown = sorted({t for t in pattern if t not in ATTENTION_TYPES},
                     key=str)
    if unknown:
        raise ValueError(f'unknown attention type(s) {unknown}; choose from '
                         f'{list(ATTENTION_TYPES)}')
    if not pattern or depth % len(pattern):
        raise ValueError(
            f'attn_types has {len(pattern)} entries; give one type, one per '
            f'block ({depth}) or a pattern whose length divides {depth}')
    return pattern * (depth // len(pattern))


def build_attention(attn_type: str,
                    embed_dims: int,
                    num_heads: int,
                    window_size: Union[int, Tuple[int, int]] = 8,
                    shift_size: Union[int, Tuple[int, int], None] = None,
                    rel_pos_bias: bool = False,
                    qkv_bias: bool = True,
                    attn_drop: float = 0.,
                    proj_drop: float = 0.) -> nn.Module:
    """Build the self-attention module of one block.

    Args:
        attn_type (str): One of :data:`ATTENTION_TYPES`.
        embed_dims (int): Token width.
        num_heads (int): Attention heads.
        window_size (int | tuple[int, int]): Window of the windowed types.
            Defaults to 8.
        shift_size (int | tuple[int, int], optional): Shift of the shifted
            types; ``None`` is half the window. Defaults to None.
        rel_pos_bias (bool): Relative position bias in the windowed types
            (full attention keeps only the absolute position embedding).
            Defaults to False.
        qkv_bias (bool): Bias on the qkv projection. Defaults to True.
        attn_drop (float): Attention-weight dropout. Defaults to 0.
        proj_drop (float): Output dropout. Defaults to 0.
    """
    common = dict(
        qkv_bias=qkv_bias, attn_drop=attn_drop, proj_drop=proj_drop)
    if attn_type == 'full':
        return MultiheadSelfAttention(embed_dims, num_heads, **common)
    if attn_type not in _WINDOW_FLAGS:
        raise ValueError(f'unknown attention type {attn_type!r}; choose from '
                         f'{list(ATTENTION_TYPES)}')
    return WindowAttention(
        embed_dims,
        num_heads,
        window_size=window_size,
        shift_size=shift_size,
        rel_pos_bias=rel_pos_bias,
        **_WINDOW_FLAGS[attn_type],
        **common)
