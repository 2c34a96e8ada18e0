# ViTPose-B on 300W face landmarks (68; NME normalised by the outer eye
# corners, flip test): the WFLW recipe (td-hm_ViTPose-base_8xb64-60e_wflw-
# 256x256.py: MMPose's face input size, augmentation and 60-epoch schedule,
# the ViTPose optimizer, MAE init and UDP heatmaps) with MMPose's 300W data
# settings (heatmap sigma 1.5, train / valid; _base_/datasets/
# 300w_topdown_256x256.py).
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_60e.py',
    '../../../_base_/datasets/300w_topdown_256x256.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
]

model = dict(
    backbone=dict(img_size=(256, 256)),
    head=dict(out_channels=68, decoder={{_base_.codec}}))
default_hooks = dict(checkpoint=dict(save_best='NME', rule='less'))
