"""ViTPoseMultiDatasetEvaluator on the samples: every dataset by its own
metric, prefixed by its name."""
import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.structures import InstanceData
from mmpose.registry import DATASETS, EVALUATORS, METRICS

from vitpose_plugin.evaluation import ViTPoseMultiDatasetEvaluator
from ..datasets.sample_datasets import sample_blocks

NAMES = ['coco', 'aic', 'mpii']


@pytest.fixture(scope='module')
def blocks(tmp_path_factory):
    return sample_blocks(str(tmp_path_factory.mktemp('evaluator')))


def build(registry, cfg):
    with DefaultScope.overwrite_default_scope('mmpose'):
        return registry.build(cfg)


def mixture_cfg(blocks, names):
    return dict(
        type='ViTPoseDatasetMixture',
        datasets=[blocks[f'{n}_val'] for n in names],
        names=names)


def evaluator_cfg(blocks, names):
    metrics = {n: blocks[f'{n}_metric'] for n in names}
    return dict(type='ViTPoseMultiDatasetEvaluator', metrics=metrics)


def predict(sample, noise=0.0, rng=None):
    """``sample`` with its ground-truth keypoints (plus Gaussian noise of
    ``noise`` pixels) as the prediction."""
    sample = sample.clone()
    keypoints = sample.gt_instances.keypoints.copy()
    if noise:
        keypoints = keypoints + rng.normal(0, noise, keypoints.shape)
    sample.pred_instances = InstanceData(
        keypoints=keypoints, keypoint_scores=np.ones(keypoints.shape[:2]))
    return sample


@pytest.fixture(scope='module')
def packed(blocks):
    """Every sample of the COCO+AIC+MPII val mixture, packed."""
    mix = build(DATASETS, mixture_cfg(blocks, NAMES))
    return mix, [mix[i] for i in range(len(mix))]


def run(evaluator, meta, packed, order, predictions, batch_size=5):
    """Evaluate ``predictions`` in batches of mixed datasets."""
    evaluator.dataset_meta = meta
    for b in range(0, len(order), batch_size):
        idx = order[b:b + batch_size]
        batch = dict(
            inputs=[packed[i]['inputs'] for i in idx],
            data_samples=[packed[i]['data_samples'] for i in idx])
        evaluator.process([predictions[i] for i in idx], batch)
    return evaluator.evaluate(len(order))


class GroundTruthEcho(BaseModel):
    """Predicts every sample's ground-truth keypoints."""

    def __init__(self) -> None:
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='predict'):
        return [predict(s) for s in data_samples]


def test_ground_truth_reaches_every_maximum_in_a_val_run(blocks, tmp_path):
    """One runner val run (config syntax as in the experiment configs):
    each dataset's metric at its maximum under its own prefix."""
    runner = Runner(
        model=GroundTruthEcho(),
        work_dir=str(tmp_path),
        val_dataloader=dict(
            batch_size=4,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True, round_up=False),
            dataset=mixture_cfg(blocks, NAMES)),
        val_cfg=dict(),
        val_evaluator=evaluator_cfg(blocks, NAMES),
        default_scope='mmpose')
    metrics = runner.val()
    assert metrics['coco/AP'] == pytest.approx(1.0)
    assert metrics['aic/AP'] == pytest.approx(1.0)
    assert metrics['mpii/PCK'] == pytest.approx(100.0)
    assert {k.split('/')[0] for k in metrics} == set(NAMES)


def test_matches_each_dataset_evaluated_alone(blocks, packed):
    """Noisy predictions in mixed batches give, under each prefix, what the
    dataset's metric gives on that dataset alone."""
    mix, samples = packed
    rng = np.random.default_rng(0)
    predictions = [predict(p['data_samples'], 12.0, rng) for p in samples]
    order = list(rng.permutation(len(samples)))
    evaluator = build(EVALUATORS, evaluator_cfg(blocks, NAMES))
    assert isinstance(evaluator, ViTPoseMultiDatasetEvaluator)
    results = run(evaluator, mix.metainfo, samples, order, predictions)

    for name in NAMES:
        # Reference: the dataset and its metric built on their own.
        alone = build(DATASETS, blocks[f'{name}_val'])
        metric = build(METRICS, blocks[f'{name}_metric'])
        metric.dataset_meta = alone.metainfo
        metric.prefix = None  # bare metric names
        own = [p for p in predictions if p.dataset_name == name]
        assert len(own) == len(alone)
        metric.process({}, [p.to_dict() for p in own])
        expected = metric.evaluate(len(own))
        assert expected
        for key, value in expected.items():
            assert results[f'{name}/{key}'] == pytest.approx(value)
    assert results['coco/AP'] < 1.0 and results['mpii/PCK'] < 100.0


