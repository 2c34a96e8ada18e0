"""The data samples of a batch together with its batch tensors."""
from typing import Any, Dict, Iterable, Optional, Sequence, Tuple, Union

import torch
from mmpose.structures import PoseDataSample
from torch import Tensor

from ..codecs import batch_encode

#: Batch tensors a :class:`PoseSampleBatch` carries, one row per sample.
BATCH_FIELDS = ('keypoints', 'keypoints_visible', 'heatmaps',
                'keypoint_weights')


class PoseSampleBatch(list):
    """A list of :class:`PoseDataSample` carrying the batch's tensors.

    It is a list so that every consumer of MMPose's ``SampleList`` (pose
    estimators, metrics, visualisers) keeps working. The tensors (one row per
    sample, on the model's device) and the host-side keypoint count of each
    sample follow the samples through slicing (``batch[start:stop]``) and
    reordering (:meth:`take`), so a batch sorted and split by dataset keeps
    its targets. Read the targets with :func:`heatmap_targets`.

    Args:
        samples (Iterable[PoseDataSample]): The batch's data samples.
        keypoints (Tensor, optional): (B, K, 2) keypoints in input pixels,
            padded to the largest keypoint count of the batch.
        keypoints_visible (Tensor, optional): (B, K) visibilities (0 in the
            padding).
        heatmaps (Tensor, optional): Target heatmaps, (B, K, h, w).
        keypoint_weights (Tensor, optional): Target weights, (B, K).
        keypoint_counts (Sequence[int], optional): Keypoints of each sample
            (its dataset's), on the host. Defaults to K for every sample.
    """

    def __init__(self,
                 samples: Iterable[PoseDataSample],
                 keypoints: Optional[Tensor] = None,
                 keypoints_visible: Optional[Tensor] = None,
                 heatmaps: Optional[Tensor] = None,
                 keypoint_weights: Optional[Tensor] = None,
                 keypoint_counts: Optional[Sequence[int]] = None) -> None:
        super().__init__(samples)
        self.fields: Dict[str, Tensor] = {}
        for name, value in zip(BATCH_FIELDS, (keypoints, keypoints_visible,
                                              heatmaps, keypoint_weights)):
            if value is None:
                continue
            if value.shape[0] != len(self):
                raise ValueError(
                    f'PoseSampleBatch: {name} has {value.shape[0]} rows for '
                    f'{len(self)} samples')
            self.fields[name] = value
        if keypoint_counts is None and keypoints is not None:
            keypoint_counts = [keypoints.shape[1]] * len(self)
        self.keypoint_counts: Optional[Tuple[int, ...]] = None \
            if keypoint_counts is None else tuple(keypoint_counts)
        if self.keypoint_counts is not None and \
                len(self.keypoint_counts) != len(self):
            raise ValueError(
                f'PoseSampleBatch: {len(self.keypoint_counts)} keypoint '
                f'counts for {len(self)} samples')

    def __getattr__(self, name: str) -> Any:
        if name in BATCH_FIELDS:
            return self.__dict__.get('fields', {}).get(name)
        raise AttributeError(name)

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if not isinstance(index, slice):
            return super().__getitem__(index)
        counts = None if self.keypoint_counts is None \
            else self.keypoint_counts[index]
        return PoseSampleBatch(
            super().__getitem__(index),
            keypoint_counts=counts,
            **{name: value[index] for name, value in self.fields.items()})

    def take(self, order: Sequence[int],
             index: Optional[Tensor] = None) -> 'PoseSampleBatch':
        """The batch in ``order`` (samples, tensors and counts).

        Args:
            order (Sequence[int]): Original position of each new position.
            index (Tensor, optional): ``order`` already on the tensors'
                device (saves a copy). Defaults to None.
        """
        if self.fields and index is None:
            device = next(iter(self.fields.values())).device
            index = torch.tensor(list(order), device=device)
        counts = None if self.keypoint_counts is None \
            else tuple(self.keypoint_counts[i] for i in order)
        return PoseSampleBatch(
            [list.__getitem__(self, i) for i in order],
            keypoint_counts=counts,
            **{name: value.index_select(0, index)
               for name, value in self.fields.items()})


def heatmap_targets(samples: Sequence[PoseDataSample],
                    codec: Any = None) -> Tuple[Tensor, Tensor]:
    """The target heatmaps (B, K, h, w) and keypoint weights (B, K) of a batch.

    In order: a :class:`PoseSampleBatch`'s ``heatmaps`` and
    ``keypoint_weights``; its keypoints drawn on their device by ``codec``
    (the head's decoder, :func:`~vitpose_plugin.codecs.batch_encode`),
    trimmed to the samples' keypoint count; else the samples' ``gt_fields.heatmaps`` and
    ``gt_instance_labels.keypoint_weights`` (MMPose's ``GenerateTarget``).

    Args:
        samples (Sequence[PoseDataSample]): The batch's samples, of one
            keypoint set.
        codec (optional): The codec that draws targets from keypoints.
            Defaults to None.

    Returns:
        tuple[Tensor, Tensor]: heatmaps and keypoint weights.
    """
    heatmaps = getattr(samples, 'heatmaps', None)
    weights = getattr(samples, 'keypoint_weights', None)
    if heatmaps is not None and weights is not None:
        return heatmaps, weights
    keypoints = getattr(samples, 'keypoints', None)
    if keypoints is not None:
        return _drawn_targets(samples, codec)
    try:
        heatmaps = torch.stack([sample.gt_fields.heatmaps for sample in samples])
        weights = torch.cat([
            sample.gt_instance_labels.keypoint_weights for sample in samples
        ])
    except AttributeError as error:
        raise ValueError(
            'the batch has no heatmap targets: end the training pipeline with '
            'PackViTPoseInputs (collate_fn vitpose_collate, '
            'ViTPoseDataPreprocessor) or with GenerateTarget + '
            'PackPoseInputs') from error
    return heatmaps, weights


def _drawn_targets(batch: PoseSampleBatch,
                   codec: Any) -> Tuple[Tensor, Tensor]:
    counts = set(batch.keypoint_counts)
    if len(counts) != 1:
        raise ValueError(
            f'the batch mixes keypoint sets of {sorted(counts)} keypoints: '
            f'draw targets per dataset group (ViTPoseMultiDatasetEstimator)')
    count = counts.pop()
    return batch_encode(codec, batch.keypoints[:, :count],
                        batch.keypoints_visible[:, :count])
