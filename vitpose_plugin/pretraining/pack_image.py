"""Packing a crop as the model's input tensor, nothing else."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ViTPosePackImage(BaseTransform):
    """``results['img']`` (H, W, C) as ``inputs``, a (C, H, W) tensor of its
    dtype (a view of the image when it is contiguous, as
    ``PackViTPoseInputs`` packs; ``vitpose_image_collate`` stacks such views
    without a strided copy): the ``inputs`` of mmpretrain's ``PackInputs``,
    without its ``DataSample`` (MAE's loss reads none).

    Required keys: ``img``. Returns ``dict(inputs=...)``.
    """

    def transform(self, results: dict) -> dict:
        """The packed sample."""
        image = results['img']
        if image.ndim != 3:
            raise ValueError(f'{type(self).__name__} packs (H, W, C) images, '
                             f'got shape {image.shape}')
        if not image.flags.c_contiguous:
            image = np.ascontiguousarray(image)
        return dict(inputs=torch.from_numpy(image).permute(2, 0, 1))
