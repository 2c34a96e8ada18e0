from .udp_heatmap_targets import udp_gaussian_heatmaps
from .vitpose_data_preprocessor import ViTPoseDataPreprocessor

__all__ = ['ViTPoseDataPreprocessor', 'udp_gaussian_heatmaps']
