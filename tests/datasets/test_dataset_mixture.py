"""ViTPoseDatasetMixture over the samples of seven datasets (six formats)."""
import bisect
import itertools
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmpose.datasets import CombinedDataset
from mmpose.registry import DATASETS

from vitpose_plugin.datasets import ViTPoseDatasetMixture
from .sample_datasets import sample_blocks

# ViTPose++ order, then CrowdPose.
NAMES = ['coco', 'aic', 'mpii', 'ap10k', 'apt36k', 'wholebody', 'crowdpose']
NUM_KEYPOINTS = dict(
    coco=17, aic=14, mpii=16, ap10k=17, apt36k=17, wholebody=133, crowdpose=14)
# Each keypoint's left/right partner, read off the datasets' keypoint lists.
COCO_FLIP = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
AP10K_FLIP = [1, 0, 2, 3, 4, 8, 9, 10, 5, 6, 7, 14, 15, 16, 11, 12, 13]
FLIP_INDICES = dict(
    coco=COCO_FLIP,
    aic=[3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8, 12, 13],
    mpii=[5, 4, 3, 2, 1, 0, 6, 7, 8, 9, 15, 14, 13, 12, 11, 10],
    ap10k=AP10K_FLIP,
    apt36k=AP10K_FLIP,
    crowdpose=[1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 12, 13])
HEATMAP_SIZE = (64, 48)  # the base's codec: 48x64


@pytest.fixture(scope='module')
def blocks(tmp_path_factory):
    return sample_blocks(str(tmp_path_factory.mktemp('mixture')))


def deterministic(block, blocks):
    """A train block with the augmentation left out (same output twice)."""
    pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=(192, 256), use_udp=True),
        dict(type='GenerateTarget', encoder=blocks.codec),
        dict(type='PackPoseInputs'),
    ]
    return dict(block, pipeline=pipeline)


def build(cfg):
    # Pipeline transforms are looked up in MMPose's registry scope.
    with DefaultScope.overwrite_default_scope('mmpose'):
        return DATASETS.build(cfg)


@pytest.fixture(scope='module')
def mixture(blocks):
    return build(
        dict(
            type='ViTPoseDatasetMixture',
            datasets=[
                deterministic(blocks[f'{n}_train'], blocks) for n in NAMES
            ],
            names=NAMES))


def first_index(mixture, k):
    return sum(len(ds) for ds in mixture.datasets[:k])


def test_is_a_combined_dataset(mixture):
    # MMPose's MultiSourceSampler accepts CombinedDataset instances only.
    assert isinstance(mixture, CombinedDataset)
    assert mixture.names == NAMES


@pytest.mark.parametrize('k,name', list(enumerate(NAMES)))
def test_samples_keep_their_own_dataset(mixture, k, name):
    local = 1
    packed = mixture[first_index(mixture, k) + local]
    sample = packed['data_samples']
    num_kpts = NUM_KEYPOINTS[name]
    assert sample.dataset_name == name
    assert sample.dataset_idx == k
    assert tuple(packed['inputs'].shape) == (3, 256, 192)
    assert tuple(sample.gt_fields.heatmaps.shape) == (num_kpts, *HEATMAP_SIZE)
    assert sample.gt_instance_labels.keypoint_weights.shape == (1, num_kpts)
    assert sample.gt_instances.keypoints.shape == (1, num_kpts, 2)
    flip = FLIP_INDICES.get(name)
    if name == 'wholebody':  # the body part is COCO's
        assert len(sample.flip_indices) == 133
        assert sample.flip_indices[:17] == COCO_FLIP
    else:
        assert sample.flip_indices == flip
    # Exactly what the dataset itself returns.
    own = mixture.datasets[k][local]['data_samples']
    assert own.img_path == sample.img_path
    torch.testing.assert_close(own.gt_fields.heatmaps,
                               sample.gt_fields.heatmaps)


