"""ViTPoseCheckAnnotation: each kind of malformed annotation fails naming
the annotation id, image id and file, or in 'skip' mode is dropped and
logged with a running count; good samples pass unchanged."""
import re
from types import SimpleNamespace

import numpy as np
import pytest
from mmpose.registry import TRANSFORMS

import vitpose_plugin  # noqa: F401
from vitpose_plugin.datasets import ViTPoseCheckAnnotation

from ..log_capture import current_log_file, warnings_of


def sample(num_keypoints=17, **overrides):
    """A well-formed top-down sample of a 17-keypoint dataset."""
    results = dict(
        id=4242,
        img_id=77,
        img_path='/data/img_77.jpg',
        bbox=np.array([[10., 20., 110., 220.]], np.float32),
        keypoints=np.full((1, num_keypoints, 2), 50., np.float32),
        keypoints_visible=np.ones((1, num_keypoints), np.float32),
        flip_indices=list(range(17)))
    results.update(overrides)
    return results


BAD = {
    'wrong keypoint count': (dict(num_keypoints=16),
                             '16 keypoints, but the dataset has 17'),
    'NaN keypoint': (
        dict(keypoints=np.where(np.arange(17)[None, :, None] == 3, np.nan,
                                np.full((1, 17, 2), 5., np.float32))),
        r'keypoints \[3\] are not finite'),
    'zero-area box': (dict(bbox=np.array([[10., 20., 10., 220.]])),
                      'has no area'),
    'negative-height box': (dict(bbox=np.array([[10., 220., 110., 20.]])),
                            'has no area'),
    'NaN box': (dict(bbox=np.array([[10., np.nan, 110., 220.]])),
                'not finite'),
    'visibility of another shape': (
        dict(keypoints_visible=np.ones((1, 16))), 'keypoints_visible'),
}


def make_bad(kind):
    overrides, _ = BAD[kind]
    overrides = dict(overrides)
    return sample(num_keypoints=overrides.pop('num_keypoints', 17),
                  **overrides)


def test_registered_and_good_samples_pass_unchanged():
    check = TRANSFORMS.build(dict(type='ViTPoseCheckAnnotation'))
    assert isinstance(check, ViTPoseCheckAnnotation)
    good = sample()
    out = check(dict(good))
    assert out['bad_sample'] == 'error'  # the policy for ViTPoseLoadImage
    assert out['keypoints'] is good['keypoints']
    # inference samples have no keypoints and no ids: only the box counts
    assert check(dict(bbox=good['bbox'])) is not None


@pytest.mark.parametrize('kind', sorted(BAD))
def test_error_names_the_annotation_and_the_problem(kind):
    with pytest.raises(ValueError) as info:
        ViTPoseCheckAnnotation()(make_bad(kind))
    message = str(info.value)
    assert 'annotation id 4242' in message
    assert 'image id 77' in message and '/data/img_77.jpg' in message
    assert re.search(BAD[kind][1], message), message
    assert "bad_sample='skip'" in message  # says what to do


@pytest.mark.parametrize('kind', sorted(BAD))
def test_skip_drops_and_logs_with_a_running_count(kind, tmp_path):
    log = current_log_file(tmp_path)
    check = ViTPoseCheckAnnotation(bad_sample='skip')
    assert check(make_bad(kind)) is None
    assert check(make_bad(kind)) is None
    assert check(sample()) is not None
    warnings = warnings_of(log, 'ViTPoseCheckAnnotation: skipped')
    assert len(warnings) == 2
    assert 'WARNING' in warnings[0] and 'annotation id 4242' in warnings[0]
    assert re.search(BAD[kind][1], warnings[0])
    assert 'bad samples skipped: 1 ' in warnings[0]
    assert 'bad samples skipped: 2 ' in warnings[1]
    assert check.skipped.count == 2


def test_expected_count_comes_from_the_dataset_metainfo():
    dataset = SimpleNamespace(metainfo=dict(num_keypoints=16),
                              test_mode=False)
    # flip_indices say 17, the dataset says 16: the dataset wins
    assert ViTPoseCheckAnnotation()(
        sample(num_keypoints=16, dataset=dataset)) is not None
    with pytest.raises(ValueError, match='17 keypoints, but the dataset '
                       'has 16'):
        ViTPoseCheckAnnotation()(sample(dataset=dataset))
    with pytest.raises(ValueError, match='has 18'):
        ViTPoseCheckAnnotation(num_keypoints=18)(sample(dataset=dataset))


def test_skip_refuses_in_test_mode():
    """A val/test dataset would lose a ground-truth instance."""
    dataset = SimpleNamespace(metainfo=dict(num_keypoints=17),
                              test_mode=True)
    with pytest.raises(ValueError, match='training only'):
        ViTPoseCheckAnnotation(bad_sample='skip')(
            dict(make_bad('zero-area box'), dataset=dataset))


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="bad_sample='ignore'"):
        ViTPoseCheckAnnotation(bad_sample='ignore')


class MetainfoCountingDataset:
    """A dataset whose ``metainfo`` (a deep copy in mmengine) is counted."""

    def __init__(self, num_keypoints: int) -> None:
        self.num_keypoints = num_keypoints
        self.reads = 0

    @property
    def metainfo(self) -> dict:
        self.reads += 1
        return dict(num_keypoints=self.num_keypoints)


def test_reads_each_datasets_keypoint_count_once():
    check = ViTPoseCheckAnnotation()
    coco, aic = MetainfoCountingDataset(17), MetainfoCountingDataset(14)
    for _ in range(5):
        assert check(sample(dataset=coco)) is not None
    with pytest.raises(ValueError, match='17 keypoints, but the dataset '
                       'has 14'):
        check(sample(dataset=aic))
    assert (coco.reads, aic.reads) == (1, 1)
