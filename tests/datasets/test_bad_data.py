"""Bad data through a dataset and a data loader, with the COCO configs'
pipelines: an image that does not decode in the middle of an epoch, a
missing image, an annotation with 16 of 17 keypoints, a box without area.
'error' mode fails naming the file and annotation id; 'skip' mode completes
the epoch without the bad samples and logs each skip with a count, with 0
and 2 loader workers."""
import json
import os
import os.path as osp
import re
import shutil
from collections import defaultdict

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpose.registry import DATASETS
from mmpose.utils import register_all_modules
from torch.utils.data import DataLoader

import vitpose_plugin  # noqa: F401
from vitpose_plugin.datasets import vitpose_collate

from ..conftest import REPO_ROOT
from ..engine.tiny_coco import tiny_coco_config
from .log_capture import current_log_file, warnings_of

SAMPLE = osp.join(REPO_ROOT, 'data', 'sample_coco')
DATASET_CONFIGS = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
COCO_BASE = Config.fromfile(osp.join(DATASET_CONFIGS,
                                     'coco_topdown_256x192.py'))
PAPER_CONFIG = osp.join(REPO_ROOT, 'configs', 'body_2d_keypoint',
                        'topdown_heatmap', 'coco',
                        'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py')

# kind -> (annotation id, file named in the error, error type)
BAD = {
    'corrupt image': (900101, 'corrupt.jpg', ValueError),
    'missing image': (900201, 'missing.jpg', FileNotFoundError),
    '16 keypoints': (900301, '000000196141.jpg', ValueError),
    'NaN box': (900401, '000000196141.jpg', ValueError),
}
ZERO_AREA_ID = 900501  # a GT box without area: MMPose drops it at load


