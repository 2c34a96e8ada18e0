"""The synthetic COCO-keypoint generator and its dataset wrapper."""
import json
import os
import os.path as osp
import shutil
from typing import Tuple

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope
from xtcocotools.coco import COCO

import vitpose_plugin
from vitpose_plugin.datasets import (SyntheticCocoDataset,
                                     SyntheticPoseParams,
                                     ensure_synthetic_coco,
                                     generate_synthetic_coco,
                                     resolve_cache_root)
from vitpose_plugin.datasets.generate_synthetic_pose import splits_in_config
from vitpose_plugin.datasets.synthetic_pose import (KEYPOINT_NAMES,
                                                    render_image)

from ..conftest import REPO_ROOT
from .log_capture import current_log_file, warnings_of

SMALL = SyntheticPoseParams(seed=3, num_instances=60)


@pytest.fixture(scope='module')
def small_split(tmp_path_factory) -> Tuple[str, dict]:
    out_dir = str(tmp_path_factory.mktemp('synthetic') / 'small')
    ann_file = generate_synthetic_coco(out_dir, SMALL)
    with open(ann_file) as f:
        return out_dir, json.load(f)


def _read_images(out_dir: str) -> dict:
    image_dir = osp.join(out_dir, 'images')
    return {
        name: open(osp.join(image_dir, name), 'rb').read()
        for name in sorted(os.listdir(image_dir))
    }


def test_same_seed_gives_identical_bytes(small_split, tmp_path):
    out_dir, coco = small_split
    generate_synthetic_coco(str(tmp_path / 'again'), SMALL)
    with open(tmp_path / 'again' / 'annotations.json') as f:
        assert json.load(f) == coco
    assert _read_images(str(tmp_path / 'again')) == _read_images(out_dir)


def test_different_seeds_differ():
    params = SyntheticPoseParams(seed=4)
    image_a, anns_a = render_image(np.random.default_rng([3, 0]), params)
    image_b, anns_b = render_image(np.random.default_rng([4, 0]), params)
    assert not np.array_equal(image_a, image_b)
    assert [a['keypoints'] for a in anns_a] != [b['keypoints'] for b in anns_b]


def test_schema_loads_with_xtcocotools(small_split):
    out_dir, coco_dict = small_split
    coco = COCO(osp.join(out_dir, 'annotations.json'))
    assert coco.loadCats(1)[0]['keypoints'] == list(KEYPOINT_NAMES)
    ann_ids = coco.getAnnIds(catIds=[1])
    assert len(ann_ids) >= SMALL.num_instances
    images_with_several = 0
    for image in coco.loadImgs(coco.getImgIds()):
        anns = coco.loadAnns(coco.getAnnIds(imgIds=image['id']))
        images_with_several += len(anns) > 1
        assert osp.isfile(osp.join(out_dir, 'images', image['file_name']))
        for ann in anns:
            assert ann['iscrowd'] == 0 and ann['category_id'] == 1
            assert len(ann['keypoints']) == 3 * len(KEYPOINT_NAMES)
            assert ann['area'] > 0
            flags = np.array(ann['keypoints'][2::3])
            assert ann['num_keypoints'] == int((flags > 0).sum())
            assert ann['num_keypoints'] >= SMALL.min_keypoints_in_image
    assert images_with_several > 0


def test_visibility_flags_follow_coco(small_split):
    _, coco = small_split
    width, height = SMALL.image_width, SMALL.image_height
    all_flags = []
    for ann in coco['annotations']:
        keypoints = np.array(ann['keypoints']).reshape(-1, 3)
        flags = keypoints[:, 2]
        all_flags.extend(flags)
        assert set(flags) <= {0, 1, 2}
        # Unlabelled keypoints are (0, 0, 0); labelled ones lie in the image.
        assert np.all(keypoints[flags == 0, :2] == 0)
        labelled = keypoints[flags > 0, :2]
        assert np.all((labelled >= 0) & (labelled <= [width - 1, height - 1]))
    # Truncation, occlusion and visible keypoints all occur.
    assert {0, 1, 2} <= set(all_flags)


def test_bbox_contains_labelled_keypoints(small_split):
    _, coco = small_split
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        keypoints = np.array(ann['keypoints']).reshape(-1, 3)
        labelled = keypoints[keypoints[:, 2] > 0, :2]
        assert np.all(labelled >= [x, y])
        assert np.all(labelled <= [x + w, y + h])
        assert ann['area'] <= w * h


