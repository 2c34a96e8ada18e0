# ViTPose-B, classic decoder, on WFLW face landmarks (98; NME normalised by
# the outer eye corners, flip test). No ViTPose release has face models; the
# recipe combines, value by value:
# - MMPose's WFLW config (td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256.py): input
#   256x256 (16x16 tokens), heatmaps 64x64 with sigma 2, augmentation, 60
#   epochs with steps at 40/55, 64 per GPU x 8, NME (_base_/datasets/
#   wflw_topdown_256x256.py, _base_/schedules/vitpose_adamw_60e.py);
# - the ViTPose recipe (paper, COCO configs): UDP heatmaps, MAE init, AdamW
#   lr 5e-4, wd 0.1, layer decay 0.75, drop path 0.3, gradient clipping 1.0,
#   500-iteration warm-up (MMPose's Adam lr 2e-3 is HRNet's).
# The sizes (S/L/H, with the paper's drop path and layer decay) inherit
# this file; 300W and COFW share its recipe.
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_60e.py',
    '../../../_base_/datasets/wflw_topdown_256x256.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(
    backbone=dict(img_size=(256, 256)),
    head=dict(out_channels=98, decoder={{_base_.codec}}))
default_hooks = dict(checkpoint=dict(save_best='NME', rule='less'))
