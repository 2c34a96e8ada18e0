"""The checkpoint layouts the plugin reads, and their conversion to its own.

Every function here is pure: it takes a flat ``{name: tensor}`` state dict
and returns a new one. Anything a layout does not recognise, or a tensor a
converted model needs but cannot find, is a ``ValueError`` naming the keys.

Layouts (see ``docs/checkpoints.md``):

- ``plugin``: this plugin's own (``backbone.*``/``head.*`` of a
  ``TopdownPoseEstimator`` with :class:`ViTPoseBackbone`); every parameter
  the plugin can have is listed in :data:`PLUGIN_KEYS`.
- ``official_vitpose``: ViTAE-Transformer/ViTPose (MMPose 0.x):
  ``backbone.blocks.N.*``, ``backbone.pos_embed`` (1, N+1, D) with a class
  slot that the official forward adds to every patch, ``keypoint_head.*``.
- ``mmpose_vitpose``: MMPose 1.x (mmpretrain ``VisionTransformer`` with
  ``with_cls_token=False``): ``backbone.layers.N.*``, ``backbone.ln1``,
  ``backbone.pos_embed`` (1, N, D), ``head.*``.
- ``mae_facebook``: facebookresearch/mae (``blocks.N.*``, ``norm``,
  ``pos_embed`` (1, 1+14*14, D), decoder keys).
- ``mae_mmpretrain``: mmpretrain's MAE (``backbone.layers.N.*``,
  ``neck.*``).
- ``token_tuner`` / ``token_distiller``: training runs of the two
  distillation stages (``teacher.*``; ``student.*``, ``knowledge_token``,
  ``token_projection.*``); see :mod:`.extraction`.
"""
import math
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from torch import Tensor

from ..models.layers.pos_embed import resize_pos_embed

StateDict = Dict[str, Tensor]
Grid = Tuple[int, int]

PLUGIN = 'plugin'
OFFICIAL_VITPOSE = 'official_vitpose'
MMPOSE_VITPOSE = 'mmpose_vitpose'
MAE_FACEBOOK = 'mae_facebook'
MAE_MMPRETRAIN = 'mae_mmpretrain'
TOKEN_TUNER = 'token_tuner'
TOKEN_DISTILLER = 'token_distiller'
#: Layouts that :func:`convert_checkpoint` turns into the plugin's.
LAYOUTS = (PLUGIN, OFFICIAL_VITPOSE, MMPOSE_VITPOSE, MAE_FACEBOOK,
           MAE_MMPRETRAIN)
MAE_LAYOUTS = (MAE_FACEBOOK, MAE_MMPRETRAIN)

#: The knowledge token of a plugin model, and where the distillation runs
#: keep theirs.
BACKBONE_PREFIX = 'backbone.'
KNOWLEDGE_TOKEN = BACKBONE_PREFIX + 'knowledge_token'
TUNER_KNOWLEDGE_TOKEN = 'teacher.' + KNOWLEDGE_TOKEN
DISTILLER_KNOWLEDGE_TOKEN = 'knowledge_token'
DISTILLER_TOKEN_PROJECTION = 'token_projection.weight'

# Plugin block parameter -> its mmpretrain name.
_BLOCK_PARAMS = {
    'norm1': 'ln1',
    'attn.qkv': 'attn.qkv',
    'attn.proj': 'attn.proj',
    'norm2': 'ln2',
    'mlp.fc1': 'ffn.layers.0.0',
    'mlp.fc2': 'ffn.layers.1',
}
_BN_TENSORS = ('weight', 'bias', 'running_mean', 'running_var',
               'num_batches_tracked')
_BLOCK_NAMES = '|'.join(re.escape(name) for name in _BLOCK_PARAMS)
_HEAD_TENSORS = (rf'deconv_layers\.\d+\.(?:{"|".join(_BN_TENSORS)})'
                 r'|final_layer\.(?:weight|bias)')

#: Every tensor a plugin model can hold, as (regex, what it is). Experts and
#: per-dataset heads add their rows here.
PLUGIN_KEYS: Tuple[Tuple[str, str], ...] = (
    (r'backbone\.patch_embed\.proj\.(?:weight|bias)', 'patch embedding'),
    (r'backbone\.pos_embed', 'position embedding (1, rows*cols, D)'),
    (re.escape(KNOWLEDGE_TOKEN), 'knowledge tokens (1, n, D)'),
    (rf'backbone\.blocks\.\d+\.(?:{_BLOCK_NAMES})\.(?:weight|bias)',
     'transformer block'),
    (r'backbone\.blocks\.\d+\.attn\.relative_position_bias_table',
     'relative position bias of a windowed block'),
    (r'backbone\.last_norm\.(?:weight|bias)', 'final norm'),
    (rf'head\.(?:{_HEAD_TENSORS})', 'classic or simple decoder'),
)
#: Backbone parameters (names relative to the backbone) that a pretrained
#: checkpoint may lack: they start neutral (zero bias tables, fresh tokens).
OPTIONAL_PRETRAINED_KEYS = (r'knowledge_token',
                            r'blocks\.\d+\.attn\.relative_position_bias_table')
