# Runtime defaults: MMPose's own (mmpose_runtime.py: hooks, logger,
# visualizer, env), plus the import that registers this plugin's components.
_base_ = ['./mmpose_runtime.py']

custom_imports = dict(imports=['vitpose_plugin'], allow_failed_imports=False)

# Keep the best checkpoint by COCO AP and log every 10 iterations. The
# training losses and accuracy stay on the device between log lines
# (ViTPoseRuntimeInfoHook); acc_pose is computed on logged iterations only,
# so the log shows that iteration's value. A NaN/inf loss or gradient stops
# training with an error naming the iteration and the term, and no checkpoint
# with non-finite weights is written (ViTPoseNonFiniteLossHook; set
# optim_wrapper.nonfinite='skip' to skip such steps instead).
default_hooks = dict(
    runtime_info=dict(type='ViTPoseRuntimeInfoHook'),
    nonfinite=dict(type='ViTPoseNonFiniteLossHook'),
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(
        type='CheckpointHook', save_best='coco/AP', rule='greater',
        max_keep_ckpts=1))
log_processor = dict(
    custom_cfg=[dict(data_src='acc_pose', method_name='current')])
