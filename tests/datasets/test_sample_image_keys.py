from unittest import mock

import numpy as np
import pytest
from mmengine.dataset import BaseDataset, ConcatDataset
from mmpose.datasets import CocoDataset, MpiiDataset

from vitpose_plugin.datasets import (ViTPoseDatasetMixture,
                                     ViTPoseImageGroupedSampler,
                                     ViTPoseSeededDataset)
from vitpose_plugin.datasets.sample_image_keys import sample_image_keys
from vitpose_plugin.pretraining.person_crop_dataset import \
    ViTPosePersonCropDataset

SAMPLE = 'data/sample_coco/'


def fallback(dataset):
    """What ``get_data_info`` gives: each sample's image key and dataset."""
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return ([info.get('img_path', info.get('img_id')) for info in infos],
            [info.get('dataset_idx', 0) for info in infos])


class Listed(BaseDataset):
    """Samples given as a list; ``serialize_data`` as mmengine's."""

    def __init__(self, samples, **kwargs):
        self.samples = samples
        super().__init__(**kwargs)

    def load_data_list(self):
        return [dict(sample) for sample in self.samples]


@pytest.fixture(scope='module')
def pose_datasets():
    return [
        CocoDataset(ann_file=SAMPLE + 'test_coco.json',
                    data_prefix=dict(img=SAMPLE), pipeline=[]),
        MpiiDataset(ann_file='data/sample_mpii/test_mpii.json',
                    data_prefix=dict(img='data/sample_mpii/'), pipeline=[]),
        ViTPosePersonCropDataset(ann_file=SAMPLE + 'test_coco.json',
                                 data_prefix=dict(img_path=SAMPLE)),
    ]


def test_kept_samples_give_get_data_infos_images_unread(pose_datasets):
    coco, mpii, crops = pose_datasets
    for dataset in pose_datasets:
        expected = fallback(dataset)
        # the samples' pickles are not loaded
        with mock.patch('pickle.loads', side_effect=AssertionError):
            keys, sources = sample_image_keys(dataset)
        assert (keys, sources.tolist()) == expected
    mixture = ViTPoseDatasetMixture([coco, mpii, coco],
                                    names=['coco', 'mpii', 'again'])
    for wrapped in (mixture, ViTPoseSeededDataset(mixture),
                    ConcatDataset([mixture, mixture],
                                  ignore_keys=list(mixture.metainfo))):
        keys, sources = sample_image_keys(wrapped)
        assert (keys, sources.tolist()) == fallback(wrapped)
    assert sources.tolist() == 2 * ([0] * len(coco) + [1] * len(mpii)
                                    + [2] * len(coco))
    # the sampler groups as through get_data_info (which this one only has)
    only_data_info = mock.Mock(spec=['__len__', 'get_data_info'])
    only_data_info.__len__ = lambda _: len(mixture)
    only_data_info.get_data_info.side_effect = mixture.get_data_info
    for shuffle in (True, False):
        assert list(ViTPoseImageGroupedSampler(
            mixture, shuffle=shuffle, seed=1)) == list(
                ViTPoseImageGroupedSampler(
                    only_data_info, shuffle=shuffle, seed=1))
    assert only_data_info.get_data_info.call_count == 2 * len(mixture)


def test_other_layouts_are_unpickled_or_listed():
    samples = [
        dict(bbox=np.zeros(4), img_path='a.jpg'),  # not a leading entry
        dict(img_id=7),
        dict(id=3, img_path='b' * 300, flag=True),  # a 4-byte length
        dict(img_path='c.jpg'),  # one entry: no MARK
        dict(score=0.5, img_path='a.jpg', img_id=2),
    ]
    expected = ['a.jpg', 7, 'b' * 300, 'c.jpg', 'a.jpg']
    for serialize in (True, False):
        dataset = Listed(samples, serialize_data=serialize)
        assert sample_image_keys(dataset).keys == expected


@pytest.mark.parametrize('serialize', [True, False])
def test_a_sample_without_an_image_is_named(serialize):
    dataset = Listed([dict(img_path='a.jpg'), dict(bbox=[0, 0, 1, 1])],
                     serialize_data=serialize)
    with pytest.raises(KeyError, match='img_path or img_id.*sample 1 of '
                       'Listed'):
        sample_image_keys(dataset)


def test_a_resampled_dataset_is_keyed_within_its_draw_range(pose_datasets):
    coco, mpii, _ = pose_datasets
    mixture = ViTPoseDatasetMixture([coco, mpii], names=['coco', 'mpii'],
                                    sample_ratio_factor=[0.5, 2.0])
    keys, sources = sample_image_keys(mixture)
    assert len(keys) == len(mixture) == len(coco) // 2 + 2 * len(mpii)
    assert sources.tolist() == [0] * (len(coco) // 2) + [1] * 2 * len(mpii)
    mpii_keys = fallback(mpii)[0]
    # index j of the doubled MPII draws sample j // 2
    assert keys[len(coco) // 2:] == [k for k in mpii_keys for _ in (0, 1)]
