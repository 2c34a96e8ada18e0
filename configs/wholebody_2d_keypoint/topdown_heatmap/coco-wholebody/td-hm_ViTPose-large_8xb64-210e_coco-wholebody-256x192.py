# ViTPose-L on COCO-WholeBody: as the official ViTPose config
# ViTPose_large_wholebody_256x192.py: the ViTPose-B config with this width
# (drop path 0.3, Adam without layer decay).
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-wholebody-256x192.py']

model = dict(
    backbone=_base_.vit_backbones.large,
    head=dict(in_channels=_base_.vit_widths.large))
