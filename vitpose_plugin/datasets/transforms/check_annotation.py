"""A pipeline's first transform: refuse (or skip) malformed annotations."""
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS

from .bad_sample import (BadSampleCounter, check_bad_sample_policy,
                         describe_sample, evaluation_advice, in_test_mode)


@TRANSFORMS.register_module()
class ViTPoseCheckAnnotation(BaseTransform):
    """Check a sample's annotation before anything is decoded or trained.

    Bad samples: a keypoint count other than the dataset's
    (``metainfo['num_keypoints']``), keypoints or visibilities that are not
    finite, a box that is not finite or has no area (x2 <= x1 or y2 <= y1),
    or box and keypoint arrays of different instance counts. MMPose's
    datasets already drop, at load time, instances whose GT box clipped to
    the image has no area (like crowd and unlabelled ones); this catches
    what survives: NaN boxes and keypoints, detector boxes, other datasets.
    Keys that a sample does not have (e.g. keypoints at inference) are not
    checked.

    With ``bad_sample='error'`` a bad sample raises ``ValueError`` naming
    its annotation id, image id and file. With ``'skip'`` it is logged as a
    warning with a running count (see :class:`BadSampleCounter`) and
    dropped: the transform returns None, and mmengine's ``BaseDataset``
    draws another sample (up to its ``max_refetch``). Skipping is for
    training only: a dataset in ``test_mode`` would drop a ground-truth
    instance from the evaluation, so there it raises in either mode, and
    its message says which annotation (or detection) file to fix.

    The policy is also left in ``results['bad_sample']``, which a following
    ``ViTPoseLoadImage`` without its own ``bad_sample`` applies to images
    that are missing or do not decode: one setting per pipeline, e.g.
    ``--cfg-options train_dataloader.dataset.pipeline.0.bad_sample=skip``.

    Args:
        bad_sample (str): ``'error'`` or ``'skip'``. Defaults to ``'error'``.
        num_keypoints (int, optional): The expected keypoint count. Defaults
            to None: ``results['dataset'].metainfo['num_keypoints']`` (MMPose
            datasets), else the length of ``results['flip_indices']``.
    """

    def __init__(self,
                 bad_sample: str = 'error',
                 num_keypoints: Optional[int] = None) -> None:
        check_bad_sample_policy(bad_sample, type(self).__name__)
        self.bad_sample = bad_sample
        self.num_keypoints = num_keypoints
        self.skipped = BadSampleCounter(type(self).__name__)
        # keypoint count per dataset (by id: the datasets outlive the run)
        self._dataset_keypoints: Dict[int, Optional[int]] = {}

    def _expected_keypoints(self, results: dict) -> Optional[int]:
        if self.num_keypoints is not None:
            return self.num_keypoints
        dataset = results.get('dataset')
        if dataset is not None:
            # mmengine's ``metainfo`` is a deep copy (milliseconds for a
            # dataset with many keypoints): read it once per dataset.
            key = id(dataset)
            if key not in self._dataset_keypoints:
                metainfo = getattr(dataset, 'metainfo', None) or {}
                count = metainfo.get('num_keypoints')
                self._dataset_keypoints[key] = \
                    None if count is None else int(count)
            if self._dataset_keypoints[key] is not None:
                return self._dataset_keypoints[key]
        if results.get('flip_indices') is not None:
            return len(results['flip_indices'])
        return None

    def find_problem(self, results: dict) -> Optional[str]:
        """What is wrong with the sample's annotation, or None.

        Args:
            results (dict): The sample, as a dataset's ``get_data_info``.
        """
        instances = None
        if results.get('keypoints') is not None:
            keypoints = np.asarray(results['keypoints'])
            if keypoints.ndim != 3 or keypoints.shape[-1] != 2:
                return (f'keypoints of shape {keypoints.shape}, expected '
                        '(instances, keypoints, 2)')
            instances, count = keypoints.shape[:2]
            expected = self._expected_keypoints(results)
            if expected is not None and count != expected:
                return (f'{count} keypoints, but the dataset has {expected}')
            if not np.isfinite(keypoints).all():
                bad = np.flatnonzero(~np.isfinite(keypoints).all(-1).any(0))
                return f'keypoints {bad.tolist()} are not finite (NaN/inf)'
            if results.get('keypoints_visible') is not None:
                visible = np.asarray(results['keypoints_visible'])
                if visible.shape[:2] != keypoints.shape[:2]:
                    return (f'keypoints_visible of shape {visible.shape} for '
                            f'keypoints of shape {keypoints.shape}')
                if not np.isfinite(visible).all():
                    return 'keypoints_visible is not finite (NaN/inf)'
        if results.get('bbox') is not None:
            bbox = np.asarray(results['bbox'], dtype=np.float64)
            if bbox.ndim != 2 or bbox.shape[1] != 4:
                return f'bbox of shape {bbox.shape}, expected (instances, 4)'
            if instances is not None and len(bbox) != instances:
                return (f'{len(bbox)} boxes for {instances} instances of '
                        'keypoints')
            if not np.isfinite(bbox).all():
                return f'bbox {bbox.tolist()} is not finite (NaN/inf)'
            if ((bbox[:, 2] <= bbox[:, 0]) | (bbox[:, 3] <= bbox[:, 1])).any():
                return (f'bbox {bbox.round(2).tolist()} (x1, y1, x2, y2; '
                        'clipped to the image) has no area')
        return None

    def transform(self, results: dict) -> Optional[dict]:
        """The sample unchanged (plus ``results['bad_sample']``), or None
        for a bad one in ``'skip'`` mode.

        Raises:
            ValueError: a bad sample in ``'error'`` mode, or in a dataset in
                ``test_mode``.
        """
        results['bad_sample'] = self.bad_sample
        problem = self.find_problem(results)
        if problem is None:
            return results
        if self.bad_sample == 'skip' and not in_test_mode(results):
            self.skipped.skip(results, problem)
            return None
        if in_test_mode(results):
            advice = evaluation_advice(results)
        else:
            advice = ("fix or remove the annotation, or set bad_sample="
                      "'skip' on this ViTPoseCheckAnnotation to train on "
                      'other samples instead (e.g. --cfg-options '
                      'train_dataloader.dataset.pipeline.0.bad_sample=skip)')
        raise ValueError(f'{type(self).__name__}: bad sample '
                         f'({describe_sample(results)}): {problem}; {advice}')

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(bad_sample={self.bad_sample!r}, '
                f'num_keypoints={self.num_keypoints})')
