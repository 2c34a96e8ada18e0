"""Helpers shared by the heads and the distillers."""
from .heatmap_accuracy import heatmap_pck_accuracy

__all__ = ['heatmap_pck_accuracy']
