"""MMPose's RandomFlip drawing from the sample's generator."""
import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmpose.datasets.transforms import RandomFlip
from mmpose.registry import TRANSFORMS

from ..sample_draws import SampleDrawTransform


@TRANSFORMS.register_module()
class ViTPoseRandomFlip(SampleDrawTransform, RandomFlip):
    """``RandomFlip`` (same arguments, same distribution) whose direction is
    drawn from ``results['sample_draws']`` (see
    :mod:`vitpose_plugin.datasets.sample_draws`), else from ``np.random``.
    """

    @cache_randomness
    def _choose_direction(self):
        if isinstance(self.direction, str):
            directions = [self.direction, None]
        else:
            directions = list(self.direction) + [None]
        if isinstance(self.prob, list):
            probs = self.prob + [1 - sum(self.prob)]
        else:
            single = self.prob / (len(directions) - 1)
            probs = [single] * (len(directions) - 1) + [1. - self.prob]
        # ``choice(directions, p=probs)`` without its argument checks (most
        # of its cost): NumPy draws one uniform and inverts the normalised
        # CDF, for Generator and RandomState alike; so does this.
        cdf = np.asarray(probs, dtype=np.float64).cumsum()
        cdf /= cdf[-1]
        return directions[int(cdf.searchsorted(self.draws.random(),
                                               side='right'))]
