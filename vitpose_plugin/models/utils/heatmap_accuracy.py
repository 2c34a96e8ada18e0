"""Training-time PCK accuracy of predicted heatmaps (the ``acc_pose`` log)."""
from types import MappingProxyType
from typing import Any, Mapping

import torch
from torch import Tensor, nn

#: The ``train_cfg`` keys that :meth:`TrainMetricsSwitch.train_metrics_due`
#: reads, with their defaults (the heads declare them as their
#: ``train_cfg`` keys, which the config check holds user configs to).
TRAIN_METRICS_CFG: Mapping[str, Any] = MappingProxyType(
    dict(compute_acc=True))


class TrainMetricsSwitch:
    """Mixin of the modules that compute training metrics (``acc_pose``)
    only on the iterations that want them.

    :attr:`train_metrics_wanted` is True unless set by
    :func:`want_train_metrics`; ``ViTPoseRuntimeInfoHook`` sets it before
    every training iteration, True on the iterations it logs.
    """

    train_metrics_wanted: bool = True

    def train_metrics_due(self, train_cfg: Mapping) -> bool:
        """Whether to compute training metrics this iteration: wanted, and
        ``train_cfg.compute_acc`` (default True).

        Args:
            train_cfg (Mapping): The model's ``train_cfg``.
        """
        return self.train_metrics_wanted and \
            bool({**TRAIN_METRICS_CFG, **train_cfg}['compute_acc'])


def want_train_metrics(model: nn.Module, wanted: bool) -> None:
    """Say to every :class:`TrainMetricsSwitch` of ``model`` whether the
    coming training iterations want their metrics."""
    for module in model.modules():
        if isinstance(module, TrainMetricsSwitch):
            module.train_metrics_wanted = wanted


def heatmap_peaks(heatmaps: Tensor) -> Tensor:
    """(x, y) of each heatmap's maximum, -1 where the maximum is <= 0.

    Ties go to the first maximum in row-major order, as ``np.argmax``.

    Args:
        heatmaps (Tensor): (B, K, H, W).

    Returns:
        Tensor: (B, K, 2) float32 locations.
    """
    batch, num_keypoints, _, width = heatmaps.shape
    flat = heatmaps.reshape(batch, num_keypoints, -1)
    values = flat.amax(dim=-1)
    index = flat.argmax(dim=-1)  # the first maximum, as np.argmax
    locations = torch.stack((index % width, index // width), dim=-1).float()
    return torch.where((values > 0)[..., None], locations,
                       torch.full_like(locations, -1.0))


def heatmap_pck_accuracy(heatmaps: Tensor,
                         targets: Tensor,
                         keypoint_weights: Tensor,
                         thr: float = 0.05) -> Tensor:
    """MMPose's ``pose_pck_accuracy`` of heatmap peaks, on the heatmaps' device.

    Same definition as ``mmpose.evaluation.functional.pose_pck_accuracy``
    (distances normalised by the heatmap size (H, W) applied to (x, y), a
    keypoint type counts when one of its samples has weight > 0, the mean over
    counted types, 0 when none), computed with tensor ops only: no host
    synchronisation.

    Args:
        heatmaps (Tensor): Predictions, (B, K, H, W), any float dtype.
        targets (Tensor): Target heatmaps, (B, K, H, W).
        keypoint_weights (Tensor): (B, K); keypoints with weight 0 are
            ignored.
        thr (float): Distance threshold. Defaults to 0.05.

    Returns:
        Tensor: Scalar float32 accuracy on the heatmaps' device.
    """
    heatmaps, targets = heatmaps.detach().float(), targets.detach().float()
    height, width = heatmaps.shape[-2:]
    scale = heatmaps.new_tensor([height, width])
    distances = ((heatmap_peaks(heatmaps) - heatmap_peaks(targets)) /
                 scale).norm(dim=-1)
    mask = keypoint_weights.detach().reshape(distances.shape) > 0
    hits = ((distances < thr) & mask).sum(dim=0).float()
    counts = mask.sum(dim=0).float()
    valid = counts > 0
    per_type = torch.where(valid, hits / counts.clamp(min=1), hits)
    num_valid = valid.sum()
    return torch.where(num_valid > 0,
                       (per_type * valid).sum() / num_valid.clamp(min=1),
                       per_type.new_zeros(()))
