# The ViTPose training recipe (paper and official configs): AdamW lr 5e-4,
# betas (0.9, 0.999), weight decay 0.1 with layer-wise lr decay (rate set per
# model size), gradient clipping at 1.0, 500-iteration linear warm-up from
# 0.001x, step decay at epochs 170 and 200, 210 epochs. The lr is for a total
# batch of 512 (64 x 8 GPUs); --auto-scale-lr rescales it to the real batch.
# ViTPoseOptimWrapper keeps the gradient norm on the device until it is
# logged; tools/train.py --amp makes it ViTPoseAmpOptimWrapper (bfloat16).
_base_ = ['../default_runtime.py']

max_epochs = 210
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)

optim_wrapper = dict(
    type='ViTPoseOptimWrapper',
    optimizer=dict(
        type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.1),
    constructor='ViTPoseLayerDecayConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.75),
    clip_grad=dict(max_norm=1.0, norm_type=2))

param_scheduler = [
    dict(
        type='LinearLR', begin=0, end=500, start_factor=0.001,
        by_epoch=False),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        milestones=[170, 200],
        gamma=0.1,
        by_epoch=True),
]

auto_scale_lr = dict(base_batch_size=512)
