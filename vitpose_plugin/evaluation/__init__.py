from .dump_results import with_dump_results
from .multi_dataset_evaluator import ViTPoseMultiDatasetEvaluator

__all__ = ['ViTPoseMultiDatasetEvaluator', 'with_dump_results']
