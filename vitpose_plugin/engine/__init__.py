from .averaged_models import ViTPoseExpMomentumEMA
from .hooks import (TorchRuntimeHook, ViTPoseNonFiniteLossHook,
                    ViTPoseRuntimeInfoHook)
from .optim_wrappers import (ViTPoseAmpOptimWrapper,
                             ViTPoseLayerDecayConstructor,
                             ViTPoseOptimWrapper, training_scalars_of)
from .runner import (ViTPoseEpochBasedTrainLoop, ViTPoseRunner,
                     compile_pose_model)
from .training_scalars import TrainingScalars

__all__ = [
    'TorchRuntimeHook', 'TrainingScalars', 'ViTPoseAmpOptimWrapper',
    'ViTPoseEpochBasedTrainLoop', 'ViTPoseExpMomentumEMA',
    'ViTPoseLayerDecayConstructor', 'ViTPoseNonFiniteLossHook',
    'ViTPoseOptimWrapper', 'ViTPoseRunner', 'ViTPoseRuntimeInfoHook',
    'compile_pose_model', 'training_scalars_of'
]
