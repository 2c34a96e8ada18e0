"""Every model option, saved by the runner after a training step, loads back
through ``load_from`` and through the backbone's ``init_cfg`` with identical
weights and outputs."""
import copy
from typing import Callable, Dict, Tuple

import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmpose.registry import MODELS

from vitpose_plugin.engine import ViTPoseRunner
from ..models.distillers.helpers import batch, pose_model_cfg, save_teacher

WIDTH = 16


def pose_model(**options) -> dict:
    return pose_model_cfg(WIDTH, depth=2, **options)


def tuner(tmp_path) -> dict:
    teacher, _ = save_teacher(str(tmp_path / 'teacher.pth'), width=WIDTH,
                              knowledge_tokens=0, depth=2)
    return dict(type='ViTPoseKnowledgeTokenTuner', teacher=pose_model(),
                teacher_checkpoint=teacher, knowledge_tokens=2)


def distiller(tmp_path) -> dict:
    teacher, _ = save_teacher(str(tmp_path / 'teacher.pth'), width=32)
    return dict(type='ViTPoseTokenDistiller',
                student=pose_model(head='simple'),
                teacher=pose_model_cfg(32), teacher_checkpoint=teacher,
                token_checkpoint=teacher)


#: option -> (model config, prefix of the pose model in its state dict, the
#: pose-model config whose backbone init_cfg reads the checkpoint).
CASES: Dict[str, Callable] = {
    'full attention, classic head':
    lambda _: (pose_model(), '', pose_model()),
    'simple head':
    lambda _: (pose_model(head='simple'), '', pose_model(head='simple')),
    'window + shifted window, relative position bias':
    lambda _: 2 * (pose_model(
        attn_types=('window', 'shift_window'),
        attn_cfg=dict(window_size=2, rel_pos_bias=True)), ),
    'pooling windows, relative position bias':
    lambda _: 2 * (pose_model(
        attn_types=('pool_window', 'shift_pool_window'),
        attn_cfg=dict(window_size=(2, 2), rel_pos_bias=True)), ),
    'window attention without bias':
    lambda _: 2 * (pose_model(attn_types='window',
                              attn_cfg=dict(window_size=(4, 2))), ),
    'overlapping patches':
    lambda _: 2 * (pose_model(patch_stride=8), ),
    "ViTPose-H's 14x14 kernel":
    lambda _: 2 * (pose_model(patch_kernel_size=14), ),
    'knowledge tokens':
    lambda _: 2 * (pose_model(knowledge_tokens=2), ),
    'distillation stage 1 (token tuner)':
    lambda tmp: (tuner(tmp), 'teacher.', pose_model(knowledge_tokens=2)),
    'distillation stage 2 (token + output)':
    lambda tmp: (distiller(tmp), 'student.',
                 pose_model(head='simple', knowledge_tokens=1)),
}


def unwrap(case: Tuple) -> Tuple[dict, str, dict]:
    return case if len(case) == 3 else (case[0], '', case[1])


def build(model_cfg: dict) -> torch.nn.Module:
    with DefaultScope.overwrite_default_scope('mmpose'):
        return MODELS.build(copy.deepcopy(model_cfg))


def runner(model: dict, work_dir: str, max_epochs: int = 1,
           **cfg) -> ViTPoseRunner:
    """A runner that trains epochs of two steps on four samples whose
    target heatmaps have the size the model predicts."""
    heatmap_size = outputs(build(model)).shape[-2:]
    images, samples = batch(4)
    for sample in samples:
        keypoints = sample.gt_fields.heatmaps.shape[0]
        sample.gt_fields = PixelData(
            heatmaps=torch.rand(keypoints, *heatmap_size))
    data = [dict(inputs=(image * 40 + 128).clamp(0, 255).byte(),
                 data_samples=sample)
            for image, sample in zip(images, samples)]
    runner = ViTPoseRunner(
        model=copy.deepcopy(model),
        work_dir=work_dir,
        train_dataloader=torch.utils.data.DataLoader(
            data, batch_size=2, collate_fn=pseudo_collate),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.5)),
        default_scope='mmpose',
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=1)),
        **cfg)
    # The runner puts the model on the default device (a GPU where one is
    # visible); these tests compare it with CPU models on CPU inputs.
    runner.model.cpu()
    return runner


def outputs(model: torch.nn.Module) -> torch.Tensor:
    images, samples = batch(2, seed=7)
    with torch.no_grad():
        return model.eval()(images, samples, mode='tensor')


def assert_same_weights(loaded: torch.nn.Module,
                        trained: torch.nn.Module) -> None:
    expected = trained.state_dict()
    found = loaded.state_dict()
    assert set(found) == set(expected)
    for key, value in expected.items():
        assert torch.equal(found[key], value), key


@pytest.mark.parametrize('option', list(CASES))
def test_saved_by_the_runner_loads_back(option, tmp_path):
    model_cfg, prefix, pose_cfg = unwrap(CASES[option](tmp_path))
    trainer = runner(model_cfg, str(tmp_path / 'train'))
    initial = copy.deepcopy(trainer.model.state_dict())
    trainer.train()
    trained = trainer.model
    checkpoint = str(tmp_path / 'train' / 'epoch_1.pth')
    assert any(not torch.equal(initial[k], v)
               for k, v in trained.state_dict().items()), 'nothing trained'

    # load_from: the whole model, through the runner's safe reader.
    loader = runner(model_cfg, str(tmp_path / 'load'), load_from=checkpoint)
    loader.load_or_resume()
    assert_same_weights(loader.model, trained)
    torch.testing.assert_close(
        outputs(loader.model), outputs(trained), rtol=0, atol=0)

    # init_cfg: the backbone alone, strictly, from the same file.
    pose_cfg = copy.deepcopy(pose_cfg)
    pose_cfg['backbone']['init_cfg'] = dict(
        type='Pretrained', checkpoint=checkpoint, prefix=prefix or None)
    pose = build(pose_cfg)
    pose.init_weights()
    trained_pose = trained.get_submodule(prefix[:-1]) if prefix else trained
    assert_same_weights(pose.backbone, trained_pose.backbone)
    images = batch(2, seed=3)[0]
    with torch.no_grad():
        torch.testing.assert_close(
            pose.backbone.eval()(images), trained_pose.backbone.eval()(images),
            rtol=0, atol=0)
