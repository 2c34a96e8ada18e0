"""The checkpoint layouts the plugin reads, and their conversion to its own.

Every function here is pure: it takes a flat ``{name: tensor}`` state dict
and returns a new one. Anything a layout does not recognise, or a tensor a
converted model needs but cannot find, is a ``ValueError`` naming the keys.

Layouts (see ``docs/checkpoints.md``):

- ``plugin``: this plugin's own (``backbone.*``/``head.*`` of a
  ``TopdownPoseEstimator`` with :class:`ViTPoseBackbone`); every parameter
  the plugin can have is listed in :data:`PLUGIN_KEYS`.
  A multi-dataset model (``ViTPoseMultiDatasetEstimator``) has one head
  per dataset, ``heads.<name>.*``, and with ViTPose++ experts
  ``backbone.blocks.N.mlp.experts.E.*``.
- ``official_vitpose``: ViTAE-Transformer/ViTPose (MMPose 0.x):
  ``backbone.blocks.N.*``, ``backbone.pos_embed`` (1, N+1, D) with a class
  slot that the official forward adds to every patch, ``keypoint_head.*``.
- ``official_vitpose_moe``: the official ViTPose+ / multi-task models
  (``TopDownMoE``): as ``official_vitpose`` plus, with experts,
  ``backbone.blocks.N.mlp.experts.E.*``; ``keypoint_head.*`` is dataset 0
  and ``associate_keypoint_heads.I.*`` dataset I+1.
- ``mmpose_vitpose``: MMPose 1.x (mmpretrain ``VisionTransformer`` with
  ``with_cls_token=False``): ``backbone.layers.N.*``, ``backbone.ln1``,
  ``backbone.pos_embed`` (1, N, D), ``head.*``.
- ``mae_facebook``: facebookresearch/mae (``blocks.N.*``, ``norm``,
  ``pos_embed`` (1, 1+14*14, D), decoder keys).
- ``mae_mmpretrain``: mmpretrain's MAE (``backbone.layers.N.*``,
  ``neck.*``), also the person-crop MAE of :mod:`vitpose_plugin.pretraining`
  (``pos_embed`` (1, 1+16*12, D) at 256x192).
- ``hugging_face``: transformers' ``VitPoseForPoseEstimation``
  (``backbone.embeddings.*``, ``backbone.encoder.layer.N.*``, ``head.*``),
  ViTPose++ experts included; renamed by :mod:`.hugging_face_keys`, class
  slot folded as for official checkpoints (see :mod:`.hugging_face`).
- ``token_tuner`` / ``token_distiller``: training runs of the two
  distillation stages (``teacher.*``; ``student.*``, ``knowledge_token``,
  ``token_projection.*``); see :mod:`.extraction`.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple

from torch import Tensor

from ..token_grid import infer_grid, resize_pos_embed
from .hugging_face_keys import HUGGING_FACE_PREFIXES, plugin_names

StateDict = Dict[str, Tensor]
Grid = Tuple[int, int]

PLUGIN = 'plugin'
OFFICIAL_VITPOSE = 'official_vitpose'
OFFICIAL_VITPOSE_MOE = 'official_vitpose_moe'
MMPOSE_VITPOSE = 'mmpose_vitpose'
MAE_FACEBOOK = 'mae_facebook'
MAE_MMPRETRAIN = 'mae_mmpretrain'
HUGGING_FACE = 'hugging_face'
TOKEN_TUNER = 'token_tuner'
TOKEN_DISTILLER = 'token_distiller'
#: Layouts that :func:`convert_checkpoint` turns into the plugin's.
LAYOUTS = (PLUGIN, OFFICIAL_VITPOSE, OFFICIAL_VITPOSE_MOE, MMPOSE_VITPOSE,
           MAE_FACEBOOK, MAE_MMPRETRAIN, HUGGING_FACE)
MAE_LAYOUTS = (MAE_FACEBOOK, MAE_MMPRETRAIN)

#: The knowledge token of a plugin model, and where the distillation runs
#: keep theirs.
BACKBONE_PREFIX = 'backbone.'
KNOWLEDGE_TOKEN = BACKBONE_PREFIX + 'knowledge_token'
TUNER_KNOWLEDGE_TOKEN = 'teacher.' + KNOWLEDGE_TOKEN
DISTILLER_KNOWLEDGE_TOKEN = 'knowledge_token'
DISTILLER_TOKEN_PROJECTION = 'token_projection.weight'
#: The head of a single-dataset model, the heads of a multi-dataset one.
HEAD_PREFIX = 'head.'
HEADS_PREFIX = 'heads.'
#: ViTPose++'s datasets in the order of its official checkpoints (dataset
#: index, ``keypoint_head`` then ``associate_keypoint_heads.0..4``) and
#: their keypoint counts; the first three are also the order of the
#: multi-task COCO+AIC+MPII models.
VITPOSE_PLUS_DATASETS: Tuple[Tuple[str, int], ...] = (
    ('coco', 17), ('aic', 14), ('mpii', 16), ('ap10k', 17), ('apt36k', 17),
    ('wholebody', 133))

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

_EXPERT_TENSORS = r'mlp\.experts\.\d+\.(?:weight|bias)'
_DATASET_NAME = r'[^.]+'

#: Every tensor a plugin model can hold, as (regex, what it is).
PLUGIN_KEYS: Tuple[Tuple[str, str], ...] = (
    (r'backbone\.patch_embed\.proj\.(?:weight|bias)', 'patch embedding'),
    (r'backbone\.pos_embed', 'position embedding (1, rows*cols, D)'),
    (re.escape(KNOWLEDGE_TOKEN), 'knowledge tokens (1, n, D)'),
    (rf'backbone\.blocks\.\d+\.(?:{_BLOCK_NAMES})\.(?:weight|bias)',
     'transformer block'),
    (rf'backbone\.blocks\.\d+\.{_EXPERT_TENSORS}',
     'dataset expert E of a block FFN (ViTPose++)'),
    (r'backbone\.blocks\.\d+\.attn\.relative_position_bias_table',
     'relative position bias of a windowed block'),
    (r'backbone\.last_norm\.(?:weight|bias)', 'final norm'),
    (rf'head\.(?:{_HEAD_TENSORS})', 'classic or simple decoder'),
    (rf'heads\.{_DATASET_NAME}\.(?:{_HEAD_TENSORS})',
     'decoder of one dataset of a multi-dataset model'),
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
    # Heads are renamed to heads.<name>.* first (name_official_heads).
    OFFICIAL_VITPOSE_MOE:
    _timm_backbone_rules(r'backbone\.', 'last_norm') + [
        (rf'(backbone\.blocks\.\d+\.{_EXPERT_TENSORS})', r'\1'),
        (rf'(heads\.{_DATASET_NAME}\.(?:{_HEAD_TENSORS}))', r'\1'),
    ],
    MMPOSE_VITPOSE:
    _mmpretrain_backbone_rules() + [(rf'head\.({_HEAD_TENSORS})', r'head.\1')],
    MAE_FACEBOOK:
    _timm_backbone_rules('', 'norm') + [(r'cls_token|mask_token|decoder_.*',
                                        None)],
    MAE_MMPRETRAIN:
    _mmpretrain_backbone_rules() + [(r'backbone\.cls_token|neck\..*|head\..*',
                                     None)],
}
# Renamed to the plugin's names first (hugging_face_keys.plugin_names).
_RULES[HUGGING_FACE] = _RULES[PLUGIN]


@dataclass
class ConvertedCheckpoint:
    """A checkpoint converted to the plugin layout.

    Attributes:
        layout (str): The source layout, one of :data:`LAYOUTS`.
        state_dict (dict): Plugin-layout tensors (``backbone.*``,
            ``head.*`` or ``heads.<name>.*``).
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

    if any(map(has, HUGGING_FACE_PREFIXES)):
        return HUGGING_FACE
    if has('student.backbone.'):
        return TOKEN_DISTILLER
    if TUNER_KNOWLEDGE_TOKEN in state_dict:
        return TOKEN_TUNER
    if has('backbone.layers.'):
        return MMPOSE_VITPOSE if has('head.final_layer.') else MAE_MMPRETRAIN
    if has('backbone.blocks.'):
        if has('associate_keypoint_heads.') or (
                has('keypoint_head.') and any(map(is_expert_key,
                                                  state_dict))):
            return OFFICIAL_VITPOSE_MOE
        return OFFICIAL_VITPOSE if has('keypoint_head.') else PLUGIN
    if has('blocks.') and 'patch_embed.proj.weight' in state_dict:
        return MAE_FACEBOOK
    raise ValueError(
        f'unrecognised checkpoint layout: expected official ViTPose '
        f'(backbone.blocks.N, keypoint_head.*), official ViTPose+ (also '
        f'associate_keypoint_heads.*), MMPose 1.x ViTPose '
        f'(backbone.layers.N, head.final_layer), MAE (blocks.N / '
        f'backbone.layers.N), Hugging Face VitPose (backbone.encoder.layer.N) '
        f'or this plugin\'s layout; the checkpoint has '
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


def is_expert_key(key: str) -> bool:
    """Whether ``key`` is a tensor of a ViTPose++ dataset expert."""
    return re.fullmatch(rf'(?:.*\.)?blocks\.\d+\.{_EXPERT_TENSORS}',
                        key) is not None


def dataset_names(state_dict: Mapping[str, Tensor]) -> List[str]:
    """The datasets of a multi-dataset plugin state dict, in index order.

    They are the ``<name>`` of its ``heads.<name>.*`` keys in order of
    first appearance: a state dict keeps the order of the model's ``heads``,
    which is the dataset index order. Empty for a single-dataset model.
    """
    names: Dict[str, None] = {}
    for key in state_dict:
        if key.startswith(HEADS_PREFIX):
            names.setdefault(key.split('.')[1])
    return list(names)


def _expected_head_keys(keys: Set[str], prefix: str) -> Set[str]:
    """The tensors of a classic or simple decoder under ``prefix``."""
    expected = {f'{prefix}final_layer.weight', f'{prefix}final_layer.bias'}
    deconv = prefix + 'deconv_layers.'
    layer_ids = {
        int(key[len(deconv):].split('.')[0])
        for key in keys if key.startswith(deconv)
    }
    # Each stage is ConvTranspose2d (index 3i), BN (3i+1), ReLU (3i+2).
    for stage in range(max(layer_ids, default=-1) // 3 + 1):
        expected.add(f'{deconv}{3 * stage}.weight')
        expected.update(f'{deconv}{3 * stage + 1}.{name}'
                        for name in _BN_TENSORS[:4])
    return expected


def check_plugin_keys(state_dict: Mapping[str, Tensor]) -> None:
    """Check that a converted plugin-layout state dict holds a whole model.

    Needs the patch and position embeddings, every tensor of blocks
    ``0..N-1`` (with experts, experts ``0..E-1`` of every block) and the
    final norm; for ``head.*`` and each ``heads.<name>.*``, the head's
    ``final_layer`` and all tensors of each deconv stage.

    Raises:
        ValueError: naming every missing key.
    """
    keys = set(state_dict)
    block_ids = {
        int(k.split('.')[2])
        for k in keys if k.startswith('backbone.blocks.')
    }
    expert_ids = {int(k.split('.')[5]) for k in keys if is_expert_key(k)}
    expected = {
        'backbone.patch_embed.proj.weight', 'backbone.patch_embed.proj.bias',
        'backbone.pos_embed', 'backbone.last_norm.weight',
        'backbone.last_norm.bias'
    }
    for index in range(max(block_ids, default=-1) + 1):
        block = f'backbone.blocks.{index}'
        expected.update(f'{block}.{name}.{kind}' for name in _BLOCK_PARAMS
                        for kind in ('weight', 'bias'))
        expected.update(f'{block}.mlp.experts.{expert}.{kind}'
                        for expert in range(max(expert_ids, default=-1) + 1)
                        for kind in ('weight', 'bias'))
    prefixes = [HEAD_PREFIX] if any(
        key.startswith(HEAD_PREFIX) for key in keys) else []
    prefixes += [f'{HEADS_PREFIX}{name}.' for name in dataset_names(keys)]
    for prefix in prefixes:
        expected |= _expected_head_keys(keys, prefix)
    missing = expected - keys
    if missing:
        raise ValueError(f'the checkpoint lacks {len(missing)} tensor(s) the '
                         f'model needs: {format_keys(list(missing))}')


def check_dataset_names(names: Sequence[str],
                        count: Optional[int] = None) -> List[str]:
    """Validate dataset names: unique, non-empty, without dots.

    Args:
        names (Sequence[str]): The names, in dataset index order.
        count (int, optional): How many there must be. Defaults to None.

    Raises:
        ValueError: naming the offending names.
    """
    names = list(names)
    bad = [name for name in names
           if not isinstance(name, str) or not name or '.' in name]
    if bad:
        raise ValueError(f'dataset names must be non-empty strings without '
                         f'dots (they name heads.<name>), got {bad}')
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f'dataset names must be unique, got {names} '
                         f'({", ".join(repeated)} repeated)')
    if count is not None and len(names) != count:
        raise ValueError(f'{len(names)} dataset names {names} for {count} '
                         f'heads: give one name per head, in dataset order')
    return names


def _official_heads(state_dict: Mapping[str, Tensor]) -> List[StateDict]:
    """``keypoint_head`` then ``associate_keypoint_heads.0, 1, ...``."""
    main: StateDict = {}
    associate: Dict[int, StateDict] = {}
    for key, value in state_dict.items():
        if key.startswith('keypoint_head.'):
            main[key[len('keypoint_head.'):]] = value
        match = re.match(r'associate_keypoint_heads\.(\d+)\.(.+)', key)
        if match:
            associate.setdefault(int(match[1]), {})[match[2]] = value
    if sorted(associate) != list(range(len(associate))) or (associate
                                                             and not main):
        raise ValueError(
            f'an official ViTPose+ checkpoint has keypoint_head.* (dataset '
            f'0) and associate_keypoint_heads.0..N-1.* (datasets 1..N); this '
            f'one has {"a" if main else "no"} keypoint_head and '
            f'associate_keypoint_heads {sorted(associate)}')
    return ([main] if main else []) + [associate[i] for i in sorted(associate)]


def default_dataset_names(keypoints: Sequence[Optional[int]]) -> List[str]:
    """ViTPose++'s dataset names for official heads of these keypoint
    counts (see :data:`VITPOSE_PLUS_DATASETS`).

    Raises:
        ValueError: the counts do not follow ViTPose++'s order.
    """
    known = VITPOSE_PLUS_DATASETS[:len(keypoints)]
    if len(keypoints) > len(known) or \
            tuple(keypoints) != tuple(count for _, count in known):
        order = ', '.join(f'{name} ({count})'
                          for name, count in VITPOSE_PLUS_DATASETS)
        raise ValueError(
            f'the official heads (keypoint_head, associate_keypoint_heads.'
            f'0, ...) have {list(keypoints)} keypoints, which does not '
            f'follow ViTPose++\'s dataset order {order}: name their datasets '
            f'explicitly (--names)')
    return [name for name, _ in known]


def _check_official_fc2(state_dict: Mapping[str, Tensor]) -> None:
    """Refuse experts next to a full-width ``fc2``: the ``coco.pth`` of the
    official ``tools/model_split.py`` (expert 0 appended to ``fc2``, the
    experts and other heads left in)."""
    fc2 = state_dict.get('backbone.blocks.0.mlp.fc2.weight')
    norm = state_dict.get('backbone.blocks.0.norm1.weight')
    if fc2 is None or norm is None or fc2.shape[0] != norm.shape[0] or \
            not any(map(is_expert_key, state_dict)):
        return
    raise ValueError(
        f'backbone.blocks.0.mlp.fc2 already has all {norm.shape[0]} outputs '
        f'next to experts: this looks like the dataset-0 file of the '
        f'official tools/model_split.py, which keeps the experts and heads '
        f'it has used. Split the original ViTPose+ checkpoint instead: '
        f'python -m vitpose_plugin.checkpoints split SRC DST --index 0')


def name_official_heads(state_dict: Mapping[str, Tensor],
                        names: Optional[Sequence[str]] = None) -> StateDict:
    """Rename the official heads of a ViTPose+ / multi-task state dict.

    ``keypoint_head.*`` becomes ``heads.<names[0]>.*`` and
    ``associate_keypoint_heads.I.*`` ``heads.<names[I+1]>.*``; the other
    keys are kept.

    Args:
        state_dict (Mapping): An ``official_vitpose_moe`` state dict.
        names (Sequence[str], optional): One dataset name per head.
            Defaults to None: ViTPose++'s order (coco, aic, mpii, ap10k,
            apt36k, wholebody) when the heads' keypoint counts follow it.

    Raises:
        ValueError: misnumbered heads, bad or missing names.
    """
    heads = _official_heads(state_dict)
    if names is None:
        names = default_dataset_names([
            head['final_layer.weight'].shape[0]
            if 'final_layer.weight' in head else None for head in heads
        ])
    names = check_dataset_names(names, len(heads))
    renamed = {
        key: value
        for key, value in state_dict.items()
        if not key.startswith(('keypoint_head.', 'associate_keypoint_heads.'))
    }
    for name, head in zip(names, heads):
        renamed.update({f'{HEADS_PREFIX}{name}.{key}': value
                        for key, value in head.items()})
    return renamed


def fold_class_slot(pos_embed: Tensor) -> Tensor:
    """Fold the class slot of a (1, 1+N, D) embedding into its N patches.

    The official ViTPose forward computes ``x + pos[:, 1:] + pos[:, :1]``,
    so ``pos[:, 1:] + pos[:, :1]`` is the equivalent slot-free embedding.
    """
    if pos_embed.dim() != 3 or pos_embed.shape[1] < 2:
        raise ValueError(f'expected a (1, 1+N, D) position embedding, got '
                         f'{tuple(pos_embed.shape)}')
    return pos_embed[:, 1:] + pos_embed[:, :1]


def _mae_source_grid(pos_embed: Tensor, grid: Grid) -> Grid:
    """The patch grid an MAE (1, 1+N, D) embedding was made for.

    A square N is an S x S grid (ImageNet MAE). Otherwise the grid is the
    factorisation of N with the aspect of the backbone's ``grid``: a
    person-crop MAE at 256x192 (16x12, see :mod:`vitpose_plugin.pretraining`)
    fine-tuned at 256x192, 384x288 or 512x384. A 4:3 grid never has a
    square N (12 k^2 is no square), so the two cases cannot be confused.

    Raises:
        ValueError: not (1, 1+N, D), or N fits neither case.
    """
    rows, cols = grid
    expected = (f'an MAE pos_embed should be (1, 1 + S*S, D) (class slot and '
                f'a square grid, ImageNet MAE) or (1, 1 + rows*cols, D) with '
                f'the aspect {rows}:{cols} of the backbone grid (person-crop '
                f'MAE)')
    patches = pos_embed.shape[1] - 1 if pos_embed.dim() == 3 else 0
    if patches < 1:
        raise ValueError(f'{expected}, got {tuple(pos_embed.shape)}')
    source = infer_grid(patches, grid, max_aspect_change=1.0)
    if source is not None:
        return source
    raise ValueError(
        f'{expected}, got {tuple(pos_embed.shape)}: {patches} patches are '
        f'neither a square grid nor a {rows}:{cols} one; pretrain MAE at the '
        f'fine-tuning aspect (e.g. 256x192 inputs, a 16x12 grid) or '
        f'fine-tune at the pretraining one')


def mae_pos_embed_to_grid(pos_embed: Tensor, grid: Grid) -> Tensor:
    """Resize an MAE (1, 1+N, D) embedding to ``grid`` the official way.

    As in the official ViTPose loader the patch positions (an S x S grid,
    or a grid of ``grid``'s aspect, see :func:`_mae_source_grid`) are
    resized bicubically to ``grid`` and the class slot is kept; the slot is
    then folded into every patch as the official forward does.

    Args:
        pos_embed (Tensor): MAE embedding with its class slot.
        grid (tuple[int, int]): Backbone token grid (rows, cols).
    """
    source = _mae_source_grid(pos_embed, grid)
    patches = resize_pos_embed(pos_embed[:, 1:], source, grid)
    return patches + pos_embed[:, :1]


def convert_checkpoint(
        state_dict: Mapping[str, Tensor],
        grid: Optional[Grid] = None,
        layout: Optional[str] = None,
        names: Optional[Sequence[str]] = None) -> ConvertedCheckpoint:
    """Convert any of :data:`LAYOUTS` to the plugin's (auto-detected).

    - official ViTPose: ``keypoint_head.*`` becomes ``head.*`` and the
      position embedding's class slot is folded into the patches;
    - official ViTPose+ / multi-task: the same, with one head per dataset,
      ``heads.<name>.*`` (see :func:`name_official_heads`); experts keep
      their names;
    - MMPose 1.x: names only (no class slot);
    - Hugging Face VitPose: names (query, key and value joined into
      ``qkv``) and the class slot folded; a ViTPose++ file keeps its
      experts and its one head as ``head.*``;
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
        names (Sequence[str], optional): Dataset names of the heads of an
            official ViTPose+ checkpoint, in dataset order. Defaults to None
            (ViTPose++'s order, see :func:`name_official_heads`).

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
    if layout == OFFICIAL_VITPOSE_MOE:
        _check_official_fc2(state_dict)
        state_dict = name_official_heads(state_dict, names)
    elif names is not None:
        raise ValueError(f'dataset names apply to official ViTPose+ '
                         f'checkpoints (keypoint_head, associate_keypoint_'
                         f'heads.*), not to a {layout} one')
    if layout == HUGGING_FACE:
        state_dict = plugin_names(state_dict)
    converted, dropped = apply_rules(state_dict, layout)
    if layout != PLUGIN:
        check_plugin_keys(converted)
    if layout in (OFFICIAL_VITPOSE, OFFICIAL_VITPOSE_MOE, HUGGING_FACE):
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


def head_kind(state_dict: Mapping[str, Tensor],
              prefix: str = HEAD_PREFIX) -> Optional[str]:
    """``'classic'``, ``'simple'`` or None (no head) for the head under
    ``prefix`` (default ``'head.'``) of a plugin state dict."""
    if any(key.startswith(f'{prefix}deconv_layers.') for key in state_dict):
        return 'classic'
    if f'{prefix}final_layer.weight' in state_dict:
        return 'simple'
    return None
