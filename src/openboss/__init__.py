"""OpenBOSS: business and operations support for converged telecom operators.

One Python package, a modular monolith. Shared, domain-free code lives in
``kit``; infrastructure in ``db``, ``events``, ``worker``, ``auth``, ``audit``
and ``config``; the operator console in ``web``. Domain packages (party,
catalog, resource, ordering, ...) are added as they are built.
"""

__version__ = "0.1.0"
