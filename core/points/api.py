"""Being written for issue 5."""

from core.api import Blueprint

bp = Blueprint("points", __name__)
cards_bp = Blueprint("cards", __name__)
