"""A data preprocessor that moves batch tensors and draws targets on the
device."""
from typing import Optional

import torch
from mmpose.models.data_preprocessors import PoseDataPreprocessor
from mmpose.registry import MODELS
from torch import Tensor

from ...structures import PoseSampleBatch
from .udp_heatmap_targets import udp_gaussian_heatmaps

_CODEC_KEYS = {'type', 'input_size', 'heatmap_size', 'sigma', 'heatmap_type'}


def _checked_codec(codec: Optional[dict]) -> Optional[dict]:
    if codec is None:
        return None
    codec = dict(codec)
    if codec.get('type') != 'UDPHeatmap' or \
            codec.get('heatmap_type', 'gaussian') != 'gaussian':
        raise ValueError(
            'ViTPoseDataPreprocessor: target_codec must be a gaussian '
            f'UDPHeatmap codec, got {codec}; for other codecs keep '
            'GenerateTarget + PackPoseInputs in the pipeline')
    unknown = set(codec) - _CODEC_KEYS
    missing = {'input_size', 'heatmap_size'} - set(codec)
    if unknown or missing:
        raise ValueError(
            f'ViTPoseDataPreprocessor: target_codec has unknown keys '
            f'{sorted(unknown)} / misses {sorted(missing)}; expected '
            f'{sorted(_CODEC_KEYS)}')
    return codec


@MODELS.register_module()
class ViTPoseDataPreprocessor(PoseDataPreprocessor):
    """``PoseDataPreprocessor`` for batches collated by ``vitpose_collate``.

    A batch whose ``inputs`` is one (B, 3, H, W) tensor is moved with one
    copy (``non_blocking`` with pinned memory), channel-swapped and
    normalised on the device; its ``targets`` (keypoints and visibility
    packed by ``PackViTPoseInputs``) are moved with one copy each and drawn
    into UDP heatmaps and keypoint weights on the device, for the whole batch
    at once. The samples come back as a :class:`PoseSampleBatch` holding those
    two tensors. Batches collated as lists (MMPose's ``pseudo_collate``, the
    inferencer) go through ``PoseDataPreprocessor`` unchanged.

    Args:
        target_codec (dict, optional): The gaussian ``UDPHeatmap`` codec of
            the targets (``input_size``, ``heatmap_size``, ``sigma``), the
            same as the head's decoder. Required when the pipeline ends with
            ``PackViTPoseInputs``. Defaults to None.
        **kwargs: ``PoseDataPreprocessor`` arguments (``mean``, ``std``,
            ``bgr_to_rgb``, ``non_blocking``, ...).
    """

    def __init__(self, target_codec: Optional[dict] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target_codec = _checked_codec(target_codec)

    def _move(self, tensor: Tensor) -> Tensor:
        return tensor.to(self._device, non_blocking=self._non_blocking)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise the batch and, with targets, draw its heatmaps."""
        if not isinstance(data.get('inputs'), Tensor):
            return super().forward(data, training)
        inputs = self._move(data['inputs'])
        if self._channel_conversion and inputs.shape[1] == 3:
            inputs = inputs[:, [2, 1, 0]]
        inputs = inputs.float()
        if self._enable_normalize:
            inputs = (inputs - self.mean) / self.std
        samples = data['data_samples']
        targets = data.get('targets')
        if targets is not None:
            if self.target_codec is None:
                raise ValueError(
                    'ViTPoseDataPreprocessor got keypoint targets (the '
                    'pipeline ends with PackViTPoseInputs) but has no '
                    'target_codec; set model.data_preprocessor.target_codec '
                    'to the codec of the head')
            codec = self.target_codec
            heatmaps, weights = udp_gaussian_heatmaps(
                self._move(targets['keypoints']),
                self._move(targets['keypoints_visible']),
                input_size=tuple(codec['input_size']),
                heatmap_size=tuple(codec['heatmap_size']),
                sigma=codec.get('sigma', 2))
            samples = PoseSampleBatch(samples, heatmaps, weights)
        if training and self.batch_augments is not None:
            for augment in self.batch_augments:
                inputs, samples = augment(inputs, samples)
        return dict(inputs=inputs, data_samples=samples)
