# ViTPose-L, simple decoder (ReLU, bilinear x4, 3x3 conv), COCO
# 256x192. Paper: 78.2 AP on COCO val (detector boxes of 56 AP, flip test).
_base_ = ['./td-hm_ViTPose-large_8xb64-210e_coco-256x192.py']

model = dict(
    head=dict(
        _delete_=True,
        type='ViTPoseSimpleHead',
        in_channels=1024,
        out_channels=17,
        upsample_factor=4,
        kernel_size=3,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}))
