# ViTPose-B on COFW face landmarks (29, occluded faces; NME normalised by the
# eye centres, flip test): the WFLW recipe (td-hm_ViTPose-base_8xb64-60e_
# wflw-256x256.py: MMPose's face input size, augmentation and 60-epoch
# schedule, the ViTPose optimizer, MAE init and UDP heatmaps) with MMPose's
# COFW data settings (heatmap sigma 1.5, cofw_train / cofw_test;
# _base_/datasets/cofw_topdown_256x256.py).
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_60e.py',
    '../../../_base_/datasets/cofw_topdown_256x256.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
]

model = dict(
    backbone=dict(img_size=(256, 256)),
    head=dict(out_channels=29, decoder={{_base_.codec}}))
default_hooks = dict(checkpoint=dict(save_best='NME', rule='less'))
