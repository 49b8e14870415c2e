"""IP pools (IPv4/IPv6, addresses and static blocks), number pools (MSISDN and
fixed numbers with grades), CPE stock by warehouse, and utilisation."""
