"""Load-state-dict pre-hooks: adapt the position grid, refuse wrong shapes.

mmengine's ``load_checkpoint`` (``load_from``, ``init_cfg``) loads with
``strict=False`` and only *logs* tensors whose shapes differ, leaving them
at their random initial values. These hooks run inside every load path
(``Module.load_state_dict`` and mmengine's loader both call
``_load_from_state_dict``) and turn that into an error, which the
plugin's loaders restate for the whole model and the checkpoint file
(:func:`shape_error_for_checkpoint`).
"""
import logging
import math
from collections import defaultdict
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from mmengine.logging import print_log
from torch import Tensor, nn

from ...token_grid import infer_grid, resize_pos_embed

#: A tensor that does not fit: key, checkpoint shape, model shape.
ShapeMismatch = Tuple[str, Tuple[int, ...], Tuple[int, ...]]

# Messages show this many wrong tensors (and missing or unexpected keys);
# the attributes of the error hold them all.
_EXAMPLES = 3


class CheckpointShapeError(RuntimeError):
    """Checkpoint tensors whose shapes do not fit the model.

    Its message shows a few examples; the attributes hold every key.

    Attributes:
        mismatches (list[tuple]): ``(key, checkpoint shape, model shape)``
            of every tensor of the wrong shape.
        missing (list[str]): Model keys the checkpoint lacks (only counted
            by the plugin's loaders; empty from the hook alone).
        unexpected (list[str]): Checkpoint keys the model lacks (idem).
        checkpoint (str | None): The file, once a loader knows it.
        prefix (str): Where the module that raised sits in the model.
        hint (str): What to do, '' if nothing specific.
    """

    def __init__(self,
                 message: str,
                 mismatches: Sequence[ShapeMismatch] = (),
                 missing: Sequence[str] = (),
                 unexpected: Sequence[str] = (),
                 checkpoint: Optional[str] = None,
                 prefix: str = '',
                 hint: str = '') -> None:
        super().__init__(message)
        self.mismatches = list(mismatches)
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.hint = hint


def _mismatch_line(mismatch: ShapeMismatch) -> str:
    key, loaded, own = mismatch
    return f'{key}: checkpoint {loaded} vs model {own}'


def _examples(mismatches: Sequence[ShapeMismatch]) -> List[ShapeMismatch]:
    """A few mismatches, the first of each top-level module (backbone,
    head ...) first, in model order."""
    by_module: Dict[str, List[ShapeMismatch]] = defaultdict(list)
    for mismatch in mismatches:
        by_module[mismatch[0].split('.')[0]].append(mismatch)
    chosen = [group[0] for group in by_module.values()][:_EXAMPLES]
    chosen += [m for m in mismatches if m not in chosen]
    chosen = chosen[:_EXAMPLES]
    return [m for m in mismatches if m in chosen]


def _names(keys: Sequence[str]) -> str:
    more = f' and {len(keys) - _EXAMPLES} more' \
        if len(keys) > _EXAMPLES else ''
    return ', '.join(keys[:_EXAMPLES]) + more


def _has_class_slot(module: nn.Module, loaded: Optional[Tensor]) -> bool:
    """Whether a checkpoint ``pos_embed`` has one extra (class) position."""
    own = getattr(module, 'pos_embed', None)
    if not isinstance(loaded, Tensor) or own is None or loaded.dim() != 3:
        return False
    patches = loaded.shape[1] - 1
    return patches == own.shape[1] or math.isqrt(patches)**2 == patches


def check_loaded_shapes(module: nn.Module, state_dict: Mapping[str, Tensor],
                        prefix: str, *args) -> None:
    """Pre-hook: raise if any checkpoint tensor of ``module`` has a wrong
    shape, listing every such key with both shapes.

    Register with ``module._register_load_state_dict_pre_hook(hook,
    with_module=True)``. Missing and unexpected keys are left to the loader.

    Raises:
        CheckpointShapeError: a few examples such as
            ``head.final_layer.weight: checkpoint (17, 256, 1, 1) vs model
            (14, 256, 1, 1)`` in its message, every key in ``mismatches``.
    """
    mismatches: List[ShapeMismatch] = []
    for name, tensor in module.state_dict().items():
        loaded = state_dict.get(prefix + name)
        if isinstance(loaded, Tensor) and loaded.shape != tensor.shape:
            mismatches.append((prefix + name, tuple(loaded.shape),
                               tuple(tensor.shape)))
    if not mismatches:
        return
    hint = ''
    if _has_class_slot(module, state_dict.get(prefix + 'pos_embed')):
        hint = ('pos_embed looks like it still has a class-token slot: '
                'convert official ViTPose / MAE checkpoints with '
                '`python -m vitpose_plugin.checkpoints convert` first')
    lines = _example_lines(
        f'{len(mismatches)} checkpoint tensor(s) do not fit '
        f'{type(module).__name__}, e.g.', mismatches,
        '(every one is in this error\'s .mismatches)')
    raise CheckpointShapeError(
        '\n'.join(lines + ([hint] if hint else [])),
        mismatches,
        prefix=prefix,
        hint=hint)


