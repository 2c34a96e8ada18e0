"""ViTPose for MMPose.

Importing this package registers its components into MMPose's registries:
``ViTPoseBackbone``, ``ViTPoseClassicHead``, ``ViTPoseSimpleHead``, the
distillation algorithms ``ViTPoseKnowledgeTokenTuner`` and
``ViTPoseTokenDistiller`` and ``ViTPoseMultiDatasetEstimator``
(``mmpose.registry.MODELS``), ``ViTPoseDatasetMixture``
(``mmpose.registry.DATASETS``), ``ViTPoseMultiDatasetEvaluator``
(``mmpose.registry.EVALUATORS``),
``ViTPoseLayerDecayConstructor``
(``mmpose.registry.OPTIM_WRAPPER_CONSTRUCTORS``), ``SyntheticCocoDataset``
(``mmpose.registry.DATASETS``), ``TorchRuntimeHook``
(``mmpose.registry.HOOKS``) and ``ViTPoseRunner``
(``mmpose.registry.RUNNERS``), ``ViTPoseUDPHeatmap`` and
``ViTPoseMSRAHeatmap`` (``mmpose.registry.KEYPOINT_CODECS``), and the
checkpoint initializers ``ViTPosePretrained``, ``ViTPoseModelCheckpoint``
and ``ViTPoseKnowledgeToken`` (mmengine's ``WEIGHT_INITIALIZERS``). Checkpoint
tools live in :mod:`vitpose_plugin.checkpoints`. The subpackages import
only downwards, so the order of these imports does not matter.
"""
from .codecs import *  # noqa: F401,F403
from .checkpoints import initializers  # noqa: F401
from .models import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .version import __version__

__all__ = ['__version__']
