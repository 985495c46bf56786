"""Three interchangeable, calibrated risk-model families behind one small interface.

* ``ebm``: an Explainable Boosting Machine, the glass-box default;
* ``scorecard``: quantile bins and a logistic regression, read as a points table;
* ``hgb``: histogram gradient boosting, the black-box comparator.

Every model is made with :func:`make_model`, fitted with
``fit(X, y, sample_weight=..., X_calib=..., y_calib=...)`` and gives calibrated
probabilities (``predict_risk``), additive log-odds ``contributions`` where the
family has a faithful local explanation, a ``global_importance``, a
``summary_table`` and PNG ``figures``. Protected attributes are never columns of
``X``; the fairness audit reads them separately.
"""

from risico.models.base import (BAD_MONOTONE, BAD_OPTION, KIND_CHANGED, MISSING_COLUMN, NOT_FITTED, ONE_CLASS,
                                UNKNOWN_MODEL, UNKNOWN_OPTION, UNSUPPORTED_DTYPE, Calibration, ModelError, RiskModel,
                                UnusableModel)
from risico.models.boosting import HGBModel
from risico.models.ebm import EBMModel
from risico.models.families import FAMILIES, MODEL_NAMES, make_model
from risico.models.scorecard import ScorecardModel

__all__ = ["RiskModel", "make_model", "MODEL_NAMES", "FAMILIES", "EBMModel", "ScorecardModel", "HGBModel",
           "ModelError", "UnusableModel", "Calibration", "UNKNOWN_MODEL", "BAD_OPTION", "UNKNOWN_OPTION", "ONE_CLASS",
           "UNSUPPORTED_DTYPE", "MISSING_COLUMN", "KIND_CHANGED", "BAD_MONOTONE", "NOT_FITTED"]
