"""Cutover (资源割接), data consistency (数据一致性) and bulk import of network
inventory."""
