"""tools/model_converters/extract_{student,teacher}.py: a distillation run's
student / tuned teacher as a plain checkpoint that predicts the same."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import load_checkpoint
from mmpose.registry import MODELS

from vitpose_plugin.models import ViTPoseKnowledgeTokenTuner
from ..models.distillers.helpers import batch, pose_model_cfg, save_teacher
from .helpers import REPO_ROOT
from .test_model_converters import converter

DISTILL = osp.join(REPO_ROOT, 'configs', 'distillation')
STAGE2 = osp.join(DISTILL,
                  'td-hm_ViTPose-tiny-to-nano-distill_1xb8-4e_synthetic-'
                  '128x96.py')
STUDENT_WITH_TOKEN = osp.join(
    DISTILL, 'td-hm_ViTPose-nano-knowledge-token_1xb8-4e_synthetic-128x96.py')


def build(model_cfg):
    with DefaultScope.overwrite_default_scope('mmpose'):
        return MODELS.build(model_cfg)


def predict_and_heatmaps(model, images, samples):
    model.eval()
    with torch.no_grad():
        heatmaps = model(images, samples, mode='tensor')
        keypoints = model(images, samples,
                          mode='predict')[0].pred_instances.keypoints
    return heatmaps, keypoints


def test_extracted_student_predicts_like_the_distiller(tmp_path):
    cfg = Config.fromfile(STAGE2)
    teacher_cfg = cfg.model.teacher
    torch.manual_seed(0)
    teacher_path = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=build(teacher_cfg).state_dict()),
               teacher_path)
    cfg.model.teacher_checkpoint = cfg.model.token_checkpoint = teacher_path
    distiller = build(cfg.model)
    assert isinstance(distiller.token_projection, torch.nn.Linear)
    with torch.no_grad():  # a trained projection, not its initial value
        distiller.token_projection.weight.add_(
            torch.randn_like(distiller.token_projection.weight))
    src, dst = str(tmp_path / 'run.pth'), str(tmp_path / 'student.pth')
    torch.save(dict(state_dict=distiller.state_dict(), meta={}), src)
    assert converter('extract_student').main([src, dst]) == 0

    student = build(Config.fromfile(STUDENT_WITH_TOKEN).model)
    load_checkpoint(student, dst, strict=True)
    images, samples = batch(1, img_size=(128, 96), keypoints=17)
    expected = predict_and_heatmaps(distiller, images, samples)
    extracted = predict_and_heatmaps(student, images, samples)
    torch.testing.assert_close(extracted[0], expected[0])
    np.testing.assert_allclose(extracted[1], expected[1])


def test_extracted_teacher_predicts_like_the_tuner(tmp_path):
    path, _ = save_teacher(str(tmp_path / 'teacher.pth'), knowledge_tokens=0)
    tuner = ViTPoseKnowledgeTokenTuner(pose_model_cfg(32), path)
    with torch.no_grad():
        tuner.knowledge_token.normal_()
    src, dst = str(tmp_path / 'stage1.pth'), str(tmp_path / 'tuned.pth')
    torch.save(dict(state_dict=tuner.state_dict()), src)
    assert converter('extract_teacher').main([src, dst]) == 0
    teacher = build(pose_model_cfg(32, knowledge_tokens=1))
    load_checkpoint(teacher, dst, strict=True)
    images, samples = batch()
    expected = predict_and_heatmaps(tuner, images, samples)
    extracted = predict_and_heatmaps(teacher, images, samples)
    torch.testing.assert_close(extracted[0], expected[0])
    torch.testing.assert_close(teacher.backbone.knowledge_token,
                               tuner.knowledge_token)


@pytest.mark.parametrize('tool, found', [('extract_student', 'teacher'),
                                         ('extract_teacher', 'student')])
def test_wrong_kind_of_checkpoint_is_refused(tool, found, tmp_path, capsys):
    src = str(tmp_path / 'src.pth')
    torch.save(dict(state_dict={f'{found}.backbone.pos_embed':
                                torch.zeros(1)}), src)
    assert converter(tool).main([src, str(tmp_path / 'dst.pth')]) == 1
    assert 'not a ViTPose' in capsys.readouterr().err
    assert not osp.exists(tmp_path / 'dst.pth')
