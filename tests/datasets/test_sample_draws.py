import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmpose.registry import DATA_SAMPLERS, DATASETS

from vitpose_plugin.datasets.sample_draws import (SampleKey,
                                                  ViTPoseSeededDataset,
                                                  seeded_loader_config)

from ..engine.tiny_coco import tiny_coco_config
from .log_capture import current_log_file, warnings_of


@pytest.fixture(scope='module')
def seeded(tmp_path_factory):
    """The COCO recipe's training dataset and sampler, seeded."""
    init_default_scope('mmpose')
    cfg = tiny_coco_config(str(tmp_path_factory.mktemp('draws')))
    loader = seeded_loader_config(cfg.train_dataloader)
    dataset = DATASETS.build(loader['dataset'])
    return dataset, loader['sampler']


def test_config_wrapping_is_idempotent(seeded):
    loader = seeded_loader_config(dict(dataset=dict(type='CocoDataset'),
                                       sampler=dict(type='DefaultSampler')))
    assert loader['dataset']['type'] == 'mmpose.ViTPoseSeededDataset'
    assert seeded_loader_config(loader) == loader


def test_crop_is_a_function_of_seed_epoch_index(seeded):
    dataset, _ = seeded
    crop = lambda *key: dataset[SampleKey(*key)]['inputs']  # noqa: E731
    np.random.seed(0)
    first = crop(5, 1, 3)
    np.random.seed(1)  # the worker's own stream plays no part
    assert (crop(5, 1, 3) == first).all()
    assert not (crop(5, 2, 3) == first).all()
    assert not (crop(6, 1, 3) == first).all()


def test_sampler_keys_follow_the_epoch_and_the_global_index(seeded):
    dataset, sampler_cfg = seeded
    sampler = DATA_SAMPLERS.build(sampler_cfg,
                                  default_args=dict(dataset=dataset, seed=7))
    sampler.set_epoch(2)
    keys = list(sampler)
    assert {key.epoch for key in keys} == {2}
    assert {key.seed for key in keys} == {7}
    assert sorted(key.index for key in keys) == list(range(len(dataset)))
    sampler.seed = 8  # as the train loop does on resume
    assert sampler.order.seed == 8


def test_transforms_drawing_from_the_worker_are_named(seeded, tmp_path):
    dataset, _ = seeded
    log = current_log_file(tmp_path)
    ViTPoseSeededDataset(dataset.dataset)
    assert not warnings_of(log, 'ViTPoseSeededDataset')
    config = tiny_coco_config(str(tmp_path)).train_dataloader.dataset
    for step in config.pipeline:
        step.type = step.type.replace('ViTPoseRandomFlip', 'RandomFlip')
    ViTPoseSeededDataset(config)
    warning, = warnings_of(log, 'ViTPoseSeededDataset')
    assert 'RandomFlip draw from the loader worker' in warning
