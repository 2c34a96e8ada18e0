from .pose_sample_batch import PoseSampleBatch, heatmap_targets

__all__ = ['PoseSampleBatch', 'heatmap_targets']
