# MAE pretraining of the ViTPose-Small backbone on COCO + AIC person crops at
# 256x192; the recipe of mae_ViTPose-base_8xb512-1600e_coco-aic-256x192.py
# (MAE's decoder: width 512, depth 8, 16 heads, for every size).
_base_ = ['./mae_ViTPose-base_8xb512-1600e_coco-aic-256x192.py']

model = dict(backbone=dict(arch='small'), neck=dict(embed_dim=384))
