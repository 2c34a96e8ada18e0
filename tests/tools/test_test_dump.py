"""`tools/test.py CONFIG CKPT --dump x.pkl` with a multi-dataset config:
the predictions of every dataset in one file, the metrics unchanged; with
`--force`, earlier files of those names are replaced."""
import os.path as osp
import pickle
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.registry import MODELS

import vitpose_plugin  # noqa: F401 (registers the plugin's modules)
from ..configs.test_synthetic_multi_dataset import tiny_splits
from .helpers import REPO_ROOT, read_metrics, run

MULTI_HEAD = osp.join(
    REPO_ROOT, 'configs', 'vitpose_synthetic',
    'td-hm_ViTPose-tiny-multi-head_synthetic-coco-aic-mpii-128x96.py')
NAMES = ('coco', 'aic', 'mpii')


@pytest.mark.slow  # an end-to-end tool run of 15-25 s
def test_dump_with_a_multi_dataset_config(tmp_path):
    cfg = Config.fromfile(MULTI_HEAD)
    tiny_splits(cfg, str(tmp_path / 'synthetic'))
    cfg.model.test_cfg.flip_test = False
    config = str(tmp_path / 'multi.py')
    cfg.dump(config)
    # A checkpoint of the config's (untrained) model, as a run saves it.
    with DefaultScope.overwrite_default_scope('mmpose'):
        model = MODELS.build(cfg.model)
    checkpoint = str(tmp_path / 'multi.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)),
               checkpoint)

    dump = str(tmp_path / 'predictions.pkl')
    metrics_file = str(tmp_path / 'metrics.json')
    for earlier in (dump, metrics_file):
        with open(earlier, 'wb') as file:
            file.write(b'an earlier run')
    run([sys.executable, 'tools/test.py', config, checkpoint, '--work-dir',
         str(tmp_path / 'work'), '--dump', dump, '--out', metrics_file,
         '--force'], cwd=REPO_ROOT, timeout=300)

    metrics = read_metrics(metrics_file)
    assert {key.split('/')[0] for key in metrics} == set(NAMES)
    with open(dump, 'rb') as file:
        predictions = pickle.load(file)
    names = [p['dataset_name'] for p in predictions]
    assert set(names) == set(NAMES)
    keypoints = dict(coco=17, aic=14, mpii=16)
    for prediction in predictions:
        shape = prediction['pred_instances']['keypoints'].shape
        assert shape[-2] == keypoints[prediction['dataset_name']]