def test_cache_is_reused_and_keyed_by_params(tmp_path):
    params = SyntheticPoseParams(seed=5, num_instances=5)
    first = ensure_synthetic_coco(str(tmp_path), params, 'val')
    ann_file = osp.join(first, 'annotations.json')
    stamp = os.stat(ann_file).st_mtime_ns
    assert ensure_synthetic_coco(str(tmp_path), params, 'val') == first
    assert os.stat(ann_file).st_mtime_ns == stamp
    other = ensure_synthetic_coco(
        str(tmp_path), SyntheticPoseParams(seed=6, num_instances=5), 'val')
    assert other != first
    # Only the two finished datasets remain: no staging leftovers.
    assert sorted(os.listdir(tmp_path)) == sorted(
        [osp.basename(first), osp.basename(other)])


def test_mmpose_dataset_and_pipeline(tmp_path):
    pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='RandomFlip', direction='horizontal'),
        dict(type='TopdownAffine', input_size=(96, 128), use_udp=True),
        dict(type='GenerateTarget',
             encoder=dict(type='UDPHeatmap', input_size=(96, 128),
                          heatmap_size=(24, 32), sigma=2)),
        dict(type='PackPoseInputs'),
    ]
    # Pipeline transforms are looked up in MMPose's registry scope.
    with DefaultScope.overwrite_default_scope('mmpose'):
        dataset = SyntheticCocoDataset(
            generator=dict(seed=7, num_instances=6),
            cache_root=str(tmp_path), name='train', pipeline=pipeline)
    assert osp.dirname(dataset.dataset_dir) == str(tmp_path)
    assert len(dataset) >= 6
    assert dataset.metainfo['dataset_name'] == 'coco'
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 128, 96)
    assert sample['data_samples'].gt_fields.heatmaps.shape == (17, 32, 24)


def test_dataset_rejects_explicit_files(tmp_path):
    with pytest.raises(TypeError, match='ann_file'):
        SyntheticCocoDataset(cache_root=str(tmp_path), ann_file='x.json')


def test_cache_root_does_not_depend_on_the_working_directory(
        tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    assert resolve_cache_root() == str(
        tmp_path / 'cache' / 'vitpose_plugin' / 'synthetic_coco')
    monkeypatch.delenv('XDG_CACHE_HOME')
    assert resolve_cache_root() == osp.expanduser(
        '~/.cache/vitpose_plugin/synthetic_coco')
    assert resolve_cache_root(str(tmp_path)) == str(tmp_path)
    with pytest.raises(ValueError, match="relative.*'{{ fileDirname }}/data"):
        SyntheticCocoDataset(cache_root='data/synthetic_coco')


def _files_under(root: str) -> list:
    return sorted(
        osp.relpath(osp.join(folder, name), root)
        for folder, _, names in os.walk(root) for name in names)


def test_config_run_from_an_installed_package_caches_in_the_user_cache(
        tmp_path, monkeypatch):
    """The synthetic config where ``mim train`` runs it from a wheel
    install (``site-packages/vitpose_plugin/.mim/configs``): its
    ``'{{ fileDirname }}/../../data/synthetic_coco'`` lies inside the
    installed package, so the split goes to the user's cache directory,
    logged, and nothing is written into the package."""
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    user_cache = str(tmp_path / 'cache' / 'vitpose_plugin' / 'synthetic_coco')
    site = tmp_path / 'lib' / 'python3.11' / 'site-packages'
    shutil.copytree(osp.join(REPO_ROOT, 'configs'),
                    site / 'vitpose_plugin' / '.mim' / 'configs')
    installed = _files_under(str(site))
    config = str(site / 'vitpose_plugin' / '.mim' / 'configs' /
                 'vitpose_synthetic' / 'td-hm_ViTPose-tiny_synthetic-128x96.py')
    log = current_log_file(tmp_path)
    dataset = Config.fromfile(config).val_dataloader.dataset
    dataset.generator.num_instances = 3
    dataset.pipeline = []
    with DefaultScope.overwrite_default_scope('mmpose'):
        built = SyntheticCocoDataset(
            **{k: v for k, v in dataset.items() if k != 'type'})
    assert built.dataset_dir.startswith(user_cache + os.sep)
    assert len(built) == 3
    assert _files_under(str(site)) == installed
    [line] = warnings_of(log, 'lies inside an installed package')
    assert user_cache in line
    # The generator's --config reads the same cache root.
    assert {root for root, _, _ in splits_in_config(config)} == {user_cache}
    # So does a cache_root in the importable package's own folder.
    package = osp.dirname(vitpose_plugin.__file__)
    assert resolve_cache_root(osp.join(package, '.mim', 'data')) == \
        user_cache
