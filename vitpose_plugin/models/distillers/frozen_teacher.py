"""Build a pose model from a config dict and freeze it as a teacher."""
import copy
from typing import Optional

from mmengine.registry import WEIGHT_INITIALIZERS
from mmpose.registry import MODELS
from torch import nn

#: The knowledge token of a pose model with a ``ViTPoseBackbone``: optional
#: in a teacher's or student's checkpoint.
KNOWLEDGE_TOKEN_KEY = 'backbone.knowledge_token'


def model_checkpoint_init(checkpoint: str, config_key: str):
    """The initializer that loads a whole plugin-layout checkpoint into a
    pose model, its knowledge token optional (``ViTPoseModelCheckpoint``,
    registered by ``vitpose_plugin.checkpoints``); the file must exist.

    Args:
        checkpoint (str): Path or URL.
        config_key (str): Config key of ``checkpoint``, for messages.
    """
    return WEIGHT_INITIALIZERS.build(
        dict(type='ViTPoseModelCheckpoint', checkpoint=checkpoint,
             config_key=config_key, optional_keys=[KNOWLEDGE_TOKEN_KEY]))


def build_pose_model(cfg: dict, knowledge_tokens: Optional[int] = None,
                     config_key: str = 'model') -> nn.Module:
    """Build a pose estimator from ``cfg`` (copied, not modified).

    Args:
        cfg (dict): Pose estimator config (e.g. a ``TopdownPoseEstimator``
            with a ``ViTPoseBackbone``).
        knowledge_tokens (int, optional): Set the backbone's
            ``knowledge_tokens``; a different non-zero value already in the
            config is an error. None leaves the config as it is.
            Defaults to None.
        config_key (str): Config key of ``cfg``, for error messages.
            Defaults to ``'model'``.
    """
    cfg = copy.deepcopy(dict(cfg))
    if knowledge_tokens is not None:
        backbone = cfg['backbone'] = dict(cfg['backbone'])
        configured = backbone.get('knowledge_tokens', 0)
        if configured not in (0, knowledge_tokens):
            raise ValueError(f'{config_key}.backbone.knowledge_tokens is '
                             f'{configured}, but {knowledge_tokens} '
                             f'knowledge token(s) are used')
        backbone['knowledge_tokens'] = knowledge_tokens
    return MODELS.build(cfg)


def build_frozen_teacher(cfg: dict, checkpoint: str, config_key: str,
                         knowledge_tokens: Optional[int] = None) -> nn.Module:
    """Build the teacher, load its weights and freeze it (no gradients,
    eval mode; owners keep it in eval mode in their ``train()``).

    A knowledge token is optional in the checkpoint: a teacher tuned in
    stage 1 brings one, a plain teacher does not (its token keeps its
    initial value, to be trained by the stage-1 tuner).

    Args:
        cfg (dict): Teacher pose-estimator config.
        checkpoint (str): Path or URL of the teacher weights.
        config_key (str): Config key of ``checkpoint``.
        knowledge_tokens (int, optional): See :func:`build_pose_model`.
    """
    teacher = build_pose_model(cfg, knowledge_tokens, 'teacher')
    model_checkpoint_init(checkpoint, config_key)(teacher)
    teacher.requires_grad_(False)
    return teacher.eval()
