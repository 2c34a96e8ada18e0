# ViTPose-Large on COCO 256x192 (the recipe of
# ../td-hm_ViTPose-large_8xb64-210e_coco-256x192.py) from this plugin's MAE
# pretraining on COCO + AIC person crops instead of ImageNet-1k MAE (paper
# sec. 4.2). Run both from the repository root with default work dirs:
#   python tools/train.py configs/mae_pretraining/mae_ViTPose-large_8xb512-1600e_coco-aic-256x192.py
#   python tools/train.py configs/body_2d_keypoint/topdown_heatmap/coco/mae_coco_aic/td-hm_ViTPose-large-mae-coco-aic_8xb64-210e_coco-256x192.py
# or point init_cfg elsewhere with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
# The MAE checkpoint loads as it is (layout mae_mmpretrain, every encoder
# tensor used, position embedding resized for other input sizes).
_base_ = ['../td-hm_ViTPose-large_8xb64-210e_coco-256x192.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            checkpoint='work_dirs/mae_ViTPose-large_8xb512-1600e_coco-aic-'
            '256x192/epoch_1600.pth')))
