from .backbones import ViTPoseBackbone
from .data_preprocessors import ViTPoseDataPreprocessor
from .distillers import ViTPoseKnowledgeTokenTuner, ViTPoseTokenDistiller
from .heads import ViTPoseClassicHead, ViTPoseSimpleHead
from .pose_estimators import ViTPoseMultiDatasetEstimator

__all__ = [
    'ViTPoseBackbone', 'ViTPoseClassicHead', 'ViTPoseDataPreprocessor', 'ViTPoseKnowledgeTokenTuner',
    'ViTPoseMultiDatasetEstimator', 'ViTPoseSimpleHead',
    'ViTPoseTokenDistiller'
]
