"""Refuse misspelt keys of hooks and of the model's ``test_cfg`` and
``train_cfg`` before a run starts.

mmengine builds hooks with keyword arguments, and some hooks take
``**kwargs`` that fail much later (``CheckpointHook`` hands them to
``Runner.save_checkpoint`` at the first save, after an epoch of training);
a pose model's ``test_cfg`` and ``train_cfg`` are plain dicts read with
``.get``, so a misspelt key there is silently ignored. This module compares
the keys of a config with what its components accept or read, and names
the config path of each unknown key and the closest valid one.
"""
import difflib
import inspect
from typing import (Any, FrozenSet, Iterable, List, Mapping, Optional,
                    Sequence)

from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS, MODELS, Registry
from mmpose.models.pose_estimators import TopdownPoseEstimator

#: Keys that mmengine reads itself from any config it builds or merges:
#: ``_scope_`` (the registry scope, set by ``mmpose::`` base configs).
MMENGINE_KEYS = frozenset({'_scope_'})

#: Keys of a hook config that are not arguments of the hook: mmengine's
#: ``Runner.register_hook`` reads ``type`` and ``priority`` itself.
HOOK_RUNNER_KEYS = MMENGINE_KEYS | {'type', 'priority'}

#: The model options a component reads from its config dicts.
RUN_OPTIONS = ('test_cfg', 'train_cfg')

#: ``test_cfg``/``train_cfg`` keys that MMPose's estimators read themselves
#: (mmpose/models/pose_estimators/topdown.py), besides their heads' keys.
#: The plugin's own components declare theirs as ``test_cfg_defaults`` and
#: ``train_cfg_defaults`` class attributes, next to the code that reads them.
MMPOSE_ESTIMATOR_OPTIONS = {
    TopdownPoseEstimator: dict(
        test_cfg=frozenset({'flip_test', 'output_keypoint_indices'}),
        train_cfg=frozenset()),
}


class UnknownConfigKeyError(ValueError):
    """A config sets keys that the components it configures do not read."""


def check_config_keys(cfg: Mapping) -> None:
    """Check the keys of the hooks (``default_hooks``, ``custom_hooks``) and
    of every ``test_cfg``/``train_cfg`` in ``model`` of a runner config.

    A hook's keys are compared with the arguments of its class' ``__init__``
    (resolved in the config's ``default_scope`` as the runner does); hooks
    that take ``**kwargs`` other than ``CheckpointHook`` are not checked.
    The keys of an estimator's ``test_cfg`` and ``train_cfg`` are compared
    with those the estimator and its head(s) read; models with a component
    that does not declare its keys are not checked.

    Args:
        cfg (Mapping): The config (``mmengine.Config`` or a dict).

    Raises:
        UnknownConfigKeyError: One line per unknown key, e.g.
            ``default_hooks.checkpoint: unknown key 'intervall' (did you
            mean 'interval'?)``.
    """
    scope = cfg.get('default_scope')
    problems = []
    default_hooks = cfg.get('default_hooks') or {}
    for name, hook in default_hooks.items():
        problems += _hook_problems(hook, f'default_hooks.{name}', scope)
    for index, hook in enumerate(cfg.get('custom_hooks') or []):
        problems += _hook_problems(hook, f'custom_hooks.{index}', scope)
    model = cfg.get('model')
    if isinstance(model, Mapping):
        problems += _model_problems(model, 'model', scope)
    if problems:
        raise UnknownConfigKeyError('\n'.join(problems))


def unknown_key_problems(path: str, keys: Iterable[str],
                         valid: Iterable[str], owner: str) -> List[str]:
    """One line for each of ``keys`` not in ``valid``, with the closest
    valid key, or all of them when none is close.

    Args:
        path (str): Config path of the dict holding ``keys``.
        keys (Iterable[str]): The keys set by the config.
        valid (Iterable[str]): The keys that are read.
        owner (str): What reads them, for the message.
    """
    valid = sorted(set(valid) - MMENGINE_KEYS)
    problems = []
    for key in keys:
        if key in valid or key in MMENGINE_KEYS:
            continue
        close = difflib.get_close_matches(str(key), valid, n=1)
        hint = f'did you mean {close[0]!r}?' if close else \
            f'{owner} takes only: {", ".join(valid)}'
        problems.append(f'{path}: unknown key {key!r} ({hint})')
    return problems