def test_length_and_data_info(mixture):
    lens = [len(ds) for ds in mixture.datasets]
    assert mixture.lens == lens
    assert len(mixture) == sum(lens)
    for k, name in enumerate(NAMES):
        info = mixture.get_data_info(first_index(mixture, k))
        own = mixture.datasets[k].get_data_info(0)
        assert info['id'] == own['id']
        assert (info['dataset_name'], info['dataset_idx']) == (name, k)


def test_metainfo(mixture):
    meta = mixture.metainfo
    # The first dataset's metainfo at the top level...
    assert meta['dataset_name'] == 'coco'
    assert meta['num_keypoints'] == 17
    assert meta['flip_indices'] == COCO_FLIP
    # ...and every dataset's own under its name.
    assert meta['dataset_names'] == NAMES
    assert list(meta['datasets']) == NAMES
    for name in NAMES:
        assert meta['datasets'][name]['num_keypoints'] == NUM_KEYPOINTS[name]
    assert meta['datasets']['apt36k']['dataset_name'] == 'ap10k'
    assert meta['datasets']['wholebody']['dataset_name'] == 'coco_wholebody'


def test_default_names_are_the_metainfo_names(blocks):
    mix = build(
        dict(
            type='ViTPoseDatasetMixture',
            datasets=[blocks.coco_val, blocks.wholebody_val]))
    assert mix.names == ['coco', 'coco_wholebody']


def test_duplicate_names_are_an_error(blocks):
    two_ap10k = [blocks.ap10k_val, blocks.apt36k_val]
    with pytest.raises(ValueError, match=r"both named 'ap10k'.*pass `names`"):
        build(dict(type='ViTPoseDatasetMixture', datasets=two_ap10k))
    with pytest.raises(ValueError, match=r"both named 'a'.*unique"):
        build(
            dict(
                type='ViTPoseDatasetMixture',
                datasets=two_ap10k,
                names=['a', 'a']))
    with pytest.raises(ValueError, match='one per dataset'):
        build(
            dict(
                type='ViTPoseDatasetMixture',
                datasets=two_ap10k,
                names=['ap10k']))


def test_bad_arguments_are_errors(blocks):
    with pytest.raises(ValueError, match='at least one dataset'):
        ViTPoseDatasetMixture(datasets=[])
    with pytest.raises(ValueError, match='sample_ratio_factor'):
        build(
            dict(
                type='ViTPoseDatasetMixture',
                datasets=[blocks.coco_val],
                sample_ratio_factor=[1.0, 2.0]))


def test_mmpose_inference_entries_must_be_the_first_datasets(blocks):
    """``metainfo`` and ``pipeline``, which MMPose's inferencers read from a
    config, are checked against the first dataset."""
    def mixture(**entries):
        return build(
            dict(
                type='ViTPoseDatasetMixture',
                datasets=[blocks.coco_val, blocks.aic_val],
                **entries))

    coco = dict(from_file='configs/_base_/datasets/coco.py')
    mix = mixture(metainfo=coco, pipeline=blocks.coco_val['pipeline'])
    assert mix.metainfo['dataset_name'] == 'coco'
    with pytest.raises(ValueError, match=r"metainfo describes 'aic' \(14 "
                       r"keypoints\) but the first dataset \('coco'\) is "
                       r"'coco' \(17\)"):
        mixture(metainfo=dict(from_file='configs/_base_/datasets/aic.py'))
    with pytest.raises(ValueError, match=r"pipeline differs from the "
                       r"pipeline of the first dataset \('coco'\)"):
        mixture(metainfo=coco, pipeline=blocks.coco_val['pipeline'][1:])


def test_pipeline_without_packing_is_an_error(blocks):
    unpacked = dict(blocks.aic_val, pipeline=[dict(type='LoadImage')])
    datasets = [blocks.coco_val, unpacked]
    mix = build(dict(type='ViTPoseDatasetMixture', datasets=datasets))
    with pytest.raises(TypeError, match=r"dataset 1 \('aic'\).*PackPose"):
        mix[len(mix.datasets[0])]


