from .device_optim_wrapper import ViTPoseAmpOptimWrapper, ViTPoseOptimWrapper
from .layer_decay_constructor import ViTPoseLayerDecayConstructor

__all__ = [
    'ViTPoseAmpOptimWrapper', 'ViTPoseLayerDecayConstructor',
    'ViTPoseOptimWrapper'
]
