# ViTPose-B, classic decoder, trained and evaluated (PCKh@0.5) on MPII alone at
# 256x256. The paper's MPII results come from multi-dataset training.
# MpiiPCKAccuracy reports PCKh@0.5 under the name 'PCK'.
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_210e.py',
    '../../../_base_/datasets/mpii_topdown_256x256.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
]

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))
model = dict(
    backbone=dict(img_size=(256, 256)),
    head=dict(out_channels=16, decoder={{_base_.codec}}))
default_hooks = dict(checkpoint=dict(save_best='PCK', rule='greater'))
