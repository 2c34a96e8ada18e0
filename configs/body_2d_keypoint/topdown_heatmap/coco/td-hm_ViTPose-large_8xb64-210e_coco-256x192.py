# ViTPose-L, classic decoder, COCO 256x192. Paper: 78.3 AP on COCO val
# (detector boxes of 56 AP, flip test); MMPose 1.x retrained: 78.2.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))

model = dict(
    backbone=dict(
        arch='large',
        drop_path_rate=0.5,
        init_cfg=dict(
            checkpoint='https://download.openmmlab.com/mmpose/v1/'
            'pretrained_models/mae_pretrain_vit_large_20230913.pth')),
    head=dict(in_channels=1024))
