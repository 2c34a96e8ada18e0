# ViTPose++-S on the six datasets of the ViTPose++-B config, official recipe
# for S: ViT-S backbone (MAE init, drop path 0.1), experts of 192 outputs
# (fc2 keeps 384 - 192), layer decay 0.8. Published: COCO val AP 75.8 (AR
# 82.6), MPII PCKh 92.7, AIC AP 29.7, AP-10K 71.4, APT-36K 74.2,
# COCO-WholeBody 54.4 (OCHuman 78.4).
_base_ = ['./td-hm_ViTPose-plus-base_8xb128-210e_6datasets-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
model = dict(
    backbone=dict(_base_.vit_backbones.small, expert_dims=192),
    heads={name: dict(in_channels=384) for name in _base_.dataset_names})
