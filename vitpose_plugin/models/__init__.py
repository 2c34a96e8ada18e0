from .backbones import ViTPoseBackbone
from .heads import ViTPoseClassicHead, ViTPoseSimpleHead

__all__ = ['ViTPoseBackbone', 'ViTPoseClassicHead', 'ViTPoseSimpleHead']
