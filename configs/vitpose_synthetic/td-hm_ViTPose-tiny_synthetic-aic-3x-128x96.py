# Multi-dataset evidence (docs/multi_dataset.md): the aic dataset alone at the
# budget of the 3x joint runs (6,000 iterations of batch 8, 48 epochs of its
# 1,000 instances): separates what the other datasets add from what the
# longer schedule adds.
_base_ = ['./td-hm_ViTPose-tiny_synthetic-aic-128x96.py']

max_epochs = 48
total_iters = 6000
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=200, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=total_iters,
         T_max=total_iters, eta_min=1e-5, by_epoch=False),
]
