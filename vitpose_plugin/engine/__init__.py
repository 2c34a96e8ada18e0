from .hooks import TorchRuntimeHook, ViTPoseRuntimeInfoHook
from .optim_wrappers import (ViTPoseAmpOptimWrapper, ViTPoseLayerDecayConstructor,
                             ViTPoseOptimWrapper)
from .runner import ViTPoseRunner, compile_pose_model

__all__ = [
    'TorchRuntimeHook', 'ViTPoseAmpOptimWrapper', 'ViTPoseLayerDecayConstructor',
    'ViTPoseOptimWrapper', 'ViTPoseRunner', 'ViTPoseRuntimeInfoHook',
    'compile_pose_model'
]
