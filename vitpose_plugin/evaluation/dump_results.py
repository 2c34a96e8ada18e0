"""Add mmengine's ``DumpResults`` (the raw predictions to a .pkl file) to a
test evaluator config, whatever its form: what ``tools/test.py --dump``
does."""
from copy import deepcopy
from typing import Any, Union

from mmengine.evaluator import Evaluator
from mmpose.registry import EVALUATORS

from .multi_dataset_evaluator import ViTPoseMultiDatasetEvaluator

EvaluatorCfg = Union[dict, list, tuple]


def _evaluator_class(type_: Any) -> Any:
    """The evaluator class a config's ``type`` names (None if it names no
    evaluator, e.g. a metric)."""
    if isinstance(type_, type):
        return type_
    return EVALUATORS.get(type_) if isinstance(type_, str) else None


def _as_list(metrics: Any) -> list:
    return list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]


def with_dump_results(evaluator: EvaluatorCfg,
                      out_file_path: str) -> EvaluatorCfg:
    """A copy of the evaluator config ``evaluator`` that also dumps every
    prediction to ``out_file_path`` (``dict(type='DumpResults', ...)``).

    - a metric config or a list of them: the list plus ``DumpResults``
      (mmengine's default evaluator);
    - an ``Evaluator`` config (``metrics=...``, ``type`` absent or
      ``'Evaluator'``): ``DumpResults`` added to its ``metrics``;
    - a ``ViTPoseMultiDatasetEvaluator`` config: ``DumpResults`` added to
      its ``all_datasets_metrics``, so it gets the samples of every dataset.

    Args:
        evaluator (dict | list): ``cfg.test_evaluator``.
        out_file_path (str): The .pkl file to write.

    Raises:
        ValueError: another evaluator type, whose metrics this cannot know.
        TypeError: a built ``Evaluator``.
    """
    dump = dict(type='DumpResults', out_file_path=out_file_path)
    if isinstance(evaluator, Evaluator):
        raise TypeError('--dump needs the test evaluator as a config; got a '
                        f'built Evaluator ({type(evaluator).__name__})')
    if isinstance(evaluator, (list, tuple)):
        return [*deepcopy(list(evaluator)), dump]
    evaluator = deepcopy(evaluator)
    evaluator_class = _evaluator_class(evaluator.get('type'))
    if evaluator_class is not None and issubclass(
            evaluator_class, ViTPoseMultiDatasetEvaluator):
        evaluator['all_datasets_metrics'] = [
            *(evaluator.get('all_datasets_metrics') or []), dump]
        return evaluator
    if 'metrics' not in evaluator:
        return [evaluator, dump]  # one metric config
    if evaluator.get('type', 'Evaluator') in ('Evaluator', Evaluator):
        evaluator['metrics'] = [*_as_list(evaluator['metrics']), dump]
        return evaluator
    raise ValueError(
        f"--dump cannot add DumpResults to test_evaluator of type "
        f"{evaluator['type']!r}; add dict(type='DumpResults', "
        f"out_file_path='{out_file_path}') to its metrics in the config "
        'instead')
