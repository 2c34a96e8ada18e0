from .backbones import ViTPoseBackbone
from .distillers import ViTPoseKnowledgeTokenTuner, ViTPoseTokenDistiller
from .heads import ViTPoseClassicHead, ViTPoseSimpleHead
from .pose_estimators import ViTPoseMultiDatasetEstimator

__all__ = [
    'ViTPoseBackbone', 'ViTPoseClassicHead', 'ViTPoseKnowledgeTokenTuner',
    'ViTPoseMultiDatasetEstimator', 'ViTPoseSimpleHead',
    'ViTPoseTokenDistiller'
]
