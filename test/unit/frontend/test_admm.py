"""ADMM block-circulant training on a tiny run of the digits task."""

import pytest

torch = pytest.importorskip("torch", reason="training needs torch")
pytest.importorskip("sklearn", reason="the digits task needs scikit-learn")

from ernn_ir.frontend.admm import (  # noqa: E402
    distance_to_circulant, train_admm, train_dense, train_projection_baseline)
from ernn_ir.frontend.circulant_torch import CirculantGRU, CirculantLSTM  # noqa: E402
from ernn_ir.frontend.tasks import SequenceTask, accuracy, load_digits_task  # noqa: E402
from ernn_ir.frontend.torch_import import spec_from_torch  # noqa: E402


@pytest.fixture(scope="module")
def task():
    torch.set_num_threads(2)
    t = load_digits_task(seed=0)
    n, m = 500, 200
    return SequenceTask("digits-small", t.x_train[:, :n], t.y_train[:n], t.x_test[:, :m], t.y_test[:m], 10)


def test_task_split_is_fixed():
    a, b = load_digits_task(seed=3), load_digits_task(seed=3)
    assert torch.equal(a.y_test, b.y_test) and a.x_train.shape == (8, 1347, 8)
    assert a.x_test.shape[1] == 450 and float(a.x_train.max()) == 1.0


def test_admm_reduces_distance_and_learns(task):
    dense, hd = train_dense(task, "lstm", hidden=16, epochs=4, seed=0)
    assert hd.test_acc > 0.5
    d0 = distance_to_circulant(dense, 4)
    model, h = train_admm(task, "lstm", 16, 4, admm_epochs=6, finetune_epochs=3, pretrained=dense, rho=0.1, admm_lr=1e-2,
                          rho_max=1000, steps_per_update=2)
    dists = [e["distance"] for e in h.epochs if e["phase"] == "admm"]
    assert dists[-1] < 0.4 * d0
    assert isinstance(model.rnn, CirculantLSTM)
    assert h.test_acc > 0.2  # chance is 0.1
    assert h.test_acc == accuracy(model, task.x_test, task.y_test)
    # the trained model imports exactly (circulant as stored)
    spec, rep = spec_from_torch(model, 4, return_report=True)
    assert rep.projections == [] and spec.layers[0].return_sequence is False


def test_projection_baseline_gru(task):
    model, h = train_projection_baseline(task, "gru", hidden=16, block=8, epochs=6, finetune_epochs=4)
    assert isinstance(model.rnn, CirculantGRU)
    assert set(h.projection_errors) == {"w_x", "w_h"}
    assert h.test_acc > 0.3
