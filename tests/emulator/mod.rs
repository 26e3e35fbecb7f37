//! The emulator's own semantics: what it adds to moto behaves as AWS documents.

mod cloudwatch;
mod lifecycle;
