"""Dump the raw predictions to a .pkl file: :class:`ViTPoseDumpResults`
(mmengine's ``DumpResults``, written atomically), added to a test evaluator
config of any form by :func:`with_dump_results` (``tools/test.py --dump``).
"""
from copy import deepcopy
from typing import Any, Union

from mmengine.evaluator import DumpResults, Evaluator
from mmengine.logging import print_log
from mmpose.registry import EVALUATORS, METRICS

from ..checkpoints.files import dump_atomically
from .multi_dataset_evaluator import ViTPoseMultiDatasetEvaluator

EvaluatorCfg = Union[dict, list, tuple]


@METRICS.register_module()
class ViTPoseDumpResults(DumpResults):
    """mmengine's ``DumpResults`` whose file is written through a temporary
    file renamed into place (:func:`~..checkpoints.files.dump_atomically`):
    a run killed while writing leaves the old file, never half a new one.
    An existing file is replaced; ``tools/test.py`` refuses one up front
    unless ``--force``.

    Args:
        out_file_path (str): The .pkl (or .pickle) file to write.
        collect_device (str): As for ``DumpResults``. Defaults to ``'cpu'``.
        collect_dir (str, optional): As for ``DumpResults``. Defaults to
            None.
    """

    def compute_metrics(self, results: list) -> dict:
        """Write ``results`` to ``out_file_path``; no metrics."""
        dump_atomically(results, self.out_file_path, file_format='pkl')
        print_log(f'Results have been saved to {self.out_file_path}.',
                  logger='current')
        return {}


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
    prediction to ``out_file_path``
    (``dict(type='ViTPoseDumpResults', ...)``).

    - a metric config or a list of them: the list plus the dump
      (mmengine's default evaluator);
    - an ``Evaluator`` config (``metrics=...``, ``type`` absent or
      ``'Evaluator'``): the dump added to its ``metrics``;
    - a ``ViTPoseMultiDatasetEvaluator`` config: the dump added to
      its ``all_datasets_metrics``, so it gets the samples of every dataset.

    Args:
        evaluator (dict | list): ``cfg.test_evaluator``.
        out_file_path (str): The .pkl file to write.

    Raises:
        ValueError: another evaluator type, whose metrics this cannot know.
        TypeError: a built ``Evaluator``.
    """
    dump_metric = dict(type='ViTPoseDumpResults', out_file_path=out_file_path)
    if isinstance(evaluator, Evaluator):
        raise TypeError('--dump needs the test evaluator as a config; got a '
                        f'built Evaluator ({type(evaluator).__name__})')
    if isinstance(evaluator, (list, tuple)):
        return [*deepcopy(list(evaluator)), dump_metric]
    evaluator = deepcopy(evaluator)
    evaluator_class = _evaluator_class(evaluator.get('type'))
    if evaluator_class is not None and issubclass(
            evaluator_class, ViTPoseMultiDatasetEvaluator):
        evaluator['all_datasets_metrics'] = [
            *(evaluator.get('all_datasets_metrics') or []), dump_metric]
        return evaluator
    if 'metrics' not in evaluator:
        return [evaluator, dump_metric]  # one metric config
    if evaluator.get('type', 'Evaluator') in ('Evaluator', Evaluator):
        evaluator['metrics'] = [*_as_list(evaluator['metrics']), dump_metric]
        return evaluator
    raise ValueError(
        f"--dump cannot add ViTPoseDumpResults to test_evaluator of type "
        f"{evaluator['type']!r}; add dict(type='ViTPoseDumpResults', "
        f"out_file_path='{out_file_path}') to its metrics in the config "
        'instead')