_MAX_KEYS_IN_MESSAGE = 12

# A rule is (source regex, target template or None to drop the key).
Rule = Tuple[str, Optional[str]]


def _timm_backbone_rules(src: str, final_norm: str) -> List[Rule]:
    """Rules for ViTs named like timm/official ViTPose (``blocks.N.norm1``)."""
    return [
        (rf'{src}patch_embed\.proj\.(weight|bias)',
         r'backbone.patch_embed.proj.\1'),
        (rf'{src}pos_embed', 'backbone.pos_embed'),
        (rf'{src}blocks\.(\d+)\.({_BLOCK_NAMES})\.(weight|bias)',
         r'backbone.blocks.\1.\2.\3'),
        (rf'{src}{final_norm}\.(weight|bias)', r'backbone.last_norm.\1'),
    ]


def _mmpretrain_backbone_rules() -> List[Rule]:
    rules: List[Rule] = [
        (r'backbone\.patch_embed\.projection\.(weight|bias)',
         r'backbone.patch_embed.proj.\1'),
        (r'backbone\.pos_embed', 'backbone.pos_embed'),
        (r'backbone\.ln1\.(weight|bias)', r'backbone.last_norm.\1'),
    ]
    for plugin_name, mmpretrain_name in _BLOCK_PARAMS.items():
        rules.append((rf'backbone\.layers\.(\d+)\.'
                      rf'{re.escape(mmpretrain_name)}\.(weight|bias)',
                      rf'backbone.blocks.\1.{plugin_name}.\2'))
    return rules


_RULES: Dict[str, List[Rule]] = {
    PLUGIN: [(rf'({pattern})', r'\1') for pattern, _ in PLUGIN_KEYS],
    OFFICIAL_VITPOSE:
    _timm_backbone_rules(r'backbone\.', 'last_norm') +
    [(rf'keypoint_head\.({_HEAD_TENSORS})', r'head.\1')],
    MMPOSE_VITPOSE:
    _mmpretrain_backbone_rules() + [(rf'head\.({_HEAD_TENSORS})', r'head.\1')],
    MAE_FACEBOOK:
    _timm_backbone_rules('', 'norm') + [(r'cls_token|mask_token|decoder_.*',
                                        None)],
    MAE_MMPRETRAIN:
    _mmpretrain_backbone_rules() + [(r'backbone\.cls_token|neck\..*|head\..*',
                                     None)],
}


@dataclass
class ConvertedCheckpoint:
    """A checkpoint converted to the plugin layout.

    Attributes:
        layout (str): The source layout, one of :data:`LAYOUTS`.
        state_dict (dict): Plugin-layout tensors (``backbone.*``,
            ``head.*``).
        dropped (list[str]): Source keys deliberately left out (MAE
            decoder, class and mask tokens).
    """
    layout: str
    state_dict: StateDict
    dropped: List[str] = field(default_factory=list)


def format_keys(keys: Sequence[str]) -> str:
    """The first keys of a sorted list, and how many more there are."""
    keys = sorted(keys)
    shown = ', '.join(keys[:_MAX_KEYS_IN_MESSAGE])
    more = len(keys) - _MAX_KEYS_IN_MESSAGE
    return shown + (f' ... and {more} more' if more > 0 else '')


def unwrap_state_dict(checkpoint: Mapping) -> StateDict:
    """Return the flat state dict of a loaded checkpoint file.

    Accepts an mmengine/mmcv checkpoint (``state_dict``), an MAE/timm one
    (``model``), a DeepSpeed-style one (``module``) or a bare state dict, and
    strips a DataParallel ``module.`` prefix.

    Args:
        checkpoint (Mapping): What the file held.

    Raises:
        ValueError: no tensors found.
    """
    if not isinstance(checkpoint, Mapping):
        raise ValueError(f'a checkpoint must be a dict, got '
                         f'{type(checkpoint).__name__}')
    state_dict = checkpoint
    for wrapper in ('state_dict', 'model', 'module'):
        if isinstance(checkpoint.get(wrapper), Mapping):
            state_dict = checkpoint[wrapper]
            break
    tensors = {k: v for k, v in state_dict.items() if isinstance(v, Tensor)}
    if not tensors:
        raise ValueError(f'no tensors found in the checkpoint; its top-level '
                         f'keys are {format_keys(list(checkpoint))}')
    if all(key.startswith('module.') for key in tensors):
        tensors = {key[len('module.'):]: v for key, v in tensors.items()}
    return tensors


