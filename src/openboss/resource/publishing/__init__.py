"""The business view (资源发布): partner coverage, business resource types,
sellable availability per building, and TMF645 service qualification."""
