"""init_pose_model / build_inferencer: safe loading, strict checks, dataset
selection."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.apis import MMPoseInferencer, inference_topdown

from tests.apis.helpers import (SAMPLE_IMAGES, TINY_CONFIG, TINY_MULTI_CONFIG,
                                truncated_jpeg)
from tests.checkpoints.malicious import save_malicious_checkpoint
from tests.datasets.log_capture import current_log_file, warnings_of
from vitpose_plugin.apis import (build_inferencer, init_pose_model,
                                 select_dataset)
from vitpose_plugin.checkpoints import (CheckpointShapeError,
                                        UnsafeCheckpointError,
                                        save_checkpoint)

AIC_CONFIG = osp.join(osp.dirname(TINY_CONFIG),
                      'td-hm_ViTPose-tiny_synthetic-aic-128x96.py')


def runner_style_checkpoint(model: torch.nn.Module, path: str) -> str:
    """A checkpoint as mmengine's runner writes it: numpy arrays in the
    dataset metainfo, which torch's default weights_only load refuses."""
    meta = dict(model.dataset_meta)
    meta['sigmas'] = np.asarray(meta['sigmas'], dtype=np.float32)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=meta, epoch=3)), path)
    return path


def test_same_predictions_as_mmpose_after_loading(tmp_path):
    source = init_pose_model(TINY_CONFIG)
    path = runner_style_checkpoint(source, str(tmp_path / 'run.pth'))
    model = init_pose_model(TINY_CONFIG, path)
    boxes = np.array([[0, 0, 300, 400], [40, 60, 200, 260]], np.float32)
    expected = inference_topdown(source, SAMPLE_IMAGES[1], boxes)
    got = inference_topdown(model, SAMPLE_IMAGES[1], boxes)
    for a, b in zip(expected, got):
        np.testing.assert_array_equal(a.pred_instances.keypoints,
                                      b.pred_instances.keypoints)
    assert isinstance(model.dataset_meta['sigmas'], np.ndarray)


def test_build_inferencer_reads_runner_checkpoints(tmp_path):
    source = init_pose_model(TINY_CONFIG)
    path = runner_style_checkpoint(source, str(tmp_path / 'run.pth'))
    # mmengine's torch.load (weights_only by default on torch >= 2.6)
    # refuses the numpy metadata ...
    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        MMPoseInferencer(pose2d=TINY_CONFIG, pose2d_weights=path,
                         device='cpu')
    # ... the plugin's reader allows it, and loads every tensor.
    inferencer = build_inferencer(TINY_CONFIG, path, device='cpu')
    model = inferencer.inferencer.model
    for key, value in source.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)
    [person] = next(inferencer(SAMPLE_IMAGES[0]))['predictions'][0]
    assert len(person['keypoints']) == 17


def test_build_inferencer_says_random_weights_only_when_they_are(tmp_path):
    log = current_log_file(tmp_path)
    not_loaded = 'Checkpoint is not loaded'
    source = init_pose_model(TINY_CONFIG)
    path = runner_style_checkpoint(source, str(tmp_path / 'run.pth'))
    inferencer = build_inferencer(TINY_CONFIG, path, device='cpu',
                                  det_model='whole_image')
    assert warnings_of(log, not_loaded) == []
    model = inferencer.inferencer.model
    for key, value in source.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)
    build_inferencer(TINY_CONFIG, device='cpu', det_model='whole_image')
    assert len(warnings_of(log, not_loaded)) == 1


def test_build_inferencer_multi_dataset_checkpoint(tmp_path):
    torch.manual_seed(0)
    source = init_pose_model(TINY_MULTI_CONFIG, dataset='aic')
    path = str(tmp_path / 'multi.pth')
    save_checkpoint(source.state_dict(), path)
    inferencer = build_inferencer(TINY_MULTI_CONFIG, path, dataset='aic',
                                  device='cpu', det_model='whole_image')
    model = inferencer.inferencer.model
    assert model.test_cfg['dataset'] == 'aic'
    for key, value in source.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)
    [person] = next(inferencer(SAMPLE_IMAGES[0]))['predictions'][0]
    assert len(person['keypoints']) == 14
    # A config narrowed by select_dataset is accepted as is.
    selected = select_dataset(Config.fromfile(TINY_MULTI_CONFIG), 'aic')
    assert init_pose_model(selected, path).test_cfg['dataset'] == 'aic'
    with pytest.raises(ValueError, match="narrowed to dataset 'aic'"):
        init_pose_model(selected, path, dataset='mpii')


