from .hooks import TorchRuntimeHook
from .optim_wrappers import ViTPoseLayerDecayConstructor

__all__ = ['TorchRuntimeHook', 'ViTPoseLayerDecayConstructor']
