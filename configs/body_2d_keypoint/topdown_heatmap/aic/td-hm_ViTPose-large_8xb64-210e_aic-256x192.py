# ViTPose-L on AI Challenger: as the official ViTPose config
# ViTPose_large_aic_256x192.py: the ViTPose-B config with this width and drop
# path 0.55 (Adam without layer decay).
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_aic-256x192.py']

model = dict(
    backbone=dict(_base_.vit_backbones.large, drop_path_rate=0.55),
    head=dict(in_channels=_base_.vit_widths.large))
