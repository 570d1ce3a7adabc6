//! One replicate: the [`World`] and the weekly loop.
//!
//! [`Start::new`] synthesises the population, builds the networks and draws the initial
//! mental-health state, and [`World::new`] (or [`World::from_start`]) sets the replicate up
//! from it; [`World::step`] (in `step.rs`) advances one week through named phases;
//! [`run_replicate`] runs the burn-in and the recorded weeks and returns the series.

mod step;

pub use step::CHUNK;

use crate::dynamics::{MentalHealth, PeerCounts};
use crate::network::Network;
use crate::population::Population;
use crate::record::ReplicateSeries;
use crate::rng::{Stream, StreamKey};
use crate::scenario::Scenario;

/// Sub-stream of the economy stream for matching sickness inactivity to illness at the start
/// ("SICK").
const SICKNESS_MATCH: u64 = 0x5349_434B;

/// Everything about one replicate at one moment.
#[derive(Debug, Clone)]
pub struct World<'s> {
    /// The scenario.
    pub scenario: &'s Scenario,
    /// Replicate index.
    pub replicate: u64,
    /// Weeks simulated so far (burn-in included).
    pub week: u32,
    /// The people.
    pub pop: Population,
    /// The network layers.
    pub net: Network,
    /// Mental-health state, one per person.
    pub mh: Vec<MentalHealth>,
    /// Exposure counts over the layers.
    pub counts: PeerCounts,
    /// Stream of the weekly life and economy draws.
    pub life_key: StreamKey,
    /// Stream of the weekly mental-health draws.
    pub mh_key: StreamKey,
    /// Recurrence follow-ups after a first episode, one queue per check of
    /// [`crate::dynamics::FOLLOW_UP_WEEKS`]: (week due, person), in the order they fall due.
    pub follow_ups: [std::collections::VecDeque<(u32, u32)>; 4],
    /// Observation cell of each person (sex x age band x deprivation quintile x employment),
    /// kept up to date when age or employment change.
    pub cells: Vec<u16>,
    /// People younger than `suicide.min_age` in each cell (all children, whose cells change
    /// only at a new year), kept up to date at births.
    pub below_suicide_age: Vec<u32>,
    /// Who the policies that act on people reach and what they do to each person (`None`
    /// when the scenario has no such policy).
    pub person_policies: Option<crate::policy::PersonPolicies>,
    /// People whose employment or loneliness changed this week (their person-level policy
    /// effects are brought up to date next week).
    pub changed: Vec<u32>,
    /// Reach streams of the scenario's policies, in declaration order.
    pub policy_keys: Vec<StreamKey>,
    /// The capacity-limited services (waiting list).
    pub services: crate::services::Services,
    /// Keys of the services' draws.
    pub service_keys: crate::services::ServiceKeys,
    /// Benefit holds by the week they end: (week, person).
    pub holds: std::collections::BinaryHeap<std::cmp::Reverse<(u32, u32)>>,
    /// The week constants and the effects they were derived from (rebuilt when effects change).
    constants: Option<(
        crate::policy::Effects,
        crate::dynamics::WeekConstants,
        crate::services::Constants,
    )>,
}

/// What a replicate starts from before its first week: the people, the networks, their
/// mental health and tie counts, and the observation cells. It is made from the scenario
/// without its shocks and policies, so scenarios that differ only in those (and in name and
/// description) start alike: [`Start::identity`] tells them apart, and a comparison makes
/// the start of a replicate once for all of them ([`crate::experiment::run_jobs_by`]).
#[derive(Debug, Clone)]
pub struct Start {
    pop: Population,
    net: Network,
    mh: Vec<MentalHealth>,
    counts: PeerCounts,
    cells: Vec<u16>,
    below_suicide_age: Vec<u32>,
}

impl Start {
    /// The start of replicate `replicate` of `scenario` (its shocks and policies left out).
    pub fn new(scenario: &Scenario, replicate: u64) -> Start {
        let s = &Start::base(scenario);
        let mut pop = crate::population::synthesize(
            s.run.people as usize,
            &s.population,
            &s.economy,
            &s.life,
            s.run.birthday_year(),
            s.run.seed,
            replicate,
        );
        let net = crate::network::build(
            &pop,
            &s.network,
            s.run.seed,
            replicate,
            s.total_weeks().div_ceil(52),
        );
        let mh = crate::dynamics::initialise(&pop, &net, s, replicate);
        let mut sick_rng =
            crate::rng::StreamKey::new(s.run.seed, replicate, crate::rng::Stream::Economy)
                .derive(SICKNESS_MATCH)
                .sequential();
        crate::population::match_sickness_to_illness(
            &mut pop,
            |p| mh[p].ill,
            |p| mh[p].set_point,
            &s.economy,
            &mut sick_rng,
        );
        let counts = PeerCounts::from_scratch(&pop, &net, |p| mh[p].ill);
        let cells: Vec<u16> = (0..pop.len()).map(|p| person_cell(&pop, p)).collect();
        let below_suicide_age = below_suicide_age(&pop, &cells, s);
        Start {
            pop,
            net,
            mh,
            counts,
            cells,
            below_suicide_age,
        }
    }

