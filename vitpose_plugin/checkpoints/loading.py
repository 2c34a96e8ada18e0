"""Load checkpoint files into models: a backbone from any layout
(``init_cfg``), a whole model strictly (the distillers), a knowledge token.
"""
import re
from typing import Collection, Dict, Optional, Tuple

from mmengine.logging import print_log
from torch import Tensor, nn

from ..models.utils.state_dict_hooks import (CheckpointShapeError,
                                             shape_error_for_checkpoint)
from ..token_grid import pad_patch_kernel
from .files import MapLocation, read_state_dict
from .layouts import (BACKBONE_PREFIX, KNOWLEDGE_TOKEN, MAE_LAYOUTS,
                      OFFICIAL_VITPOSE_MOE, OPTIONAL_PRETRAINED_KEYS,
                      TUNER_KNOWLEDGE_TOKEN, StateDict, convert_checkpoint,
                      detect_layout, strip_prefix)
from .multi_dataset import count_experts, expand_experts


def _match_experts(backbone: nn.Module, weights: StateDict,
                   source: str) -> Tuple[StateDict, str]:
    """Fit the experts of checkpoint ``weights`` to ``backbone``'s.

    A backbone with experts takes weights without any the official
    ViTPose++ way (:func:`~.multi_dataset.expand_experts`); weights with
    experts need as many in the backbone.

    Returns:
        tuple[dict, str]: The weights and a note for the log ('' if none).

    Raises:
        ValueError: the numbers of experts differ.
    """
    own: Dict[str, Tensor] = backbone.state_dict()
    model_experts, model_dims = count_experts(own)
    experts, dims = count_experts(weights)
    if model_experts and not experts:
        note = f'; split every fc2 into a shared part and {model_experts} ' \
            f'experts, each a copy of its last {model_dims} outputs'
        return expand_experts(weights, model_experts, model_dims), note
    if experts != model_experts:
        hint = f'build the backbone with num_experts={experts}, ' \
            f'expert_dims={dims}'
        if not model_experts:
            hint += ', or write one dataset\'s model first: python -m ' \
                'vitpose_plugin.checkpoints split SRC DST --index K'
        raise ValueError(f'{source} has {experts} dataset experts per block '
                         f'but {type(backbone).__name__} has '
                         f'{model_experts}: {hint}')
    return weights, ''


def load_backbone(backbone: nn.Module,
                  checkpoint: str,
                  prefix: Optional[str] = None,
                  map_location: MapLocation = 'cpu',
                  config_key: str = 'init_cfg.checkpoint') -> str:
    """Load ``checkpoint`` into a ``ViTPoseBackbone`` strictly, whatever
    its layout.

    MAE checkpoints have their position embedding resized to the backbone's
    grid the official ViTPose way; ViTPose checkpoints (official, ViTPose+,
    MMPose 1.x, this plugin, single- or multi-dataset) contribute their
    backbone; a 14x14 patch kernel is zero-padded into a 16x16 one
    (ViTPose-H). A backbone with dataset experts (ViTPose++) takes a
    checkpoint with as many experts, or one without any: every expert then
    starts as the last ``expert_dims`` outputs of ``fc2``, as in the
    official ViTPose++ initialisation. Every backbone tensor must be
    present and of the right shape, except those of
    :data:`~.layouts.OPTIONAL_PRETRAINED_KEYS` when the checkpoint has
    none (they keep their neutral initial value).

    Args:
        backbone (nn.Module): A ``ViTPoseBackbone``.
        checkpoint (str): Path or URL.
        prefix (str, optional): Only use keys starting with this prefix,
            stripped first (e.g. ``'encoder.'``). Defaults to None.
        map_location (str): Where to load tensors. Defaults to ``'cpu'``.
        config_key (str): Where ``checkpoint`` was configured, for messages.
            Defaults to ``'init_cfg.checkpoint'``.

    Returns:
        str: The detected checkpoint layout.

    Raises:
        ValueError: unknown layout, missing or unexpected tensors.
        CheckpointShapeError: tensors of the wrong shape.
    """
    state_dict = read_state_dict(checkpoint, config_key, map_location)
    if prefix:
        state_dict = strip_prefix(state_dict, prefix)
        if not state_dict:
            raise ValueError(f'{config_key}: no key of {checkpoint} starts '
                             f'with {prefix!r}')
    layout = detect_layout(state_dict)
    if layout == OFFICIAL_VITPOSE_MOE:
        # Only the backbone is used: the heads need no dataset names.
        state_dict = {
            key: value
            for key, value in state_dict.items()
            if key.startswith(BACKBONE_PREFIX)
        }
    result = convert_checkpoint(state_dict, backbone.grid_size, layout)
    weights = strip_prefix(result.state_dict, BACKBONE_PREFIX)
    if not weights:
        raise ValueError(f'{config_key}: {checkpoint} ({result.layout} '
                         f'layout) has no backbone weights')
    weights, experts_note = _match_experts(
        backbone, weights, f'{config_key}: {checkpoint}')
    kernel = weights.get('patch_embed.proj.weight')
    model_kernel = backbone.patch_embed.proj.weight
    padded = kernel is not None and kernel.shape[-2:] != model_kernel.shape[
        -2:] and kernel.shape[:2] == model_kernel.shape[:2]
    if padded:
        # ViTPose-H: MAE ViT-H/14 kernels zero-padded into 16x16, centred.
        weights['patch_embed.proj.weight'] = pad_patch_kernel(
            kernel, tuple(model_kernel.shape[-2:]))
    own = set(backbone.state_dict())
    missing = own - set(weights)
    kept = set()
    for pattern in OPTIONAL_PRETRAINED_KEYS:
        of_kind = {key for key in own if re.fullmatch(pattern, key)}
        if of_kind and of_kind <= missing:
            kept |= of_kind
    missing -= kept
    unexpected = set(weights) - own
    if missing or unexpected:
        raise ValueError(
            f'{config_key}: {checkpoint} ({result.layout} layout) does not '
            f'fit {type(backbone).__name__}: missing {sorted(missing)}, '
            f'unexpected {sorted(unexpected)}')
    try:
        backbone.load_state_dict(weights, strict=not kept)
    except CheckpointShapeError as error:
        raise shape_error_for_checkpoint(error, backbone, weights,
                                         checkpoint, config_key) from None
    if padded:
        print_log(
            f'{type(backbone).__name__}: padded the {tuple(kernel.shape[-2:])}'
            f' patch kernel of {checkpoint} to '
            f'{tuple(model_kernel.shape[-2:])} with zeros',
            logger='current')
    detail = ' (position embedding resized to the backbone grid ' \
        f'{backbone.grid_size[0]}x{backbone.grid_size[1]})' \
        if result.layout in MAE_LAYOUTS else ''
    detail += experts_note
    if kept:
        detail += f'; {len(kept)} tensor(s) not in the checkpoint keep ' \
            f'their initial value: {sorted(kept)[:4]}'
    print_log(
        f'{type(backbone).__name__}: loaded all {len(weights)} tensors from '
        f'{checkpoint} ({result.layout} layout){detail}',
        logger='current')
    return result.layout


