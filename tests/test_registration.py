import pytest
from mmpose.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

import vitpose_plugin
from vitpose_plugin.engine import ViTPoseLayerDecayConstructor
from vitpose_plugin.models import (ViTPoseBackbone, ViTPoseClassicHead,
                                   ViTPoseKnowledgeTokenTuner,
                                   ViTPoseSimpleHead, ViTPoseTokenDistiller)


@pytest.mark.parametrize('name, cls', [
    ('ViTPoseBackbone', ViTPoseBackbone),
    ('ViTPoseClassicHead', ViTPoseClassicHead),
    ('ViTPoseSimpleHead', ViTPoseSimpleHead),
    ('ViTPoseKnowledgeTokenTuner', ViTPoseKnowledgeTokenTuner),
    ('ViTPoseTokenDistiller', ViTPoseTokenDistiller),
])
def test_models_registered_in_mmpose(name, cls):
    assert MODELS.get(name) is cls
    assert MODELS.module_dict[name].__module__.startswith('vitpose_plugin')


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
                         'ViTPoseTokenDistiller'}


def test_version():
    assert vitpose_plugin.__version__.count('.') == 2
