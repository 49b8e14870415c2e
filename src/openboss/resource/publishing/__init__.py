"""The business view (资源发布): partner coverage, business resource types,
sellable availability per building, and TMF645 service qualification.

Importing the package registers the availability refresh with the inventory's
capacity listeners (:mod:`openboss.resource.publishing.availability`).
"""

from openboss.resource.publishing import availability as availability
