from .epoch_based_train_loop import (ViTPoseEpochBasedTrainLoop,
                                     seed_iteration)
from .model_compilation import compile_pose_model
from .vitpose_runner import ViTPoseRunner

__all__ = [
    'ViTPoseEpochBasedTrainLoop', 'ViTPoseRunner', 'compile_pose_model',
    'seed_iteration'
]
