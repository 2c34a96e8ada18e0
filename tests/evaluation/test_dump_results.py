"""``tools/test.py --dump``'s ViTPoseDumpResults next to any test
evaluator, the multi-dataset one included: the predictions of every dataset
in one file, the metrics unchanged; the file written atomically."""
import os
import pickle

import pytest
from mmengine.evaluator import Evaluator
from mmengine.runner import Runner

from vitpose_plugin.evaluation import (ViTPoseDumpResults,
                                       ViTPoseMultiDatasetEvaluator,
                                       with_dump_results)
from .test_multi_dataset_evaluator import (  # noqa: F401 (fixture blocks)
    NAMES, GroundTruthEcho, blocks, evaluator_cfg, mixture_cfg)


def val_run(blocks, tmp_path, evaluator):
    runner = Runner(
        model=GroundTruthEcho(),
        work_dir=str(tmp_path / 'work'),
        val_dataloader=dict(
            batch_size=4, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True, round_up=False),
            dataset=mixture_cfg(blocks, NAMES)),
        val_cfg=dict(),
        val_evaluator=evaluator,
        default_scope='mmpose')
    return runner, runner.val()


def test_multi_dataset_evaluator_dumps_every_dataset(blocks, tmp_path):
    dump = str(tmp_path / 'predictions.pkl')
    runner, metrics = val_run(
        blocks, tmp_path, with_dump_results(evaluator_cfg(blocks, NAMES),
                                            dump))
    assert isinstance(runner.val_evaluator, ViTPoseMultiDatasetEvaluator)
    assert metrics['coco/AP'] == pytest.approx(1.0)
    assert metrics['mpii/PCK'] == pytest.approx(100.0)
    assert {k.split('/')[0] for k in metrics} == set(NAMES)
    with open(dump, 'rb') as file:
        predictions = pickle.load(file)
    dataset = runner.val_dataloader.dataset
    assert len(predictions) == len(dataset)
    for name in NAMES:
        own = [p for p in predictions if p['dataset_name'] == name]
        assert len(own) == len(dataset.datasets[NAMES.index(name)])
        keypoints = own[0]['pred_instances']['keypoints']
        assert keypoints.shape[-2] == \
            dataset.metainfo['datasets'][name]['num_keypoints']


def test_every_evaluator_form_gets_the_dump(blocks, tmp_path):
    dump = str(tmp_path / 'd.pkl')
    metric = dict(type='PCKAccuracy')
    expected = dict(type='ViTPoseDumpResults', out_file_path=dump)
    assert with_dump_results(metric, dump) == [metric, expected]
    assert with_dump_results([metric], dump) == [metric, expected]
    assert with_dump_results(dict(metrics=metric), dump) == dict(
        metrics=[metric, expected])
    assert with_dump_results(dict(type='Evaluator', metrics=[metric]),
                             dump) == dict(type='Evaluator',
                                           metrics=[metric, expected])
    multi = evaluator_cfg(blocks, NAMES)
    dumped = with_dump_results(multi, dump)
    assert dumped['all_datasets_metrics'] == [expected]
    assert 'all_datasets_metrics' not in multi  # the config is not changed


def test_the_dump_replaces_a_file_atomically(tmp_path):
    dump = tmp_path / 'predictions.pkl'
    dump.write_bytes(b'earlier predictions')
    # A second name of the old file: written in place (mmengine's
    # DumpResults), it would change too; a new file renamed over the old
    # name leaves it whole.
    os.link(dump, tmp_path / 'reader.pkl')
    metric = ViTPoseDumpResults(out_file_path=str(dump))
    assert metric.compute_metrics([dict(score=0.5)]) == {}
    assert pickle.loads(dump.read_bytes()) == [dict(score=0.5)]
    assert (tmp_path / 'reader.pkl').read_bytes() == b'earlier predictions'
    assert sorted(os.listdir(tmp_path)) == ['predictions.pkl', 'reader.pkl']


def test_an_evaluator_it_cannot_extend_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"--dump.*'MyEvaluator'.*"
                       r"dict\(type='ViTPoseDumpResults'"):
        with_dump_results(dict(type='MyEvaluator', metrics=dict(a=1)),
                          str(tmp_path / 'd.pkl'))
    with pytest.raises(TypeError, match='a built Evaluator'):
        with_dump_results(Evaluator([]), str(tmp_path / 'd.pkl'))


def test_all_datasets_metrics_must_be_a_list(blocks):
    with pytest.raises(TypeError, match='all_datasets_metrics'):
        ViTPoseMultiDatasetEvaluator(
            metrics=evaluator_cfg(blocks, NAMES)['metrics'],
            all_datasets_metrics=dict(type='DumpResults',
                                      out_file_path='x.pkl'))
