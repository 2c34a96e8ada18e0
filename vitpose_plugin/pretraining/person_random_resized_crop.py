"""MAE's random resized crop, inside a person region."""
import math
from typing import Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

from ..datasets.sample_draws import sample_draws

_INTERPOLATIONS = {
    'nearest': cv2.INTER_NEAREST,
    'bilinear': cv2.INTER_LINEAR,
    'bicubic': cv2.INTER_CUBIC,
}


def crop_and_resize(image: np.ndarray, box: np.ndarray,
                    size: Tuple[int, int],
                    interpolation: int) -> Tuple[np.ndarray, np.ndarray]:
    """``box`` (x1, y1, x2, y2) of ``image`` rounded to whole pixels, cut
    out (zero outside the image) and resized to ``size`` (W, H).

    As mmpretrain's ``RandomResizedCrop`` renders its box (crop, then
    resize); ``cv2.resize``'s separable filters cost a fraction of
    ``cv2.warpAffine``'s bicubic remap, the largest cost of the pipeline.

    Returns:
        tuple: the crop and the whole-pixel box (float32).
    """
    x1, y1 = int(round(float(box[0]))), int(round(float(box[1])))
    x2 = max(int(round(float(box[2]))), x1 + 1)
    y2 = max(int(round(float(box[3]))), y1 + 1)
    height, width = image.shape[:2]
    if x1 >= 0 and y1 >= 0 and x2 <= width and y2 <= height:
        patch = image[y1:y2, x1:x2]
    else:
        patch = np.zeros((y2 - y1, x2 - x1, *image.shape[2:]), image.dtype)
        left, top = max(x1, 0), max(y1, 0)
        right, bottom = min(x2, width), min(y2, height)
        if left < right and top < bottom:
            patch[top - y1:bottom - y1, left - x1:right - x1] = \
                image[top:bottom, left:right]
    crop = cv2.resize(patch, size, interpolation=interpolation)
    return crop, np.array([x1, y1, x2, y2], dtype=np.float32)


