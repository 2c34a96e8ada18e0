"""data_info: MMPose's get_data_info without its per-sample deep copies."""
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from mmpose.registry import DATASETS

from vitpose_plugin.datasets.data_info import (SAMPLE_METAINFO_KEYS,
                                               copy_plain_data, data_info)
from .sample_datasets import sample_blocks

# every format of the ViTPose++ mixture (APT-36K is AP-10K's)
NAMES = ['coco', 'aic', 'mpii', 'ap10k', 'wholebody', 'crowdpose']


@pytest.fixture(scope='module')
def datasets(tmp_path_factory):
    blocks = sample_blocks(str(tmp_path_factory.mktemp('data_info')))
    with DefaultScope.overwrite_default_scope('mmpose'):
        return {name: DATASETS.build(blocks[f'{name}_train'])
                for name in NAMES}


def assert_same(ours, theirs, where):
    assert type(ours) is type(theirs), where
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f'{where}[{key!r}]')
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype, where
        np.testing.assert_array_equal(ours, theirs, err_msg=where)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f'{where}[{i}]')
    else:
        assert ours == theirs, where


@pytest.mark.parametrize('name', NAMES)
def test_equals_mmpose_get_data_info(datasets, name):
    dataset = datasets[name]
    for index in range(len(dataset)):
        assert_same(data_info(dataset, index), dataset.get_data_info(index),
                    f'{name} sample {index}')


def test_samples_share_nothing_mutable_with_the_dataset(datasets):
    dataset = datasets['wholebody']
    first = data_info(dataset, 0)
    for key in SAMPLE_METAINFO_KEYS:
        assert first[key] is not dataset._metainfo[key] or \
            isinstance(first[key], str), key
    first['flip_indices'][0] = -1
    first['flip_pairs'].clear()
    first['dataset_keypoint_weights'][:] = -1
    second = data_info(dataset, 0)
    assert second['flip_indices'][0] != -1
    assert len(second['flip_pairs']) > 0
    assert (second['dataset_keypoint_weights'] >= 0).all()


def test_copy_plain_data_is_a_deep_copy():
    value = [[0, 1], (2, [3]), dict(a=np.arange(3))]
    copied = copy_plain_data(value)
    assert_same(copied, value, 'copy')
    assert copied[0] is not value[0] and copied[1][1] is not value[1][1]
    assert not np.shares_memory(copied[2]['a'], value[2]['a'])
