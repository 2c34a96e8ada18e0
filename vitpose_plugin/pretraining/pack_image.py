"""Packing a crop as the model's input tensor, nothing else."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ViTPosePackImage(BaseTransform):
    """``results['img']`` (H, W, C; any strides, e.g. a flipped view) as
    ``inputs``, a contiguous (C, H, W) tensor of its dtype: the ``inputs``
    of mmpretrain's ``PackInputs``, without its ``DataSample`` (MAE's loss
    reads none; collate with ``vitpose_image_collate``).

    Required keys: ``img``. Returns ``dict(inputs=...)``.
    """

    def transform(self, results: dict) -> dict:
        """The packed sample."""
        image = results['img']
        if image.ndim != 3:
            raise ValueError(f'{type(self).__name__} packs (H, W, C) images, '
                             f'got shape {image.shape}')
        return dict(inputs=torch.from_numpy(
            np.ascontiguousarray(image.transpose(2, 0, 1))))
