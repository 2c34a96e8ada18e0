from .device_optim_wrapper import (ViTPoseAmpOptimWrapper, ViTPoseOptimWrapper,
                                   training_scalars_of)
from .layer_decay_constructor import ViTPoseLayerDecayConstructor

__all__ = [
    'ViTPoseAmpOptimWrapper', 'ViTPoseLayerDecayConstructor',
    'ViTPoseOptimWrapper', 'training_scalars_of'
]
