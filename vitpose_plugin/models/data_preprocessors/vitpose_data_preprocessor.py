"""A data preprocessor that moves batch tensors to the device in one copy
per field."""
import warnings

from mmpose.models.data_preprocessors import PoseDataPreprocessor
from mmpose.registry import MODELS
from torch import Tensor

from ...structures import PoseSampleBatch


@MODELS.register_module()
class ViTPoseDataPreprocessor(PoseDataPreprocessor):
    """``PoseDataPreprocessor`` for batches collated by ``vitpose_collate``.

    A batch whose ``inputs`` is one (B, 3, H, W) tensor is moved with one
    copy (``non_blocking`` with pinned memory), channel-swapped and
    normalised on the device; its ``targets`` (keypoints and visibility
    packed by ``PackViTPoseInputs``) and ``dataset_index`` (a mixture's)
    are moved with one copy each into a :class:`PoseSampleBatch` with the
    images, which the multi-dataset estimator groups by dataset and from
    which each head draws its heatmaps with its own codec. Batches collated as
    lists (MMPose's ``pseudo_collate``, the inferencer) go through
    ``PoseDataPreprocessor`` unchanged.

    ``target_codec`` (the codec stated a second time) is ignored with a
    ``DeprecationWarning``.

    Args:
        **kwargs: ``PoseDataPreprocessor`` arguments (``mean``, ``std``,
            ``bgr_to_rgb``, ``non_blocking``, ...).
    """

    def __init__(self, **kwargs) -> None:
        if kwargs.pop('target_codec', None) is not None:
            warnings.warn(
                'model.data_preprocessor.target_codec is no longer read: the '
                "head's decoder (the config's `codec`) draws the training "
                'targets; delete target_codec (docs/migration.md)',
                DeprecationWarning, stacklevel=2)
        super().__init__(**kwargs)

    def _move(self, tensor: Tensor) -> Tensor:
        return tensor.to(self._device, non_blocking=self._non_blocking)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise the batch and move its keypoints to the device."""
        if not isinstance(data.get('inputs'), Tensor):
            return super().forward(data, training)
        inputs = self._move(data['inputs'])
        if self._channel_conversion and inputs.shape[1] == 3:
            inputs = inputs[:, [2, 1, 0]]
        inputs = inputs.float()
        if self._enable_normalize:
            inputs = (inputs - self.mean) / self.std
        samples = PoseSampleBatch(data['data_samples'], inputs=inputs,
                                  **self._batch_fields(data))
        if training and self.batch_augments is not None:
            for augment in self.batch_augments:
                inputs, samples = augment(inputs, samples)
            samples = PoseSampleBatch.of(samples, inputs=inputs)
        return dict(inputs=inputs, data_samples=samples)

    def _batch_fields(self, data: dict) -> dict:
        """The collated keypoints and dataset index on the device (one copy
        each), with their host-side values."""
        fields = {}
        targets = data.get('targets')
        if targets is not None:
            fields.update(
                keypoints=self._move(targets['keypoints']),
                keypoints_visible=self._move(targets['keypoints_visible']),
                keypoint_counts=targets.get('keypoint_counts'))
        if data.get('dataset_index') is not None:
            fields.update(dataset_index=self._move(data['dataset_index']),
                          host_dataset_index=data['host_dataset_index'])
        return fields