def detect_layout(state_dict: Mapping[str, Tensor]) -> str:
    """Tell which layout a state dict is in, from its keys.

    Returns:
        str: One of :data:`LAYOUTS`, :data:`TOKEN_TUNER` or
        :data:`TOKEN_DISTILLER`.

    Raises:
        ValueError: none of the known layouts.
    """

    def has(prefix: str) -> bool:
        return any(key.startswith(prefix) for key in state_dict)

    if has('student.backbone.'):
        return TOKEN_DISTILLER
    if TUNER_KNOWLEDGE_TOKEN in state_dict:
        return TOKEN_TUNER
    if has('backbone.layers.'):
        return MMPOSE_VITPOSE if has('head.final_layer.') else MAE_MMPRETRAIN
    if has('backbone.blocks.'):
        return OFFICIAL_VITPOSE if has('keypoint_head.') else PLUGIN
    if has('blocks.') and 'patch_embed.proj.weight' in state_dict:
        return MAE_FACEBOOK
    raise ValueError(
        f'unrecognised checkpoint layout: expected official ViTPose '
        f'(backbone.blocks.N, keypoint_head.*), MMPose 1.x ViTPose '
        f'(backbone.layers.N, head.final_layer), MAE (blocks.N / '
        f'backbone.layers.N) or this plugin\'s layout; the checkpoint has '
        f'{len(state_dict)} tensors: {format_keys(list(state_dict))}')


def apply_rules(state_dict: Mapping[str, Tensor],
                layout: str) -> Tuple[StateDict, List[str]]:
    """Rename the keys of ``layout`` to the plugin's.

    Returns:
        tuple[dict, list[str]]: The renamed tensors and the dropped keys.

    Raises:
        ValueError: keys the layout does not know.
    """
    if layout not in _RULES:
        raise ValueError(f'no renaming rules for the {layout} layout; '
                         f'one of {LAYOUTS}')
    converted: StateDict = {}
    dropped, unrecognised = [], []
    for key, value in state_dict.items():
        for pattern, target in _RULES[layout]:
            match = re.fullmatch(pattern, key)
            if match is None:
                continue
            if target is None:
                dropped.append(key)
            else:
                converted[match.expand(target)] = value
            break
        else:
            unrecognised.append(key)
    if unrecognised:
        raise ValueError(
            f'{len(unrecognised)} key(s) not recognised in the {layout} '
            f'layout: {format_keys(unrecognised)}')
    return converted, dropped


