import pytest
from mmengine.registry import FUNCTIONS
from mmpose.registry import (DATA_SAMPLERS, DATASETS, EVALUATORS, HOOKS,
                             LOOPS, MODELS, OPTIM_WRAPPER_CONSTRUCTORS,
                             OPTIM_WRAPPERS, RUNNERS, TRANSFORMS)

import vitpose_plugin
from vitpose_plugin.datasets import ViTPoseDatasetMixture
from vitpose_plugin.engine import ViTPoseLayerDecayConstructor, ViTPoseRunner
from vitpose_plugin.evaluation import ViTPoseMultiDatasetEvaluator
from vitpose_plugin.models import (ViTPoseBackbone, ViTPoseClassicHead,
                                   ViTPoseKnowledgeTokenTuner,
                                   ViTPoseMultiDatasetEstimator,
                                   ViTPoseSimpleHead, ViTPoseTokenDistiller)


@pytest.mark.parametrize('name, cls', [
    ('ViTPoseBackbone', ViTPoseBackbone),
    ('ViTPoseClassicHead', ViTPoseClassicHead),
    ('ViTPoseSimpleHead', ViTPoseSimpleHead),
    ('ViTPoseKnowledgeTokenTuner', ViTPoseKnowledgeTokenTuner),
    ('ViTPoseTokenDistiller', ViTPoseTokenDistiller),
    ('ViTPoseMultiDatasetEstimator', ViTPoseMultiDatasetEstimator),
])
def test_models_registered_in_mmpose(name, cls):
    assert MODELS.get(name) is cls
    assert MODELS.module_dict[name].__module__.startswith('vitpose_plugin')


@pytest.mark.parametrize('registry, cls', [
    (DATASETS, ViTPoseDatasetMixture),
    (EVALUATORS, ViTPoseMultiDatasetEvaluator),
    (RUNNERS, ViTPoseRunner),
])
def test_engine_components_registered_in_mmpose(registry, cls):
    assert registry.get(cls.__name__) is cls


@pytest.mark.parametrize('registry, name', [
    (TRANSFORMS, 'ViTPoseLoadImage'),
    (TRANSFORMS, 'ViTPoseRandomBBoxTransform'),
    (TRANSFORMS, 'ViTPoseTopdownAffine'),
    (TRANSFORMS, 'PackViTPoseInputs'),
    (DATA_SAMPLERS, 'ViTPoseImageGroupedSampler'),
    (HOOKS, 'ViTPoseRuntimeInfoHook'),
    (OPTIM_WRAPPERS, 'ViTPoseOptimWrapper'),
    (OPTIM_WRAPPERS, 'ViTPoseAmpOptimWrapper'),
    (MODELS, 'ViTPoseDataPreprocessor'),
    (FUNCTIONS, 'vitpose_collate'),
    (FUNCTIONS, 'vitpose_image_collate'),
])
def test_training_speed_components_registered(registry, name):
    component = registry.get(name)
    assert component is not None
    assert component.__module__.startswith('vitpose_plugin')


@pytest.mark.parametrize('registry, name', [
    (TRANSFORMS, 'ViTPoseCheckAnnotation'),
    (HOOKS, 'ViTPoseNonFiniteLossHook'),
    (LOOPS, 'ViTPoseEpochBasedTrainLoop'),
])
def test_reliability_components_registered(registry, name):
    component = registry.get(name)
    assert component is not None
    assert component.__module__.startswith('vitpose_plugin')


def test_constructor_registered_in_mmpose():
    name = 'ViTPoseLayerDecayConstructor'
    assert OPTIM_WRAPPER_CONSTRUCTORS.get(name) is \
        ViTPoseLayerDecayConstructor


def test_names_do_not_shadow_mmpose_components():
    # Every name this plugin registers belongs to it: none replaced one of
    # MMPose's own modules (a collision would need force=True or raise).
    ours = [name for name, cls in MODELS.module_dict.items()
            if cls.__module__.startswith('vitpose_plugin')]
    assert set(ours) == {'ViTPoseBackbone', 'ViTPoseClassicHead',
                         'ViTPoseSimpleHead', 'ViTPoseKnowledgeTokenTuner',
                         'ViTPoseTokenDistiller',
                         'ViTPoseMultiDatasetEstimator',
                         'ViTPoseDataPreprocessor',
                         'ViTPoseExpMomentumEMA'}


def test_version():
    assert vitpose_plugin.__version__.count('.') == 2
