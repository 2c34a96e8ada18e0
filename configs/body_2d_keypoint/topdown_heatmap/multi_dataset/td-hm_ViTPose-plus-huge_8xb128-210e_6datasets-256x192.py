# ViTPose++-H on the six datasets of the ViTPose++-B config, official recipe
# for H: ViT-H backbone (MAE init, drop path 0.55), experts of 320 outputs
# (fc2 keeps 1280 - 320), layer decay 0.8. Published: COCO val AP 79.4 (AR
# 84.8), MPII PCKh 94.2, AIC AP 34.8, AP-10K 82.4, APT-36K 82.3,
# COCO-WholeBody 61.2 (OCHuman 85.7).
_base_ = ['./td-hm_ViTPose-plus-base_8xb128-210e_6datasets-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
model = dict(
    backbone=dict(_base_.vit_backbones.huge, expert_dims=320),
    heads={name: dict(in_channels=1280) for name in _base_.dataset_names})
