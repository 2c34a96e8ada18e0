"""MMPose's random box shift/scale/rotation with a cheaper random draw."""
import numpy as np
from mmpose.datasets.transforms import RandomBBoxTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ViTPoseRandomBBoxTransform(RandomBBoxTransform):
    """``RandomBBoxTransform`` drawing its truncated normals by rejection.

    MMPose draws the standard normal truncated to [-1, 1] with
    ``scipy.stats.truncnorm.rvs``, whose argument handling costs more than
    the rest of the transform. Rejection sampling from ``np.random.randn``
    draws the same distribution (tested against scipy's). Arguments are
    ``RandomBBoxTransform``'s.
    """

    @staticmethod
    def _truncnorm(low: float = -1.,
                   high: float = 1.,
                   size: tuple = ()) -> np.ndarray:
        count = int(np.prod(size))
        accepted = np.empty(0, dtype=np.float64)
        while accepted.size < count:
            draw = np.random.randn(2 * count + 8)
            accepted = np.concatenate(
                [accepted, draw[(draw >= low) & (draw <= high)]])
        return accepted[:count].reshape(size).astype(np.float32)
