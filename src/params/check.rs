//! What a parameter accepts, and how TOML values convert to parameter types.

/// The accepted values of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// A real number between `lo` and `hi`; each bound open or closed.
    Number {
        lo: f64,
        lo_open: bool,
        hi: f64,
        hi_open: bool,
    },
    /// An integer in `[min, max]`.
    Integer { min: i64, max: i64 },
    /// `true` or `false`.
    Bool,
    /// Any string.
    Text,
    /// A list of `len` non-negative numbers summing to 1 (a probability distribution).
    Distribution { len: usize },
    /// A list of `len` numbers, each in `[lo, hi]`.
    List { len: usize, lo: f64, hi: f64 },
}

impl Check {
    /// A number in the closed interval `[lo, hi]`.
    pub const fn closed(lo: f64, hi: f64) -> Check {
        Check::Number {
            lo,
            lo_open: false,
            hi,
            hi_open: false,
        }
    }
    /// A number in `(lo, hi]`.
    pub const fn left_open(lo: f64, hi: f64) -> Check {
        Check::Number {
            lo,
            lo_open: true,
            hi,
            hi_open: false,
        }
    }
    /// A number in `(lo, hi)`.
    pub const fn open(lo: f64, hi: f64) -> Check {
        Check::Number {
            lo,
            lo_open: true,
            hi,
            hi_open: true,
        }
    }
    /// A probability: a number in `[0, 1]`.
    pub const PROBABILITY: Check = Check::closed(0.0, 1.0);
    /// A strictly positive number.
    pub const POSITIVE: Check = Check::Number {
        lo: 0.0,
        lo_open: true,
        hi: f64::INFINITY,
        hi_open: true,
    };
    /// A non-negative number.
    pub const NON_NEGATIVE: Check = Check::Number {
        lo: 0.0,
        lo_open: false,
        hi: f64::INFINITY,
        hi_open: true,
    };
    /// Any finite number.
    pub const ANY: Check = Check::Number {
        lo: f64::NEG_INFINITY,
        lo_open: true,
        hi: f64::INFINITY,
        hi_open: true,
    };
    /// An integer in `[min, max]`.
    pub const fn int(min: i64, max: i64) -> Check {
        Check::Integer { min, max }
    }

    /// Human description, used after "expected".
    pub fn describe(&self) -> String {
        match *self {
            Check::Number {
                lo,
                lo_open,
                hi,
                hi_open,
            } => match (lo.is_finite(), hi.is_finite()) {
                (false, false) => "a number".to_string(),
                (true, false) if lo == 0.0 && lo_open => "a number > 0".to_string(),
                (true, false) => format!(
                    "a number {} {}",
                    if lo_open { ">" } else { ">=" },
                    fmt_num(lo)
                ),
                (false, true) => format!(
                    "a number {} {}",
                    if hi_open { "<" } else { "<=" },
                    fmt_num(hi)
                ),
                (true, true) => format!(
                    "a number in {}{}, {}{}",
                    if lo_open { "(" } else { "[" },
                    fmt_num(lo),
                    fmt_num(hi),
                    if hi_open { ")" } else { "]" }
                ),
            },
            Check::Integer { min, max } if max == i64::MAX => format!("an integer >= {min}"),
            Check::Integer { min, max } => format!("an integer in [{min}, {max}]"),
            Check::Bool => "true or false".to_string(),
            Check::Text => "a string".to_string(),
            Check::Distribution { len } => {
                format!("a list of {len} non-negative numbers summing to 1")
            }
            Check::List { len, lo, hi } => {
                format!(
                    "a list of {len} numbers, each in [{}, {}]",
                    fmt_num(lo),
                    fmt_num(hi)
                )
            }
        }
    }

    fn number_ok(&self, x: f64) -> bool {
        match *self {
            Check::Number {
                lo,
                lo_open,
                hi,
                hi_open,
            } => {
                x.is_finite()
                    && (if lo_open { x > lo } else { x >= lo })
                    && (if hi_open { x < hi } else { x <= hi })
            }
            _ => false,
        }
    }
}

fn fmt_num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// A type a parameter can have.
pub trait ParamValue: Sized + Clone {
    /// Convert from TOML; `None` when the TOML type does not fit.
    fn from_toml(value: &toml::Value) -> Option<Self>;
    /// Convert to TOML.
    fn to_toml(&self) -> toml::Value;
    /// Whether the value is accepted by `check`.
    fn satisfies(&self, check: &Check) -> bool;
    /// Render as TOML text.
    fn render(&self) -> String {
        super::render_value(&self.to_toml())
    }
}

impl ParamValue for f64 {
    fn from_toml(value: &toml::Value) -> Option<Self> {
        match value {
            toml::Value::Float(x) => Some(*x),
            toml::Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
    fn to_toml(&self) -> toml::Value {
        toml::Value::Float(*self)
    }
    fn satisfies(&self, check: &Check) -> bool {
        check.number_ok(*self)
    }
}

macro_rules! integer_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn from_toml(value: &toml::Value) -> Option<Self> {
                match value {
                    toml::Value::Integer(i) => <$t>::try_from(*i).ok(),
                    _ => None,
                }
            }
            fn to_toml(&self) -> toml::Value {
                toml::Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
            fn satisfies(&self, check: &Check) -> bool {
                match *check {
                    Check::Integer { min, max } => {
                        i64::try_from(*self).map_or(false, |v| v >= min && v <= max)
                    }
                    _ => false,
                }
            }
        }
    )*};
}
integer_param!(u32, u64);

impl ParamValue for bool {
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_bool()
    }
    fn to_toml(&self) -> toml::Value {
        toml::Value::Boolean(*self)
    }
    fn satisfies(&self, check: &Check) -> bool {
        matches!(check, Check::Bool)
    }
}

impl ParamValue for String {
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_str().map(str::to_string)
    }
    fn to_toml(&self) -> toml::Value {
        toml::Value::String(self.clone())
    }
    fn satisfies(&self, check: &Check) -> bool {
        matches!(check, Check::Text)
    }
}

impl ParamValue for Vec<f64> {
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_array()?.iter().map(f64::from_toml).collect()
    }
    fn to_toml(&self) -> toml::Value {
        toml::Value::Array(self.iter().map(|x| toml::Value::Float(*x)).collect())
    }
    fn satisfies(&self, check: &Check) -> bool {
        match *check {
            Check::Distribution { len } => {
                self.len() == len
                    && self.iter().all(|x| x.is_finite() && *x >= 0.0)
                    && (self.iter().sum::<f64>() - 1.0).abs() < 1e-6
            }
            Check::List { len, lo, hi } => {
                self.len() == len && self.iter().all(|x| x.is_finite() && *x >= lo && *x <= hi)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_ranges_like_a_person_would() {
        assert_eq!(Check::left_open(0.0, 1.0).describe(), "a number in (0, 1]");
        assert_eq!(Check::POSITIVE.describe(), "a number > 0");
        assert_eq!(Check::int(1, 10).describe(), "an integer in [1, 10]");
    }

    #[test]
    fn checks_bounds() {
        assert!(!(-0.2f64).satisfies(&Check::left_open(0.0, 1.0)));
        assert!(!0.0f64.satisfies(&Check::left_open(0.0, 1.0)));
        assert!(1.0f64.satisfies(&Check::left_open(0.0, 1.0)));
        assert!(vec![0.5, 0.5].satisfies(&Check::Distribution { len: 2 }));
        assert!(!vec![0.5, 0.6].satisfies(&Check::Distribution { len: 2 }));
        assert!(!5u32.satisfies(&Check::int(6, 9)));
    }
}
