"""Packing of a training sample whose targets are drawn on the device."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS
from mmpose.structures import PoseDataSample

from ..data_info import copy_plain_data

_META_KEYS = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
              'ori_shape', 'img_shape', 'input_size', 'input_center',
              'input_scale', 'flip', 'flip_direction', 'flip_indices',
              'dataset_name', 'dataset_idx')


@TRANSFORMS.register_module()
class PackViTPoseInputs(BaseTransform):
    """Pack the crop and its keypoints for ``ViTPoseDataPreprocessor``.

    Replaces ``GenerateTarget`` + ``PackPoseInputs`` at the end of a top-down
    training pipeline: instead of drawing heatmaps on the CPU, the
    transformed keypoints (input-image pixels) and their visibility are
    packed as ``targets``; ``vitpose_collate`` stacks them per batch and the
    data preprocessor draws the heatmaps of the whole batch on the device.

    Outputs ``inputs`` (3, H, W) uint8 tensor, ``data_samples`` (a
    :class:`PoseDataSample` with the metainfo of ``meta_keys``) and
    ``targets`` (``keypoints`` (K, 2) and ``keypoints_visible`` (K,) float32
    arrays).

    Args:
        meta_keys (tuple[str]): Keys copied into the metainfo when present.
            Defaults to MMPose's ``PackPoseInputs`` keys without
            ``raw_ann_info``.
    """

    def __init__(self, meta_keys: tuple = _META_KEYS) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        keypoints = results.get('transformed_keypoints')
        if keypoints is None or np.ndim(keypoints) != 3 \
                or keypoints.shape[0] != 1:
            raise ValueError(
                'PackViTPoseInputs needs the transformed keypoints of one '
                'instance, (1, K, 2), from TopdownAffine / '
                f'ViTPoseTopdownAffine; got {np.shape(keypoints)} for '
                f'{results.get("img_path")} (id {results.get("id")})')
        visible = np.asarray(results['keypoints_visible'])
        if visible.ndim == 3:  # (1, K, 2): visibility and its weight
            visible = visible[..., 0]
        image = results['img']
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f'PackViTPoseInputs expects an (H, W, 3) '
                             f'image, got {image.shape}')
        # set_metainfo's deepcopy costs more than the crop for a dataset
        # with many keypoints (flip_indices); copy_plain_data makes the
        # same copy in C
        sample = PoseDataSample()
        metainfo = copy_plain_data(
            {key: results[key] for key in self.meta_keys if key in results})
        for key, value in metainfo.items():
            sample.set_field(value, key, field_type='metainfo')
        return dict(
            inputs=torch.from_numpy(image).permute(2, 0, 1),
            data_samples=sample,
            targets=dict(
                keypoints=keypoints[0, :, :2].astype(np.float32),
                keypoints_visible=visible[0].astype(np.float32)))
