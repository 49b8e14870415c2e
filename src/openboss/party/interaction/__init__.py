"""Customer interface management — eTOM 1.1.1.2 — TMF683 Party Interaction:
every contact through every channel, reasons, routing, closure."""
