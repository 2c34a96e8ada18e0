# ViTPose-B, classic decoder, trained on CrowdPose trainval and evaluated on
# its test split at 256x192 (14 keypoints, crowd-aware OKS AP, the official
# detector boxes det_for_crowd_test_0.1_0.5.json, flip test), with the
# official ViTPose config's hyper-parameters (ViTPose_base_crowdpose_
# 256x192.py): Adam lr 5e-4 without weight decay, layer decay or gradient
# clipping, drop path 0.3, 210 epochs (steps 170/200), 64 per GPU x 8, MAE
# init. Codec: UDP heatmaps 64x48 drawn on the device (the official config
# uses MSRA heatmaps). The sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/crowdpose_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(head=dict(out_channels=14))
default_hooks = dict(checkpoint=dict(save_best='crowdpose/AP', rule='greater'))
