//! Every model parameter in one place: meaning, unit, default, accepted range and source.
//!
//! Parameters are declared with the [`params!`](crate::params!) macro, which generates from one declaration
//! the typed struct the simulation reads, its defaults, the reader that checks a TOML table
//! against it (unknown keys, wrong types, out-of-range values — all reported, none fatal on
//! its own) and the metadata that `mhsim params` prints. Docs therefore cannot drift from code.

mod check;
mod sections;
mod services;

pub use check::{Check, ParamValue};
pub use sections::*;
pub use services::*;

/// Metadata of one parameter, generated from its declaration.
#[derive(Debug, Clone)]
pub struct ParamMeta {
    /// Field name (the last part of the key path).
    pub name: &'static str,
    /// Meaning, from the doc comment.
    pub doc: &'static str,
    /// Unit of measurement ("1" for dimensionless).
    pub unit: &'static str,
    /// Default value, rendered as TOML.
    pub default: String,
    /// What values are accepted.
    pub check: Check,
    /// Evidence the default comes from.
    pub source: &'static str,
}

/// One problem found while reading a scenario: where, what and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// File the offending key came from (or `--set`, or the built-in baseline).
    pub file: String,
    /// Dotted key path, e.g. `dynamics.kappa`.
    pub path: String,
    /// The offending value as written, if there was one.
    pub value: Option<String>,
    /// What was expected instead.
    pub expected: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(value) => write!(
                f,
                "{}: {} = {}: {}",
                self.file, self.path, value, self.expected
            ),
            None => write!(f, "{}: {}: {}", self.file, self.path, self.expected),
        }
    }
}

/// Collects problems while reading tables; knows which file each key path came from.
pub struct Reader<'a> {
    origin: &'a dyn Fn(&str) -> String,
    /// Every problem found so far.
    pub problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    /// A reader attributing each key path to a file through `origin`.
    pub fn new(origin: &'a dyn Fn(&str) -> String) -> Self {
        Reader {
            origin,
            problems: Vec::new(),
        }
    }

    /// Record a problem at `path`.
    pub fn problem(
        &mut self,
        path: &str,
        value: Option<&toml::Value>,
        expected: impl Into<String>,
    ) {
        self.problems.push(Problem {
            file: (self.origin)(path),
            path: path.to_string(),
            value: value.map(render_value),
            expected: expected.into(),
        });
    }

    /// Read `value` into `slot`, checking type and range; on failure keep the old value.
    pub fn read_into<T: ParamValue>(
        &mut self,
        slot: &mut T,
        value: &toml::Value,
        check: &Check,
        path: &str,
    ) {
        match T::from_toml(value) {
            Some(parsed) if parsed.satisfies(check) => *slot = parsed,
            _ => self.problem(path, Some(value), format!("expected {}", check.describe())),
        }
    }

    /// Record an unknown key, suggesting the closest known one.
    pub fn unknown(&mut self, path: &str, key: &str, known: &[&str]) {
        let hint = closest(key, known)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        self.problem(
            path,
            None,
            format!("unknown key{hint}; expected one of: {}", known.join(", ")),
        );
    }
}

/// A parameter section: a TOML table such as `[dynamics]`.
pub trait Section: Default {
    /// Table name in the scenario file.
    const NAME: &'static str;
    /// One-line description of the section.
    const DOC: &'static str;
    /// Metadata of every parameter of the section, in declaration order.
    fn meta() -> Vec<ParamMeta>;
    /// Read a table over the defaults, recording every problem in `reader`.
    fn read(&mut self, table: &toml::Table, prefix: &str, reader: &mut Reader<'_>);
    /// The section's values as a TOML table.
    fn to_table(&self) -> toml::Table;
}

/// Render a TOML value compactly for messages.
pub fn render_value(value: &toml::Value) -> String {
    match value {
        toml::Value::Table(_) => "{ ... }".to_string(),
        other => other.to_string(),
    }
}

fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Declare a parameter section. Each parameter is written as
///
/// ```text
/// /// Meaning (doc line).
/// name: Type = default; "unit"; check; "source";
/// ```
#[macro_export]
macro_rules! params {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $Name:ident in $section:literal {
            $(
                $(#[doc = $doc:literal])+
                $field:ident : $ty:ty = $default:expr ; $unit:literal ; $check:expr ; $source:literal ;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $Name {
            $(
                $(#[doc = $doc])+
                #[doc = concat!("\n\nUnit: ", $unit, ". Source: ", $source, ".")]
                pub $field: $ty,
            )*
        }

        impl Default for $Name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }

        impl $crate::params::Section for $Name {
            const NAME: &'static str = $section;
            const DOC: &'static str = concat!($($sdoc),*);

            fn meta() -> Vec<$crate::params::ParamMeta> {
                let defaults = Self::default();
                vec![$(
                    $crate::params::ParamMeta {
                        name: stringify!($field),
                        doc: concat!($($doc),+),
                        unit: $unit,
                        default: $crate::params::ParamValue::render(&defaults.$field),
                        check: $check,
                        source: $source,
                    },
                )*]
            }

            fn read(&mut self, table: &toml::Table, prefix: &str, reader: &mut $crate::params::Reader<'_>) {
                const KNOWN: &[&str] = &[$(stringify!($field)),*];
                for (key, value) in table {
                    let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                    match key.as_str() {
                        $(stringify!($field) => reader.read_into(&mut self.$field, value, &$check, &path),)*
                        _ => reader.unknown(&path, key, KNOWN),
                    }
                }
            }

            fn to_table(&self) -> toml::Table {
                let mut table = toml::Table::new();
                $(table.insert(stringify!($field).to_string(), $crate::params::ParamValue::to_toml(&self.$field));)*
                table
            }
        }
    };
}

/// Render the parameter table of every section as Markdown.
pub fn markdown_table() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# mhsim parameters\n\nGenerated by `mhsim params` from the parameter declarations in \
         `src/params/sections.rs`. Every parameter can be set in a scenario file under its \
         section, or with `--set section.name=value`.\n",
    );
    let sections = all_sections().into_iter().map(|(name, doc, meta)| {
        let heading = if name.is_empty() {
            "top level".to_string()
        } else {
            format!("[{name}]")
        };
        (heading, name.to_string(), doc, meta)
    });
    let kinds = crate::policy::kind_tables()
        .into_iter()
        .map(|(heading, doc, meta)| (heading, String::new(), doc, meta));
    for (heading, name, doc, meta) in sections.chain(kinds) {
        let _ = write!(out, "\n## {heading}\n\n{}\n\n", doc.trim());
        out.push_str(
            "| key | meaning | unit | default | accepted | source |\n|---|---|---|---|---|---|\n",
        );
        for m in meta {
            let key = if name.is_empty() {
                m.name.to_string()
            } else {
                format!("{name}.{}", m.name)
            };
            let _ = writeln!(
                out,
                "| `{key}` | {} | {} | `{}` | {} | {} |",
                m.doc.trim().replace('\n', " ").replace('|', "\\|"),
                m.unit,
                m.default,
                m.check.describe(),
                m.source.replace('|', "\\|"),
            );
        }
    }
    out
}
