# ViTPose-B trained on COCO train2017 (GT boxes) and evaluated on OCHuman
# (heavily occluded persons, OKS AP with GT boxes, flip test), with the
# official ViTPose config's hyper-parameters (ViTPose_base_ochuman_256x192.py):
# Adam lr 5e-4 without weight decay, layer decay or gradient clipping, drop
# path 0.3, 210 epochs (steps 170/200), 64 per GPU x 8, MAE init. Codec: MSRA
# heatmaps 64x48, sigma 2, as the official config (ViTPoseMSRAHeatmap, drawn
# on the device), a non-UDP crop and flip test with the flipped heatmaps
# shifted by one pixel. Test a COCO checkpoint of the same size directly:
#   tools/test.py THIS_CONFIG coco_vitpose_b.pth --cfg-options data_root=/path/to/ochuman/
# The sizes inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/ochuman_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(
    head=dict(decoder=_base_.codec), test_cfg=dict(shift_heatmap=True))
