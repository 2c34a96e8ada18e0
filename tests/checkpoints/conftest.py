import pytest

from tests.checkpoints.hugging_face_run import (HuggingFaceRun,
                                                run_hugging_face_side)


@pytest.fixture(scope='session')
def hugging_face_run(tmp_path_factory) -> HuggingFaceRun:
    """transformers' models, heatmaps and loads of the plugin's exports,
    made once per session in the transformers environment."""
    return run_hugging_face_side(str(tmp_path_factory.mktemp('hugging_face')))
