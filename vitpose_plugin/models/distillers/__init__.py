from .knowledge_token_tuner import ViTPoseKnowledgeTokenTuner
from .token_distiller import ViTPoseTokenDistiller

__all__ = ['ViTPoseKnowledgeTokenTuner', 'ViTPoseTokenDistiller']
