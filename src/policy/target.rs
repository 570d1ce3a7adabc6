//! Who a policy reaches: filters on person attributes plus a reach share.

use crate::params::Reader;
use crate::population::{Employment, Population, Sex};

/// The target group of a policy. Every filter that is set must hold; `reach` is the share of
/// the eligible people (or, for neighbourhood programmes, of eligible neighbourhoods)
/// reached at full intensity.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Only this sex.
    pub sex: Option<Sex>,
    /// Only ages in this inclusive range.
    pub age: Option<(u8, u8)>,
    /// Bit `d - 1` set: deprivation decile `d` is included (0 = every decile).
    pub deciles: u16,
    /// Bit `e as u8` set: employment state `e` is included (0 = every state).
    pub employment: u8,
    /// Only the marginalised group (true) or only everyone else (false).
    pub marginalised: Option<bool>,
    /// Share of the eligible reached at full intensity.
    pub reach: f64,
}

impl Default for Target {
    /// Everyone.
    fn default() -> Self {
        Target {
            sex: None,
            age: None,
            deciles: 0,
            employment: 0,
            marginalised: None,
            reach: 1.0,
        }
    }
}

/// Keys a target table accepts.
pub const TARGET_KEYS: &[&str] = &[
    "sex",
    "age",
    "deciles",
    "quintiles",
    "employment",
    "marginalised",
    "reach",
];

impl Target {
    /// Whether person `p` passes the filters (reach is applied by the caller).
    #[inline]
    pub fn matches(&self, pop: &Population, p: usize) -> bool {
        if let Some(sex) = self.sex
            && pop.sex[p] != sex
        {
            return false;
        }
        if let Some((lo, hi)) = self.age
            && !(lo..=hi).contains(&pop.age[p])
        {
            return false;
        }
        if self.deciles != 0 && self.deciles & (1 << (pop.decile[p] - 1)) == 0 {
            return false;
        }
        if self.employment != 0
            && self.employment & (1 << pop.circumstances[p].employment as u8) == 0
        {
            return false;
        }
        if let Some(m) = self.marginalised
            && pop.marginalised(p) != m
        {
            return false;
        }
        true
    }

    /// Whether neighbourhood deprivation decile `decile` is included.
    pub fn includes_decile(&self, decile: u8) -> bool {
        self.deciles == 0 || self.deciles & (1 << (decile - 1)) != 0
    }

    /// Read a `target` table, reporting every problem at `path`.
    pub fn read(value: &toml::Value, path: &str, reader: &mut Reader<'_>) -> Target {
        let mut t = Target::default();
        let Some(table) = value.as_table() else {
            reader.problem(
                path,
                Some(value),
                "expected a table, e.g. target = { sex = \"male\", age = [16, 64] }",
            );
            return t;
        };
        for (key, v) in table {
            let p = format!("{path}.{key}");
            match key.as_str() {
                "sex" => match v.as_str() {
                    Some("male") => t.sex = Some(Sex::Male),
                    Some("female") => t.sex = Some(Sex::Female),
                    _ => reader.problem(&p, Some(v), "expected \"male\" or \"female\""),
                },
                "age" => {
                    let pair = v.as_array().and_then(|a| match a.as_slice() {
                        [lo, hi] => Some((lo.as_integer()?, hi.as_integer()?)),
                        _ => None,
                    });
                    match pair {
                        Some((lo, hi)) if (0..=120).contains(&lo) && (lo..=120).contains(&hi) => {
                            t.age = Some((lo as u8, hi as u8));
                        }
                        _ => reader.problem(
                            &p,
                            Some(v),
                            "expected [youngest, oldest], whole years 0-120 with youngest <= oldest",
                        ),
                    }
                }
                "deciles" | "quintiles" => {
                    let (max, width) = if key == "deciles" { (10, 1) } else { (5, 2) };
                    let list = v.as_array().map(|a| {
                        a.iter()
                            .map(|x| x.as_integer().filter(|d| (1..=max).contains(d)))
                            .collect::<Option<Vec<i64>>>()
                    });
                    match list {
                        Some(Some(ds)) if !ds.is_empty() => {
                            for d in ds {
                                for k in 0..width {
                                    t.deciles |= 1 << ((d - 1) * width + k);
                                }
                            }
                        }
                        _ => reader.problem(
                            &p,
                            Some(v),
                            format!("expected a non-empty list of {key} from 1 (least deprived) to {max}"),
                        ),
                    }
                }
                "employment" => {
                    let names: Vec<&str> = Employment::ALL.iter().map(|e| e.name()).collect();
                    let list = v.as_array().map(|a| {
                        a.iter()
                            .map(|x| {
                                x.as_str().and_then(|s| {
                                    Employment::ALL.into_iter().find(|e| e.name() == s)
                                })
                            })
                            .collect::<Option<Vec<Employment>>>()
                    });
                    match list {
                        Some(Some(es)) if !es.is_empty() => {
                            for e in es {
                                t.employment |= 1 << e as u8;
                            }
                        }
                        _ => reader.problem(
                            &p,
                            Some(v),
                            format!(
                                "expected a non-empty list of employment states from: {}",
                                names.join(", ")
                            ),
                        ),
                    }
                }
                "marginalised" => match v.as_bool() {
                    Some(b) => t.marginalised = Some(b),
                    None => reader.problem(&p, Some(v), "expected true or false"),
                },
                "reach" => match v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
                    Some(r) if (0.0..=1.0).contains(&r) => t.reach = r,
                    _ => reader.problem(&p, Some(v), "expected a share between 0 and 1"),
                },
                _ => reader.unknown(&p, key, TARGET_KEYS),
            }
        }
        t
    }
}
