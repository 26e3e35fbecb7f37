//! Small helpers for reading JSON and TOML inputs.

use serde_json::Value;

/// How a JSON value's type reads in an error message ("a string", "an array", ...).
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A TOML error on one line: the parser's message and the line it points at, not its multi-line snippet.
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    match line {
        Some(l) => {
            let source = text.lines().nth(l - 1).unwrap_or("").trim();
            format!("line {l} `{source}`: {}", e.message().trim())
        }
        None => e.message().trim().to_string(),
    }
}
