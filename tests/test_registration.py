import pytest
from mmpose.registry import (DATASETS, EVALUATORS, MODELS,
                             OPTIM_WRAPPER_CONSTRUCTORS, RUNNERS)

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
                         'ViTPoseMultiDatasetEstimator'}


def test_version():
    assert vitpose_plugin.__version__.count('.') == 2
