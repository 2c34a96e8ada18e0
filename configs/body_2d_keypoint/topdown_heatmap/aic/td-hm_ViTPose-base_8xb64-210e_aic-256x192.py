# ViTPose-B, classic decoder, trained and evaluated on AI Challenger alone at
# 256x192 (14 keypoints, OKS AP with GT boxes, flip test), with the official
# ViTPose config's hyper-parameters (ViTPose_base_aic_256x192.py): Adam lr
# 5e-4 without weight decay, layer decay or gradient clipping, drop path 0.3,
# 210 epochs (steps 170/200), 64 per GPU x 8, MAE init (the official README
# passes it with model.pretrained). Codec: UDP heatmaps 64x48 drawn on the
# device (the official AIC config uses MSRA heatmaps, which this plugin's
# device targets do not draw). The sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/aic_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(head=dict(out_channels=14))
