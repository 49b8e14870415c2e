"""The unified activation platform: one adapter contract (activate, modify, suspend, resume,
deactivate), a real RADIUS adapter (FreeRADIUS rlm_sql tables) and simulators for HLR/HSS,
OLT and IMS; TMF640 service activation and configuration."""
