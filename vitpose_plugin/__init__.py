"""ViTPose for MMPose.

Importing this package registers its components into MMPose's registries:
``ViTPoseBackbone``, ``ViTPoseClassicHead``, ``ViTPoseSimpleHead`` and the
distillation algorithms ``ViTPoseKnowledgeTokenTuner`` and
``ViTPoseTokenDistiller`` (``mmpose.registry.MODELS``)
and ``ViTPoseLayerDecayConstructor``
(``mmpose.registry.OPTIM_WRAPPER_CONSTRUCTORS``).
"""
from .engine import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .version import __version__

__all__ = ['__version__']