def _example_lines(headline: str, mismatches: Sequence[ShapeMismatch],
                   more: str) -> List[str]:
    """``headline``, a few of ``mismatches`` and, if there are others, how
    many, the line ending with ``more``."""
    lines = [headline] + [f'  {_mismatch_line(m)}'
                          for m in _examples(mismatches)]
    if len(mismatches) > _EXAMPLES:
        lines.append(f'  and {len(mismatches) - _EXAMPLES} more {more}')
    return lines


def _what_to_do(mismatches: Sequence[ShapeMismatch]) -> str:
    if all(key.startswith(('head.', 'heads.')) for key, _, _ in mismatches):
        return ('Another keypoint set? To fine-tune on it, load the backbone '
                'only: the backbone\'s init_cfg=dict(type=\'Pretrained\', '
                'checkpoint=...)')
    return 'Is it a checkpoint of this config\'s model (backbone size, ' \
        'keypoint count)?'


def shape_error_for_checkpoint(error: CheckpointShapeError, model: nn.Module,
                               state_dict: Mapping[str, Tensor],
                               checkpoint: str,
                               config_key: str) -> CheckpointShapeError:
    """Restate the error of :func:`check_loaded_shapes` for a whole model
    and the file it was loading: the file, the model and the counts of
    tensors of the wrong shape, missing and unexpected keys first, then a
    few examples. Every key is logged at debug level and kept in the
    attributes of the result.

    The hook saw one module (the first that did not fit); the rest of the
    model is compared shape by shape, except ``pos_embed`` tensors, which
    their modules resize on load.

    Args:
        error (CheckpointShapeError): Raised while loading ``state_dict``.
        model (nn.Module): The model ``state_dict`` was loaded into.
        state_dict (Mapping[str, Tensor]): The checkpoint's tensors, under
            the model's key names.
        checkpoint (str): The file, as the user gave it.
        config_key (str): How the user gave it (``load_from``,
            ``--resume``, ...).

    Returns:
        CheckpointShapeError: To raise instead of ``error``.
    """
    own = model.state_dict()
    mismatches = list(error.mismatches)
    for key, tensor in own.items():
        loaded = state_dict.get(key)
        if key.startswith(error.prefix) or key.endswith('pos_embed') or \
                not isinstance(loaded, Tensor) or loaded.shape == tensor.shape:
            continue
        mismatches.append((key, tuple(loaded.shape), tuple(tensor.shape)))
    order = {key: index for index, key in enumerate(own)}
    mismatches.sort(key=lambda mismatch: order.get(mismatch[0], -1))
    missing = [key for key in own if key not in state_dict]
    unexpected = sorted(key for key in state_dict if key not in own)
    lines = _example_lines(
        f'{config_key}: {checkpoint} does not fit {type(model).__name__}: '
        f'{len(mismatches)} tensor(s) of the wrong shape, {len(missing)} '
        f'missing, {len(unexpected)} unexpected; e.g.', mismatches,
        'of the wrong shape')
    if missing:
        lines.append(f'  missing: {_names(missing)}')
    if unexpected:
        lines.append(f'  unexpected: {_names(unexpected)}')
    if max(len(mismatches), len(missing), len(unexpected)) > _EXAMPLES:
        lines.append('  (every key: this error\'s .mismatches, .missing and '
                     '.unexpected, or the log with log_level=\'DEBUG\')')
    lines.append(error.hint or _what_to_do(mismatches))
    print_log(
        '\n'.join([f'{config_key}: {checkpoint} does not fit '
                   f'{type(model).__name__}; tensors of the wrong shape:'] +
                  [f'  {_mismatch_line(m)}' for m in mismatches] +
                  [f'missing: {missing}', f'unexpected: {unexpected}']),
        logger='current',
        level=logging.DEBUG)
    return CheckpointShapeError(
        '\n'.join(lines),
        mismatches,
        missing,
        unexpected,
        checkpoint=checkpoint,
        hint=error.hint)


def resize_pos_embed_on_load(module: nn.Module, state_dict: dict, prefix: str,
                             *args) -> None:
    """Pre-hook: resample a checkpoint ``pos_embed`` made for another grid.

    Lets a 256x192 (16x12) checkpoint load into a 384x288 (24x18) model.
    The module needs ``pos_embed`` (1, rows*cols, D) and ``grid_size``.
    Only plugin-layout embeddings (no class slot) are resized; others are
    left for :func:`check_loaded_shapes` to report.
    """
    key = prefix + 'pos_embed'
    loaded = state_dict.get(key)
    model_shape = module.pos_embed.shape
    if not isinstance(loaded, Tensor) or loaded.shape == model_shape or \
            loaded.dim() != 3 or loaded.shape[::2] != model_shape[::2] or \
            _has_class_slot(module, loaded):
        return
    source = infer_grid(loaded.shape[1], module.grid_size)
    if source is None:
        return
    state_dict[key] = resize_pos_embed(loaded, source, module.grid_size)
    print_log(
        f'{key}: resized the checkpoint position embedding from a '
        f'{source[0]}x{source[1]} to a {module.grid_size[0]}x'
        f'{module.grid_size[1]} grid',
        logger='current')
