# ViTPose-S, classic decoder, COCO 256x192. Paper: 73.8 AP on COCO val
# (detector boxes of 56 AP, flip test); MMPose 1.x retrained: 73.9.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))

model = dict(
    backbone=dict(
        arch='small',
        drop_path_rate=0.1,
        init_cfg=dict(
            checkpoint='https://download.openmmlab.com/mmpose/v1/'
            'pretrained_models/mae_pretrain_vit_small_20230913.pth')),
    head=dict(in_channels=384))
