"""Training-time PCK accuracy of predicted heatmaps (the ``acc_pose`` log)."""
import torch
from mmpose.evaluation.functional import pose_pck_accuracy
from torch import Tensor


def heatmap_pck_accuracy(heatmaps: Tensor, targets: Tensor,
                         keypoint_weights: Tensor) -> Tensor:
    """MMPose's PCK accuracy of heatmap peaks, as a tensor for the loss dict.

    The heatmaps are cast to float32 first: under mixed precision they may be
    bfloat16, which numpy cannot represent.

    Args:
        heatmaps (Tensor): Predictions, (B, K, H, W).
        targets (Tensor): Target heatmaps, (B, K, H, W).
        keypoint_weights (Tensor): (B, K); keypoints with weight 0 are
            ignored.

    Returns:
        Tensor: Scalar accuracy on the targets' device.
    """
    _, accuracy, _ = pose_pck_accuracy(
        output=heatmaps.detach().float().cpu().numpy(),
        target=targets.detach().float().cpu().numpy(),
        mask=keypoint_weights.detach().cpu().numpy() > 0)
    return torch.tensor(accuracy, device=targets.device)
