"""Helpers shared by the heads and the distillers."""
from .heatmap_accuracy import (LOG_TRAIN_METRICS, TRAIN_METRICS_CFG,
                               heatmap_pck_accuracy, heatmap_peaks,
                               train_metrics_due)

__all__ = [
    'LOG_TRAIN_METRICS', 'TRAIN_METRICS_CFG', 'heatmap_pck_accuracy',
    'heatmap_peaks', 'train_metrics_due'
]
