"""Order handling (eTOM 1.1.1.5): TMF622 product orders — capture, validation against the
catalog, qualification, credit check, price summary, states, cancellation, decomposition
into fulfilment, milestone notifications. See docs/ordering.md."""
