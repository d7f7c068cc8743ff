"""党建品牌 and model sites in the browser (endpoints ``web.brand…``): the brand library with
its search, a brand's page with its model cases and sub-brands, the brand form; model-site
applications with their workflow; brand coverage of a subtree.

The pages call :mod:`core.brands.service` exactly as ``/api/v1/brands`` does, and read under
the same rule: a grant covering the record's organisation. A refusal the service raises is
shown beside the field it names (409/422), or as the error page (403/404).
"""
