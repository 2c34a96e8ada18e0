"""Collation of a batch into one tensor per field."""
from typing import Sequence

import numpy as np
import torch
from mmengine.registry import FUNCTIONS


@FUNCTIONS.register_module()
def vitpose_collate(data_batch: Sequence[dict]) -> dict:
    """Stack a batch of packed samples into batch tensors.

    ``inputs`` become one (B, 3, H, W) tensor and, when the samples carry
    ``targets`` (``PackViTPoseInputs``), their keypoints and visibilities one
    (B, K, 2) and one (B, K) tensor: one host-to-device copy per field per
    batch. ``data_samples`` stay a list. Works for samples packed by MMPose's
    ``PackPoseInputs`` too (then without targets).

    Args:
        data_batch (Sequence[dict]): Samples from the dataset.

    Returns:
        dict: ``inputs``, ``data_samples`` and, with targets, ``targets``.
    """
    if len(data_batch) == 0:
        raise ValueError('vitpose_collate got an empty batch')
    shapes = {tuple(sample['inputs'].shape) for sample in data_batch}
    if len(shapes) != 1:
        raise ValueError(f'vitpose_collate: the images of a batch must have '
                         f'one size, got {sorted(shapes)}')
    batch = dict(
        inputs=torch.stack([sample['inputs'] for sample in data_batch]),
        data_samples=[sample['data_samples'] for sample in data_batch])
    has_targets = ['targets' in sample for sample in data_batch]
    if any(has_targets):
        if not all(has_targets):
            raise ValueError('vitpose_collate: some samples of the batch '
                             'have targets and some do not; use one '
                             'pipeline per data loader')
        targets = {}
        for key in ('keypoints', 'keypoints_visible'):
            values = [sample['targets'][key] for sample in data_batch]
            counts = {value.shape[0] for value in values}
            if len(counts) != 1:
                raise ValueError(
                    f'vitpose_collate: samples with {sorted(counts)} '
                    'keypoints in one batch; mixtures of datasets with '
                    'different keypoint sets need MMPose\'s GenerateTarget '
                    '+ PackPoseInputs pipeline')
            targets[key] = torch.from_numpy(np.stack(values))
        batch['targets'] = targets
    return batch
