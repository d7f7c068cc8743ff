"""API conventions shared by every slice's API face.

* Base path ``/api/v1``; OpenAPI document at ``/api/v1/openapi.json``; interactive docs at
  ``/api/v1/docs`` served from the app (no CDN).
* Errors are JSON ``{"code", "message", "errors"}`` (:mod:`.errors`).
* Unknown ids are 404, and so are another tenant's ids (:func:`get_or_404`).
"""

from core.api.errors import ApiError, abort
from core.api.smorest import Api, Blueprint, get_or_404

__all__ = ["Api", "ApiError", "Blueprint", "abort", "get_or_404"]
