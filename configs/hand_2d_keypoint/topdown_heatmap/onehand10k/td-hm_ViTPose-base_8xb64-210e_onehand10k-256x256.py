# ViTPose-B, classic decoder, on OneHand10K (one hand, 21 keypoints; PCK@0.2,
# AUC, EPE, best by AUC; flip test). No ViTPose release has it; the recipe
# combines, value by value:
# - MMPose's UDP OneHand10K config (td-hm_hrnetv2-w18_udp-8xb64-210e_
#   onehand10k-256x256.py): input 256x256 (16x16 tokens), UDP heatmaps 64x64
#   with sigma 2, augmentation, metrics, 210 epochs with steps at 170/200,
#   64 per GPU x 8 (_base_/datasets/onehand10k_topdown_256x256.py);
# - the ViTPose recipe (paper, COCO configs; the same schedule): MAE init,
#   AdamW lr 5e-4, wd 0.1, layer decay 0.75, drop path 0.3, gradient
#   clipping 1.0, 500-iteration warm-up.
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_210e.py',
    '../../../_base_/datasets/onehand10k_topdown_256x256.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
    '../../../_base_/models/vitpose_sizes.py',
]

model = dict(
    backbone=dict(img_size=(256, 256)),
    head=dict(out_channels=21, decoder={{_base_.codec}}))
default_hooks = dict(checkpoint=dict(save_best='AUC', rule='greater'))
