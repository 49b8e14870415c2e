"""Service orders (TMF641): product order items decomposed per customer-facing service,
each run by one process instance, with dependencies between items."""
