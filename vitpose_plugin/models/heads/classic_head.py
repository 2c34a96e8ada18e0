"""The classic ViTPose decoder: two deconvolution stages and a 1x1 conv."""
from typing import Optional, Sequence, Tuple, Union

from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType
from torch import Tensor, nn

from .base_heatmap_head import BaseViTPoseHeatmapHead

# ConvTranspose2d (padding, output_padding) that exactly double the size.
_DECONV_PADDING = {4: (1, 0), 3: (1, 1), 2: (0, 0)}


@MODELS.register_module()
class ViTPoseClassicHead(BaseViTPoseHeatmapHead):
    """[ConvTranspose2d(stride 2) -> BN -> ReLU] x N, then Conv2d(1x1) -> K.

    With the defaults this is the official ViTPose classic decoder; each
    deconvolution doubles the resolution, so a 16x12 map becomes 64x48.
    Layer names (``deconv_layers``, ``final_layer``) match both the official
    and the MMPose 1.x checkpoints.

    Args:
        in_channels (int): Backbone width.
        out_channels (int): Number of keypoints K.
        deconv_out_channels (Sequence[int]): Channels of each deconv stage.
            Defaults to (256, 256).
        deconv_kernel_sizes (Sequence[int]): Kernel of each stage, one of
            2, 3, 4. Defaults to (4, 4).
        final_kernel_size (int): Kernel of the last conv (odd).
            Defaults to 1.
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
                 deconv_out_channels: Sequence[int] = (256, 256),
                 deconv_kernel_sizes: Sequence[int] = (4, 4),
                 final_kernel_size: int = 1,
                 loss: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: Union[dict, list, None] = None,
                 autocast_dtype: Optional[str] = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='Normal', layer='ConvTranspose2d', std=0.001),
                dict(type='Constant', layer='BatchNorm2d', val=1),
                dict(type='Normal', layer='Conv2d', std=0.001, bias=0),
            ]
        super().__init__(in_channels, out_channels, loss, decoder, init_cfg,
                         autocast_dtype)
        if len(deconv_out_channels) != len(deconv_kernel_sizes):
            raise ValueError(
                f'deconv_out_channels {tuple(deconv_out_channels)} and '
                f'deconv_kernel_sizes {tuple(deconv_kernel_sizes)} must have '
                f'the same length (one entry per deconv stage)')
        if final_kernel_size % 2 != 1:
            raise ValueError(f'final_kernel_size must be odd to keep the '
                             f'heatmap size, got {final_kernel_size}')

        layers = []
        channels = in_channels
        for out, kernel in zip(deconv_out_channels, deconv_kernel_sizes):
            if kernel not in _DECONV_PADDING:
                raise ValueError(f'deconv kernel size must be one of '
                                 f'{sorted(_DECONV_PADDING)}, got {kernel}')
            padding, output_padding = _DECONV_PADDING[kernel]
            layers += [
                nn.ConvTranspose2d(
                    channels,
                    out,
                    kernel_size=kernel,
                    stride=2,
                    padding=padding,
                    output_padding=output_padding,
                    bias=False),
                nn.BatchNorm2d(out),
                nn.ReLU(inplace=True),
            ]
            channels = out
        self.deconv_layers = nn.Sequential(*layers)
        self.final_layer = nn.Conv2d(
            channels,
            out_channels,
            kernel_size=final_kernel_size,
            padding=final_kernel_size // 2)

    def forward(self, feats: Tuple[Tensor, ...]) -> Tensor:
        """Upsample the last feature map 2^N times into K heatmaps."""
        return self._run_layers(
            self._check_input(feats),
            lambda x: self.final_layer(self.deconv_layers(x)))
