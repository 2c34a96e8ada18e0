# ViTPose-L on InterHand2.6M: as the official ViTPose config
# ViTPose_large_interhand2d_all_256x192.py: the ViTPose-B config with this
# width (drop path 0.3, Adam without layer decay).
_base_ = ['./td-hm_ViTPose-base_8xb64-60e_interhand2d-256x192.py']

model = dict(
    backbone=_base_.vit_backbones.large,
    head=dict(in_channels=_base_.vit_widths.large))
