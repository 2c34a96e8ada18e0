from .hooks import (TorchRuntimeHook, ViTPoseNonFiniteLossHook,
                    ViTPoseRuntimeInfoHook)
from .optim_wrappers import (ViTPoseAmpOptimWrapper,
                             ViTPoseLayerDecayConstructor,
                             ViTPoseOptimWrapper)
from .runner import (ViTPoseEpochBasedTrainLoop, ViTPoseRunner,
                     compile_pose_model)

__all__ = [
    'TorchRuntimeHook', 'ViTPoseAmpOptimWrapper',
    'ViTPoseEpochBasedTrainLoop', 'ViTPoseLayerDecayConstructor',
    'ViTPoseNonFiniteLossHook', 'ViTPoseOptimWrapper', 'ViTPoseRunner',
    'ViTPoseRuntimeInfoHook', 'compile_pose_model'
]
