"""cfg.compile: backbone and head compiled in place for every loop, names
(and so checkpoints) unchanged, outputs unchanged."""
import torch
from mmengine.config import Config
from mmpose.registry import MODELS
from mmpose.utils import register_all_modules

import vitpose_plugin  # noqa: F401
from vitpose_plugin.engine import ViTPoseRunner, compile_pose_model

from ...conftest import SAMPLE_CONFIG
from ..tiny_coco import tiny_coco_config

EAGER = dict(backend='eager')  # the plumbing, without inductor's build time


def is_compiled(module):
    return getattr(module, '_compiled_call_impl', None) is not None


def test_compiles_backbone_and_head_in_place(tmp_path):
    register_all_modules()
    model = MODELS.build(tiny_coco_config(str(tmp_path)).model).eval()
    images = torch.rand(2, 3, 256, 192)
    with torch.no_grad():
        expected = model(images, None, mode='tensor')
    keys = list(model.state_dict())
    assert compile_pose_model(model, EAGER) == ['backbone', 'head']
    assert is_compiled(model.backbone) and is_compiled(model.head)
    assert not is_compiled(model.head.final_layer)
    assert list(model.state_dict()) == keys
    with torch.no_grad():
        torch.testing.assert_close(model(images, None, mode='tensor'), expected)
    assert compile_pose_model(model, EAGER) == ['backbone', 'head']
    assert compile_pose_model(model, False) == []


def test_multi_dataset_heads_compiled_one_by_one():
    model = torch.nn.Module()
    model.backbone = torch.nn.Linear(2, 2)
    model.heads = torch.nn.ModuleDict(
        dict(coco=torch.nn.Linear(2, 2), aic=torch.nn.Linear(2, 2)))
    assert compile_pose_model(model, EAGER) == [
        'backbone', 'heads.coco', 'heads.aic']


def test_runner_compiles_for_test(tmp_path):
    cfg = Config.fromfile(SAMPLE_CONFIG)
    cfg.work_dir = str(tmp_path)
    cfg.compile = EAGER
    runner = ViTPoseRunner.from_cfg(cfg)
    assert not is_compiled(runner.model.backbone)
    metrics = runner.test()
    assert is_compiled(runner.model.backbone)
    assert is_compiled(runner.model.head)
    assert 'coco/AP' in metrics
