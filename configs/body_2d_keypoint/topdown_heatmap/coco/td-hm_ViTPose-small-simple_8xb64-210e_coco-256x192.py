# ViTPose-S, simple decoder (ReLU, bilinear x4, 3x3 conv), COCO
# 256x192. Paper: 73.5 AP on COCO val (detector boxes of 56 AP, flip test).
_base_ = ['./td-hm_ViTPose-small_8xb64-210e_coco-256x192.py']

model = dict(
    head=dict(
        _delete_=True,
        type='ViTPoseSimpleHead',
        in_channels=384,
        out_channels=17,
        upsample_factor=4,
        kernel_size=3,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}))