def test_two_datasets_of_one_class(blocks, tmp_path):
    """AP-10K and APT-36K (both AP10KDataset, metainfo name 'ap10k') give
    two separately prefixed results."""
    names = ['ap10k', 'apt36k']
    mix = build(DATASETS, mixture_cfg(blocks, names))
    samples = [mix[i] for i in range(len(mix))]
    rng = np.random.default_rng(1)
    # Exact predictions for AP-10K, noisy ones for APT-36K.
    predictions = [
        predict(p['data_samples'], 20.0 * p['data_samples'].dataset_idx, rng)
        for p in samples
    ]
    evaluator = build(EVALUATORS, evaluator_cfg(blocks, names))
    results = run(evaluator, mix.metainfo, samples, list(range(len(mix))),
                  predictions)
    assert results['ap10k/AP'] == pytest.approx(1.0)
    assert results['apt36k/AP'] < 1.0
    assert {k.split('/')[0] for k in results} == set(names)


def test_shared_class_name_needs_ann_file(blocks):
    names = ['ap10k', 'apt36k']
    mix = build(DATASETS, mixture_cfg(blocks, names))
    evaluator = build(
        EVALUATORS,
        dict(
            type='ViTPoseMultiDatasetEvaluator',
            metrics=dict(
                ap10k=dict(type='CocoMetric'), apt36k=blocks.apt36k_metric)))
    with pytest.raises(ValueError, match=r"metrics\['ap10k'\].*ann_file"):
        evaluator.dataset_meta = mix.metainfo


def test_routing_errors(blocks, packed):
    mix, samples = packed
    evaluator = build(EVALUATORS, evaluator_cfg(blocks, NAMES))
    sample = predict(samples[0]['data_samples'])
    with pytest.raises(RuntimeError, match='dataset_meta'):
        evaluator.process([sample])
    evaluator.dataset_meta = mix.metainfo
    sample.set_metainfo(dict(dataset_name='ochuman'))
    with pytest.raises(KeyError, match="dataset_name='ochuman'"):
        evaluator.process([sample])


def test_configuration_errors(blocks, packed):
    mix, _ = packed
    with pytest.raises(TypeError, match='dict'):
        build(
            EVALUATORS,
            dict(
                type='ViTPoseMultiDatasetEvaluator',
                metrics=[blocks.coco_metric]))
    with pytest.raises(ValueError, match="remove `prefix`"):
        build(
            EVALUATORS,
            dict(
                type='ViTPoseMultiDatasetEvaluator',
                metrics=dict(
                    crowdpose=dict(
                        blocks.crowdpose_metric, prefix='crowdpose'))))
    two = build(EVALUATORS, evaluator_cfg(blocks, ['coco', 'aic']))
    with pytest.raises(ValueError, match=r"no metric for \['mpii'\]"):
        two.dataset_meta = mix.metainfo
    with pytest.raises(ValueError, match='ViTPoseDatasetMixture'):
        two.dataset_meta = mix.datasets[0].metainfo


def test_crowdpose_and_wholebody_metrics(blocks):
    """Crowd-aware AP (CrowdPose) and CocoWholeBodyMetric (133 keypoints)
    get their own metainfo: ground truth reaches AP 1 under each prefix."""
    names = ['crowdpose', 'wholebody']
    mix = build(DATASETS, mixture_cfg(blocks, names))
    samples = [mix[i] for i in range(len(mix))]
    predictions = [predict(p['data_samples']) for p in samples]
    evaluator = build(EVALUATORS, evaluator_cfg(blocks, names))
    order = list(np.random.default_rng(2).permutation(len(mix)))
    results = run(evaluator, mix.metainfo, samples, order, predictions)
    assert results['crowdpose/AP'] == pytest.approx(1.0)
    assert results['wholebody/AP'] == pytest.approx(1.0)
