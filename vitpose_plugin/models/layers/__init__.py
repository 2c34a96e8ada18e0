"""Building blocks of the ViTPose transformer."""
from .attention import MultiheadSelfAttention
from .mlp import Mlp
from .patch_embed import PatchEmbed
from .pos_embed import resize_pos_embed
from .transformer_block import TransformerBlock

__all__ = [
    'MultiheadSelfAttention', 'Mlp', 'PatchEmbed', 'TransformerBlock',
    'resize_pos_embed'
]
