# ViTPose-B, classic decoder, on AP-10K split 1 (17 animal keypoints, OKS AP
# with GT boxes on val / test, flip test) at 256x192, with the official
# ViTPose configs' hyper-parameters (ViTPose_<size>_ap10k_256x192.py): Adam lr
# 5e-4 without weight decay, layer decay or gradient clipping, drop path 0.3
# for every size, 210 epochs (steps 170/200), 64 per GPU x 8 (the official
# S/L/H; the official B file is a copy of the APT-36K config, with 32 per GPU
# and APT-36K's paths), MAE init. Codec: MSRA heatmaps 64x48, sigma 2, as
# the official configs (ViTPoseMSRAHeatmap, drawn on the device), a non-UDP
# crop and flip test with the flipped heatmaps shifted by one pixel. The
# sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/ap10k_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(
    head=dict(decoder=_base_.codec), test_cfg=dict(shift_heatmap=True))
