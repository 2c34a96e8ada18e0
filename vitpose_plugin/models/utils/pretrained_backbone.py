"""Initialise a ViTPose backbone from an MAE or ViTPose checkpoint file."""
from typing import Optional

from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

from ..layers.patch_embed import pad_patch_kernel
from .checkpoint_conversion import (MAE_LAYOUTS, backbone_weights,
                                    unwrap_state_dict)


def load_pretrained_backbone(backbone: nn.Module,
                             checkpoint: str,
                             prefix: Optional[str] = None,
                             map_location: str = 'cpu') -> str:
    """Load ``checkpoint`` into ``backbone`` strictly, whatever its layout.

    MAE checkpoints (facebookresearch or mmpretrain) have their position
    embedding resized to the backbone's grid the official ViTPose way;
    ViTPose checkpoints (official, MMPose 1.x, this plugin) contribute their
    backbone. Every backbone tensor must be present and of the right shape,
    except knowledge tokens (pre-trained models have none; they keep their
    initial value).

    Args:
        backbone (nn.Module): A ``ViTPoseBackbone``.
        checkpoint (str): Path or URL understood by mmengine.
        prefix (str, optional): Only use keys starting with this prefix,
            stripped first (e.g. ``'encoder.'``). Defaults to None.
        map_location (str): Where to load tensors. Defaults to ``'cpu'``.

    Returns:
        str: The detected checkpoint layout.

    Raises:
        ValueError: unknown layout, missing or unexpected tensors.
    """
    state_dict = unwrap_state_dict(
        CheckpointLoader.load_checkpoint(
            checkpoint, map_location=map_location, logger='current'))
    if prefix:
        state_dict = {
            key[len(prefix):]: value
            for key, value in state_dict.items() if key.startswith(prefix)
        }
        if not state_dict:
            raise ValueError(f'no key of {checkpoint} starts with {prefix!r}')
    layout, weights = backbone_weights(state_dict, backbone.grid_size)
    kernel = weights.get('patch_embed.proj.weight')
    model_kernel = backbone.patch_embed.proj.weight
    padded = kernel is not None and kernel.shape[-2:] != model_kernel.shape[
        -2:] and kernel.shape[:2] == model_kernel.shape[:2]
    if padded:
        # ViTPose-H: MAE ViT-H/14 kernels zero-padded into 16x16, centred.
        weights['patch_embed.proj.weight'] = pad_patch_kernel(
            kernel, tuple(model_kernel.shape[-2:]))
    if not weights:
        raise ValueError(f'{checkpoint} ({layout} layout) has no backbone '
                         f'weights')
    missing = set(backbone.state_dict()) - set(weights) - {'knowledge_token'}
    unexpected = set(weights) - set(backbone.state_dict())
    if missing or unexpected:
        raise ValueError(
            f'{checkpoint} ({layout} layout) does not fit '
            f'{type(backbone).__name__}: missing {sorted(missing)}, '
            f'unexpected {sorted(unexpected)}')
    backbone.load_state_dict(weights, strict='knowledge_token' in weights)
    if padded:
        print_log(
            f'{type(backbone).__name__}: padded the {tuple(kernel.shape[-2:])}'
            f' patch kernel of {checkpoint} to '
            f'{tuple(model_kernel.shape[-2:])} with zeros',
            logger='current')
    detail = ' (position embedding resized to the backbone grid ' \
        f'{backbone.grid_size[0]}x{backbone.grid_size[1]})' \
        if layout in MAE_LAYOUTS else ''
    print_log(
        f'{type(backbone).__name__}: loaded all {len(weights)} tensors from '
        f'{checkpoint} ({layout} layout){detail}',
        logger='current')
    return layout
