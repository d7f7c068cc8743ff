"""Being written for issue 5."""

from core.api import Blueprint

bp = Blueprint("problems", __name__)
