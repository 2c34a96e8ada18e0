"""The data samples of a batch together with its batch tensors."""
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import torch
from mmpose.structures import PoseDataSample
from torch import Tensor

from ..codecs import batch_encode

#: Batch tensors a :class:`PoseSampleBatch` carries, one row per sample.
BATCH_FIELDS = ('inputs', 'keypoints', 'keypoints_visible', 'heatmaps',
                'keypoint_weights', 'dataset_index')
#: Host-side values (tuples of ints), one per sample.
HOST_FIELDS = ('keypoint_counts', 'host_dataset_index')


class PoseSampleBatch(list):
    """A list of :class:`PoseDataSample` carrying the batch's tensors.

    It is a list so that every consumer of MMPose's ``SampleList`` (pose
    estimators, metrics, visualisers) keeps working. The tensors (one row per
    sample, on the model's device) and the host-side values of each sample
    follow the samples through slicing (``batch[start:stop]``), reordering
    (:meth:`take`) and grouping by dataset (:meth:`dataset_order`), so a
    batch sorted and split by dataset keeps every field aligned. Read the
    targets with :meth:`targets` (:func:`heatmap_targets` also converts
    MMPose's per-sample targets).

    Args:
        samples (Iterable[PoseDataSample]): The batch's data samples.
        inputs (Tensor, optional): The images, (B, 3, H, W).
        keypoints (Tensor, optional): (B, K, 2) keypoints in input pixels,
            padded to the largest keypoint count of the batch.
        keypoints_visible (Tensor, optional): (B, K) visibilities (0 in the
            padding).
        heatmaps (Tensor, optional): Target heatmaps, (B, K, h, w).
        keypoint_weights (Tensor, optional): Target weights, (B, K).
        dataset_index (Tensor, optional): (B,) int64 dataset of each sample
            (its ``dataset_idx``), on the device.
        keypoint_counts (Sequence[int], optional): Keypoints of each sample
            (its dataset's), on the host. Defaults to K for every sample.
        host_dataset_index (Sequence[int], optional): ``dataset_index`` on
            the host (read without a device sync). Required with
            ``dataset_index``.
    """

    def __init__(self,
                 samples: Iterable[PoseDataSample],
                 inputs: Optional[Tensor] = None,
                 keypoints: Optional[Tensor] = None,
                 keypoints_visible: Optional[Tensor] = None,
                 heatmaps: Optional[Tensor] = None,
                 keypoint_weights: Optional[Tensor] = None,
                 dataset_index: Optional[Tensor] = None,
                 keypoint_counts: Optional[Sequence[int]] = None,
                 host_dataset_index: Optional[Sequence[int]] = None) -> None:
        super().__init__(samples)
        self.fields: Dict[str, Tensor] = {}
        for name, value in zip(BATCH_FIELDS,
                               (inputs, keypoints, keypoints_visible,
                                heatmaps, keypoint_weights, dataset_index)):
            if value is None:
                continue
            if value.shape[0] != len(self):
                raise ValueError(
                    f'PoseSampleBatch: {name} has {value.shape[0]} rows for '
                    f'{len(self)} samples')
            self.fields[name] = value
        if keypoint_counts is None and keypoints is not None:
            keypoint_counts = [keypoints.shape[1]] * len(self)
        if (dataset_index is None) != (host_dataset_index is None):
            raise ValueError('PoseSampleBatch: give dataset_index and '
                             'host_dataset_index together')
        self.host: Dict[str, Tuple[int, ...]] = {}
        for name, value in zip(HOST_FIELDS,
                               (keypoint_counts, host_dataset_index)):
            if value is None:
                continue
            if len(value) != len(self):
                raise ValueError(
                    f'PoseSampleBatch: {name} has {len(value)} values for '
                    f'{len(self)} samples')
            self.host[name] = tuple(value)

    @classmethod
    def of(cls, samples: Sequence[PoseDataSample],
           **fields: Any) -> 'PoseSampleBatch':
        """``samples`` (MMPose's list or a batch) as a batch, with
        ``fields`` (tensors or host values) set or replaced.

        Args:
            samples (Sequence[PoseDataSample]): A list or a batch.
            **fields: Constructor arguments that override the batch's.
        """
        current = dict(samples.fields, **samples.host) \
            if isinstance(samples, PoseSampleBatch) else {}
        current.update(fields)
        return cls(list(samples), **current)

    def __getattr__(self, name: str) -> Any:
        if name in BATCH_FIELDS:
            return self.__dict__.get('fields', {}).get(name)
        if name in HOST_FIELDS:
            return self.__dict__.get('host', {}).get(name)
        raise AttributeError(name)

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if not isinstance(index, slice):
            return super().__getitem__(index)
        return PoseSampleBatch(
            super().__getitem__(index),
            **{name: value[index] for name, value in self.fields.items()},
            **{name: value[index] for name, value in self.host.items()})

    def take(self, order: Sequence[int],
             index: Optional[Tensor] = None) -> 'PoseSampleBatch':
        """The batch in ``order`` (samples, tensors and host values).

        Args:
            order (Sequence[int]): Original position of each new position.
            index (Tensor, optional): ``order`` already on the tensors'
                device (saves a copy). Defaults to None.
        """
        if self.fields and index is None:
            device = next(iter(self.fields.values())).device
            index = torch.tensor(list(order), device=device)
        return PoseSampleBatch(
            [list.__getitem__(self, i) for i in order],
            **{name: value.index_select(0, index)
               for name, value in self.fields.items()},
            **{name: tuple(value[i] for i in order)
               for name, value in self.host.items()})

    def dataset_order(self) -> Tuple[List[int], Optional[Tensor]]:
        """The stable sort of the batch by dataset index, on the host and
        on the device (no copy, no sync): pass both to :meth:`take`.

        Returns:
            tuple[list[int], Tensor | None]: the original position of each
            sorted position, and the same order as a device tensor (None
            without tensor fields).

        Raises:
            ValueError: The batch has no dataset index.
        """
        if self.host_dataset_index is None:
            raise ValueError('the batch has no dataset_index: collate '
                             "samples whose metainfo has 'dataset_idx' "
                             '(ViTPoseDatasetMixture) with vitpose_collate')
        order = sorted(range(len(self)),
                       key=self.host_dataset_index.__getitem__)
        index = torch.sort(self.dataset_index, stable=True).indices
        return order, index

    def targets(self, codec: Any = None) -> Tuple[Tensor, Tensor]:
        """The target heatmaps (B, K, h, w) and keypoint weights (B, K).

        The batch's ``heatmaps`` and ``keypoint_weights``, else its
        keypoints drawn on their device by ``codec`` (the head's decoder,
        :func:`~vitpose_plugin.codecs.batch_encode`), trimmed to the
        samples' keypoint count.

        Args:
            codec (optional): The codec that draws targets from keypoints.
                Defaults to None.
        """
        if self.heatmaps is not None and self.keypoint_weights is not None:
            return self.heatmaps, self.keypoint_weights
        if self.keypoints is None:
            raise ValueError(
                'the batch has no heatmap targets: end the training '
                'pipeline with PackViTPoseInputs (collate_fn vitpose_collate,'
                ' ViTPoseDataPreprocessor) or with GenerateTarget + '
                'PackPoseInputs')
        counts = set(self.keypoint_counts)
        if len(counts) != 1:
            raise ValueError(
                f'the batch mixes keypoint sets of {sorted(counts)} '
                f'keypoints: draw targets per dataset group '
                f'(ViTPoseMultiDatasetEstimator)')
        count = counts.pop()
        return batch_encode(codec, self.keypoints[:, :count],
                            self.keypoints_visible[:, :count])


