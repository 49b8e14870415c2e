"""Construction assessment (施工考核): indicators, templates, periodic scores,
assessor scoring, appeals, customer ratings."""
