"""Names of the attention variants and a factory to build them."""
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

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
#: Keys of ``attn_cfg`` (see :func:`build_attention`).
ATTN_CFG_KEYS: Tuple[str, ...] = ('window_size', 'shift_size', 'rel_pos_bias')


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


def _check_attn_cfg(attn_cfg: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """A copy of ``attn_cfg`` (None: empty) after checking its keys; see
    :func:`build_attention`.

    Raises:
        ValueError: a key that is not one of :data:`ATTN_CFG_KEYS`.
    """
    attn_cfg = dict(attn_cfg or {})
    unknown = sorted(set(attn_cfg) - set(ATTN_CFG_KEYS), key=str)
    if unknown:
        raise ValueError(f'unknown attn_cfg key(s) {unknown}; allowed keys '
                         f'are {list(ATTN_CFG_KEYS)}')
    return attn_cfg


def build_attention(attn_type: str,
                    embed_dims: int,
                    num_heads: int,
                    grid: Optional[Tuple[int, int]] = None,
                    attn_cfg: Optional[Mapping[str, Any]] = None,
                    qkv_bias: bool = True,
                    attn_drop: float = 0.,
                    proj_drop: float = 0.) -> nn.Module:
    """Build the self-attention module of one block.

    Args:
        attn_type (str): One of :data:`ATTENTION_TYPES`.
        embed_dims (int): Token width.
        num_heads (int): Attention heads.
        grid (tuple[int, int], optional): Token grid (rows, cols) of the
            model; needed by the windowed types, which build their window
            tensors for it. Defaults to None.
        attn_cfg (dict, optional): Settings of the windowed types, keyword
            arguments of :class:`WindowAttention` (documented there):
            ``window_size`` (default 8), ``shift_size`` (default None, half
            the window) and ``rel_pos_bias`` (default False). Checked for
            every type, full attention ignores them. Defaults to None (all
            defaults).
        qkv_bias (bool): Bias on the qkv projection. Defaults to True.
        attn_drop (float): Attention-weight dropout. Defaults to 0.
        proj_drop (float): Output dropout. Defaults to 0.
    """
    attn_cfg = _check_attn_cfg(attn_cfg)
    common = dict(
        qkv_bias=qkv_bias, attn_drop=attn_drop, proj_drop=proj_drop)
    if attn_type == 'full':
        return MultiheadSelfAttention(embed_dims, num_heads, **common)
    if attn_type not in _WINDOW_FLAGS:
        raise ValueError(f'unknown attention type {attn_type!r}; choose from '
                         f'{list(ATTENTION_TYPES)}')
    if grid is None:
        raise ValueError(f'{attn_type!r} attention needs the token grid')
    return WindowAttention(
        embed_dims,
        num_heads,
        grid,
        **_WINDOW_FLAGS[attn_type],
        **attn_cfg,
        **common)
