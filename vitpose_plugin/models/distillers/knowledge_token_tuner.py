"""Stage 1 of token distillation: tune a knowledge token of a frozen
teacher."""
from typing import Optional

from mmengine.model import BaseModel
from mmpose.registry import MODELS
from mmpose.utils.typing import (ForwardResults, OptConfigType,
                                 OptMultiConfig, OptSampleList)
from torch import Tensor

from .frozen_teacher import build_frozen_teacher


@MODELS.register_module()
class ViTPoseKnowledgeTokenTuner(BaseModel):
    """Learn the knowledge token t* of a frozen teacher (paper sec. 3.4).

    The teacher's ViTPose backbone gets ``knowledge_tokens`` learnable
    tokens appended after the position embedding; everything else stays
    frozen (no gradients, eval mode through every ``train()``), so training
    minimises ``MSE(T({t; X}), K_gt)`` over ``t`` only. The loss is the
    teacher head's (``loss_kpt``, ``acc_pose``); predictions are the
    teacher's with the token. The checkpoint's ``teacher.*`` weights are a
    teacher with t*: ``python -m vitpose_plugin.checkpoints
    extract-teacher`` writes them as a plain checkpoint, which stage 2 reads
    as
    ``token_checkpoint`` (and as ``teacher_checkpoint``).

    Args:
        teacher (dict): Teacher pose-estimator config (``ViTPoseBackbone``
            with full attention).
        teacher_checkpoint (str): Path or URL of the trained
            teacher.
        knowledge_tokens (int): Tokens to learn. Defaults to 1.
        data_preprocessor (dict, optional): Defaults to the teacher's.
        init_cfg (dict, optional): Unused by the frozen teacher; kept for
            the BaseModel interface. Defaults to None.
    """

    def __init__(self,
                 teacher: dict,
                 teacher_checkpoint: str,
                 knowledge_tokens: int = 1,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        if knowledge_tokens < 1:
            raise ValueError(f'knowledge_tokens must be >= 1, got '
                             f'{knowledge_tokens}')
        teacher = dict(teacher)
        preprocessor = teacher.pop('data_preprocessor', None)
        super().__init__(
            data_preprocessor=data_preprocessor or preprocessor,
            init_cfg=init_cfg)
        self.teacher = build_frozen_teacher(teacher, teacher_checkpoint,
                                            'model.teacher_checkpoint',
                                            knowledge_tokens)
        self.teacher.backbone.knowledge_token.requires_grad_(True)
        self.metainfo = self.teacher.metainfo

    def init_weights(self) -> None:
        """Nothing to do: the teacher is loaded and the token initialised
        when built (the teacher's own init_cfg would overwrite it)."""

    def train(self, mode: bool = True) -> 'ViTPoseKnowledgeTokenTuner':
        """Set the mode of the tuner; the teacher stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    def forward(self,
                inputs: Tensor,
                data_samples: OptSampleList = None,
                mode: str = 'tensor') -> ForwardResults:
        """``loss``, ``predict`` or ``tensor`` (heatmaps) of the teacher
        with its knowledge token."""
        return self.teacher(inputs, data_samples, mode=mode)

    @property
    def knowledge_token(self) -> Optional[Tensor]:
        """The token being tuned, (1, n, D)."""
        return self.teacher.backbone.knowledge_token
