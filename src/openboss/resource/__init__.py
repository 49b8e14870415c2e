"""Resource inventory (eTOM 1.5.1 resource management, PBOSS network view and
resource publishing): own and partner networks, pools, CPE stock, the
business view sales sells from, address qualification (TMF645), cutover and
consistency. See ``docs/resource.md``."""
