# ViTPose-B, classic decoder, on InterHand2.6M 2D (the official
# `interhand2d_all` split; one sample per valid hand with 21 keypoints;
# PCK@0.2, AUC, EPE, best by AUC; flip test) at 256x192, with the official
# ViTPose config's hyper-parameters (ViTPose_base_interhand2d_all_256x192.py):
# Adam lr 5e-4 without weight decay, layer decay or gradient clipping, drop
# path 0.3, 60 epochs (steps 40/50, validation every 5), 64 per GPU x 8, MAE
# init. Codec: MSRA heatmaps 64x48, sigma 2, as the official config
# (ViTPoseMSRAHeatmap, drawn on the device), a non-UDP crop and flip test with
# the flipped heatmaps shifted by one pixel. The sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/interhand2d_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

max_epochs = 60
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    _base_.param_scheduler[0],  # the warm-up
    dict(_base_.param_scheduler[1], end=max_epochs, milestones=[40, 50]),
]
model = dict(
    head=dict(out_channels=21, decoder=_base_.codec),
    test_cfg=dict(shift_heatmap=True))
default_hooks = dict(
    checkpoint=dict(save_best='AUC', rule='greater', interval=5))
