"""MMPose's random box shift/scale/rotation with a cheaper random draw from
the sample's generator."""
from typing import Tuple

import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmpose.datasets.transforms import RandomBBoxTransform
from mmpose.registry import TRANSFORMS

from ..sample_draws import SampleDrawTransform


@TRANSFORMS.register_module()
class ViTPoseRandomBBoxTransform(SampleDrawTransform, RandomBBoxTransform):
    """``RandomBBoxTransform`` drawing its truncated normals by rejection,
    from ``results['sample_draws']`` (see
    :mod:`vitpose_plugin.datasets.sample_draws`), else from ``np.random``.

    MMPose draws the standard normal truncated to [-1, 1] with
    ``scipy.stats.truncnorm.rvs``, whose argument handling costs more than
    the rest of the transform. Rejection sampling from a standard normal
    draws the same distribution (tested against scipy's). Arguments are
    ``RandomBBoxTransform``'s.
    """

    def _truncnorm(self,
                   low: float = -1.,
                   high: float = 1.,
                   size: tuple = ()) -> np.ndarray:
        count = int(np.prod(size))
        accepted = np.empty(0, dtype=np.float64)
        while accepted.size < count:
            draw = self.draws.standard_normal(2 * count + 8)
            accepted = np.concatenate(
                [accepted, draw[(draw >= low) & (draw <= high)]])
        return accepted[:count].reshape(size).astype(np.float32)

    @cache_randomness
    def _get_transform_params(self, num_bboxes: int) -> Tuple:
        """MMPose's parameters: (offset (n, 2), scale (n, 1), rotate (n,))."""
        normal = self._truncnorm(size=(num_bboxes, 4))
        offset = np.where(
            self.draws.random((num_bboxes, 1)) < self.shift_prob,
            normal[:, :2] * self.shift_factor, 0.)
        scale_min, scale_max = self.scale_factor
        scale = normal[:, 2:3] * (scale_max - scale_min) * 0.5 + (
            scale_max + scale_min) * 0.5
        scale = np.where(
            self.draws.random((num_bboxes, 1)) < self.scale_prob, scale, 1.)
        rotate = np.where(
            self.draws.random(num_bboxes) < self.rotate_prob,
            normal[:, 3] * self.rotate_factor, 0.)
        return offset, scale, rotate