    /// What a start is made from: the scenario without shocks, policies, name, description
    /// and provenance.
    fn base(scenario: &Scenario) -> Scenario {
        let mut s = scenario.clone();
        s.policies.clear();
        s.run.name.clear();
        s.run.description.clear();
        s.origin.clear();
        s.source_text.clear();
        s
    }

    /// Equal for two scenarios whose replicates start alike.
    pub fn identity(scenario: &Scenario) -> String {
        Start::base(scenario).resolved_toml()
    }
}

impl<'s> World<'s> {
    /// Build replicate `replicate` of `scenario`.
    pub fn new(scenario: &'s Scenario, replicate: u64) -> World<'s> {
        World::from_start(scenario, replicate, Start::new(scenario, replicate))
    }

    /// Replicate `replicate` of `scenario` from its start (made by [`Start::new`] for this
    /// scenario or one of the same [`Start::identity`]).
    pub fn from_start(scenario: &'s Scenario, replicate: u64, start: Start) -> World<'s> {
        let s = scenario;
        let Start {
            pop,
            net,
            mh,
            counts,
            cells,
            below_suicide_age,
        } = start;
        let weekly = StreamKey::new(s.run.seed, replicate, Stream::Weekly);
        let policy_key = StreamKey::new(s.run.seed, replicate, Stream::Policy);
        let policy_keys = s
            .policies
            .iter()
            .map(|p| policy_key.derive(policy_identity(p)))
            .collect();
        let person_policies = s
            .policies
            .iter()
            .any(|p| p.kind.acts_on_people())
            .then(|| crate::policy::PersonPolicies::new(pop.len()));
        World {
            scenario,
            replicate,
            week: 0,
            pop,
            net,
            mh,
            counts,
            life_key: weekly.derive(0),
            mh_key: weekly.derive(1),
            follow_ups: Default::default(),
            cells,
            below_suicide_age,
            person_policies,
            changed: Vec::new(),
            policy_keys,
            services: crate::services::Services::default(),
            service_keys: crate::services::ServiceKeys::new(StreamKey::new(
                s.run.seed,
                replicate,
                Stream::Services,
            )),
            holds: std::collections::BinaryHeap::new(),
            constants: None,
        }
    }

    /// Each person's effects from the policies that act on people, if any.
    pub fn person_effects(&self) -> Option<&[crate::policy::PersonEffects]> {
        self.person_policies.as_ref().map(|p| p.effects.as_slice())
    }

    /// Number of people in an episode.
    pub fn n_ill(&self) -> usize {
        self.mh.iter().filter(|m| m.ill).count()
    }
}

/// Identity of a policy for its reach draws: its list and position there, so that the same
/// declaration reaches the same people in every scenario that declares it in that place.
fn policy_identity(p: &crate::policy::PolicySpec) -> u64 {
    let list = match p.family {
        crate::policy::Family::Shock => 1u64,
        crate::policy::Family::Policy => 2u64,
    };
    list << 32 | p.index as u64
}

/// Observation cell of one person from their current attributes.
pub fn person_cell(pop: &Population, person: usize) -> u16 {
    crate::record::cell(
        pop.sex[person] as u8,
        pop.age[person],
        (pop.decile[person] - 1) / 2,
        pop.circumstances[person].employment as u8,
    ) as u16
}

/// The number of people younger than `suicide.min_age` in each observation cell.
pub fn below_suicide_age(pop: &Population, cells: &[u16], s: &Scenario) -> Vec<u32> {
    let mut counts = vec![0; crate::record::N_CELLS];
    for (p, &c) in cells.iter().enumerate() {
        if u32::from(pop.age[p]) < s.suicide.min_age {
            counts[usize::from(c)] += 1;
        }
    }
    counts
}

/// Run one replicate: burn-in, then the recorded weeks.
pub fn run_replicate(scenario: &Scenario, replicate: u64) -> ReplicateSeries {
    run_from(scenario, replicate, Start::new(scenario, replicate))
}

/// [`run_replicate`] from a start made for a scenario of the same [`Start::identity`].
pub fn run_from(scenario: &Scenario, replicate: u64, start: Start) -> ReplicateSeries {
    let mut world = World::from_start(scenario, replicate, start);
    let burn_in = scenario.run.burn_in_weeks;
    let weeks = scenario.run.weeks as usize;
    let mut series = ReplicateSeries::new(replicate as u32, weeks);
    for _ in 0..burn_in {
        world.step();
    }
    for w in 0..weeks {
        let out = world.step();
        series.set_week(
            w,
            &out.tally.metrics(&scenario.measures, &scenario.valuation),
        );
        for d in out.remissions_since(burn_in) {
            series.durations_completed[usize::from(d).min(weeks)] += 1;
        }
    }
    // Episodes still running at the end that began in the recorded period (right-censored),
    // at their known duration (7.8), the symptomatic weeks so far, as the completed ones.
    let onset_weeks = u16::try_from(scenario.dynamics.onset_weeks).unwrap_or(u16::MAX);
    for m in world.mh.iter().filter(|m| m.ill) {
        if usize::from(m.episode_weeks) < weeks {
            let known = m
                .episode_weeks
                .saturating_add(onset_weeks)
                .saturating_sub(u16::from(m.run));
            series.durations_censored[usize::from(known).min(weeks)] += 1;
        }
    }
    series
}
