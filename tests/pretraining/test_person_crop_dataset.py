"""Person-crop samples: one per kept person box, the top-down region."""
import json

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from vitpose_plugin.pretraining import ViTPosePersonCropDataset, person_region

from ..conftest import REPO_ROOT

COCO_SAMPLE = f'{REPO_ROOT}/data/sample_coco/'


def test_region_is_the_topdown_crop_of_the_box():
    cx, cy, w, h = person_region([10, 20, 50, 60])  # 40 x 40 box
    assert (cx, cy) == (30, 40)
    # x1.25 -> 50 x 50, then the width is too large for 3:4: height grows.
    assert w == pytest.approx(50) and h == pytest.approx(50 / 0.75)
    cx, cy, w, h = person_region([0, 0, 30, 200], padding=1.0)
    assert (w, h) == pytest.approx((150, 200))


def test_one_sample_per_labelled_person_box():
    dataset = ViTPosePersonCropDataset(
        ann_file='test_coco.json', data_root=COCO_SAMPLE)
    coco = json.load(open(COCO_SAMPLE + 'test_coco.json'))
    labelled = [a for a in coco['annotations']
                if a['num_keypoints'] > 0 and not a['iscrowd']]
    assert len(dataset) == len(labelled) == 12
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        x1, y1, x2, y2 = info['bbox']
        cx, cy, w, h = info['person_region']
        # the region contains the box, at aspect 3:4 (192 / 256)
        assert cx - w / 2 <= x1 and x2 <= cx + w / 2
        assert cy - h / 2 <= y1 and y2 <= cy + h / 2
        assert w / h == pytest.approx(0.75, rel=1e-5)
        assert info['img_path'].startswith(COCO_SAMPLE)
    every_box = ViTPosePersonCropDataset(
        ann_file='test_coco.json', data_root=COCO_SAMPLE, min_keypoints=0)
    assert len(every_box) == 14


def test_unusable_files_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        ViTPosePersonCropDataset(ann_file=str(tmp_path / 'missing.json'))
    empty = tmp_path / 'empty.json'
    empty.write_text(json.dumps(dict(images=[], annotations=[])))
    with pytest.raises(ValueError, match='no non-crowd person box'):
        ViTPosePersonCropDataset(ann_file=str(empty))
    wrong = tmp_path / 'wrong.json'
    wrong.write_text(json.dumps([1, 2]))
    with pytest.raises(ValueError, match='not a COCO annotation file'):
        ViTPosePersonCropDataset(ann_file=str(wrong))
    with pytest.raises(ValueError, match='must be positive'):
        ViTPosePersonCropDataset(ann_file=str(empty), padding=0)


def test_pipeline_crops_on_the_fly():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = ViTPosePersonCropDataset(
            ann_file='test_coco.json', data_root=COCO_SAMPLE,
            pipeline=[dict(type='LoadImageFromFile'),
                      dict(type='ViTPosePersonRandomResizedCrop',
                           crop_size=(256, 192))])
    np.random.seed(0)
    sample = dataset[0]
    assert sample['img'].shape == (256, 192, 3)
    assert sample['img'].any()


MAE_CONFIG = f'{REPO_ROOT}/configs/mae_pretraining/' \
    'mae_ViTPose-base_8xb512-1600e_coco-aic-256x192.py'


def test_recipe_decodes_each_image_once_with_todays_crops():
    """The recipe's sampler visits an image's persons in a row, so its
    ViTPoseLoadImage decodes each image once; in that order and for fixed
    seeds, its batch (crop with flip_prob, ViTPosePackImage,
    vitpose_image_collate) equals to the pixel the batch of the previous
    recipe's per-sample pipeline (LoadImageFromFile, the crop,
    ViTPoseRandomFlip, PackInputs, default_collate)."""
    from mmengine.config import Config
    from mmengine.dataset import default_collate
    from mmengine.registry import DATA_SAMPLERS
    from mmpretrain.registry import DATASETS

    from vitpose_plugin.datasets import vitpose_image_collate
    cfg = Config.fromfile(MAE_CONFIG)
    loader = cfg.train_dataloader
    assert loader.collate_fn.type == 'vitpose_image_collate'
    pipeline = loader.dataset.datasets[0].pipeline
    assert [step.type for step in pipeline] == [
        'mmpose.ViTPoseLoadImage', 'ViTPosePersonRandomResizedCrop',
        'ViTPosePackImage']
    crop = dict(pipeline[1])
    assert crop.pop('flip_prob') == 0.5
    coco = dict(loader.dataset.datasets[0], data_root=COCO_SAMPLE,
                ann_file='test_coco.json', data_prefix=dict(img_path=''))
    per_sample = dict(coco, pipeline=[
        dict(type='LoadImageFromFile'), crop,
        dict(type='mmpose.ViTPoseRandomFlip', prob=0.5),
        dict(type='PackInputs')])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        grouped, reference = DATASETS.build(coco), DATASETS.build(per_sample)
        sampler = DATA_SAMPLERS.build(
            loader.sampler, default_args=dict(dataset=grouped, seed=0))
    order = list(sampler)
    paths = [grouped.get_data_info(i)['img_path'] for i in order]
    runs = 1 + sum(a != b for a, b in zip(paths, paths[1:]))
    assert runs == len(set(paths)) == 4 and len(order) == 12
    np.random.seed(0)
    new = vitpose_image_collate([grouped[i] for i in order])
    np.random.seed(0)
    old = default_collate([reference[i] for i in order])
    flips = [sample.flip for sample in old['data_samples']]
    assert 0 < sum(flips) < len(flips)
    assert new['inputs'].shape == old['inputs'].shape == (12, 3, 256, 192)
    assert new['inputs'].is_contiguous()
    assert torch.equal(new['inputs'], old['inputs'])
    assert new['data_samples'] is None
