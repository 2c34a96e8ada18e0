"""Stage 2: token and/or output distillation into a student."""
import pytest
import torch
import torch.nn.functional as F
from mmpose.structures import PoseDataSample
from torch import nn

from vitpose_plugin.codecs import udp_gaussian_heatmaps
from vitpose_plugin.models import ViTPoseTokenDistiller
from vitpose_plugin.structures import PoseSampleBatch
from .helpers import CODEC, KEYPOINTS, batch, pose_model_cfg, save_teacher

TEACHER_WIDTH, STUDENT_WIDTH = 32, 16
NO_DISTILL_LOSS = dict(distill_loss=None)


def build_distiller(tmp_path, with_token=True, with_output=True,
                    student_width=STUDENT_WIDTH, **kwargs):
    torch.manual_seed(1)
    path, teacher = save_teacher(str(tmp_path / 'teacher.pth'),
                                 width=TEACHER_WIDTH)
    options = dict(student=pose_model_cfg(student_width, head='simple'))
    if with_output:
        options.update(teacher=pose_model_cfg(TEACHER_WIDTH),
                       teacher_checkpoint=path)
    else:
        options.update(NO_DISTILL_LOSS)
    if with_token:
        options.update(token_checkpoint=path)
    torch.manual_seed(0)
    return ViTPoseTokenDistiller(**options, **kwargs), teacher


@pytest.mark.parametrize('with_token, with_output', [(True, True),
                                                     (False, True),
                                                     (True, False)])
def test_loss_terms_of_each_variant(tmp_path, with_token, with_output):
    distiller, teacher = build_distiller(tmp_path, with_token, with_output)
    images, samples = batch()
    losses = distiller(images, samples, mode='loss')
    expected = {'loss_kpt', 'acc_pose'} | (
        {'loss_distill'} if with_output else set())
    assert set(losses) == expected
    assert distiller.with_token == with_token
    assert (distiller.teacher is not None) == with_output
    heatmaps = distiller(images, samples, mode='tensor')
    targets = torch.stack([s.gt_fields.heatmaps for s in samples])
    # KeypointMSELoss(use_target_weight=True) is the mean squared error.
    torch.testing.assert_close(losses['loss_kpt'],
                               F.mse_loss(heatmaps, targets))
    if with_output:
        teacher.eval()
        with torch.no_grad():
            teacher_heatmaps = teacher(images, samples, mode='tensor')
        torch.testing.assert_close(losses['loss_distill'],
                                   F.mse_loss(heatmaps, teacher_heatmaps))


def test_distill_loss_weight_is_configurable(tmp_path):
    images, samples = batch()
    weights = {}
    for weight in (1.0, 3.0):
        distiller, _ = build_distiller(
            tmp_path, distill_loss=dict(type='KeypointMSELoss',
                                        loss_weight=weight))
        weights[weight] = distiller(images, samples,
                                    mode='loss')['loss_distill']
    torch.testing.assert_close(weights[3.0], 3 * weights[1.0])


def test_teacher_is_frozen_in_eval_mode_without_gradients(tmp_path):
    distiller, _ = build_distiller(tmp_path)
    grad_enabled = []
    distiller.teacher.head.register_forward_hook(
        lambda *_: grad_enabled.append(torch.is_grad_enabled()))
    teacher_before = {k: v.clone()
                      for k, v in distiller.teacher.state_dict().items()}
    optimizer = torch.optim.SGD(
        [p for p in distiller.parameters() if p.requires_grad], lr=1.)
    distiller.train()
    assert distiller.student.training
    assert not any(m.training for m in distiller.teacher.modules())
    images, samples = batch()
    losses = distiller(images, samples, mode='loss')
    (losses['loss_kpt'] + losses['loss_distill']).backward()
    optimizer.step()
    assert grad_enabled == [False]
    assert all(not p.requires_grad and p.grad is None
               for p in distiller.teacher.parameters())
    for key, value in distiller.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key


def test_width_projection_trains_while_the_token_stays_frozen(tmp_path):
    distiller, teacher = build_distiller(tmp_path)
    assert isinstance(distiller.token_projection, nn.Linear)
    assert distiller.token_projection.weight.shape == (STUDENT_WIDTH,
                                                       TEACHER_WIDTH)
    token = teacher.backbone.knowledge_token.detach()
    torch.testing.assert_close(distiller.knowledge_token, token)
    assert not distiller.student.backbone.knowledge_token.requires_grad
    projection_before = distiller.token_projection.weight.detach().clone()
    optimizer = torch.optim.SGD(
        [p for p in distiller.parameters() if p.requires_grad], lr=1.)
    images, samples = batch()
    distiller.train()
    distiller(images, samples, mode='loss')['loss_kpt'].backward()
    optimizer.step()
    assert not torch.equal(distiller.token_projection.weight,
                           projection_before)
    torch.testing.assert_close(distiller.knowledge_token, token)
    assert distiller.student_knowledge_token().shape == (1, 1,
                                                         STUDENT_WIDTH)


