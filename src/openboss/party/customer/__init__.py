"""Parties and customers — TMF632 Party (individual, organization) and TMF629
Customer: identity documents, duplicates, contact media, blacklist, status,
search (eTOM 1.1.1.2 customer interface management, 1.1.1.3 customer
information management)."""
