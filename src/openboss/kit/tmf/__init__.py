"""TM Forum Open API conventions (TMF630 design guidelines, v4)."""
