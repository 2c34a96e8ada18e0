# ViTPose-B, classic decoder, trained and evaluated on AI Challenger alone at
# 256x192 (14 keypoints, OKS AP with GT boxes, flip test), with the official
# ViTPose config's hyper-parameters (ViTPose_base_aic_256x192.py): Adam lr
# 5e-4 without weight decay, layer decay or gradient clipping, drop path 0.3,
# 210 epochs (steps 170/200), 64 per GPU x 8, MAE init (the official README
# passes it with model.pretrained). Codec: MSRA heatmaps 64x48, sigma 2, as
# the official config (ViTPoseMSRAHeatmap, drawn on the device), a non-UDP
# crop and flip test with the flipped heatmaps shifted by one pixel. The
# sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/aic_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(
    head=dict(out_channels=14, decoder=_base_.codec),
    test_cfg=dict(shift_heatmap=True))
