from .backbones import ViTPoseBackbone
from .distillers import ViTPoseKnowledgeTokenTuner, ViTPoseTokenDistiller
from .heads import ViTPoseClassicHead, ViTPoseSimpleHead

__all__ = [
    'ViTPoseBackbone', 'ViTPoseClassicHead', 'ViTPoseKnowledgeTokenTuner',
    'ViTPoseSimpleHead', 'ViTPoseTokenDistiller'
]
