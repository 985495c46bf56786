"""Governance: the ethics committee's decisions and the gate no score passes without one."""
