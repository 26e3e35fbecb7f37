//! Fault injection, as one test executable: aws-smithy-mocks stands in for AWS where the emulator cannot throttle,
//! deny or answer malformed output on demand. Each module says which behaviour it needs a mock for.

mod audit_faults;
mod backlog_faults;
mod drain_faults;
mod gate_faults;
mod lease_faults;
mod sweep_faults;
