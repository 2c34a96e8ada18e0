"""Misspelt keys of hooks and of the model's test/train options are refused
before a run starts, naming the key's config path and the closest key."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from vitpose_plugin.engine.config_key_check import (UnknownConfigKeyError,
                                                     check_config_keys)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HEAD = dict(type='ViTPoseClassicHead', in_channels=32, out_channels=17)


def estimator(**options) -> dict:
    return dict(dict(type='TopdownPoseEstimator',
                     backbone=dict(type='ViTPoseBackbone'), head=HEAD),
                **options)


def refusal(cfg: dict) -> str:
    with pytest.raises(UnknownConfigKeyError) as error:
        check_config_keys(dict(default_scope='mmpose', **cfg))
    return str(error.value)


def test_misspelt_checkpoint_hook_key():
    # CheckpointHook takes **kwargs, which fail only at the first save
    message = refusal(dict(default_hooks=dict(
        checkpoint=dict(type='CheckpointHook', intervall=1))))
    assert message == ("default_hooks.checkpoint: unknown key 'intervall' "
                       "(did you mean 'interval'?)")


def test_misspelt_custom_hook_key_names_its_position():
    message = refusal(dict(custom_hooks=[
        dict(type='SyncBuffersHook'),
        dict(type='TorchRuntimeHook', num_thread=1, priority='LOW')]))
    assert message == ("custom_hooks.1: unknown key 'num_thread' "
                       "(did you mean 'num_threads'?)")


def test_hook_without_init_takes_no_key():
    message = refusal(dict(default_hooks=dict(
        param_scheduler=dict(type='ParamSchedulerHook', interval=2))))
    assert message == ("default_hooks.param_scheduler: unknown key "
                       "'interval' (ParamSchedulerHook takes only: "
                       "priority, type)")


def test_every_unknown_key_is_listed():
    message = refusal(dict(
        default_hooks=dict(logger=dict(type='LoggerHook', intervall=5)),
        model=estimator(test_cfg=dict(flip_tset=True, shift_heatmapp=True))))
    assert message.splitlines() == [
        "default_hooks.logger: unknown key 'intervall' (did you mean "
        "'interval'?)",
        "model.test_cfg: unknown key 'flip_tset' (did you mean "
        "'flip_test'?)",
        "model.test_cfg: unknown key 'shift_heatmapp' (did you mean "
        "'shift_heatmap'?)",
    ]


def test_scoped_and_kwargs_hooks_and_hook_objects_pass():
    from mmengine.hooks import LoggerHook
    check_config_keys(dict(
        default_scope='mmpose',
        default_hooks=dict(
            checkpoint=dict(type='mmengine.CheckpointHook', interval=2),
            logger=LoggerHook(), timer=None),
        # EMAHook hands **kwargs to its averaged model: not checked
        custom_hooks=[dict(type='EMAHook', any_key=1)]))


def test_valid_model_options_pass():
    check_config_keys(dict(default_scope='mmpose', model=estimator(
        test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False,
                      output_heatmaps=True, output_keypoint_indices=[0]),
        train_cfg=dict(compute_acc=False))))


def test_misspelt_train_cfg_key():
    message = refusal(dict(model=estimator(train_cfg=dict(compute_accc=0))))
    assert message == ("model.train_cfg: unknown key 'compute_accc' (did "
                       "you mean 'compute_acc'?)")


def test_multi_dataset_estimator_reads_dataset():
    model = dict(type='ViTPoseMultiDatasetEstimator',
                 backbone=dict(type='ViTPoseBackbone'),
                 heads=dict(coco=HEAD, aic=dict(HEAD, type='ViTPoseSimpleHead')),
                 test_cfg=dict(dataset='coco', flip_test=True))
    check_config_keys(dict(default_scope='mmpose', model=model))
    model['test_cfg']['datset'] = 'coco'
    assert refusal(dict(model=model)) == (
        "model.test_cfg: unknown key 'datset' (did you mean 'dataset'?)")


def test_nested_estimators_are_checked():
    model = dict(type='ViTPoseTokenDistiller',
                 student=estimator(test_cfg=dict(flip_tets=False)))
    assert refusal(dict(model=model)) == (
        "model.student.test_cfg: unknown key 'flip_tets' (did you mean "
        "'flip_test'?)")


def test_components_without_declared_keys_are_not_checked():
    # MMPose's HeatmapHead reads keys the plugin does not know
    check_config_keys(dict(default_scope='mmpose', model=estimator(
        head=dict(type='HeatmapHead', in_channels=32, out_channels=17),
        test_cfg=dict(any_key=True))))


def test_no_close_match_lists_the_valid_keys():
    message = refusal(dict(model=estimator(test_cfg=dict(zzz=1))))
    assert message == (
        "model.test_cfg: unknown key 'zzz' (TopdownPoseEstimator with "
        "ViTPoseClassicHead takes only: flip_mode, flip_test, "
        "output_heatmaps, output_keypoint_indices, shift_heatmap)")


CONFIGS = sorted(
    path for path in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in path.split(osp.sep))


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_project_configs_pass(path):
    check_config_keys(Config.fromfile(path))
