# MMPose 1.x's runtime defaults as mmengine resolves a config inheriting
# ``mmpose::_base_/default_runtime.py`` (hooks, logger, visualizer, env;
# every type in MMPose's scope, _scope_), written out rather than inherited:
# resolving an ``mmpose::`` base makes mmengine read all of MMPose's model-zoo
# metafiles on every config load (0.1-0.3 s each).
# tests/configs/test_default_runtime.py checks this file against the
# installed MMPose's, key by key. The plugin's additions: default_runtime.py.
default_scope = 'mmpose'

# hooks
default_hooks = dict(
    timer=dict(_scope_='mmpose', type='IterTimerHook'),
    logger=dict(_scope_='mmpose', type='LoggerHook', interval=50),
    param_scheduler=dict(_scope_='mmpose', type='ParamSchedulerHook'),
    checkpoint=dict(_scope_='mmpose', type='CheckpointHook', interval=10),
    sampler_seed=dict(_scope_='mmpose', type='DistSamplerSeedHook'),
    visualization=dict(
        _scope_='mmpose', type='PoseVisualizationHook', enable=False),
    badcase=dict(
        _scope_='mmpose',
        type='BadCaseAnalysisHook',
        enable=False,
        out_dir='badcase',
        metric_type='loss',
        badcase_thr=5))

# custom hooks
custom_hooks = [
    # Synchronize model buffers such as running_mean and running_var in BN
    # at the end of each epoch
    dict(_scope_='mmpose', type='SyncBuffersHook')
]

# multi-processing backend
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

# visualizer
vis_backends = [
    dict(_scope_='mmpose', type='LocalVisBackend'),
    # dict(type='TensorboardVisBackend'),
    # dict(type='WandbVisBackend'),
]
visualizer = dict(
    _scope_='mmpose',
    type='PoseLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],  # (no _scope_: resolved so)
    name='visualizer')

# logger
log_processor = dict(
    _scope_='mmpose',
    type='LogProcessor', window_size=50, by_epoch=True, num_digits=6)
log_level = 'INFO'
load_from = None
resume = False

# file I/O backend
backend_args = dict(backend='local')

# training/validation/testing progress
train_cfg = dict(by_epoch=True)
val_cfg = dict()
test_cfg = dict()
