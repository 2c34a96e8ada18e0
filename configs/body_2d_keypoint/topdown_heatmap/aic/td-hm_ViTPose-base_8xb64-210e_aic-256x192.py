# ViTPose-B, classic decoder, trained and evaluated on AI Challenger alone at
# 256x192 (14 keypoints, OKS AP with GT boxes).
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_210e.py',
    '../../../_base_/datasets/aic_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
]

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))
model = dict(head=dict(out_channels=14))
