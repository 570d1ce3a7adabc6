//! The weekly loop, written out as the algorithm.

use rayon::prelude::*;

use super::World;
use crate::dynamics::{self, JobChange, Transition, WeekConstants};
use crate::policy::Effects;
use crate::population::{Employment, Sex};
use crate::record::{PackedTally, PersonTally, WeekTally};

/// People per chunk of the parallel phases. Fixed, so that results never depend on the
/// number of threads: chunk boundaries, and the order partial sums are combined in, are
/// always the same.
pub const CHUNK: usize = 16_384;
const _: () = assert!(CHUNK <= PackedTally::MAX_PEOPLE);

/// Results of one chunk of the mental-health phase: its tallies and its transitions as
/// (person, transition, week).
type ChunkResult = (PackedTally, Vec<(u32, Transition, u32)>);

/// What one week produced.
#[derive(Debug, Clone)]
pub struct WeekOutput {
    /// Cell tallies of the week.
    pub tally: WeekTally,
    /// Completed episodes: (week of onset, duration in weeks).
    pub remissions: Vec<(u32, u16)>,
}

impl WeekOutput {
    /// Durations of completed episodes that began in or after week `from`.
    pub fn remissions_since(&self, from: u32) -> impl Iterator<Item = u16> + '_ {
        self.remissions
            .iter()
            .filter(move |(onset, _)| *onset >= from)
            .map(|(_, d)| *d)
    }
}

