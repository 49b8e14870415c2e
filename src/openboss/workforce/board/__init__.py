"""The dispatcher's board: the day's plan over stored work orders, computed with
the routing engine of :mod:`openboss.workforce.dispatch`, validated overrides and
incremental re-planning for urgent repairs (eTOM Workforce Management:
dispatch)."""
