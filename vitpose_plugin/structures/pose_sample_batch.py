"""The data samples of a batch together with its batch-level targets."""
from typing import Iterable, Optional, Sequence, Tuple

import torch
from mmpose.structures import PoseDataSample
from torch import Tensor


class PoseSampleBatch(list):
    """A list of :class:`PoseDataSample` carrying the batch's targets.

    It is a list so that every consumer of MMPose's ``SampleList`` (pose
    estimators, metrics, visualisers) keeps working; heads that know it read
    the targets as one tensor each instead of stacking per-sample fields.

    Args:
        samples (Iterable[PoseDataSample]): The batch's data samples.
        heatmaps (Tensor, optional): Target heatmaps, (B, K, h, w).
        keypoint_weights (Tensor, optional): Target weights, (B, K).
    """

    def __init__(self,
                 samples: Iterable[PoseDataSample],
                 heatmaps: Optional[Tensor] = None,
                 keypoint_weights: Optional[Tensor] = None) -> None:
        super().__init__(samples)
        for name, value in (('heatmaps', heatmaps),
                            ('keypoint_weights', keypoint_weights)):
            if value is not None and value.shape[0] != len(self):
                raise ValueError(
                    f'PoseSampleBatch: {name} has {value.shape[0]} rows for '
                    f'{len(self)} samples')
        self.heatmaps = heatmaps
        self.keypoint_weights = keypoint_weights


def heatmap_targets(samples: Sequence[PoseDataSample]) -> Tuple[Tensor, Tensor]:
    """The target heatmaps (B, K, h, w) and keypoint weights (B, K) of a batch.

    Read from a :class:`PoseSampleBatch` when it has them (no copy), else
    stacked from the samples' ``gt_fields.heatmaps`` and
    ``gt_instance_labels.keypoint_weights`` (MMPose's ``GenerateTarget``).

    Args:
        samples (Sequence[PoseDataSample]): The batch's samples.

    Returns:
        tuple[Tensor, Tensor]: heatmaps and keypoint weights.
    """
    heatmaps = getattr(samples, 'heatmaps', None)
    weights = getattr(samples, 'keypoint_weights', None)
    if heatmaps is not None and weights is not None:
        return heatmaps, weights
    try:
        heatmaps = torch.stack([sample.gt_fields.heatmaps for sample in samples])
        weights = torch.cat([
            sample.gt_instance_labels.keypoint_weights for sample in samples
        ])
    except AttributeError as error:
        raise ValueError(
            'the batch has no heatmap targets: end the training pipeline with '
            'GenerateTarget + PackPoseInputs, or with PackViTPoseInputs and '
            'ViTPoseDataPreprocessor(target_codec=...)') from error
    return heatmaps, weights
