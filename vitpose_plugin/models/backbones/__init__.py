from .vitpose_vit import ARCH_ZOO, ViTPoseBackbone

__all__ = ['ARCH_ZOO', 'ViTPoseBackbone']
