# ViTPose-B, classic decoder, COCO 256x192. Paper: 75.8 AP on COCO val
# (detector boxes of 56 AP, flip test); MMPose 1.x retrained: 75.7.
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_210e.py',
    '../../../_base_/datasets/coco_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
]

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))
