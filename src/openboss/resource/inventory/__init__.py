"""The network view: resource types, resources, lifecycle, reservation,
usage and transfers — TMF639 Resource Inventory."""
