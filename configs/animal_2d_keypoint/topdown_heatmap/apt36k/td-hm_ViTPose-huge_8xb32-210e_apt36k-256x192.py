# ViTPose-H on APT-36K: as the official ViTPose config
# ViTPose_huge_apt36k_256x192.py: the ViTPose-B config with this width (drop
# path 0.3, Adam without layer decay).
_base_ = ['./td-hm_ViTPose-base_8xb32-210e_apt36k-256x192.py']

model = dict(
    backbone=_base_.vit_backbones.huge,
    head=dict(in_channels=_base_.vit_widths.huge))
