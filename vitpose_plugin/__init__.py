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

First, a script of a source checkout (``python tools/train.py``) that
imported another, differing copy of the package (the one installed in the
environment) stops with both paths and the fix
(:mod:`vitpose_plugin.source_checkout`).
"""
from .source_checkout import check_main_script

check_main_script()
from .codecs import *  # noqa: E402,F401,F403
from .checkpoints import initializers  # noqa: E402,F401
from .models import *  # noqa: E402,F401,F403
from .datasets import *  # noqa: E402,F401,F403
from .engine import *  # noqa: E402,F401,F403
from .evaluation import *  # noqa: E402,F401,F403
from .version import __version__  # noqa: E402

__all__ = ['__version__']
