//! Reading `[[shock]]` and `[[policy]]` lists from a scenario table.

use super::kinds::*;
use super::{Family, Kind, PolicySpec, Target};
use crate::params::{Reader, Section};

/// The two lists a scenario may hold.
pub const FAMILIES: [Family; 2] = [Family::Shock, Family::Policy];

/// Names of every kind of a family, for messages.
fn kind_names(family: Family) -> Vec<&'static str> {
    let shocks = [
        RecessionParams::NAME,
        PandemicParams::NAME,
        SocialMediaGrowthParams::NAME,
    ];
    let policies = [
        BenefitChangeParams::NAME,
        UniversalCreditParams::NAME,
        ChildElementLimitParams::NAME,
        WcaReassessmentParams::NAME,
        IncomeUpliftParams::NAME,
        ThriveParams::NAME,
        TriesteParams::NAME,
        OpenDialogueParams::NAME,
        LivingWellHubParams::NAME,
        GatekeepersParams::NAME,
        SchoolProgrammeParams::NAME,
        SocialPrescribingParams::NAME,
        AwarenessCampaignParams::NAME,
        CapacityChangeParams::NAME,
    ];
    match family {
        Family::Shock => shocks.to_vec(),
        Family::Policy => policies.to_vec(),
    }
}

/// Read a kind's parameters from `table` (common keys removed) at `path`.
fn read_kind(name: &str, table: &toml::Table, path: &str, reader: &mut Reader<'_>) -> Option<Kind> {
    fn one<S: Section>(
        table: &toml::Table,
        path: &str,
        reader: &mut Reader<'_>,
        wrap: fn(S) -> Kind,
    ) -> Kind {
        let mut s = S::default();
        s.read(table, path, reader);
        wrap(s)
    }
    Some(match name {
        "recession" => one(table, path, reader, Kind::Recession),
        "pandemic" => one(table, path, reader, Kind::Pandemic),
        "social_media_growth" => one(table, path, reader, Kind::SocialMediaGrowth),
        "benefit_change" => one(table, path, reader, Kind::BenefitChange),
        "universal_credit" => one(table, path, reader, Kind::UniversalCredit),
        "child_element_limit" => one(table, path, reader, Kind::ChildElementLimit),
        "wca_reassessment" => one(table, path, reader, Kind::WcaReassessment),
        "income_uplift" => one(table, path, reader, Kind::IncomeUplift),
        "thrive" => one(table, path, reader, Kind::Thrive),
        "trieste" => one(table, path, reader, Kind::Trieste),
        "open_dialogue" => one(table, path, reader, Kind::OpenDialogue),
        "living_well_hub" => one(table, path, reader, Kind::LivingWellHub),
        "gatekeepers" => one(table, path, reader, Kind::Gatekeepers),
        "school_programme" => one(table, path, reader, Kind::SchoolProgramme),
        "social_prescribing" => one(table, path, reader, Kind::SocialPrescribing),
        "awareness_campaign" => one(table, path, reader, Kind::AwarenessCampaign),
        "capacity_change" => one(table, path, reader, Kind::CapacityChange),
        _ => return None,
    })
}

fn week(value: &toml::Value, path: &str, reader: &mut Reader<'_>) -> Option<u32> {
    match value.as_integer() {
        Some(w) if (0..=1_000_000).contains(&w) => Some(w as u32),
        _ => {
            reader.problem(
                path,
                Some(value),
                "expected a whole number of weeks (0 or more)",
            );
            None
        }
    }
}

/// Read the `shock` and `policy` lists of a merged scenario table. `weeks` is the number
/// of recorded weeks (a policy must start within them). Every problem is reported.
pub fn read_policies(top: &toml::Table, weeks: u32, reader: &mut Reader<'_>) -> Vec<PolicySpec> {
    let mut out = Vec::new();
    for family in FAMILIES {
        let list_name = family.list();
        let Some(value) = top.get(list_name) else {
            continue;
        };
        let Some(items) = value.as_array() else {
            reader.problem(
                list_name,
                Some(value),
                format!("expected a list of tables, written [[{list_name}]]"),
            );
            continue;
        };
        for (index, item) in items.iter().enumerate() {
            let path = format!("{list_name}[{index}]");
            let Some(table) = item.as_table() else {
                reader.problem(
                    &path,
                    Some(item),
                    format!("expected a table, written [[{list_name}]]"),
                );
                continue;
            };
            if let Some(spec) = read_one(family, index, table, &path, weeks, reader) {
                out.push(spec);
            }
        }
    }
    let schools = out
        .iter()
        .filter(|p| matches!(p.kind, Kind::SchoolProgramme(_)))
        .count();
    if schools > super::MAX_SCHOOL_PROGRAMMES {
        reader.problem(
            "policy",
            None,
            format!(
                "{schools} school programmes: at most {} can be declared",
                super::MAX_SCHOOL_PROGRAMMES
            ),
        );
    }
    out
}