def check_plugin_keys(state_dict: Mapping[str, Tensor]) -> None:
    """Check that a converted plugin-layout state dict holds a whole model.

    Needs the patch and position embeddings, every tensor of blocks
    ``0..N-1`` and the final norm; with any ``head.*`` key, the head's
    ``final_layer`` and all tensors of each deconv stage.

    Raises:
        ValueError: naming every missing key.
    """
    keys = set(state_dict)
    block_ids = {
        int(k.split('.')[2])
        for k in keys if k.startswith('backbone.blocks.')
    }
    expected = {
        'backbone.patch_embed.proj.weight', 'backbone.patch_embed.proj.bias',
        'backbone.pos_embed', 'backbone.last_norm.weight',
        'backbone.last_norm.bias'
    }
    for index in range(max(block_ids, default=-1) + 1):
        expected.update(f'backbone.blocks.{index}.{name}.{kind}'
                        for name in _BLOCK_PARAMS
                        for kind in ('weight', 'bias'))
    if any(key.startswith('head.') for key in keys):
        expected.update({'head.final_layer.weight', 'head.final_layer.bias'})
        layer_ids = {
            int(k.split('.')[2])
            for k in keys if k.startswith('head.deconv_layers.')
        }
        # Each stage is ConvTranspose2d (index 3i), BN (3i+1), ReLU (3i+2).
        for stage in range(max(layer_ids, default=-1) // 3 + 1):
            expected.add(f'head.deconv_layers.{3 * stage}.weight')
            expected.update(f'head.deconv_layers.{3 * stage + 1}.{name}'
                            for name in _BN_TENSORS[:4])
    missing = expected - keys
    if missing:
        raise ValueError(f'the checkpoint lacks {len(missing)} tensor(s) the '
                         f'model needs: {format_keys(list(missing))}')


def fold_class_slot(pos_embed: Tensor) -> Tensor:
    """Fold the class slot of a (1, 1+N, D) embedding into its N patches.

    The official ViTPose forward computes ``x + pos[:, 1:] + pos[:, :1]``,
    so ``pos[:, 1:] + pos[:, :1]`` is the equivalent slot-free embedding.
    """
    if pos_embed.dim() != 3 or pos_embed.shape[1] < 2:
        raise ValueError(f'expected a (1, 1+N, D) position embedding, got '
                         f'{tuple(pos_embed.shape)}')
    return pos_embed[:, 1:] + pos_embed[:, :1]


def _mae_source_grid(pos_embed: Tensor) -> Grid:
    patches = pos_embed.shape[1] - 1
    side = math.isqrt(max(patches, 0))
    if pos_embed.dim() != 3 or side < 1 or side * side != patches:
        raise ValueError(
            f'an MAE pos_embed should be (1, 1 + S*S, D) (class slot and a '
            f'square grid), got {tuple(pos_embed.shape)}')
    return side, side


def mae_pos_embed_to_grid(pos_embed: Tensor, grid: Grid) -> Tensor:
    """Resize an MAE (1, 1+S*S, D) embedding to ``grid`` the official way.

    As in the official ViTPose loader the S x S patch positions are resized
    bicubically to ``grid`` and the class slot is kept; the slot is then
    folded into every patch as the official forward does.

    Args:
        pos_embed (Tensor): MAE embedding with its class slot.
        grid (tuple[int, int]): Backbone token grid (rows, cols).
    """
    source = _mae_source_grid(pos_embed)
    patches = resize_pos_embed(pos_embed[:, 1:], source, grid)
    return patches + pos_embed[:, :1]


def convert_checkpoint(state_dict: Mapping[str, Tensor],
                       grid: Optional[Grid] = None,
                       layout: Optional[str] = None) -> ConvertedCheckpoint:
    """Convert any of :data:`LAYOUTS` to the plugin's (auto-detected).

    - official ViTPose: ``keypoint_head.*`` becomes ``head.*`` and the
      position embedding's class slot is folded into the patches;
    - MMPose 1.x: names only (no class slot);
    - MAE: the encoder only, decoder and tokens dropped, the final norm
      becomes ``last_norm``, the position embedding resized to ``grid``
      (see :func:`mae_pos_embed_to_grid`);
    - plugin: unchanged (every key must be one of :data:`PLUGIN_KEYS`).

    Args:
        state_dict (Mapping): Flat weights (see :func:`unwrap_state_dict`).
        grid (tuple[int, int], optional): Token grid for MAE checkpoints,
            whose 14x14 embedding must be resized. Defaults to None, which
            is an error for MAE checkpoints.
        layout (str, optional): Force a layout instead of detecting it.

    Returns:
        ConvertedCheckpoint

    Raises:
        ValueError: unknown layout, keys, missing tensors or grid.
    """
    layout = layout or detect_layout(state_dict)
    if layout in (TOKEN_TUNER, TOKEN_DISTILLER):
        part = 'teacher' if layout == TOKEN_TUNER else 'student'
        raise ValueError(
            f'this is a {layout} training checkpoint; write its {part} as a '
            f'plain checkpoint first: python -m vitpose_plugin.checkpoints '
            f'extract-{part} SRC DST')
    if layout not in LAYOUTS:
        raise ValueError(f'unknown layout {layout!r}; one of {LAYOUTS}')
    if layout in MAE_LAYOUTS and grid is None:
        raise ValueError('an MAE checkpoint needs the backbone token grid '
                         '(e.g. (16, 12) for 256x192 inputs)')
    converted, dropped = apply_rules(state_dict, layout)
    if layout != PLUGIN:
        check_plugin_keys(converted)
    if layout == OFFICIAL_VITPOSE:
        converted['backbone.pos_embed'] = fold_class_slot(
            converted['backbone.pos_embed'])
    elif layout in MAE_LAYOUTS:
        converted['backbone.pos_embed'] = mae_pos_embed_to_grid(
            converted['backbone.pos_embed'], tuple(grid))
    return ConvertedCheckpoint(layout, converted, dropped)


def strip_prefix(state_dict: Mapping[str, Tensor],
                 prefix: str) -> StateDict:
    """The tensors whose key starts with ``prefix``, without it."""
    return {
        key[len(prefix):]: value
        for key, value in state_dict.items() if key.startswith(prefix)
    }


def head_kind(state_dict: Mapping[str, Tensor]) -> Optional[str]:
    """``'classic'``, ``'simple'`` or None (no head) for a plugin state dict.
    """
    if any(key.startswith('head.deconv_layers.') for key in state_dict):
        return 'classic'
    if 'head.final_layer.weight' in state_dict:
        return 'simple'
    return None
