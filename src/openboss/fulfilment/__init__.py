"""Fulfilment (eTOM 1.4 service configuration & activation, 1.5 resource provisioning):
service orders (TMF641), the BPMN process engine, the activation platform (TMF640) and
adapters, product (TMF637) and service (TMF638) inventory. See docs/fulfilment.md.

Sits above the party, catalog, resource and workforce domains (it calls their services)
and below ordering (which calls it); it reports back through :mod:`openboss.fulfilment.hooks`."""
