"""The simple ViTPose decoder: ReLU, bilinear upsampling and a 3x3 conv."""
from typing import Optional, Tuple, Union

import torch.nn.functional as F
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType
from torch import Tensor, nn

from .base_heatmap_head import BaseViTPoseHeatmapHead


@MODELS.register_module()
class ViTPoseSimpleHead(BaseViTPoseHeatmapHead):
    """ReLU -> bilinear x``upsample_factor`` -> Conv2d(k x k) -> K heatmaps.

    The decoder of paper section 3.1 that shows the plain ViT features are
    already linearly separable into keypoints. The conv is named
    ``final_layer`` as in the official checkpoints.

    Args:
        in_channels (int): Backbone width.
        out_channels (int): Number of keypoints K.
        upsample_factor (int): Bilinear scale factor. Defaults to 4.
        kernel_size (int): Kernel of the prediction conv (odd).
            Defaults to 3.
        loss (dict): Heatmap loss. Defaults to target-weighted MSE.
        decoder (dict, optional): Codec used to decode predictions.
        init_cfg (dict | list, optional): Initialisation config.
        autocast_dtype (str, optional): ``'bfloat16'`` to train the layers
            under bfloat16 autocast where the device computes it natively
            (see :class:`BaseViTPoseHeatmapHead`). Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 upsample_factor: int = 4,
                 kernel_size: int = 3,
                 loss: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: Union[dict, list, None] = None,
                 autocast_dtype: Optional[str] = None) -> None:
        if init_cfg is None:
            init_cfg = dict(type='Normal', layer='Conv2d', std=0.001, bias=0)
        super().__init__(in_channels, out_channels, loss, decoder, init_cfg,
                         autocast_dtype)
        if not isinstance(upsample_factor, int) or upsample_factor < 1:
            raise ValueError(f'upsample_factor must be a positive int, got '
                             f'{upsample_factor!r}')
        if kernel_size % 2 != 1:
            raise ValueError(f'kernel_size must be odd to keep the heatmap '
                             f'size, got {kernel_size}')
        self.upsample_factor = upsample_factor
        self.final_layer = nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size=kernel_size,
            padding=kernel_size // 2)

    def forward(self, feats: Tuple[Tensor, ...]) -> Tensor:
        """ReLU, upsample and predict K heatmaps from the last feature map."""
        return self._run_layers(self._check_input(feats), self._layers)

    def _layers(self, feature: Tensor) -> Tensor:
        x = F.relu(feature)
        if self.upsample_factor > 1:
            x = F.interpolate(
                x,
                scale_factor=self.upsample_factor,
                mode='bilinear',
                align_corners=False)
        return self.final_layer(x)
