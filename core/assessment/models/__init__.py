"""The assessment slice's tables: standards and custom indicators (:mod:`.standards`), and
cycles with their results (:mod:`.cycles`)."""

from core.assessment.models.cycles import *  # noqa: F401,F403
from core.assessment.models.standards import *  # noqa: F401,F403
