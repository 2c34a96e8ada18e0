"""The synthetic figures relabelled to AIC's 14 and MPII's 16 keypoints."""
import hashlib
import json
import os
import os.path as osp
from dataclasses import asdict
from typing import Dict

import numpy as np
import pytest
from mmengine.registry import DefaultScope

from vitpose_plugin.datasets import (SyntheticCocoDataset,
                                     SyntheticPoseParams,
                                     generate_synthetic_coco)
from vitpose_plugin.datasets.synthetic_pose import (GENERATOR_VERSION,
                                                    KEYPOINT_NAMES,
                                                    KEYPOINT_SETS,
                                                    figure_keypoints,
                                                    sample_figure)

SEED, COUNT = 8, 40
DERIVED = ('head_top', 'neck', 'pelvis', 'thorax', 'upper_neck')


@pytest.fixture(scope='module')
def splits(tmp_path_factory) -> Dict[str, dict]:
    """The same figures in every keypoint set: set -> annotations + dir."""
    root = tmp_path_factory.mktemp('keypoint_sets')
    result = {}
    for keypoint_set in KEYPOINT_SETS:
        out_dir = str(root / keypoint_set)
        ann_file = generate_synthetic_coco(
            out_dir,
            SyntheticPoseParams(seed=SEED, num_instances=COUNT,
                                keypoint_set=keypoint_set))
        with open(ann_file) as f:
            result[keypoint_set] = dict(coco=json.load(f), dir=out_dir)
    return result


def _metainfo(keypoint_set: str, tmp_path) -> dict:
    with DefaultScope.overwrite_default_scope('mmpose'):
        return SyntheticCocoDataset(
            generator=dict(seed=SEED, num_instances=2),
            cache_root=str(tmp_path), keypoint_set=keypoint_set).metainfo


def test_coco_cache_key_and_file_unchanged(splits):
    params = SyntheticPoseParams(seed=SEED, num_instances=COUNT)
    # The key of a COCO split hashes the fields it had before
    # `keypoint_set` existed, so existing caches stay valid.
    fields = asdict(params)
    del fields['keypoint_set']
    digest = hashlib.sha1(
        json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]
    assert params.cache_key() == f'v{GENERATOR_VERSION}-{digest}'
    info = splits['coco']['coco']['info']
    assert 'keypoint_set' not in info['params']
    aic = SyntheticPoseParams(seed=SEED, num_instances=COUNT,
                              keypoint_set='aic')
    assert aic.cache_key() != params.cache_key()
    assert splits['aic']['coco']['info']['params']['keypoint_set'] == 'aic'


@pytest.mark.parametrize('keypoint_set,count', [('aic', 14), ('mpii', 16)])
def test_same_figures_other_labels(splits, keypoint_set, count):
    coco, other = splits['coco'], splits[keypoint_set]
    images = sorted(os.listdir(osp.join(coco['dir'], 'images')))
    assert images == sorted(os.listdir(osp.join(other['dir'], 'images')))
    for name in images:
        with open(osp.join(coco['dir'], 'images', name), 'rb') as a, open(
                osp.join(other['dir'], 'images', name), 'rb') as b:
            assert a.read() == b.read()
    names = other['coco']['categories'][0]['keypoints']
    assert len(names) == count
    pairs = zip(coco['coco']['annotations'], other['coco']['annotations'])
    assert len(coco['coco']['annotations']) == len(
        other['coco']['annotations'])
    for ann_coco, ann in pairs:
        assert ann['bbox'] == ann_coco['bbox']
        assert ann['area'] == ann_coco['area']
        kpts = np.array(ann['keypoints']).reshape(-1, 3)
        kpts_coco = np.array(ann_coco['keypoints']).reshape(-1, 3)
        assert kpts.shape == (count, 3)
        assert ann['num_keypoints'] == int((kpts[:, 2] > 0).sum())
        for index, name in enumerate(names):
            if name in KEYPOINT_NAMES:  # the same point, the same flag
                np.testing.assert_array_equal(
                    kpts[index], kpts_coco[KEYPOINT_NAMES.index(name)])


@pytest.mark.parametrize('keypoint_set', ['aic', 'mpii'])
def test_metainfo_is_mmposes(keypoint_set, tmp_path):
    meta = _metainfo(keypoint_set, tmp_path)
    assert meta['dataset_name'] == keypoint_set
    names = [meta['keypoint_id2name'][i] for i in range(meta['num_keypoints'])]
    assert tuple(names) == KEYPOINT_SETS[keypoint_set]
    assert len(meta['sigmas']) == len(names)


