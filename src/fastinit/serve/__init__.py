"""The explorer (``fastinit serve``): the only part of fastinit that imports
Starlette, and only in :mod:`fastinit.serve.app`. ``settings`` checks a
request, ``work`` computes its answer."""
