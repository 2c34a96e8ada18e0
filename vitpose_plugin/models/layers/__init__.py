"""Building blocks of the ViTPose transformer."""
from .attention import MultiheadSelfAttention
from .attention_types import (ATTENTION_TYPES, ATTN_CFG_KEYS, build_attention,
                              resolve_attn_types)
from .mlp import Mlp
from .patch_embed import PatchEmbed
from .transformer_block import TransformerBlock
from .window_attention import (WindowAttention, WindowLayout, WindowTensors,
                               grid_to_windows, relative_position_bias,
                               relative_position_index,
                               relative_position_table_size,
                               window_attention_mask, window_layout,
                               window_means, window_token_index)

__all__ = [
    'ATTENTION_TYPES', 'ATTN_CFG_KEYS', 'Mlp', 'MultiheadSelfAttention',
    'PatchEmbed', 'TransformerBlock', 'WindowAttention', 'WindowLayout',
    'WindowTensors', 'build_attention', 'grid_to_windows',
    'relative_position_bias', 'relative_position_index',
    'relative_position_table_size', 'resolve_attn_types',
    'window_attention_mask', 'window_layout', 'window_means',
    'window_token_index'
]