def heatmap_targets(samples: Sequence[PoseDataSample],
                    codec: Any = None) -> Tuple[Tensor, Tensor]:
    """The target heatmaps and keypoint weights of a batch or a sample list,
    read by :meth:`PoseSampleBatch.targets`: what heads and distillers call.

    The one adapter of MMPose's per-sample path: a batch without keypoints
    or heatmaps whose every sample has ``gt_fields.heatmaps`` and
    ``gt_instance_labels.keypoint_weights`` (``GenerateTarget`` +
    ``PackPoseInputs``) gets them stacked as ``heatmaps`` and
    ``keypoint_weights`` first.

    Args:
        samples (Sequence[PoseDataSample]): The batch's samples, of one
            keypoint set.
        codec (optional): The codec that draws targets from keypoints.
            Defaults to None.
    """
    batch = PoseSampleBatch.of(samples)
    if batch.keypoints is None and batch.heatmaps is None:
        batch = PoseSampleBatch.of(batch, **_stacked_sample_targets(batch))
    return batch.targets(codec)


def _stacked_sample_targets(
        samples: Sequence[PoseDataSample]) -> Dict[str, Tensor]:
    """MMPose's per-sample targets as batch tensors; empty unless every
    sample has them."""
    try:
        heatmaps = [sample.gt_fields.heatmaps for sample in samples]
        weights = [
            sample.gt_instance_labels.keypoint_weights for sample in samples
        ]
    except AttributeError:
        return {}
    if not heatmaps:
        return {}
    return dict(heatmaps=torch.stack(heatmaps),
                keypoint_weights=torch.cat(weights))
