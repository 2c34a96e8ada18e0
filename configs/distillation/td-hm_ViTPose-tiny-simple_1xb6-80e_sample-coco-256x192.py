# The CPU-sized teacher of the distillation examples: a 4-block, 192-wide
# ViTPose with the simple decoder (cheap on a CPU), trained from scratch on
# the shipped COCO sample. The student is td-hm_ViTPose-nano_* (2 x 96).
_base_ = ['./td-hm_ViTPose-nano_1xb6-60e_sample-coco-256x192.py']

max_epochs = 80
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=20, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, T_max=max_epochs,
         eta_min=1e-5, by_epoch=True),
]
default_hooks = dict(checkpoint=dict(interval=max_epochs))

model = dict(
    backbone=dict(
        arch=dict(embed_dims=192, depth=4, num_heads=6, mlp_ratio=4)),
    head=dict(in_channels=192))
