"""Customer communications (TMF681 v4): messages by SMS and e-mail sent through the outbox,
kept as communication records."""
