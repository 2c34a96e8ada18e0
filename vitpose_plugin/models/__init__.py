from .backbones import ViTPoseBackbone
from .heads import ViTPoseClassicHead

__all__ = ['ViTPoseBackbone', 'ViTPoseClassicHead']