fn read_one(
    family: Family,
    index: usize,
    table: &toml::Table,
    path: &str,
    weeks: u32,
    reader: &mut Reader<'_>,
) -> Option<PolicySpec> {
    let names = kind_names(family);
    let other = match family {
        Family::Shock => Family::Policy,
        Family::Policy => Family::Shock,
    };
    let kind_path = format!("{path}.kind");
    let kind_name = match table.get("kind") {
        None => {
            reader.problem(
                &kind_path,
                None,
                format!(
                    "missing: every [[{}]] needs a kind, one of: {}",
                    family.list(),
                    names.join(", ")
                ),
            );
            None
        }
        Some(v) => match v.as_str() {
            Some(k) if names.contains(&k) => Some(k),
            Some(k) if kind_names(other).contains(&k) => {
                reader.problem(
                    &kind_path,
                    Some(v),
                    format!(
                        "`{k}` is a {}: declare it under [[{}]]",
                        other.list(),
                        other.list()
                    ),
                );
                None
            }
            _ => {
                reader.problem(
                    &kind_path,
                    Some(v),
                    format!("unknown kind; expected one of: {}", names.join(", ")),
                );
                None
            }
        },
    };
    let mut params = toml::Table::new();
    let (mut start, mut end, mut ramp, mut fade) = (0u32, None, 0u32, 0u32);
    let mut label = None;
    let mut target_value = None;
    for (key, value) in table {
        let p = format!("{path}.{key}");
        match key.as_str() {
            "kind" => {}
            "label" => match value.as_str() {
                Some(s) => label = Some(s.to_string()),
                None => reader.problem(&p, Some(value), "expected text"),
            },
            "start_week" => start = week(value, &p, reader).unwrap_or(start),
            "end_week" => end = week(value, &p, reader).or(end),
            "ramp_weeks" => ramp = week(value, &p, reader).unwrap_or(ramp),
            "fade_weeks" => fade = week(value, &p, reader).unwrap_or(fade),
            "target" => target_value = Some(value),
            _ => {
                params.insert(key.clone(), value.clone());
            }
        }
    }
    if let Some(e) = end
        && e <= start
    {
        reader.problem(
            &format!("{path}.end_week"),
            Some(&toml::Value::Integer(e.into())),
            format!("expected a week after start_week ({start}): the window would be empty"),
        );
    }
    if start >= weeks {
        reader.problem(
            &format!("{path}.start_week"),
            Some(&toml::Value::Integer(start.into())),
            format!(
                "expected a week before the end of the run (weeks = {weeks}): it would never act"
            ),
        );
    }
    let kind_name = kind_name?;
    let kind = read_kind(kind_name, &params, path, reader)?;
    let mut target = Target::default();
    if let Some(v) = target_value {
        if kind.acts_on_people() {
            target = Target::read(v, &format!("{path}.target"), reader);
        } else {
            reader.problem(
                &format!("{path}.target"),
                Some(v),
                format!(
                    "`{kind_name}` acts on the whole community or its services; it takes no target"
                ),
            );
        }
    }
    if let Kind::IncomeUplift(k) = &kind
        && k.adult_weekly == 0.0
        && k.child_weekly == 0.0
        && k.wage_floor_weekly == 0.0
    {
        reader.problem(
            path,
            None,
            "expected at least one of adult_weekly, child_weekly, wage_floor_weekly above 0",
        );
    }
    Some(PolicySpec {
        family,
        index,
        label: label.unwrap_or_else(|| kind_name.to_string()),
        kind,
        start_week: start,
        end_week: end,
        ramp_weeks: ramp,
        fade_weeks: fade,
        target,
    })
}

