# ViTPose-B, classic decoder, trained on CrowdPose trainval and evaluated on
# its test split at 256x192 (14 keypoints, crowd-aware OKS AP).
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_210e.py',
    '../../../_base_/datasets/crowdpose_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
]

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))
model = dict(head=dict(out_channels=14))
default_hooks = dict(checkpoint=dict(save_best='crowdpose/AP', rule='greater'))
