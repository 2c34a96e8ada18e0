from .optim_wrappers import ViTPoseLayerDecayConstructor

__all__ = ['ViTPoseLayerDecayConstructor']