def write_annotations(root, kinds):
    """``root/ann.json``: the four sample images and their annotations,
    with the bad ``kinds`` (and always a zero-area GT box) added in the
    middle of the image order; returns its path."""
    coco = json.load(open(osp.join(SAMPLE, 'test_coco.json')))
    for image in coco['images']:
        shutil.copy(osp.join(SAMPLE, image['file_name']), root)
    template = next(a for a in coco['annotations'] if a['id'] == 460541)
    images = coco['images'][:2]  # 785, 40083; then the bad images
    added = []

    def annotation(ann_id, **changes):
        added.append(dict(template, id=ann_id, **changes))

    if 'corrupt image' in kinds:
        data = open(osp.join(SAMPLE, '000000040083.jpg'), 'rb').read()
        with open(osp.join(root, 'corrupt.jpg'), 'wb') as file:
            file.write(data[:len(data) // 2])  # truncated
        images.append(dict(coco['images'][1], id=9001,
                           file_name='corrupt.jpg'))
        annotation(900101, image_id=9001)
    if 'missing image' in kinds:
        images.append(dict(coco['images'][1], id=9002,
                           file_name='missing.jpg'))
        annotation(900201, image_id=9002)
    if '16 keypoints' in kinds:
        annotation(900301, keypoints=template['keypoints'][:48])
    if 'NaN box' in kinds:
        annotation(900401, bbox=[float('nan')] + template['bbox'][1:])
    annotation(ZERO_AREA_ID, bbox=[300.0, 100.0, 0.0, 150.0])
    coco['images'] = images + coco['images'][2:]
    coco['annotations'] += added
    path = osp.join(root, 'ann.json')
    with open(path, 'w') as file:
        json.dump(coco, file)  # NaN written as the NaN literal
    return path


def build_dataset(root, kinds, bad_sample='error', test_mode=False,
                  **kwargs):
    """CocoDataset over ``write_annotations`` with the COCO base config's
    train (or val) pipeline, its check set to ``bad_sample``."""
    register_all_modules()
    pipeline = COCO_BASE.val_pipeline if test_mode else \
        COCO_BASE.train_pipeline
    pipeline = [dict(t) for t in pipeline]
    assert pipeline[0]['type'] == 'ViTPoseCheckAnnotation'
    pipeline[0]['bad_sample'] = bad_sample
    return DATASETS.build(
        dict(type='CocoDataset', data_root=str(root) + '/',
             ann_file=write_annotations(str(root), kinds),
             data_prefix=dict(img=''), test_mode=test_mode,
             pipeline=pipeline, **kwargs))


def epoch(dataset, num_workers, batches=None):
    """The annotation ids delivered by one epoch of a data loader, in
    order (``batches`` collects the batch sizes seen)."""
    loader = DataLoader(dataset, batch_size=2, shuffle=False,
                        num_workers=num_workers, collate_fn=vitpose_collate)
    ids = []
    for batch in loader:
        if batches is not None:
            batches.append(len(batch['data_samples']))
        ids += [int(s.metainfo['id']) for s in batch['data_samples']]
    return ids


def test_zero_area_gt_box_is_dropped_at_load(tmp_path):
    dataset = build_dataset(tmp_path, ())
    ids = {int(dataset.get_data_info(i)['id']) for i in range(len(dataset))}
    assert ZERO_AREA_ID not in ids and len(ids) == 12


@pytest.mark.parametrize('kind', sorted(BAD))
def test_error_names_file_and_annotation(tmp_path, kind):
    ann_id, file_name, error = BAD[kind]
    dataset = build_dataset(tmp_path, (kind, ))
    batches = []
    with pytest.raises(error) as info:
        epoch(dataset, num_workers=0, batches=batches)
    assert batches, 'the bad sample is in the middle of the epoch'
    message = str(info.value)
    assert f'annotation id {ann_id}' in message and file_name in message


def test_error_in_a_loader_worker_names_the_file(tmp_path):
    dataset = build_dataset(tmp_path, ('corrupt image', ))
    with pytest.raises(ValueError, match=r'corrupt\.jpg.*annotation id '
                       '900101'):
        epoch(dataset, num_workers=2)


@pytest.mark.parametrize('num_workers', [0, 2])
def test_skip_completes_the_epoch_without_them_and_logs_each(
        tmp_path, num_workers):
    log = current_log_file(tmp_path)
    dataset = build_dataset(tmp_path, tuple(BAD), bad_sample='skip')
    assert len(dataset) == 12 + len(BAD)
    ids = epoch(dataset, num_workers)
    assert len(ids) == len(dataset)  # every bad sample replaced
    bad_ids = {ann_id for ann_id, _, _ in BAD.values()}
    assert not bad_ids & set(ids), 'a bad sample reached the model'
    warnings = warnings_of(log, ': skipped a bad sample')
    named = {int(m) for w in warnings
             for m in re.findall(r'annotation id (\d+)', w)}
    assert named == bad_ids  # (a random replacement may be bad again)
    counts = defaultdict(list)
    for line in warnings:
        count, owner, pid = re.search(
            r'bad samples skipped: (\d+) by (\w+) in process (\d+)',
            line).groups()
        counts[owner, int(pid)].append(int(count))
    for running in counts.values():  # a running count per transform/worker
        assert running == list(range(1, len(running) + 1))
    assert {owner for owner, _ in counts} == {
        'ViTPoseCheckAnnotation', 'ViTPoseLoadImage'}
    pids = {pid for _, pid in counts}
    assert (pids == {os.getpid()}) == (num_workers == 0)


def test_validation_fails_on_a_bad_gt_even_when_training_skips(tmp_path):
    dataset = build_dataset(tmp_path, ('16 keypoints', ), test_mode=True)
    with pytest.raises(ValueError, match='annotation id 900301'):
        epoch(dataset, num_workers=0)


def test_validation_fails_on_a_corrupt_image_naming_it(tmp_path):
    """The val pipelines keep MMPose's LoadImage (it also takes in-memory
    images, for inference), which names the file."""
    dataset = build_dataset(tmp_path, ('corrupt image', ), test_mode=True)
    with pytest.raises(AssertionError, match=r'corrupt\.jpg'):
        epoch(dataset, num_workers=0)


def test_validation_fails_on_a_detection_box_without_area(tmp_path):
    detections = [dict(image_id=196141, category_id=1, score=0.9,
                       bbox=[100.0, 50.0, 80.0, 160.0]),
                  dict(image_id=196141, category_id=1, score=0.8,
                       bbox=[300.0, 60.0, 0.0, 150.0])]
    bbox_file = tmp_path / 'detections.json'
    bbox_file.write_text(json.dumps(detections))
    dataset = build_dataset(tmp_path, (), test_mode=True,
                            bbox_file=str(bbox_file))
    assert dataset[0]['inputs'].shape == (3, 256, 192)
    with pytest.raises(ValueError, match=r'000000196141\.jpg.*no area'):
        dataset[1]


def test_one_key_sets_the_policy_of_a_paper_config(tmp_path):
    cfg = Config.fromfile(PAPER_CONFIG)
    cfg.merge_from_dict(
        {'train_dataloader.dataset.pipeline.0.bad_sample': 'skip'})
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert pipeline[0].type == 'ViTPoseCheckAnnotation'
    assert pipeline[1].type == 'ViTPoseLoadImage'
    assert 'bad_sample' not in pipeline[1]  # follows the check
    dataset = build_dataset(tmp_path, ('missing image', ),
                            bad_sample=pipeline[0].bad_sample)
    assert 900201 not in epoch(dataset, num_workers=0)


@pytest.mark.parametrize('name', sorted(
    f for f in os.listdir(DATASET_CONFIGS) if f.endswith('.py')))
def test_every_dataset_config_checks_its_pipelines(name):
    cfg = Config.fromfile(osp.join(DATASET_CONFIGS, name))
    pipelines = [v for k, v in cfg.items() if k.endswith('_pipeline')]
    pipelines += [v.pipeline for v in cfg.values()
                  if isinstance(v, dict) and 'pipeline' in v]
    for loader in ('train_dataloader', 'val_dataloader'):
        if 'dataset' in cfg[loader]:
            pipelines.append(cfg[loader].dataset.pipeline)
    assert len(pipelines) >= 2
    for pipeline in pipelines:
        assert pipeline[0].type == 'ViTPoseCheckAnnotation', pipeline
        assert pipeline[1].type in ('ViTPoseLoadImage', 'LoadImage')
    assert np.all([p[0].get('bad_sample', 'error') == 'error'
                   for p in pipelines])


class SeenIds(Hook):
    """The annotation ids of every sample that reaches the model."""

    def __init__(self):
        self.ids = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.ids += [int(s.metainfo['id'])
                     for s in data_batch['data_samples']]


def test_training_run_skips_them_and_logs_in_its_log_file(tmp_path):
    """The COCO recipe at CPU size, 2 loader workers, the config's grouped
    sampler: one epoch trains on none of the bad samples, and the run's
    log file holds the workers' warnings."""
    write_annotations(str(tmp_path), tuple(BAD))
    cfg = tiny_coco_config(str(tmp_path / 'work'), epochs=1, batch_size=4)
    cfg.train_dataloader.update(num_workers=2)
    cfg.train_dataloader.dataset.update(data_root=str(tmp_path) + '/',
                                        ann_file='ann.json')
    cfg.merge_from_dict(
        {'train_dataloader.dataset.pipeline.0.bad_sample': 'skip'})
    runner = Runner.from_cfg(cfg)
    seen = SeenIds()
    runner.register_hook(seen)
    runner.train()
    assert len(seen.ids) == 12 + len(BAD)
    assert not {ann_id for ann_id, _, _ in BAD.values()} & set(seen.ids)
    log = osp.join(runner.log_dir, f'{runner.timestamp}.log')
    named = {int(m) for line in open(log)
             if ': skipped a bad sample' in line
             for m in re.findall(r'annotation id (\d+)', line)}
    assert named == {ann_id for ann_id, _, _ in BAD.values()}


def test_validation_error_says_what_to_do_in_validation(tmp_path):
    """bad_sample='skip' does not apply to validation: the message names
    the annotation file and id to fix, not the training option."""
    dataset = build_dataset(tmp_path, ('16 keypoints', ), test_mode=True)
    with pytest.raises(ValueError) as info:
        epoch(dataset, num_workers=0)
    message = str(info.value)
    assert f'annotation id 900301 in {tmp_path / "ann.json"}' in message
    assert 'validation and testing never skip' in message
    assert 'train_dataloader' not in message and 'train on other samples' not in message


def test_validation_error_names_the_detection_file(tmp_path):
    detections = [dict(image_id=196141, category_id=1, score=0.8,
                       bbox=[300.0, 60.0, 0.0, 150.0])]
    bbox_file = tmp_path / 'detections.json'
    bbox_file.write_text(json.dumps(detections))
    dataset = build_dataset(tmp_path, (), test_mode=True,
                            bbox_file=str(bbox_file))
    with pytest.raises(ValueError) as info:
        dataset[0]
    message = str(info.value)
    assert f'detections file {bbox_file}' in message
    assert 'train_dataloader' not in message


def test_training_error_advises_the_training_option(tmp_path):
    dataset = build_dataset(tmp_path, ('16 keypoints', ))
    with pytest.raises(ValueError, match=re.escape(
            'train_dataloader.dataset.pipeline.0.bad_sample=skip')):
        epoch(dataset, num_workers=0)


@pytest.mark.parametrize('bad_sample', ['error', 'skip'])
@pytest.mark.parametrize('kind', ['corrupt image', 'missing image'])
def test_unreadable_image_in_validation_says_what_to_do(tmp_path, kind,
                                                         bad_sample):
    """ViTPoseLoadImage in a val pipeline: an unreadable image gives the
    same validation advice as ViTPoseCheckAnnotation (the annotation file
    and id), not the training-only bad_sample='skip'."""
    ann_id, file_name, error = BAD[kind]
    register_all_modules()
    pipeline = [dict(t) for t in COCO_BASE.val_pipeline]
    assert pipeline[1]['type'] == 'LoadImage'
    pipeline[0]['bad_sample'] = bad_sample
    pipeline[1] = dict(type='ViTPoseLoadImage')
    dataset = DATASETS.build(
        dict(type='CocoDataset', data_root=str(tmp_path) + '/',
             ann_file=write_annotations(str(tmp_path), (kind, )),
             data_prefix=dict(img=''), test_mode=True, pipeline=pipeline))
    with pytest.raises(error) as info:
        epoch(dataset, num_workers=0)
    message = str(info.value)
    assert file_name in message
    assert 'validation and testing never skip' in message
    assert f'annotation id {ann_id} in {tmp_path / "ann.json"}' in message
    assert "bad_sample='skip' (on" not in message
    assert 'train on other samples' not in message