def test_build_inferencer_refuses_a_truncated_image(tmp_path):
    folder = tmp_path / 'images'
    folder.mkdir()
    truncated = truncated_jpeg(folder)
    inferencer = build_inferencer(TINY_CONFIG, device='cpu',
                                  det_model='whole_image')
    unreadable = (rf'cannot decode {truncated} \(5000 bytes\): not an '
                  'image, truncated or corrupt')
    with pytest.raises(ValueError, match=unreadable):
        next(inferencer(truncated))
    with pytest.raises(ValueError, match=unreadable):  # given boxes
        next(inferencer(truncated, bboxes=[[[0, 0, 40, 60]]]))
    with pytest.raises(ValueError, match=unreadable):  # in a folder
        next(inferencer(str(folder)))


def test_code_running_checkpoint_is_refused(tmp_path):
    evil = str(tmp_path / 'evil.pth')
    marker = save_malicious_checkpoint(
        evil, init_pose_model(TINY_CONFIG).state_dict())
    for load in (lambda: init_pose_model(TINY_CONFIG, evil),
                 lambda: build_inferencer(TINY_CONFIG, evil)):
        with pytest.raises(UnsafeCheckpointError, match='builtins.exec'):
            load()
    assert not osp.exists(marker)


def test_mismatched_checkpoint_is_named(tmp_path):
    aic = str(tmp_path / 'aic.pth')
    save_checkpoint(init_pose_model(AIC_CONFIG).state_dict(), aic)
    with pytest.raises(CheckpointShapeError,
                       match=r'final_layer.weight: checkpoint \(14'):
        init_pose_model(TINY_CONFIG, aic)
    partial = str(tmp_path / 'partial.pth')
    save_checkpoint({k: v for k, v in init_pose_model(
        TINY_CONFIG).state_dict().items() if 'head' not in k}, partial)
    with pytest.raises(KeyError, match='missing .*head'):
        init_pose_model(TINY_CONFIG, partial)
    with pytest.raises(FileNotFoundError, match='no checkpoint file'):
        init_pose_model(TINY_CONFIG, str(tmp_path / 'absent.pth'))
    with pytest.raises(FileNotFoundError, match='no config file'):
        init_pose_model(str(tmp_path / 'absent.py'))


def test_config_object_is_not_changed():
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint='x.pth')
    model = init_pose_model(cfg)
    assert model.cfg.model.backbone.init_cfg is None
    assert cfg.model.backbone.init_cfg.checkpoint == 'x.pth'


def test_keypoint_count_must_match_metainfo():
    with pytest.raises(ValueError, match='predicts 14 keypoints .* has 17'):
        init_pose_model(TINY_CONFIG, cfg_options={
            'model.head.out_channels': 14})


def test_multi_dataset_needs_a_dataset_and_routes_to_it():
    with pytest.raises(ValueError, match=r"heads \['coco', 'aic', 'mpii'\]"):
        init_pose_model(TINY_MULTI_CONFIG)
    with pytest.raises(ValueError, match="unknown dataset 'ochuman'"):
        init_pose_model(TINY_MULTI_CONFIG, dataset='ochuman')
    with pytest.raises(ValueError, match='leave the dataset out'):
        init_pose_model(TINY_CONFIG, dataset='coco')
    torch.manual_seed(0)
    model = init_pose_model(TINY_MULTI_CONFIG, dataset='mpii')
    assert model.dataset_meta['num_keypoints'] == 16
    assert model.test_cfg['dataset'] == 'mpii'
    [result] = inference_topdown(model, SAMPLE_IMAGES[0])
    assert result.pred_instances.keypoints.shape == (1, 16, 2)
    selected = select_dataset(Config.fromfile(TINY_MULTI_CONFIG), 'aic')
    assert selected.test_dataloader.dataset.type == 'SyntheticCocoDataset'
    assert selected.model.test_cfg.dataset == 'aic'


def test_default_scope_is_left_alone():
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmengine'):
        init_pose_model(TINY_CONFIG)  # builds in its config's mmpose scope
        assert DefaultScope.get_current_instance().scope_name == 'mmengine'
