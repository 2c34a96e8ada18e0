"""MMPose's RandomHalfBody drawing from the sample's generator."""
from typing import List, Optional

import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmpose.datasets.transforms import RandomHalfBody
from mmpose.registry import TRANSFORMS

from ..sample_draws import SampleDrawTransform


@TRANSFORMS.register_module()
class ViTPoseRandomHalfBody(SampleDrawTransform, RandomHalfBody):
    """``RandomHalfBody`` (same arguments, same distribution) drawing from
    ``results['sample_draws']`` (see
    :mod:`vitpose_plugin.datasets.sample_draws`), else from ``np.random``.
    """

    @cache_randomness
    def _random_select_half_body(
            self, keypoints_visible: np.ndarray, upper_body_ids: List[int],
            lower_body_ids: List[int]) -> List[Optional[List[int]]]:
        if keypoints_visible.ndim == 3:
            keypoints_visible = keypoints_visible[..., 0]
        half_body_ids = []
        for visible in keypoints_visible:
            # MMPose's order of draws: apply?, then prefer the upper body?
            if visible.sum() < self.min_total_keypoints \
                    or self.draws.random() > self.prob:
                half_body_ids.append(None)
                continue
            upper = [i for i in upper_body_ids if visible[i] > 0]
            lower = [i for i in lower_body_ids if visible[i] > 0]
            prefer_upper = self.draws.random() < self.upper_prioritized_prob
            if len(upper) < self.min_upper_keypoints \
                    and len(lower) < self.min_lower_keypoints:
                half_body_ids.append(None)
            elif len(lower) < self.min_lower_keypoints:
                half_body_ids.append(upper)
            elif len(upper) < self.min_upper_keypoints:
                half_body_ids.append(lower)
            else:
                half_body_ids.append(upper if prefer_upper else lower)
        return half_body_ids
