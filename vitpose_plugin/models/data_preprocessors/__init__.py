from .vitpose_data_preprocessor import ViTPoseDataPreprocessor

__all__ = ['ViTPoseDataPreprocessor']
