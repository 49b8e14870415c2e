"""Product inventory (TMF637) and service inventory (TMF638), updated as fulfilment completes,
modifies, suspends and terminates."""
