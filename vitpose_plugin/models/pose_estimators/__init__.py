"""Pose estimators: multi-dataset training with per-dataset heads."""
from .multi_dataset_estimator import ViTPoseMultiDatasetEstimator

__all__ = ['ViTPoseMultiDatasetEstimator']