impl World<'_> {
    /// Advance one week.
    ///
    /// 1. effects: ask the active policies and shocks for this week's effects;
    /// 2. life and economy: job loss and re-employment, sickness inactivity, debt, arrears,
    ///    loneliness, bereavement;
    /// 3. household income: recompute income and poverty of households whose members changed
    ///    employment state;
    /// 4. workplace exposure: recount the teams of people whose employment state changed;
    /// 5. mental health: distress, onset and remission, severe mental illness; tally the week;
    /// 6. peer exposure: apply this week's onsets and remissions to the tie counts;
    /// 7. every 52 weeks: ageing, life-stage transitions, deaths and births, slots for new
    ///    workers, household incomes and the new school year.
    pub fn step(&mut self) -> WeekOutput {
        let effects = self.effects();
        let constants = match self.constants.take() {
            Some((cached, constants)) if cached == effects => constants,
            _ => WeekConstants::new(self.scenario, &effects),
        };
        let job_changes = self.life_and_economy(&constants);
        self.household_income(&job_changes);
        self.workplace_exposure(&job_changes);
        let (tally, transitions) = self.mental_health(&constants);
        self.constants = Some((effects, constants));
        let remissions = self.peer_exposure(&transitions);
        self.week += 1;
        if self.week.is_multiple_of(52) {
            self.new_year();
        }
        WeekOutput { tally, remissions }
    }

    /// Phase 1. No policies exist yet; this is where they will plug in.
    fn effects(&self) -> Effects {
        Effects::NEUTRAL
    }

    /// Phase 2, in parallel chunks of people.
    fn life_and_economy(&mut self, k: &WeekConstants) -> Vec<JobChange> {
        let World {
            pop,
            mh,
            week,
            life_key,
            cells,
            ..
        } = self;
        let (week, key) = (*week, *life_key);
        // Circumstances are taken out so they can be written while the rest of `pop` is read.
        let mut circumstances = std::mem::take(&mut pop.circumstances);
        let pop_ref = &*pop;
        let changes: Vec<Vec<JobChange>> = circumstances
            .par_chunks_mut(CHUNK)
            .zip(mh.par_chunks_mut(CHUNK))
            .zip(cells.par_chunks_mut(CHUNK))
            .enumerate()
            .map(|(chunk, ((cs, ms), cell_chunk))| {
                let first = chunk * CHUNK;
                let range = first..first + cs.len();
                let (ages, deciles, sizes) = (
                    &pop_ref.age[range.clone()],
                    &pop_ref.decile[range.clone()],
                    &pop_ref.household_size[range],
                );
                let mut out = Vec::new();
                for (i, (c, m)) in cs.iter_mut().zip(ms.iter_mut()).enumerate() {
                    let input = dynamics::LifeInputs {
                        age: ages[i],
                        decile: deciles[i],
                        alone: sizes[i] == 1,
                    };
                    let before = c.employment as u16;
                    if let Some(change) =
                        dynamics::life_and_economy(first + i, week, key, input, c, m, k)
                    {
                        cell_chunk[i] = cell_chunk[i] - before + c.employment as u16;
                        out.push(change);
                    }
                }
                out
            })
            .collect();
        pop.circumstances = circumstances;
        changes.concat()
    }

    /// Phase 3.
    fn household_income(&mut self, changes: &[JobChange]) {
        if changes.is_empty() {
            return;
        }
        let mut households: Vec<_> = changes
            .iter()
            .map(|c| self.pop.household[c.person as usize])
            .collect();
        households.sort_unstable();
        households.dedup();
        for h in households {
            self.pop.update_household_income(h, &self.scenario.economy);
        }
    }

    /// Phase 4.
    fn workplace_exposure(&mut self, changes: &[JobChange]) {
        let mh = &self.mh;
        self.counts.recount_changed_teams(
            changes.iter().map(|c| c.person as usize),
            |q| mh[q].ill,
            &self.pop,
            &self.net,
        );
    }

    /// Phase 5, in parallel chunks of people; chunk tallies are added in chunk order.
    fn mental_health(&mut self, k: &WeekConstants) -> (WeekTally, Vec<(u32, Transition, u32)>) {
        let World {
            scenario,
            pop,
            mh,
            counts,
            week,
            mh_key,
            cells,
            ..
        } = self;
        let (s, week, key) = (*scenario, *week, *mh_key);
        let (pop, counts) = (&*pop, &*counts);
        let parts: Vec<ChunkResult> = mh
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(chunk, ms)| {
                let first = chunk * CHUNK;
                let range = first..first + ms.len();
                // Chunk-sized views of the columns read below (lets the compiler drop bounds checks).
                let (ages, sexes, heavy) = (
                    &pop.age[range.clone()],
                    &pop.sex[range.clone()],
                    &pop.heavy_social_media[range.clone()],
                );
                let (circumstances, ties, cells) = (
                    &pop.circumstances[range.clone()],
                    &counts.ties[range.clone()],
                    &cells[range],
                );
                let mut tally = PackedTally::default();
                let mut transitions = Vec::new();
                for (i, m) in ms.iter_mut().enumerate() {
                    let p = first + i;
                    let c = &circumstances[i];
                    let input = dynamics::PersonInputs {
                        age: ages[i],
                        male: sexes[i] == Sex::Male,
                        heavy_online: heavy[i] && dynamics::ADOLESCENCE.contains(&ages[i]),
                        circumstances: c,
                        ties: &ties[i],
                    };
                    let ill_before = m.ill;
                    let t = dynamics::mental_health(p, week, key, &input, m, pop, s, k);
                    if t != Transition::None {
                        transitions.push((p as u32, t, week));
                    }
                    tally.add(
                        usize::from(cells[i]),
                        &PersonTally {
                            ill: m.ill,
                            ill_before,
                            onset: t == Transition::Onset,
                            remission: matches!(t, Transition::Remission(_)),
                            smi: m.smi != dynamics::Smi::None,
                            employed: c.employment == Employment::Employed,
                            unemployed: c.employment == Employment::Unemployed,
                            poor: c.poor,
                            debt: c.problem_debt,
                            arrears: c.arrears,
                            lonely: c.lonely,
                            distress: m.distress,
                            ghq: k.ghq.probability(m.distress),
                        },
                    );
                }
                (tally, transitions)
            })
            .collect();
        let mut tally = WeekTally::default();
        let mut transitions = Vec::new();
        for (t, tr) in parts {
            t.add_to(&mut tally);
            transitions.extend(tr);
        }
        (tally, transitions)
    }

    /// Phase 6. Returns completed episodes as (week of onset, duration).
    fn peer_exposure(&mut self, transitions: &[(u32, Transition, u32)]) -> Vec<(u32, u16)> {
        let mut remissions = Vec::new();
        for &(p, t, week) in transitions {
            let delta = match t {
                Transition::Onset => 1,
                Transition::Remission(d) => {
                    remissions.push((week.saturating_sub(u32::from(d)), d));
                    -1
                }
                Transition::None => 0,
            };
            self.counts
                .change_ill(p as usize, delta, &self.pop, &self.net);
        }
        remissions
    }

    /// Phase 7: everybody is a year older; life stages change; people die and are born; new
    /// workers get team slots; incomes are recomputed; a new school year begins.
    fn new_year(&mut self) {
        let s = self.scenario;
        let eco = &s.economy;
        let year = u64::from(self.week / 52);
        let mut rng = self.life_key.derive(1_000_000 + year).sequential();
        let worklessness =
            crate::population::deprivation_factors(eco.deprivation_worklessness_ratio);
        let mut job_changes = Vec::new();
        for p in 0..self.pop.len() {
            let age = self.pop.age[p].saturating_add(1).min(120);
            self.pop.age[p] = age;
            let c = &mut self.pop.circumstances[p];
            let before = c.employment;
            let active = |rng: &mut rand_xoshiro::Xoshiro256PlusPlus, decile: u8| {
                use rand::RngExt;
                let u = (eco.unemployment_rate * worklessness[usize::from(decile - 1)]).min(1.0);
                if rng.random_bool(u) {
                    Employment::Unemployed
                } else {
                    Employment::Employed
                }
            };
            let decile = self.pop.deprivation_decile[self.pop.neighbourhood[p].0 as usize];
            c.employment = crate::population::after_birthday(age, before, eco, &mut rng, |rng| {
                active(rng, decile)
            });
            if c.employment != before {
                job_changes.push(JobChange { person: p as u32 });
            }
            let m = &mut self.mh[p];
            m.set_point = dynamics::set_point(&self.pop, p, m.diathesis, m.episodes, s);
        }
        // Deaths and births: slots of the deceased become newborns.
        let mut reborn = Vec::new();
        if s.population.turnover {
            let mut birth_rng = crate::rng::StreamKey::new(
                s.run.seed,
                self.replicate,
                crate::rng::Stream::Population,
            )
            .derive(1 + year)
            .sequential();
            reborn = crate::population::turnover(&mut self.pop, &s.population, eco, &mut birth_rng);
            if !reborn.is_empty() {
                self.net.after_turnover(&self.pop, &reborn);
                for &b in &reborn {
                    self.mh[b as usize] =
                        dynamics::newborn(&self.pop, b as usize, s, &mut birth_rng);
                }
            }
        }
        // Leavers of school and university who became active take a slot in a team.
        let mut work_rng =
            crate::rng::StreamKey::new(s.run.seed, self.replicate, crate::rng::Stream::Workplace)
                .derive(year)
                .sequential();
        let new_workers =
            crate::network::assign_new_workers(&self.pop, &mut self.net.workplace, &mut work_rng);
        for h in 0..self.pop.households.n_groups() {
            self.pop
                .update_household_income(crate::population::HouseholdId(h as u32), eco);
        }
        let key =
            crate::rng::StreamKey::new(s.run.seed, self.replicate, crate::rng::Stream::School)
                .derive(year);
        self.net.school = crate::network::build_school(&self.pop, &s.network, key);
        let mh = &self.mh;
        if reborn.is_empty() {
            if new_workers {
                self.counts
                    .recount_teams(&self.pop, &self.net, |p| mh[p].ill);
            } else {
                self.workplace_exposure(&job_changes);
            }
            let mh = &self.mh;
            self.counts.recount_school(&self.net, |p| mh[p].ill);
            self.counts
                .recount_online(&self.pop, &self.net, |p| mh[p].ill);
        } else {
            // Households and ties changed: count everything afresh.
            self.counts =
                crate::dynamics::PeerCounts::from_scratch(&self.pop, &self.net, |p| mh[p].ill);
        }
        self.cells = (0..self.pop.len())
            .map(|p| super::person_cell(&self.pop, p))
            .collect();
    }
}
