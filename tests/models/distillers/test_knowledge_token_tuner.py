"""Stage 1: only the knowledge token of a frozen teacher trains."""
import pytest
import torch

from vitpose_plugin.checkpoints import CheckpointShapeError
from vitpose_plugin.models import ViTPoseKnowledgeTokenTuner
from .helpers import batch, pose_model_cfg, save_teacher


def build_tuner(tmp_path, **kwargs) -> ViTPoseKnowledgeTokenTuner:
    path, _ = save_teacher(str(tmp_path / 'teacher.pth'), knowledge_tokens=0)
    return ViTPoseKnowledgeTokenTuner(
        teacher=pose_model_cfg(32), teacher_checkpoint=path, **kwargs)


def test_training_changes_only_the_token(tmp_path):
    tuner = build_tuner(tmp_path)
    before = {k: v.clone() for k, v in tuner.state_dict().items()}
    trainable = [n for n, p in tuner.named_parameters() if p.requires_grad]
    assert trainable == ['teacher.backbone.knowledge_token']
    optimizer = torch.optim.SGD(
        [p for p in tuner.parameters() if p.requires_grad], lr=10.)
    tuner.train()
    images, samples = batch()
    for _ in range(2):
        losses = tuner(images, samples, mode='loss')
        assert set(losses) == {'loss_kpt', 'acc_pose'}
        optimizer.zero_grad()
        losses['loss_kpt'].backward()
        optimizer.step()
    after = tuner.state_dict()
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    # BatchNorm running statistics included: the teacher ran in eval mode.
    assert changed == ['teacher.backbone.knowledge_token']
    assert all(p.grad is None for n, p in tuner.named_parameters()
               if n != 'teacher.backbone.knowledge_token')


def test_teacher_stays_in_eval_mode(tmp_path):
    tuner = build_tuner(tmp_path)
    tuner.train()
    assert tuner.training
    assert not any(m.training for m in tuner.teacher.modules())


def test_checkpoint_errors_name_key_and_path(tmp_path, monkeypatch):
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError,
                       match=f'model.teacher_checkpoint: .*{missing}'):
        ViTPoseKnowledgeTokenTuner(pose_model_cfg(32), missing)
    # Relative paths: relative to the current directory, as in mmengine.
    monkeypatch.chdir(tmp_path)
    save_teacher('relative.pth', knowledge_tokens=0)
    ViTPoseKnowledgeTokenTuner(pose_model_cfg(32), 'relative.pth')
    with pytest.raises(FileNotFoundError,
                       match='current directory'):
        ViTPoseKnowledgeTokenTuner(pose_model_cfg(32), 'teacher.pth')
    path, _ = save_teacher(str(tmp_path / 'wide.pth'), width=64)
    with pytest.raises(CheckpointShapeError,
                       match=f'model.teacher_checkpoint: {path} does not fit'):
        ViTPoseKnowledgeTokenTuner(pose_model_cfg(32), path)


def test_mixed_precision_trains_the_token(tmp_path):
    """--amp's autocast forward (bfloat16 on this CPU) still trains t*."""
    tuner = build_tuner(tmp_path)
    tuner.train()
    images, samples = batch()
    with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
        losses = tuner(images, samples, mode='loss')
    assert losses['loss_kpt'].dtype == torch.float32
    losses['loss_kpt'].backward()
    token = tuner.teacher.backbone.knowledge_token
    assert token.grad is not None and torch.isfinite(token.grad).all()
    assert token.grad.abs().sum() > 0
    assert all(p.grad is None for n, p in tuner.named_parameters()
               if n != 'teacher.backbone.knowledge_token')
