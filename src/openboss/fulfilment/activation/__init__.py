"""The unified activation platform (eTOM 1.3.2.3 Implement, Configure & Activate
Service): one adapter contract (activate, modify, suspend, resume, deactivate)
with compensation and idempotency, a real RADIUS adapter (the FreeRADIUS rlm_sql
tables in the OpenBOSS database, CoA/Disconnect through radclient), simulators
for HLR/HSS, OLT and IMS, and TMF640 Service Activation and Configuration.
See docs/fulfilment-activation.md."""
