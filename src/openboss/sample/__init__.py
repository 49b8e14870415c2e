"""Sample TMF resource: an internal API whose only purpose is to exercise and
demonstrate the TMF REST kit (:mod:`openboss.kit.tmf`) end to end — list
queries, representation, create/patch/delete, state machine, events, row
scope and idempotency — the way TMF622, TMF621 or TMF639 will use it."""
