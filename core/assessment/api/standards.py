"""Being written for issue 5."""

from core.api import Blueprint

bp = Blueprint("assessment_standards", __name__)
