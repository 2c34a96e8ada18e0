"""Load-state-dict pre-hooks: adapt the position grid, refuse wrong shapes.

mmengine's ``load_checkpoint`` (``load_from``, ``init_cfg``) loads with
``strict=False`` and only *logs* tensors whose shapes differ, leaving them
at their random initial values. These hooks run inside every load path
(``Module.load_state_dict`` and mmengine's loader both call
``_load_from_state_dict``) and turn that into an error.
"""
import math
from typing import List, Mapping, Optional, Tuple

from mmengine.logging import print_log
from torch import Tensor, nn

from ..models.layers.pos_embed import resize_pos_embed

Grid = Tuple[int, int]

# A checkpoint grid is only inferred when its aspect ratio is within this
# factor of the model's; anything else is reported as a shape mismatch.
_MAX_ASPECT_CHANGE = 2.0


class CheckpointShapeError(RuntimeError):
    """Checkpoint tensors whose shapes do not fit the model."""


def infer_grid(num_tokens: int, like: Grid) -> Optional[Grid]:
    """Guess the (rows, cols) grid of ``num_tokens`` positions.

    Picks the factorisation closest in aspect ratio to ``like`` (the
    model's grid): 192 tokens for a 24x18 model are 16x12, 196 are 14x14.

    Returns:
        tuple[int, int] | None: None when no factorisation has an aspect
        ratio within a factor 2 of ``like`` (e.g. a prime token count).
    """
    target = math.log(like[0] / like[1])
    best, best_distance = None, math.log(_MAX_ASPECT_CHANGE)
    for rows in range(1, num_tokens + 1):
        if num_tokens % rows:
            continue
        distance = abs(math.log(rows / (num_tokens // rows)) - target)
        if distance <= best_distance:
            best, best_distance = (rows, num_tokens // rows), distance
    return best


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
        CheckpointShapeError: e.g. ``head.final_layer.weight: checkpoint
            (17, 256, 1, 1) vs model (14, 256, 1, 1)``.
    """
    mismatches: List[str] = []
    for name, tensor in module.state_dict().items():
        loaded = state_dict.get(prefix + name)
        if isinstance(loaded, Tensor) and loaded.shape != tensor.shape:
            mismatches.append(f'{prefix}{name}: checkpoint '
                              f'{tuple(loaded.shape)} vs model '
                              f'{tuple(tensor.shape)}')
    if not mismatches:
        return
    message = (f'{len(mismatches)} checkpoint tensor(s) do not fit '
               f'{type(module).__name__}:\n  ' + '\n  '.join(mismatches))
    if _has_class_slot(module, state_dict.get(prefix + 'pos_embed')):
        message += ('\npos_embed looks like it still has a class-token slot: '
                    'convert official ViTPose / MAE checkpoints with '
                    '`python -m vitpose_plugin.checkpoints convert` first')
    raise CheckpointShapeError(message)


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