def test_equal_widths_use_the_token_as_it_is(tmp_path):
    distiller, teacher = build_distiller(tmp_path,
                                         student_width=TEACHER_WIDTH)
    assert isinstance(distiller.token_projection, nn.Identity)
    torch.testing.assert_close(distiller.student_knowledge_token(),
                               teacher.backbone.knowledge_token.detach())
    linear, _ = build_distiller(tmp_path, student_width=TEACHER_WIDTH,
                                token_projection='linear')
    assert isinstance(linear.token_projection, nn.Linear)


def test_student_initialisation_does_not_depend_on_the_switches(tmp_path):
    plain, _ = build_distiller(tmp_path, False, False)
    both, _ = build_distiller(tmp_path)
    tokened = both.student.state_dict()
    for key, value in plain.student.state_dict().items():
        assert torch.equal(value, tokened[key]), key


def test_configuration_errors(tmp_path):
    student = pose_model_cfg(STUDENT_WIDTH)
    with pytest.raises(ValueError, match='model.teacher_checkpoint'):
        ViTPoseTokenDistiller(student)
    missing = str(tmp_path / 'missing.pth')
    with pytest.raises(FileNotFoundError,
                       match=f'model.token_checkpoint: .*{missing}'):
        ViTPoseTokenDistiller(student, distill_loss=None,
                              token_checkpoint=missing)
    with pytest.raises(FileNotFoundError, match='model.student_checkpoint'):
        ViTPoseTokenDistiller(student, distill_loss=None,
                              student_checkpoint=missing)
    plain, _ = save_teacher(str(tmp_path / 'plain.pth'), knowledge_tokens=0)
    with pytest.raises(KeyError, match='holds no knowledge token'):
        ViTPoseTokenDistiller(student, distill_loss=None,
                              token_checkpoint=plain)
    with pytest.raises(ValueError, match='token_projection'):
        build_distiller(tmp_path, token_projection='mlp')


def test_mixed_precision_forward_backward(tmp_path):
    """What AmpOptimWrapper (--amp) does: forward under autocast, backward
    of the losses. On this CPU: bfloat16 autocast."""
    distiller, _ = build_distiller(tmp_path)
    distiller.train()
    images, samples = batch()
    fp32 = distiller(images, samples, mode='loss')
    with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
        losses = distiller(images, samples, mode='loss')
    for key in ('loss_kpt', 'loss_distill'):
        assert losses[key].dtype == torch.float32, key
        assert torch.isfinite(losses[key])
        torch.testing.assert_close(losses[key], fp32[key], rtol=0.05,
                                   atol=1e-4)
    (losses['loss_kpt'] + losses['loss_distill']).backward()
    for name, param in distiller.student.named_parameters():
        if param.requires_grad:
            assert param.grad is not None, name
            assert torch.isfinite(param.grad).all(), name
    assert distiller.token_projection.weight.grad is not None
    assert all(p.grad is None for p in distiller.teacher.parameters())


def test_targets_are_drawn_by_the_student_codec(tmp_path):
    """A batch of keypoints (the fast pipeline) is read as the heads read
    it: the student's codec draws the targets."""
    distiller, _ = build_distiller(tmp_path, with_token=False,
                                   with_output=False)
    images, samples = batch()
    generator = torch.Generator().manual_seed(2)
    keypoints = torch.rand(2, KEYPOINTS, 2, generator=generator) * 40
    keypoint_batch = PoseSampleBatch(
        [PoseDataSample(metainfo=s.metainfo) for s in samples],
        keypoints=keypoints, keypoints_visible=torch.ones(2, KEYPOINTS))
    losses = distiller(images, keypoint_batch, mode='loss')
    targets, _ = udp_gaussian_heatmaps(keypoints, torch.ones(2, KEYPOINTS),
                                       CODEC['input_size'],
                                       CODEC['heatmap_size'], CODEC['sigma'])
    heatmaps = distiller(images, keypoint_batch, mode='tensor')
    torch.testing.assert_close(losses['loss_kpt'],
                               F.mse_loss(heatmaps, targets))
