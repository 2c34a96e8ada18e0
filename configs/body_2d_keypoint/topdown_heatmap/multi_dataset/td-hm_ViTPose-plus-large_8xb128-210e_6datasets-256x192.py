# ViTPose++-L on the six datasets of the ViTPose++-B config, official recipe
# for L: ViT-L backbone (MAE init, drop path 0.5), experts of 256 outputs
# (fc2 keeps 1024 - 256), layer decay 0.8. Published: COCO val AP 78.6 (AR
# 84.1), MPII PCKh 94.0, AIC AP 34.3, AP-10K 80.4, APT-36K 80.8,
# COCO-WholeBody 60.6 (OCHuman 85.7).
_base_ = ['./td-hm_ViTPose-plus-base_8xb128-210e_6datasets-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
model = dict(
    backbone=dict(_base_.vit_backbones.large, expert_dims=256),
    heads={name: dict(in_channels=1024) for name in _base_.dataset_names})
