# ViTPose-S on WFLW: the ViTPose-B config with the paper's S recipe values
# (drop path 0.1, layer decay 0.8; FACTS / COCO configs).
_base_ = ['./td-hm_ViTPose-base_8xb64-60e_wflw-256x256.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
model = dict(
    backbone=dict(_base_.vit_backbones.small, drop_path_rate=0.1),
    head=dict(in_channels=_base_.vit_widths.small))