def hook_keys(hook_cls: type) -> Optional[FrozenSet[str]]:
    """The keys a config of ``hook_cls`` may set, None for any.

    Args:
        hook_cls (type): A hook class.
    """
    if hook_cls.__init__ is object.__init__:
        return HOOK_RUNNER_KEYS
    parameters = list(
        inspect.signature(hook_cls.__init__).parameters.values())[1:]
    # CheckpointHook hands its **kwargs to Runner.save_checkpoint, whose
    # every argument it already passes: any extra key fails at that save.
    if hook_cls.__init__ is not CheckpointHook.__init__ and any(
            p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return HOOK_RUNNER_KEYS | {
        p.name for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def declared_options(component: type, option: str) -> Optional[FrozenSet[str]]:
    """The keys of ``option`` (``'test_cfg'`` or ``'train_cfg'``) that
    ``component`` reads, None when unknown.

    Args:
        component (type): A model or head class.
        option (str): One of :data:`RUN_OPTIONS`.
    """
    defaults = getattr(component, f'{option}_defaults', None)
    if isinstance(defaults, Mapping):
        return frozenset(defaults)
    return MMPOSE_ESTIMATOR_OPTIONS.get(component, {}).get(option)


def _resolve(registry: Registry, type_name: Any,
             scope: Optional[str]) -> Optional[type]:
    """The class ``type_name`` names in ``registry`` under ``scope``, as
    mmengine builds it; None if it names none (mmengine says so)."""
    if inspect.isclass(type_name):
        return type_name
    if not isinstance(type_name, str):
        return None
    key = type_name if '.' in type_name or scope in (None, registry.scope) \
        else f'{scope}.{type_name}'
    try:
        found = registry.get(key)
    except Exception:  # mmengine reports unknown types when it builds them
        return None
    return found if inspect.isclass(found) else None


def _hook_problems(hook: Any, path: str, scope: Optional[str]) -> List[str]:
    if not isinstance(hook, Mapping) or 'type' not in hook:
        return []  # a hook object, a removed default hook, or mmengine's error
    hook_cls = _resolve(HOOKS, hook['type'], hook.get('_scope_', scope))
    valid = hook_keys(hook_cls) if hook_cls is not None else None
    if valid is None:
        return []
    return unknown_key_problems(path, hook, valid, hook_cls.__name__)


def _head_configs(model: Mapping) -> Sequence[Mapping]:
    heads = [model.get('head')]
    if isinstance(model.get('heads'), Mapping):
        heads += list(model['heads'].values())
    return [head for head in heads if isinstance(head, Mapping)]


def _model_problems(model: Mapping, path: str,
                    scope: Optional[str]) -> List[str]:
    """Problems of the options of ``model`` and of the models nested in
    it (e.g. a distiller's student and teacher)."""
    problems: List[str] = []
    if any(isinstance(model.get(option), Mapping) for option in RUN_OPTIONS):
        components = [_resolve(MODELS, cfg.get('type'),
                               cfg.get('_scope_', scope))
                      for cfg in [model, *_head_configs(model)]]
        for option in RUN_OPTIONS:
            options = model.get(option)
            if not isinstance(options, Mapping) or None in components:
                continue
            declared = [declared_options(c, option) for c in components]
            if None in declared:
                continue
            names = list(dict.fromkeys(c.__name__ for c in components))
            owner = names[0] + (f' with {", ".join(names[1:])}'
                                if names[1:] else '')
            problems += unknown_key_problems(f'{path}.{option}', options,
                                             frozenset().union(*declared),
                                             owner)
    for key, value in model.items():
        if key not in RUN_OPTIONS and isinstance(value, Mapping):
            problems += _model_problems(value, f'{path}.{key}', scope)
    return problems
