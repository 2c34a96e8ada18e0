from .vitpose_runner import ViTPoseRunner

__all__ = ['ViTPoseRunner']
