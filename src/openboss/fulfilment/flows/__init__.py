"""The BPMN flows shipped with OpenBOSS (``*.bpmn``, drawn with diagram interchange so a
modeler opens them) and the Python handlers their service tasks bind to by name."""
