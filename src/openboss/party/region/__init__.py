"""Regions (地域管理): the province → city → district → grid hierarchy.

Staff, customers, addresses and (later) resources and orders belong to
regions; a caller's region grants admit the granted regions and everything
below them (:mod:`openboss.party.region.tree`).
"""
