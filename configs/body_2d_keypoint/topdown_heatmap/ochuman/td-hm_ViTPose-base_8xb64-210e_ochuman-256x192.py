# ViTPose-B trained on COCO train2017 (GT boxes) and evaluated on OCHuman
# (heavily occluded persons, OKS AP with GT boxes, flip test), with the
# official ViTPose config's hyper-parameters (ViTPose_base_ochuman_256x192.py):
# Adam lr 5e-4 without weight decay, layer decay or gradient clipping, drop
# path 0.3, 210 epochs (steps 170/200), 64 per GPU x 8, MAE init. Codec: UDP
# heatmaps 64x48 drawn on the device (the official config uses MSRA
# heatmaps). Test a COCO checkpoint of the same size directly:
#   tools/test.py THIS_CONFIG coco_vitpose_b.pth --cfg-options data_root=/path/to/ochuman/
# The sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/ochuman_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]
