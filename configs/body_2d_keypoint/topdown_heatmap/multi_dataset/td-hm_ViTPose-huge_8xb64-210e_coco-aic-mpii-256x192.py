# Multi-task ViTPose-H (paper sec. 4.6) on COCO + AI Challenger + MPII: the
# ViTPose-B config with the ViT-H backbone (MAE init, drop path 0.55) and
# layer decay 0.85, as the COCO ViTPose-H config. Published COCO val AP: 79.5.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-aic-mpii-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.85))
model = dict(
    backbone=_base_.vit_backbones.huge,
    heads={name: dict(in_channels=1280) for name in _base_.dataset_names})
