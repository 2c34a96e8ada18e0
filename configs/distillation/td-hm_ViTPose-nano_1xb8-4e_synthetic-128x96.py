# The CPU student of the distillation evidence (docs/distillation.md): the
# learnability recipe (configs/vitpose_synthetic/, 128 wide x 4 blocks, the
# teacher) at half the width, 64 x 4, trained for 4 epochs. Trained
# alone it is the "no distillation" baseline; td-hm_ViTPose-tiny-to-nano-
# distill_* distils the teacher into this same model with the same data,
# schedule and seed.
_base_ = ['../vitpose_synthetic/td-hm_ViTPose-tiny_synthetic-128x96.py']

max_epochs = 4
val_interval = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=val_interval)
# Batch 8 at lr 2e-3, the schedule the distillation figures were measured
# with (the learnability recipe has since moved to batch 10).
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=400, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, T_max=max_epochs,
         eta_min=1e-5, by_epoch=True),
]
default_hooks = dict(checkpoint=dict(interval=val_interval))
# Without the learnability recipe's EMAHook: the distiller that inherits this
# schedule compares the student's own weights with and without distillation.
custom_hooks = [
    dict(type='TorchRuntimeHook', num_threads=1,
         sharing_strategy='file_system')
]

model = dict(
    backbone=dict(arch=dict(embed_dims=64, depth=4, num_heads=2,
                            mlp_ratio=4)),
    head=dict(in_channels=64))
