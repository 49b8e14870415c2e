"""SLA clocks of product orders (eTOM 1.1.1.5 / PBOSS §3): deadline from the catalog, jeopardy
and breach events, business alarms."""
