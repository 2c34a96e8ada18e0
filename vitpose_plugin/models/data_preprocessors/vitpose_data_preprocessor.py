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
    packed by ``PackViTPoseInputs``) are moved with one copy each into a
    :class:`PoseSampleBatch`, from which each head draws its heatmaps with
    its own codec (per dataset group in a mixture). Batches collated as
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
        samples = data['data_samples']
        targets = data.get('targets')
        if targets is not None:
            samples = PoseSampleBatch(
                samples,
                keypoints=self._move(targets['keypoints']),
                keypoints_visible=self._move(targets['keypoints_visible']),
                keypoint_counts=targets.get('keypoint_counts'))
        if training and self.batch_augments is not None:
            for augment in self.batch_augments:
                inputs, samples = augment(inputs, samples)
        return dict(inputs=inputs, data_samples=samples)
