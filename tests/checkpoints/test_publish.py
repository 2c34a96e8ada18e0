"""python -m vitpose_plugin.checkpoints publish: a training run's checkpoint
as a model-zoo file that MMPose's own init_model and MMPoseInferencer load
under torch's default weights_only=True."""
import glob
import hashlib
import os.path as osp
import pickle
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.apis import MMPoseInferencer, inference_topdown, init_model

from tests.apis.helpers import SAMPLE_IMAGES, TINY_MULTI_CONFIG
from vitpose_plugin.apis import init_pose_model, select_dataset
from vitpose_plugin.checkpoints.cli import main
from vitpose_plugin.checkpoints.publish import plain_meta
from vitpose_plugin.engine import ViTPoseRunner
from ..configs.test_synthetic_multi_dataset import tiny_splits
from .test_round_trip import build, pose_model

BOXES = np.array([[0, 0, 300, 400], [40, 60, 200, 260]], np.float32)


def train_one_iteration(work_dir: str, cache_root: str) -> str:
    """``epoch_1.pth`` of the multi-dataset config after one iteration on
    tiny generated splits: a checkpoint as the runner writes it (optimizer,
    schedulers, message hub, numpy dataset metainfo)."""
    cfg = Config.fromfile(TINY_MULTI_CONFIG)
    tiny_splits(cfg, cache_root)
    cfg.train_cfg.max_epochs = 1
    for loop in ('val', 'test'):
        cfg[f'{loop}_dataloader'] = cfg[f'{loop}_cfg'] = \
            cfg[f'{loop}_evaluator'] = None
    cfg.default_hooks.checkpoint.interval = 1
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    ViTPoseRunner.from_cfg(cfg).train()
    return osp.join(work_dir, 'epoch_1.pth')


def keypoints(results) -> np.ndarray:
    return np.stack([result.pred_instances.keypoints for result in results])


def test_mmpose_loads_the_published_training_checkpoint(tmp_path, capsys):
    checkpoint = train_one_iteration(str(tmp_path / 'work'),
                                     str(tmp_path / 'data'))
    config = select_dataset(Config.fromfile(TINY_MULTI_CONFIG), 'aic')
    # MMPose reads with torch's default, weights_only=True: it refuses the
    # runner's checkpoint (message hub, numpy metainfo) ...
    with pytest.raises(pickle.UnpicklingError, match='weights_only'):
        init_model(config, checkpoint, device='cpu')

    # ... and reads the published one.
    assert main(['publish', checkpoint,
                 str(tmp_path / 'zoo' / 'vitpose-tiny.pth')]) == 0
    printed = capsys.readouterr().out
    [published] = glob.glob(str(tmp_path / 'zoo' / '*'))
    digest = hashlib.sha256(open(published, 'rb').read()).hexdigest()
    assert osp.basename(published) == f'vitpose-tiny-{digest[:8]}.pth'
    assert f'to {published} (sha256 {digest})' in printed
    assert 'left out (training state): message_hub, optimizer, ' \
        'param_schedulers' in printed
    content = torch.load(published, weights_only=True)  # no allow-list
    assert set(content) == {'state_dict', 'meta'}
    meta = torch.load(checkpoint, weights_only=False)['meta']
    assert content['meta']['epoch'] == meta['epoch'] == 1
    np.testing.assert_array_equal(content['meta']['dataset_meta']['sigmas'],
                                  meta['dataset_meta']['sigmas'])

    # One dataset of the run for MMPose's APIs: its metainfo in meta, and
    # a config narrowed to it; the model predicts exactly what the plugin's
    # model from the training checkpoint predicts for that dataset.
    assert main(['publish', checkpoint, str(tmp_path / 'aic' / 'tiny.pth'),
                 '--dataset', 'aic']) == 0
    [published] = glob.glob(str(tmp_path / 'aic' / '*'))
    plugin = init_pose_model(TINY_MULTI_CONFIG, checkpoint, dataset='aic')
    model = init_model(config, published, device='cpu')
    assert model.dataset_meta['num_keypoints'] == 14
    assert model.dataset_meta['dataset_name'] == \
        plugin.dataset_meta['dataset_name']
    for key, value in plugin.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    image = SAMPLE_IMAGES[0]
    expected = keypoints(inference_topdown(plugin, image, BOXES))
    assert expected.shape == (2, 1, 14, 2)
    np.testing.assert_allclose(
        keypoints(inference_topdown(model, image, BOXES)), expected,
        atol=1e-4)
    inferencer = MMPoseInferencer(
        pose2d=config, pose2d_weights=published, device='cpu',
        det_model='whole_image')
    [person] = next(inferencer(image))['predictions'][0]
    [whole_image] = inference_topdown(plugin, image)
    np.testing.assert_allclose(person['keypoints'],
                               whole_image.pred_instances.keypoints[0],
                               atol=1e-3)


def test_meta_becomes_plain_python(tmp_path):
    meta = dict(dataset_meta=dict(sigmas=np.ones(3, np.float32),
                                  flip_indices=[np.int64(1), 0],
                                  skeleton_links=[(0, 1)],
                                  dataset_name=np.str_('coco')),
                seed=np.int64(7), hub=object())
    plain, dropped = plain_meta(meta)
    assert plain == dict(dataset_meta=dict(sigmas=[1.0] * 3,
                                           flip_indices=[1, 0],
                                           skeleton_links=[(0, 1)],
                                           dataset_name='coco'), seed=7)
    assert type(plain['seed']) is int
    assert dropped == ['meta.hub (object)']


def test_published_file_is_never_written_over_unasked(tmp_path, capsys):
    src = str(tmp_path / 'run.pth')
    torch.save(dict(state_dict=build(pose_model()).state_dict(),
                    meta=dict(epoch=3)), src)
    out = str(tmp_path / 'model.pth')
    assert main(['publish', src, out]) == 0
    [published] = re.findall(r'to (\S+) \(sha256', capsys.readouterr().out)
    before = open(published, 'rb').read()
    assert main(['publish', src, out]) == 1
    assert f'the published file {published} exists; refusing to ' \
        f'overwrite it' in capsys.readouterr().err
    assert main(['publish', src, out, '--force']) == 0
    assert open(published, 'rb').read() == before
    # Publishing a published file under its own stem would write over it.
    for force in ([], ['--force']):
        assert main(['publish', published, out, *force]) == 1
        assert f'the published file {published} is the input file ' \
            f'{published}' in capsys.readouterr().err
    assert sorted(osp.basename(path) for path in glob.glob(
        str(tmp_path / '*'))) == sorted(['run.pth', osp.basename(published)])


def test_only_plugin_pose_models_are_published(tmp_path, capsys):
    src = str(tmp_path / 'distiller.pth')
    torch.save({f'student.{key}': value
                for key, value in build(pose_model()).state_dict().items()},
               src)
    assert main(['publish', src, str(tmp_path / 'out.pth')]) == 1
    assert f'{src} is a token_distiller checkpoint; publish takes a plugin ' \
        f'pose model: python -m vitpose_plugin.checkpoints extract-student ' \
        f'{src} X first' in capsys.readouterr().err
    assert sorted(glob.glob(str(tmp_path / '*'))) == [src]
