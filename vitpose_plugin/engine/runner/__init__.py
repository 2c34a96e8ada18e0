from .model_compilation import compile_pose_model
from .vitpose_runner import ViTPoseRunner

__all__ = ['ViTPoseRunner', 'compile_pose_model']
