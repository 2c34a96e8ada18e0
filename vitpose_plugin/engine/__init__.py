from .hooks import TorchRuntimeHook, ViTPoseRuntimeInfoHook
from .optim_wrappers import (ViTPoseAmpOptimWrapper, ViTPoseLayerDecayConstructor,
                             ViTPoseOptimWrapper)
from .runner import ViTPoseRunner

__all__ = [
    'TorchRuntimeHook', 'ViTPoseAmpOptimWrapper', 'ViTPoseLayerDecayConstructor',
    'ViTPoseOptimWrapper', 'ViTPoseRunner', 'ViTPoseRuntimeInfoHook'
]
