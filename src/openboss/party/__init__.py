"""The party domain — eTOM 1.1.1.2 Customer Interface Management and customer data.

Individuals and organisations, the customers and accounts built on them, their
identity documents, contact media, addresses, regions and every interaction
through every channel (TMF632, TMF629, TMF666, TMF673, TMF683).

Built so far: identity-document validation (:mod:`openboss.party.documents`) and
contact validation (:mod:`openboss.party.contact`), pure functions without a
database.
"""
