# ViTPose-H, classic decoder, COCO 256x192. Paper: 79.1 AP on COCO val
# (detector boxes of 56 AP, flip test); MMPose 1.x retrained: 78.8.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.85))

model = dict(
    backbone=dict(
        arch='huge',
        drop_path_rate=0.55,
        # MAE ViT-H/14 kernels go zero-padded into the 16x16 patch embedding
        # (the ring trains, as in the official recipe).
        patch_kernel_size=14,
        init_cfg=dict(
            checkpoint='https://download.openmmlab.com/mmpose/v1/'
            'pretrained_models/mae_pretrain_vit_huge_20230913.pth')),
    head=dict(in_channels=1280))
