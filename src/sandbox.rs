//! Sandbox gateway (placeholder until written).
