"""The secretaries' yearly review screens (书记述职评议): :mod:`.pages` (views) and
:mod:`.forms`; templates in ``web/reviews/``, text in ``reviews.po``."""
