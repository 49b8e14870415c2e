"""Stored rosters (排班): roster plans generated with the CP-SAT engine of
:mod:`openboss.workforce.roster`, edited under validation and published
(eTOM Workforce Management: workforce scheduling)."""