@pytest.mark.parametrize('keypoint_set', ['aic', 'mpii'])
def test_flip_pairs_match_the_drawing(keypoint_set, tmp_path):
    """A flip pair swaps the person's left and right of one COCO joint; a
    point without a partner lies on the body's axis, halfway between the
    left and right joints it is derived from."""
    meta = _metainfo(keypoint_set, tmp_path)
    names = KEYPOINT_SETS[keypoint_set]
    rng = np.random.default_rng(0)
    for _ in range(20):
        figure = sample_figure(rng, 200., np.array([128., 150.]),
                               rng.uniform(-0.7, 0.7))
        points = figure_keypoints(figure, keypoint_set)[0]
        for index, partner in enumerate(meta['flip_indices']):
            name = names[index]
            if partner != index:
                assert names[partner] == name.replace(
                    'left', 'tmp').replace('right', 'left').replace(
                        'tmp', 'right')
                assert name in KEYPOINT_NAMES
                continue
            assert name in DERIVED
            point = points[index]
            if name in ('pelvis', 'thorax'):
                left, right = figure.keypoints[
                    [11, 12] if name == 'pelvis' else [5, 6]]
                np.testing.assert_allclose(np.linalg.norm(point - left),
                                           np.linalg.norm(point - right))
            elif name == 'head_top':  # the head may tilt: the eyes' axis
                eyes = figure.keypoints[1] - figure.keypoints[2]
                assert abs(np.dot(point - figure.head_center,
                                  eyes)) < 1e-6 * figure.height**2
            else:  # neck, upper neck: on the drawn neck (the axis)
                thorax = figure.keypoints[[5, 6]].mean(0)
                along = point - thorax
                axis = figure.head_center - thorax
                cross = along[0] * axis[1] - along[1] * axis[0]
                assert abs(cross) < 1e-6 * figure.height**2


def test_derived_points_lie_where_they_should():
    rng = np.random.default_rng(1)
    aic, mpii = KEYPOINT_SETS['aic'], KEYPOINT_SETS['mpii']
    for _ in range(20):
        figure = sample_figure(rng, 180., np.array([100., 140.]),
                               rng.uniform(-0.7, 0.7))
        kpts, center, radius = (figure.keypoints, figure.head_center,
                                figure.head_radius)
        aic_points = figure_keypoints(figure, 'aic')[0]
        mpii_points = figure_keypoints(figure, 'mpii')[0]
        thorax = (kpts[5] + kpts[6]) / 2
        np.testing.assert_allclose(mpii_points[mpii.index('thorax')], thorax)
        np.testing.assert_allclose(mpii_points[mpii.index('pelvis')],
                                   (kpts[11] + kpts[12]) / 2)
        # Head top: 0.9 radii from the centre, on the side away from the
        # nose (the face is in the lower half of the head) and the neck.
        top = mpii_points[mpii.index('head_top')]
        np.testing.assert_allclose(np.linalg.norm(top - center),
                                   0.9 * radius)
        assert np.dot(top - center, center - thorax) > 0
        assert np.dot(top - center, kpts[0] - center) < 0
        np.testing.assert_allclose(aic_points[aic.index('head_top')], top)
        # Upper neck: on the drawn neck (thorax -> head centre), just
        # outside the head disc.
        upper = mpii_points[mpii.index('upper_neck')]
        np.testing.assert_allclose(np.linalg.norm(upper - center),
                                   1.15 * radius)
        along, to_center = upper - thorax, center - thorax
        cross = along[0] * to_center[1] - along[1] * to_center[0]
        assert abs(cross) < 1e-6 * np.linalg.norm(to_center)**2
        assert 0 < np.dot(along, to_center) < np.dot(to_center, to_center)
        np.testing.assert_allclose(aic_points[aic.index('neck')],
                                   (thorax + upper) / 2)


def test_head_top_is_usually_visible(splits):
    anns = splits['mpii']['coco']['annotations']
    flags = np.array(
        [np.array(a['keypoints']).reshape(-1, 3)[9, 2] for a in anns])
    inside = flags > 0
    # Drawn on the head disc: visible unless someone/something covers it.
    assert (flags[inside] == 2).mean() > 0.8


def test_dataset_option(tmp_path):
    pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=(96, 128), use_udp=True),
        dict(type='GenerateTarget',
             encoder=dict(type='UDPHeatmap', input_size=(96, 128),
                          heatmap_size=(24, 32), sigma=2)),
        dict(type='PackPoseInputs'),
    ]
    with DefaultScope.overwrite_default_scope('mmpose'):
        dataset = SyntheticCocoDataset(
            generator=dict(seed=9, num_instances=3), cache_root=str(tmp_path),
            keypoint_set='mpii', pipeline=pipeline)
        sample = dataset[0]
    assert sample['data_samples'].gt_fields.heatmaps.shape == (16, 32, 24)
    assert sample['data_samples'].flip_indices == [
        5, 4, 3, 2, 1, 0, 6, 7, 8, 9, 15, 14, 13, 12, 11, 10
    ]
    with pytest.raises(TypeError, match='keypoint_set'):
        SyntheticCocoDataset(generator=dict(keypoint_set='aic'),
                             cache_root=str(tmp_path))
    with pytest.raises(ValueError, match="'lsp'.*'aic', 'coco', 'mpii'"):
        SyntheticCocoDataset(cache_root=str(tmp_path), keypoint_set='lsp')
