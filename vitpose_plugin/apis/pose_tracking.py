"""Track ids for the persons of a video: each frame's poses matched to the
previous frame's with MMPose's own greedy matching (``_track_by_iou`` on
the boxes or ``_track_by_oks`` on the keypoints, as MMPose's 3D inferencer
and its video demos use them)."""
from typing import List, Optional

import numpy as np
from mmpose.apis import _track_by_iou, _track_by_oks
from mmpose.structures import PoseDataSample

TRACK_METHODS = ('iou', 'oks')


class PoseTracker:
    """Frame-to-frame identities: a pose that overlaps one of the previous
    frame's poses by more than ``threshold`` (greedily, in the frame's
    order; each previous pose continues one track at most) keeps its track
    id, any other pose starts a new track (ids 0, 1, 2... never reused). A
    person missed for one frame comes back with a new id.

    Args:
        method (str): ``'iou'`` (box IoU) or ``'oks'`` (keypoint similarity
            with the dataset's sigmas). Defaults to ``'iou'``.
        threshold (float): The least IoU/OKS that continues a track.
            Defaults to 0.3 (MMPose's video demos).
        sigmas (np.ndarray, optional): Per-keypoint OKS sigmas (the
            dataset metainfo's ``sigmas``) for ``'oks'``. Defaults to None
            (MMPose's COCO sigmas).
    """

    def __init__(self,
                 method: str = 'iou',
                 threshold: float = 0.3,
                 sigmas: Optional[np.ndarray] = None) -> None:
        if method not in TRACK_METHODS:
            raise ValueError(f'unknown tracking method {method!r}; use one '
                             f'of {TRACK_METHODS}')
        self.method = method
        self.threshold = threshold
        self.sigmas = sigmas
        self._previous: List[PoseDataSample] = []
        self._next_id = 0

    def _match(self, pose: PoseDataSample,
               unmatched: List[PoseDataSample]) -> int:
        """Track id of the best unmatched previous pose, or -1 (MMPose's
        functions remove the matched one from ``unmatched``)."""
        if self.method == 'iou':
            track_id, _, _ = _track_by_iou(pose, unmatched, self.threshold)
            return track_id
        boxes = pose.pred_instances.bboxes
        pose.pred_instances.set_field(
            (boxes[..., 2:] - boxes[..., :2]).prod(-1), 'areas')
        track_id, _, _ = _track_by_oks(pose, unmatched, self.threshold,
                                       self.sigmas)
        return track_id

    def update(self, poses: List[PoseDataSample]) -> List[int]:
        """Track ids of one frame's poses (each also set as its
        ``track_id``), in their order.

        Args:
            poses (list[PoseDataSample]): One person each, with
                ``pred_instances.bboxes`` (and ``keypoints`` and
                ``keypoint_scores`` for OKS), as ``inference_topdown``
                returns them.
        """
        unmatched = list(self._previous)
        ids = []
        for pose in poses:
            track_id = self._match(pose, unmatched)
            if track_id == -1:
                track_id, self._next_id = self._next_id, self._next_id + 1
            pose.set_field(track_id, 'track_id')
            ids.append(track_id)
        self._previous = list(poses)
        return ids


__all__ = ['PoseTracker', 'TRACK_METHODS']
