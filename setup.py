"""Packaging steps that setup.cfg cannot express.

MIM looks for a codebase's configs and tools in ``<package>/.mim``. This
copies ``configs/``, ``tools/`` and the embedded sample data there when a
wheel is built (``pip install .``), so ``mim train vitpose_plugin CONFIG``
and ``mim test`` work from the installed package.
"""
import os
import os.path as osp
import shutil

from setuptools import setup

HERE = osp.dirname(osp.abspath(__file__))
MIM_DIRS = ('configs', 'tools', 'data')


def copy_mim_files() -> list:
    """Mirror MIM_DIRS into vitpose_plugin/.mim; return their package paths."""
    mim_root = osp.join(HERE, 'vitpose_plugin', '.mim')
    shutil.rmtree(mim_root, ignore_errors=True)
    package_files = []
    for name in MIM_DIRS:
        source = osp.join(HERE, name)
        if not osp.isdir(source):
            continue
        shutil.copytree(
            source,
            osp.join(mim_root, name),
            # Generated synthetic datasets are caches, not package data.
            ignore=shutil.ignore_patterns('__pycache__', '*.pyc',
                                          'synthetic_coco'))
    for folder, _, files in os.walk(mim_root):
        package_files += [
            osp.relpath(osp.join(folder, f), osp.join(HERE, 'vitpose_plugin'))
            for f in files
        ]
    return package_files


setup(package_data={'vitpose_plugin': copy_mim_files()})
