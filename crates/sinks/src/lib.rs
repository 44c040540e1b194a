//! Sinks (placeholder).
