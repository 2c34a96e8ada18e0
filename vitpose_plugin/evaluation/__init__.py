from .dump_results import ViTPoseDumpResults, with_dump_results
from .multi_dataset_evaluator import ViTPoseMultiDatasetEvaluator

__all__ = [
    'ViTPoseDumpResults', 'ViTPoseMultiDatasetEvaluator', 'with_dump_results'
]
