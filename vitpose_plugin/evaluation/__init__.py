from .multi_dataset_evaluator import ViTPoseMultiDatasetEvaluator

__all__ = ['ViTPoseMultiDatasetEvaluator']