/// The parameter tables of every kind, for `mhsim params`: (heading, description, meta).
pub fn kind_tables() -> Vec<(String, &'static str, Vec<crate::params::ParamMeta>)> {
    fn one<S: Section>(family: &str) -> (String, &'static str, Vec<crate::params::ParamMeta>) {
        (
            format!("[[{family}]] kind = \"{}\"", S::NAME),
            S::DOC,
            S::meta(),
        )
    }
    vec![
        one::<RecessionParams>("shock"),
        one::<PandemicParams>("shock"),
        one::<SocialMediaGrowthParams>("shock"),
        one::<BenefitChangeParams>("policy"),
        one::<UniversalCreditParams>("policy"),
        one::<ChildElementLimitParams>("policy"),
        one::<WcaReassessmentParams>("policy"),
        one::<IncomeUpliftParams>("policy"),
        one::<ThriveParams>("policy"),
        one::<TriesteParams>("policy"),
        one::<OpenDialogueParams>("policy"),
        one::<LivingWellHubParams>("policy"),
        one::<GatekeepersParams>("policy"),
        one::<SchoolProgrammeParams>("policy"),
        one::<SocialPrescribingParams>("policy"),
        one::<AwarenessCampaignParams>("policy"),
        one::<CapacityChangeParams>("policy"),
    ]
}

impl Kind {
    /// The kind's parameters as a TOML table.
    fn params_table(&self) -> toml::Table {
        match self {
            Kind::Recession(p) => p.to_table(),
            Kind::Pandemic(p) => p.to_table(),
            Kind::SocialMediaGrowth(p) => p.to_table(),
            Kind::BenefitChange(p) => p.to_table(),
            Kind::UniversalCredit(p) => p.to_table(),
            Kind::ChildElementLimit(p) => p.to_table(),
            Kind::WcaReassessment(p) => p.to_table(),
            Kind::IncomeUplift(p) => p.to_table(),
            Kind::Thrive(p) => p.to_table(),
            Kind::Trieste(p) => p.to_table(),
            Kind::OpenDialogue(p) => p.to_table(),
            Kind::LivingWellHub(p) => p.to_table(),
            Kind::Gatekeepers(p) => p.to_table(),
            Kind::SchoolProgramme(p) => p.to_table(),
            Kind::SocialPrescribing(p) => p.to_table(),
            Kind::AwarenessCampaign(p) => p.to_table(),
            Kind::CapacityChange(p) => p.to_table(),
        }
    }
}

impl Target {
    /// The target as a TOML table (only the filters that are set).
    pub fn to_table(&self) -> toml::Table {
        let mut t = toml::Table::new();
        if let Some(sex) = self.sex {
            let s = if sex == crate::population::Sex::Male {
                "male"
            } else {
                "female"
            };
            t.insert("sex".into(), s.into());
        }
        if let Some((lo, hi)) = self.age {
            t.insert("age".into(), vec![i64::from(lo), i64::from(hi)].into());
        }
        if self.deciles != 0 {
            let ds: Vec<i64> = (1..=10)
                .filter(|d| self.deciles & (1 << (d - 1)) != 0)
                .collect();
            t.insert("deciles".into(), ds.into());
        }
        if self.employment != 0 {
            let es: Vec<String> = crate::population::Employment::ALL
                .iter()
                .filter(|e| self.employment & (1 << **e as u8) != 0)
                .map(|e| e.name().to_string())
                .collect();
            t.insert("employment".into(), es.into());
        }
        if let Some(m) = self.marginalised {
            t.insert("marginalised".into(), m.into());
        }
        t.insert("reach".into(), self.reach.into());
        t
    }
}

impl PolicySpec {
    /// The element as a TOML table, every parameter included.
    pub fn to_table(&self) -> toml::Table {
        let mut t = toml::Table::new();
        t.insert("kind".into(), self.kind.name().into());
        t.insert("label".into(), self.label.clone().into());
        t.insert("start_week".into(), i64::from(self.start_week).into());
        if let Some(end) = self.end_week {
            t.insert("end_week".into(), i64::from(end).into());
        }
        t.insert("ramp_weeks".into(), i64::from(self.ramp_weeks).into());
        t.insert("fade_weeks".into(), i64::from(self.fade_weeks).into());
        if self.kind.acts_on_people() {
            t.insert("target".into(), self.target.to_table().into());
        }
        t.extend(self.kind.params_table());
        t
    }
}
