# ViTPose-B, classic decoder, COCO 256x192. Paper: 75.8 AP on COCO val
# (detector boxes of 56 AP, flip test); MMPose 1.x retrained: 75.7.
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_210e.py',
    '../../../_base_/datasets/coco_topdown_256x192.py',
]

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ViTPoseBackbone',
        arch='base',
        img_size=(256, 192),
        patch_size=16,
        patch_padding=2,
        qkv_bias=True,
        drop_path_rate=0.3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmpose/v1/'
            'pretrained_models/mae_pretrain_vit_base_20230913.pth')),
    head=dict(
        type='ViTPoseClassicHead',
        in_channels=768,
        out_channels=17,
        deconv_out_channels=(256, 256),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))
