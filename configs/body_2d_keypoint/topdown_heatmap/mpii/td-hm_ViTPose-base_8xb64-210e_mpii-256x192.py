# ViTPose-B, classic decoder, trained and evaluated (PCKh@0.5, reported as
# 'PCK'; GT boxes, flip test) on MPII alone at 256x192 with UDP heatmaps
# 64x48, with the official ViTPose config's hyper-parameters
# (ViTPose_base_mpii_256x192.py): Adam lr 5e-4 without weight decay, layer
# decay or gradient clipping, drop path 0.3, 210 epochs (steps 170/200),
# 64 per GPU x 8, MAE init. The sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/mpii_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(head=dict(out_channels=16))
default_hooks = dict(checkpoint=dict(save_best='PCK', rule='greater'))
