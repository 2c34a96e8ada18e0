# Runtime defaults: MMPose's own (hooks, logger, visualizer, env), plus the
# import that registers this plugin's components.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['vitpose_plugin'], allow_failed_imports=False)

# Keep the best checkpoint by COCO AP and log every 10 iterations.
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(
        type='CheckpointHook', save_best='coco/AP', rule='greater',
        max_keep_ckpts=1))
