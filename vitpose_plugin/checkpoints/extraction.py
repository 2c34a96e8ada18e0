"""Turn distillation training checkpoints into plain pose-model ones."""
import torch.nn.functional as F

from .layouts import (DISTILLER_KNOWLEDGE_TOKEN, DISTILLER_TOKEN_PROJECTION,
                      KNOWLEDGE_TOKEN, TUNER_KNOWLEDGE_TOKEN, StateDict,
                      strip_prefix)


def extract_student(state_dict: StateDict) -> StateDict:
    """The student of a ``ViTPoseTokenDistiller`` state dict.

    With a knowledge token, ``backbone.knowledge_token`` becomes t* mapped
    by the trained ``token_projection``: exactly the token the distiller
    feeds the student, so the student config with ``knowledge_tokens=n``
    predicts what the distiller predicts.

    Raises:
        ValueError: no ``student.*`` weights.
    """
    student = strip_prefix(state_dict, 'student.')
    if not student:
        raise ValueError('no student.* weights: not a ViTPoseTokenDistiller '
                         'checkpoint')
    token = state_dict.get(DISTILLER_KNOWLEDGE_TOKEN)
    if token is not None:
        weight = state_dict.get(DISTILLER_TOKEN_PROJECTION)
        projected = token if weight is None else F.linear(token, weight)
        student[KNOWLEDGE_TOKEN] = projected.to(student[KNOWLEDGE_TOKEN].dtype)
    return student


def extract_teacher(state_dict: StateDict) -> StateDict:
    """The teacher, with its tuned knowledge token, of a
    ``ViTPoseKnowledgeTokenTuner`` state dict.

    Raises:
        ValueError: no ``teacher.backbone.knowledge_token``.
    """
    if TUNER_KNOWLEDGE_TOKEN not in state_dict:
        raise ValueError(f'no {TUNER_KNOWLEDGE_TOKEN}: not a '
                         f'ViTPoseKnowledgeTokenTuner checkpoint')
    return strip_prefix(state_dict, 'teacher.')
