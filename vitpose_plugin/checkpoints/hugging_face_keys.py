"""Hugging Face transformers' VitPose tensor names <-> the plugin's.

transformers' ``VitPoseForPoseEstimation`` (``modeling_vitpose.py`` and
``modeling_vitpose_backbone.py``) names its tensors::

    backbone.embeddings.patch_embeddings.projection.{weight,bias}
    backbone.embeddings.position_embeddings          (1, 1 + N, D)
    backbone.encoder.layer.N.layernorm_before / layernorm_after
    backbone.encoder.layer.N.attention.attention.{query,key,value}
    backbone.encoder.layer.N.attention.output.dense
    backbone.encoder.layer.N.mlp.{fc1,fc2}[.experts.E]
    backbone.layernorm
    head.conv                                         (simple decoder)
    head.{deconv1,batchnorm1,deconv2,batchnorm2,conv} (classic decoder)

Its forward adds the class slot of the position embedding to every patch
(``pos[:, 1:] + pos[:, :1]``), as the official ViTPose does, and keeps
query, key and value as three Linears where the plugin has one ``qkv``.

:func:`plugin_names` is the filter from transformers' names to the plugin's
(the position embedding keeps its class slot: the ``hugging_face`` layout of
:mod:`.layouts` folds it as for official checkpoints);
:func:`hugging_face_names` is the reverse (a zero class slot is added).
Both are pure and leave tensors they do not know under their own name.
"""
import re
from typing import Dict, Mapping, Tuple

import torch
from torch import Tensor

StateDict = Dict[str, Tensor]

_HF_LAYER = 'backbone.encoder.layer.'
_PLUGIN_BLOCK = 'backbone.blocks.'
#: Whole-key renames: transformers -> plugin.
_RENAMES: Tuple[Tuple[str, str], ...] = (
    ('backbone.embeddings.patch_embeddings.projection.',
     'backbone.patch_embed.proj.'),
    ('backbone.embeddings.position_embeddings', 'backbone.pos_embed'),
    ('backbone.layernorm.', 'backbone.last_norm.'),
    ('head.deconv1.', 'head.deconv_layers.0.'),
    ('head.batchnorm1.', 'head.deconv_layers.1.'),
    ('head.deconv2.', 'head.deconv_layers.3.'),
    ('head.batchnorm2.', 'head.deconv_layers.4.'),
    ('head.conv.', 'head.final_layer.'),
)
#: Renames inside a block: ``encoder.layer.N.<hf>`` -> ``blocks.N.<plugin>``.
_BLOCK_RENAMES: Tuple[Tuple[str, str], ...] = (
    ('layernorm_before.', 'norm1.'),
    ('layernorm_after.', 'norm2.'),
    ('attention.output.dense.', 'attn.proj.'),
    ('mlp.', 'mlp.'),
)
_QKV = ('query', 'key', 'value')
_HF_QKV = re.compile(r'backbone\.encoder\.layer\.(\d+)\.attention\.attention'
                     r'\.(query|key|value)\.(weight|bias)')
_PLUGIN_QKV = re.compile(r'backbone\.blocks\.(\d+)\.attn\.qkv\.(weight|bias)')
#: Prefixes only transformers' files have (what layout detection looks for).
HUGGING_FACE_PREFIXES = ('backbone.embeddings.', 'backbone.encoder.layer.')


def _rename(key: str, renames: Tuple[Tuple[str, str], ...]) -> str:
    """``key`` with the first matching prefix of ``renames`` replaced."""
    for old, new in renames:
        if key.startswith(old):
            return new + key[len(old):]
    return key


def _swap_block(key: str, src: str, dst: str, inverse: bool) -> str:
    """Rename a block tensor ``<src>N.<name>`` to ``<dst>N.<name'>``; a
    name outside :data:`_BLOCK_RENAMES` keeps the whole key."""
    number, _, rest = key[len(src):].partition('.')
    pairs = tuple((b, a) for a, b in _BLOCK_RENAMES) if inverse \
        else _BLOCK_RENAMES
    if not any(rest.startswith(old) for old, _ in pairs):
        return key
    return f'{dst}{number}.{_rename(rest, pairs)}'


def plugin_names(state_dict: Mapping[str, Tensor]) -> StateDict:
    """transformers' VitPose tensors under the plugin's names.

    Query, key and value of every block are concatenated (in that order)
    into ``attn.qkv``; a model without qkv biases (``qkv_bias=False``)
    gets zero ones, which compute the same. The position embedding keeps
    its class slot, ``(1, 1 + N, D)``.

    Args:
        state_dict (Mapping[str, Tensor]): A ``VitPoseForPoseEstimation``
            state dict.

    Returns:
        dict: The renamed tensors; unknown keys keep their name (layout
        conversion reports them).

    Raises:
        ValueError: a block with some of query, key and value missing.
    """
    renamed: StateDict = {}
    qkv: Dict[Tuple[int, str], Dict[str, Tensor]] = {}
    for key, value in state_dict.items():
        match = _HF_QKV.fullmatch(key)
        if match:
            qkv.setdefault((int(match[1]), match[3]), {})[match[2]] = value
        elif key.startswith(_HF_LAYER):
            renamed[_swap_block(key, _HF_LAYER, _PLUGIN_BLOCK, False)] = value
        else:
            renamed[_rename(key, _RENAMES)] = value
    for (block, kind), parts in sorted(qkv.items()):
        missing = [name for name in _QKV if name not in parts]
        if missing:
            raise ValueError(f'{_HF_LAYER}{block}.attention.attention has no '
                             f'{"/".join(missing)} {kind}')
        renamed[f'{_PLUGIN_BLOCK}{block}.attn.qkv.{kind}'] = torch.cat(
            [parts[name] for name in _QKV], 0)
    for block, kind in list(qkv):
        if kind == 'weight' and (block, 'bias') not in qkv:
            weight = renamed[f'{_PLUGIN_BLOCK}{block}.attn.qkv.weight']
            renamed[f'{_PLUGIN_BLOCK}{block}.attn.qkv.bias'] = \
                weight.new_zeros(weight.shape[0])
    return renamed


def hugging_face_names(state_dict: Mapping[str, Tensor]) -> StateDict:
    """Plugin tensors (a single-dataset model: ``backbone.*``, ``head.*``)
    under transformers' VitPose names.

    ``attn.qkv`` is split into query, key and value; the (1, N, D)
    position embedding gets a zero class slot in front, (1, 1 + N, D), which
    transformers' forward adds to every patch.

    Returns:
        dict: The renamed tensors; unknown keys keep their name.
    """
    inverse = tuple((new, old) for old, new in _RENAMES)
    renamed: StateDict = {}
    for key, value in state_dict.items():
        match = _PLUGIN_QKV.fullmatch(key)
        if match:
            for name, part in zip(_QKV, value.chunk(3, 0)):
                renamed[f'{_HF_LAYER}{match[1]}.attention.attention.{name}.'
                        f'{match[2]}'] = part.clone()
        elif key.startswith(_PLUGIN_BLOCK):
            renamed[_swap_block(key, _PLUGIN_BLOCK, _HF_LAYER, True)] = value
        elif key == 'backbone.pos_embed':
            slot = value.new_zeros(value.shape[0], 1, value.shape[2])
            renamed['backbone.embeddings.position_embeddings'] = torch.cat(
                [slot, value], 1)
        else:
            renamed[_rename(key, inverse)] = value
    return renamed


__all__ = ['HUGGING_FACE_PREFIXES', 'hugging_face_names', 'plugin_names']
