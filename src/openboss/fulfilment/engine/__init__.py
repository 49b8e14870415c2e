"""The process engine: BPMN 2.0 definitions (stored, versioned) executed by SpiffWorkflow,
instances persisted in the database and run by the worker."""
