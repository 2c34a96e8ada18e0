"""PoseTracker: MMPose's greedy matching between consecutive frames."""
import numpy as np
import pytest
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from vitpose_plugin.apis import PoseTracker

# Three keypoints spread over a box; COCO-like sigmas for them.
PATTERN = np.array([[0.2, 0.2], [0.8, 0.3], [0.5, 0.9]])
SIGMAS = np.array([0.05, 0.05, 0.05])


def pose(x: float, y: float, size: float = 50.) -> PoseDataSample:
    sample = PoseDataSample()
    sample.pred_instances = InstanceData(
        bboxes=np.array([[x, y, x + size, y + size]]),
        keypoints=(PATTERN * size + [x, y])[None],
        keypoint_scores=np.ones((1, len(PATTERN))))
    return sample


@pytest.mark.parametrize('method', ['iou', 'oks'])
def test_ids_follow_the_persons_not_their_order(method):
    tracker = PoseTracker(method, 0.3, SIGMAS if method == 'oks' else None)
    assert tracker.update([pose(0, 0), pose(200, 0)]) == [0, 1]
    # Both moved a little and come in the other order.
    moved = [pose(205, 3), pose(4, 2)]
    assert tracker.update(moved) == [1, 0]
    assert [p.track_id for p in moved] == [1, 0]
    # A third person; then a frame without anybody.
    assert tracker.update([pose(8, 4), pose(100, 100), pose(210, 5)]) == \
        [0, 2, 1]
    assert tracker.update([]) == []
    # Tracks match the previous frame only: ids are never reused.
    assert tracker.update([pose(8, 4)]) == [3]


def test_far_moves_start_new_tracks():
    tracker = PoseTracker('iou', threshold=0.3)
    tracker.update([pose(0, 0)])
    assert tracker.update([pose(40, 0)]) == [1]  # IoU 0.11


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="unknown tracking method 'sort'"):
        PoseTracker('sort')