def load_model(model: nn.Module,
               checkpoint: str,
               config_key: str,
               optional_keys: Collection[str] = ()) -> None:
    """Load a plugin-layout checkpoint into ``model`` strictly, except for
    ``optional_keys``.

    Args:
        model (nn.Module): The model to fill.
        checkpoint (str): Checkpoint path or URL.
        config_key (str): Config key of ``checkpoint``, for messages.
        optional_keys (Collection[str]): Keys that may be missing from the
            checkpoint (the model keeps its own value) or from the model (the
            checkpoint's value is ignored). Defaults to ().

    Raises:
        KeyError: other missing or unexpected keys.
        CheckpointShapeError: tensors of the wrong shape.
    """
    state_dict = read_state_dict(checkpoint, config_key)
    own_keys = set(model.state_dict())
    ignored = sorted((set(state_dict) - own_keys) & set(optional_keys))
    for key in ignored:
        state_dict.pop(key)
    try:
        missing, unexpected = model.load_state_dict(state_dict, strict=False)
    except CheckpointShapeError as error:
        raise shape_error_for_checkpoint(error, model, state_dict, checkpoint,
                                         config_key) from None
    missing = sorted(set(missing) - set(optional_keys))
    if missing or unexpected:
        raise KeyError(f'{config_key}={checkpoint} does not fit the '
                       f'configured model: missing keys {missing[:8]}, '
                       f'unexpected keys {sorted(unexpected)[:8]}')
    if ignored:
        print_log(f'{config_key}: ignored {ignored} (the configured model '
                  f'has no such parameter)', logger='current')


def load_knowledge_token(checkpoint: str, config_key: str) -> Tensor:
    """Read the tuned knowledge token t* (1, n, D) from a checkpoint.

    Accepts a stage-1 (``ViTPoseKnowledgeTokenTuner``) checkpoint or a plain
    teacher checkpoint extracted from one.

    Raises:
        KeyError: the checkpoint holds no knowledge token.
    """
    state_dict = read_state_dict(checkpoint, config_key)
    for key in (KNOWLEDGE_TOKEN, TUNER_KNOWLEDGE_TOKEN):
        token: Optional[Tensor] = state_dict.get(key)
        if token is not None:
            if token.dim() != 3 or token.shape[0] != 1:
                raise ValueError(f'{config_key}: {key} must be (1, n, D), '
                                 f'got {tuple(token.shape)}')
            return token.detach().float()
    raise KeyError(f'{config_key}={checkpoint} holds no knowledge token '
                   f'(looked for {KNOWLEDGE_TOKEN}, {TUNER_KNOWLEDGE_TOKEN});'
                   f' train one with ViTPoseKnowledgeTokenTuner first')