@TRANSFORMS.register_module()
class ViTPosePersonRandomResizedCrop(BaseTransform):
    """Crop a random part of ``person_region`` and resize it to
    ``crop_size``, as MAE's ``RandomResizedCrop`` does on a whole image.

    The part covers a fraction of the region's area drawn uniformly from
    ``crop_ratio_range`` and has the region's aspect times a factor drawn
    log-uniformly from ``aspect_ratio_range``; it lies inside the region
    (up to ``max_attempts`` draws, then the whole region). Image pixels
    outside the image are zero. With both ranges at (1, 1) the crop is the
    region itself: the top-down crop of the person at ``crop_size``.

    With ``flip_prob`` > 0 the crop is then mirrored left-right with that
    probability, drawn after the box as ``ViTPoseRandomFlip(prob=flip_prob)``
    draws it: the same draws and pixels as that transform after this one,
    in one step.

    Required keys: ``img``, ``person_region`` (centre x, centre y, width,
    height). Modified: ``img``, ``img_shape``. Added: ``crop_box``
    (x1, y1, x2, y2 in the source image, the drawn box rounded to whole
    pixels, see :func:`crop_and_resize`); with ``flip_prob`` > 0 ``flip``
    and ``flip_direction`` (``'horizontal'`` or None), as ``RandomFlip``.

    Args:
        crop_size (tuple[int, int]): Output (H, W). Defaults to (256, 192).
        crop_ratio_range (tuple[float, float]): Area fractions, within
            (0, 1]. Defaults to (0.2, 1.0) (MAE).
        aspect_ratio_range (tuple[float, float]): Aspect factors.
            Defaults to (3/4, 4/3) (MAE).
        max_attempts (int): Draws before falling back to the whole region.
            Defaults to 10.
        interpolation (str): ``'nearest'``, ``'bilinear'`` or
            ``'bicubic'``. Defaults to ``'bicubic'`` (MAE).
        flip_prob (float): Probability of mirroring the crop, in [0, 1].
            Defaults to 0 (no flip, no draw).
    """

    def __init__(self,
                 crop_size: Tuple[int, int] = (256, 192),
                 crop_ratio_range: Tuple[float, float] = (0.2, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3. / 4., 4. / 3.),
                 max_attempts: int = 10,
                 interpolation: str = 'bicubic',
                 flip_prob: float = 0.) -> None:
        if len(crop_size) != 2 or min(crop_size) < 1:
            raise ValueError(f'crop_size must be (H, W) of positive ints, '
                             f'got {crop_size}')
        low, high = crop_ratio_range
        if not 0 < low <= high <= 1:
            raise ValueError(f'crop_ratio_range must satisfy 0 < low <= '
                             f'high <= 1, got {crop_ratio_range}')
        if not 0 < aspect_ratio_range[0] <= aspect_ratio_range[1]:
            raise ValueError(f'aspect_ratio_range must satisfy 0 < low <= '
                             f'high, got {aspect_ratio_range}')
        if max_attempts < 1:
            raise ValueError(f'max_attempts must be >= 1, got {max_attempts}')
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(f'interpolation must be one of '
                             f'{sorted(_INTERPOLATIONS)}, got '
                             f'{interpolation!r}')
        if not 0 <= flip_prob <= 1:
            raise ValueError(f'flip_prob must lie in [0, 1], got {flip_prob}')
        self.crop_size = (int(crop_size[0]), int(crop_size[1]))
        self.crop_ratio_range = (float(low), float(high))
        self.log_aspect_range = (math.log(aspect_ratio_range[0]),
                                 math.log(aspect_ratio_range[1]))
        self.max_attempts = max_attempts
        self.interpolation = interpolation
        self.flip_prob = float(flip_prob)

    def sample_box(self, region: np.ndarray, draws=np.random) -> np.ndarray:
        """A random (x1, y1, x2, y2) inside ``region`` (cx, cy, w, h),
        drawn from ``draws`` (a ``numpy.random.Generator``; defaults to
        ``np.random``)."""
        cx, cy, width, height = (float(v) for v in region)
        for _ in range(self.max_attempts):
            area = width * height * draws.uniform(*self.crop_ratio_range)
            aspect = width / height * math.exp(
                draws.uniform(*self.log_aspect_range))
            crop_w, crop_h = math.sqrt(area * aspect), math.sqrt(area / aspect)
            if crop_w <= width and crop_h <= height:
                x1 = cx - width / 2 + draws.uniform(0, width - crop_w)
                y1 = cy - height / 2 + draws.uniform(0, height - crop_h)
                return np.array([x1, y1, x1 + crop_w, y1 + crop_h],
                                dtype=np.float32)
        return np.array([cx - width / 2, cy - height / 2, cx + width / 2,
                         cy + height / 2], dtype=np.float32)

    def transform(self, results: dict) -> Optional[dict]:
        """Crop and resize ``results['img']``."""
        region = np.asarray(results['person_region'], dtype=np.float32)
        if region.shape != (4, ) or region[2] <= 0 or region[3] <= 0:
            raise ValueError(f'person_region must be (cx, cy, w, h) with a '
                             f'positive size, got {region}')
        draws = sample_draws(results)
        box = self.sample_box(region, draws)
        out_h, out_w = self.crop_size
        results['img'], box = crop_and_resize(
            results['img'], box, (out_w, out_h),
            _INTERPOLATIONS[self.interpolation])
        results['img_shape'] = (out_h, out_w)
        results['crop_box'] = box
        if self.flip_prob > 0:
            # ViTPoseRandomFlip's draw: one uniform against the probability
            flip = bool(draws.random() < self.flip_prob)
            if flip:
                results['img'] = cv2.flip(results['img'], 1)
            results['flip'] = flip
            results['flip_direction'] = 'horizontal' if flip else None
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(crop_size={self.crop_size}, '
                f'crop_ratio_range={self.crop_ratio_range}, '
                f'interpolation={self.interpolation!r}, '
                f'flip_prob={self.flip_prob})')
