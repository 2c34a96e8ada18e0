from .hooks import TorchRuntimeHook
from .optim_wrappers import ViTPoseLayerDecayConstructor
from .runner import ViTPoseRunner

__all__ = ['TorchRuntimeHook', 'ViTPoseLayerDecayConstructor', 'ViTPoseRunner']
