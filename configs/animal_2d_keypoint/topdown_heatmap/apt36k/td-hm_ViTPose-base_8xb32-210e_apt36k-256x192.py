# ViTPose-B, classic decoder, on APT-36K (AP-10K's 17 keypoints, OKS AP with
# GT boxes, flip test) at 256x192, with the official ViTPose configs'
# hyper-parameters (ViTPose_<size>_apt36k_256x192.py): Adam lr 5e-4 without
# weight decay, layer decay or gradient clipping, drop path 0.3 for every
# size, 210 epochs (steps 170/200), 32 per GPU x 8 (the lr is for that total
# batch of 256), MAE init. Codec: MSRA heatmaps 64x48, sigma 2, as the
# official configs (ViTPoseMSRAHeatmap, drawn on the device), a non-UDP crop
# and flip test with the flipped heatmaps shifted by one pixel. The sizes
# inherit this file.
_base_ = [
    '../../../_base_/schedules/vitpose_adam_210e.py',
    '../../../_base_/datasets/apt36k_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(
    head=dict(decoder=_base_.codec), test_cfg=dict(shift_heatmap=True))
train_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=256)
