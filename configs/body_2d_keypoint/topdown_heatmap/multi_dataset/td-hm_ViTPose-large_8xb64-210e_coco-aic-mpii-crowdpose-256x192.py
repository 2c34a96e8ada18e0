# Multi-task ViTPose-L (paper sec. 4.6) on COCO + AI Challenger + MPII +
# CrowdPose: the ViTPose-B config with the ViT-L backbone (MAE init, drop
# path 0.5) and layer decay 0.8, as the COCO ViTPose-L config. Published:
# COCO val AP 79.1, CrowdPose test AP 76.6.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-aic-mpii-crowdpose-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
model = dict(
    backbone=_base_.vit_backbones.large,
    heads={name: dict(in_channels=1024) for name in _base_.dataset_names})