def test_sample_ratio_factor(blocks):
    mix = build(
        dict(
            type='ViTPoseDatasetMixture',
            datasets=[blocks.coco_val, blocks.aic_val],
            sample_ratio_factor=[2.0, 0.5]))
    coco, aic = (len(ds) for ds in mix.datasets)
    assert mix.lens == [round(2 * coco), round(0.5 * aic)]
    assert len(mix) == sum(mix.lens)
    last = mix[len(mix) - 1]['data_samples']
    assert (last.dataset_name, last.dataset_idx) == ('aic', 1)


@pytest.mark.parametrize('source_ratio,counts', [([1, 2, 3], [1, 2, 3]),
                                                 ([2, 1, 1], [4, 1, 1])])
def test_multi_source_sampler_counts(blocks, source_ratio, counts):
    """MMPose's MultiSourceSampler, unchanged, draws ``counts`` samples of
    each dataset into every batch (the base's train blocks, augmentation
    included)."""
    batch_size = 6
    loader_cfg = dict(
        batch_size=batch_size,
        num_workers=0,
        collate_fn=dict(type='vitpose_collate'),
        sampler=dict(
            type='MultiSourceSampler',
            batch_size=batch_size,
            source_ratio=source_ratio),
        dataset=dict(
            type='ViTPoseDatasetMixture',
            datasets=[blocks.coco_train, blocks.aic_train, blocks.mpii_train],
            names=['coco', 'aic', 'mpii']))
    with DefaultScope.overwrite_default_scope('mmpose'):
        loader = Runner.build_dataloader(loader_cfg, seed=0)
    # Index stream: every batch's indices, mapped to datasets by the
    # cumulative lengths.
    starts = list(itertools.accumulate([0] + loader.dataset.lens[:-1]))
    indices = list(loader.sampler)
    assert len(indices) % batch_size == 0 and indices
    for b in range(0, len(indices), batch_size):
        sources = Counter(
            bisect.bisect_right(starts, i) - 1
            for i in indices[b:b + batch_size])
        assert [sources[k] for k in range(3)] == counts
    # Loaded batches: every sample tagged with its dataset, own keypoints
    # (one padded keypoint tensor, each sample's count).
    for batch in itertools.islice(loader, 2):
        samples = batch['data_samples']
        tags = Counter(s.dataset_idx for s in samples)
        assert [tags[k] for k in range(3)] == counts
        keypoint_counts = batch['targets']['keypoint_counts']
        for s, count in zip(samples, keypoint_counts):
            num_kpts = NUM_KEYPOINTS[s.dataset_name]
            assert count == num_kpts
            assert np.asarray(s.flip_indices).shape == (num_kpts, )


def test_datasets_share_the_decoded_image(blocks):
    """COCO and COCO-WholeBody annotate the same images: their pipelines'
    ViTPoseLoadImage share one decoded image (one decode for the persons
    of both when they come in a row)."""
    mixture = build(dict(
        type='ViTPoseDatasetMixture',
        datasets=[blocks.coco_train, blocks.wholebody_train],
        names=['coco', 'wholebody']))
    loaders = [transform for ds in mixture.datasets
               for transform in ds.pipeline.transforms
               if type(transform).__name__ == 'ViTPoseLoadImage']
    assert len(loaders) == 2
    assert loaders[0].decoded is loaders[1].decoded
    first = mixture[0]['inputs']
    path = loaders[0].decoded.path
    wholebody = next(i for i in range(len(mixture.datasets[0]), len(mixture))
                     if mixture.get_data_info(i)['img_path'] == path)
    image = loaders[0].decoded.image
    mixture[wholebody]
    assert loaders[1].decoded.image is image and first.shape[0] == 3
