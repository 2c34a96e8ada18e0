"""Collation of a batch into one tensor per field."""
from typing import Any, Sequence

import cv2
import numpy as np
import torch
from mmengine.registry import FUNCTIONS


@FUNCTIONS.register_module()
def vitpose_collate(data_batch: Sequence[dict]) -> dict:
    """Stack a batch of packed samples into batch tensors.

    ``inputs`` become one (B, 3, H, W) tensor and, when the samples carry
    ``targets`` (``PackViTPoseInputs``), their keypoints and visibilities one
    (B, K, 2) and one (B, K) tensor (padded with invisible keypoints to the
    largest keypoint count of a mixture's batch, with ``keypoint_counts``
    the count of each sample): one host-to-device copy per field per
    batch. The samples' ``dataset_idx`` (a ``ViTPoseDatasetMixture``'s)
    become one (B,) ``dataset_index`` tensor (and ``host_dataset_index``,
    the same ints on the host). ``data_samples`` stay a list.
    Works for samples packed by MMPose's ``PackPoseInputs`` too (then
    without targets).

    Args:
        data_batch (Sequence[dict]): Samples from the dataset.

    Returns:
        dict: ``inputs``, ``data_samples`` and, with targets, ``targets``;
        in a mixture ``dataset_index`` and ``host_dataset_index``.
    """
    _check_images(data_batch, 'vitpose_collate')
    batch = dict(
        inputs=stack_images([sample['inputs'] for sample in data_batch]),
        data_samples=[sample['data_samples'] for sample in data_batch])
    batch.update(_dataset_index(batch['data_samples']))
    has_targets = ['targets' in sample for sample in data_batch]
    if any(has_targets):
        if not all(has_targets):
            raise ValueError('vitpose_collate: some samples of the batch '
                             'have targets and some do not; use one '
                             'pipeline per data loader')
        batch['targets'] = _padded_keypoints(
            [sample['targets'] for sample in data_batch])
    return batch


@FUNCTIONS.register_module()
def vitpose_image_collate(data_batch: Sequence[dict]) -> dict:
    """Stack the ``inputs`` of a batch of images (``ViTPosePackImage``) into
    one (B, C, H, W) tensor; ``data_samples`` is None (MAE's loss reads
    none; mmpretrain's ``SelfSupDataPreprocessor`` takes None).

    Args:
        data_batch (Sequence[dict]): Samples from the dataset.

    Returns:
        dict: ``inputs`` and ``data_samples`` (None).
    """
    _check_images(data_batch, 'vitpose_image_collate')
    return dict(
        inputs=stack_images([sample['inputs'] for sample in data_batch]),
        data_samples=None)


def stack_images(images: Sequence[torch.Tensor]) -> torch.Tensor:
    """``torch.stack(images)`` as one contiguous (B, C, H, W) tensor, for
    (C, H, W) images of one size.

    The packers hand out uint8 crops as (C, H, W) views of (H, W, C)
    arrays; ``torch.stack`` gathers their channels with a strided copy, a
    third of the cost of a crop. ``cv2.split`` writes each crop's channel
    planes straight into the batch instead (a SIMD de-interleave, as cheap
    as a plain copy). Other images are copied as they are.

    Args:
        images (Sequence[torch.Tensor]): (C, H, W) CPU tensors of one
            shape and dtype.
    """
    batch = torch.empty((len(images), *images[0].shape),
                        dtype=images[0].dtype)
    rows = batch.numpy()
    for row, image in zip(rows, images):
        interleaved = image.permute(1, 2, 0)
        if image.dtype == torch.uint8 and interleaved.is_contiguous():
            planes = list(row)
            split = cv2.split(interleaved.numpy(), planes)
            if all(a.ctypes.data == b.ctypes.data
                   for a, b in zip(split, planes)):
                continue  # OpenCV wrote into the batch
        np.copyto(row, image.numpy())
    return batch


def _check_images(data_batch: Sequence[dict], collate: str) -> None:
    """Refuse an empty batch or ``inputs`` of different sizes, naming the
    ``collate`` function."""
    if len(data_batch) == 0:
        raise ValueError(f'{collate} got an empty batch')
    shapes = {tuple(sample['inputs'].shape) for sample in data_batch}
    if len(shapes) != 1:
        raise ValueError(f'{collate}: the images of a batch must have one '
                         f'size, got {sorted(shapes)}')


def _dataset_index(samples: Sequence[Any]) -> dict:
    """Each sample's ``dataset_idx`` metainfo (``ViTPoseDatasetMixture``)
    as one (B,) int64 tensor ``dataset_index`` and as host ints
    ``host_dataset_index``; empty when no sample has one."""
    indices = [sample.metainfo.get('dataset_idx') for sample in samples]
    if all(index is None for index in indices):
        return {}
    if any(index is None for index in indices):
        raise ValueError('vitpose_collate: some samples of the batch have a '
                         'dataset_idx and some do not; mix datasets with '
                         'ViTPoseDatasetMixture')
    return dict(dataset_index=torch.tensor(indices, dtype=torch.long),
                host_dataset_index=indices)


def _padded_keypoints(targets: Sequence[dict]) -> dict:
    """Keypoints (B, K, 2) and visibilities (B, K) padded with invisible
    keypoints to the largest count K of the batch (a mixture of datasets),
    and each sample's own count (host ints)."""
    counts = [len(target['keypoints']) for target in targets]
    width = max(counts)
    if min(counts) == width:
        return dict(
            keypoints=torch.from_numpy(
                np.stack([target['keypoints'] for target in targets])),
            keypoints_visible=torch.from_numpy(
                np.stack([target['keypoints_visible'] for target in targets])),
            keypoint_counts=counts)
    keypoints = torch.zeros(len(targets), width, 2)
    visible = torch.zeros(len(targets), width)
    for row, (target, count) in enumerate(zip(targets, counts)):
        keypoints[row, :count] = torch.from_numpy(target['keypoints'])
        visible[row, :count] = torch.from_numpy(target['keypoints_visible'])
    return dict(keypoints=keypoints, keypoints_visible=visible,
                keypoint_counts=counts)
