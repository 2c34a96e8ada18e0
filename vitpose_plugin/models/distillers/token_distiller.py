"""Stage 2 of token distillation: train a student with the teacher's
knowledge token and/or heatmaps."""
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModel
from mmengine.registry import WEIGHT_INITIALIZERS
from mmpose.registry import MODELS
from mmpose.utils.typing import (ForwardResults, OptConfigType,
                                 OptMultiConfig, OptSampleList, SampleList)
from torch import Tensor

from ...structures import heatmap_targets
from ..utils import TrainMetricsSwitch, heatmap_pck_accuracy
from .frozen_teacher import (build_frozen_teacher, build_pose_model,
                             model_checkpoint_init)
from .token_projection import build_token_projection

DEFAULT_DISTILL_LOSS = dict(
    type='KeypointMSELoss', use_target_weight=False, loss_weight=1.0)


@MODELS.register_module()
class ViTPoseTokenDistiller(BaseModel, TrainMetricsSwitch):
    """Train a ViTPose student from a ViTPose teacher (paper sec. 3.4).

    Two independent switches, giving the paper's three variants:

    - **token** (``token_checkpoint``): the tuned, frozen knowledge token
      t* of stage 1 is appended to the student's tokens (through
      ``token_projection`` when the widths differ);
    - **output** (``distill_loss``): ``loss_distill``, the loss between the
      student's and the frozen teacher's heatmaps, is added to
      ``loss_kpt`` (the student head's loss against ground truth).

    With neither, this trains the student alone. The teacher is built only
    for output distillation; it has no gradients, runs under
    ``torch.no_grad()`` and stays in eval mode through every ``train()``.
    ``python -m vitpose_plugin.checkpoints extract-student`` turns a
    checkpoint into a plain student checkpoint (with the projected token as
    ``backbone.knowledge_token``).

    Args:
        student (dict): Student pose-estimator config (``ViTPoseBackbone``;
            with a token, its ``knowledge_tokens`` is set to t*'s count).
        teacher (dict, optional): Teacher config; needed for output
            distillation. Defaults to None.
        teacher_checkpoint (str, optional): Path or URL of the
            teacher; a stage-1 token in it is used by the teacher if its
            config has ``knowledge_tokens``. Defaults to None.
        student_checkpoint (str, optional): Initial student weights
            (otherwise the student's own init_cfg). Defaults to None.
        token_checkpoint (str, optional): Stage-1 checkpoint (tuner run or
            extracted teacher) holding t*. None: no token. Defaults to None.
        distill_loss (dict, optional): Loss between student and teacher
            heatmaps, called as ``loss(student, teacher, keypoint_weights)``;
            its ``loss_weight`` weighs output distillation. None: no output
            distillation. Defaults to ``KeypointMSELoss`` with weight 1.
        token_projection (str): ``'auto'`` or ``'linear'``, see
            :func:`build_token_projection`. Defaults to ``'auto'``.
        data_preprocessor (dict, optional): Defaults to the student's.
        init_cfg (dict, optional): Unused; the student's own init_cfg
            applies. Defaults to None.
    """

    def __init__(self,
                 student: dict,
                 teacher: Optional[dict] = None,
                 teacher_checkpoint: Optional[str] = None,
                 student_checkpoint: Optional[str] = None,
                 token_checkpoint: Optional[str] = None,
                 distill_loss: Optional[dict] = DEFAULT_DISTILL_LOSS,
                 token_projection: str = 'auto',
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        student = dict(student)
        preprocessor = student.pop('data_preprocessor', None)
        super().__init__(
            data_preprocessor=data_preprocessor or preprocessor,
            init_cfg=init_cfg)
        if distill_loss is not None and (teacher is None
                                         or teacher_checkpoint is None):
            raise ValueError('output distillation (model.distill_loss) needs '
                             'model.teacher and model.teacher_checkpoint; '
                             'set model.distill_loss=None to train without '
                             'a teacher')
        # t* (1, n, D), filled by the ViTPoseKnowledgeToken initializer.
        self.register_buffer('knowledge_token', None)
        if token_checkpoint is not None:
            WEIGHT_INITIALIZERS.build(
                dict(type='ViTPoseKnowledgeToken',
                     checkpoint=token_checkpoint,
                     config_key='model.token_checkpoint'))(self)
        token = self.knowledge_token
        self.student_init = None if student_checkpoint is None else \
            model_checkpoint_init(student_checkpoint,
                                  'model.student_checkpoint')

        # The student is built first so that, for one seed, its initial
        # weights do not depend on which distillation switches are on.
        self.student = build_pose_model(
            student, token.shape[1] if token is not None else None,
            'model.student')
        self.with_token = token is not None
        if self.with_token:
            # Unused while distilling (the projected t* is passed instead);
            # extraction overwrites it with that projected token.
            self.student.backbone.knowledge_token.requires_grad_(False)
            self.token_projection = build_token_projection(
                token.shape[-1], self.student.backbone.embed_dims,
                token_projection)

        self.teacher = None
        self.distill_loss = None
        if distill_loss is not None:
            self.distill_loss = MODELS.build(distill_loss)
            teacher = dict(teacher)
            teacher.pop('data_preprocessor', None)
            self.teacher = build_frozen_teacher(teacher, teacher_checkpoint,
                                                'model.teacher_checkpoint')
        self.metainfo = self.student.metainfo
        self.test_cfg = self.student.test_cfg

    @property
    def with_output_distill(self) -> bool:
        """Whether ``loss_distill`` is computed."""
        return self.teacher is not None

    def init_weights(self) -> None:
        """Initialise the student (``student_checkpoint`` or its own
        init_cfg); the teacher and t* were loaded when built."""
        if self.student_init is None:
            self.student.init_weights()
        else:
            self.student_init(self.student)

    def train(self, mode: bool = True) -> 'ViTPoseTokenDistiller':
        """Set the mode of the distiller; the teacher stays in eval mode."""
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()
        return self

    def student_knowledge_token(self) -> Optional[Tensor]:
        """t* mapped to the student's width, (1, n, D_student), or None."""
        if not self.with_token:
            return None
        return self.token_projection(self.knowledge_token)

    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Student features, with the projected t* when a token is used."""
        if not self.with_token:
            return self.student.extract_feat(inputs)
        feats = self.student.backbone(
            inputs, knowledge_token=self.student_knowledge_token())
        if self.student.with_neck:
            feats = self.student.neck(feats)
        return feats

    def forward(self,
                inputs: Tensor,
                data_samples: OptSampleList = None,
                mode: str = 'tensor') -> ForwardResults:
        """``loss``, ``predict`` or ``tensor`` (student heatmaps)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            if self.metainfo is not None:
                for data_sample in data_samples:
                    data_sample.set_metainfo(self.metainfo)
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.student.head(self.extract_feat(inputs))
        raise RuntimeError(f'invalid mode {mode!r}; use loss, predict or '
                           f'tensor')

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """``loss_kpt`` (student vs ground truth), ``loss_distill`` (student
        vs teacher heatmaps, with output distillation) and ``acc_pose``."""
        heatmaps = self.student.head(self.extract_feat(inputs))
        targets, weights = heatmap_targets(data_samples,
                                           self.student.head.decoder)
        if heatmaps.shape != targets.shape:
            raise ValueError(f'student heatmaps {tuple(heatmaps.shape)} do '
                             f'not match the targets {tuple(targets.shape)}')
        losses = dict(
            loss_kpt=self.student.head.loss_module(heatmaps, targets,
                                                   weights))
        if self.with_output_distill:
            with torch.no_grad():
                teacher_heatmaps = self.teacher.head(
                    self.teacher.extract_feat(inputs))
            if teacher_heatmaps.shape != heatmaps.shape:
                raise ValueError(
                    f'teacher heatmaps {tuple(teacher_heatmaps.shape)} and '
                    f'student heatmaps {tuple(heatmaps.shape)} differ; give '
                    f'both heads the same keypoints and codec')
            losses['loss_distill'] = self.distill_loss(
                heatmaps, teacher_heatmaps.to(heatmaps.dtype), weights)
        if self.train_metrics_due(self.student.train_cfg):
            losses['acc_pose'] = heatmap_pck_accuracy(heatmaps, targets,
                                                      weights)
        return losses

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Student keypoints (flip test as configured in its test_cfg)."""
        feats = self.extract_feat(inputs)
        if self.test_cfg.get('flip_test', False):
            feats = [feats, self.extract_feat(inputs.flip(-1))]
        predictions = self.student.head.predict(
            feats, data_samples, test_cfg=self.test_cfg)
        fields = None
        if isinstance(predictions, tuple):
            predictions, fields = predictions
        return self.student.add_pred_to_datasample(predictions, fields,
                                                   data_samples)
