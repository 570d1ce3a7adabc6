//! The weekly loop, written out as the algorithm.

use rayon::prelude::*;

use super::World;
use crate::dynamics::{
    self, FOLLOW_UP_WEEKS, JobChange, LifeEvent, MentalHealth, Transition, WeekConstants,
};
use crate::policy::{Effects, HotEffects, PersonEffects};
use crate::population::{Employment, HouseholdId, IncomeRules, Sex};
use crate::record::{N_CELLS, PackedTally, PersonTally, ServiceCounts, WeekTally};
use crate::services::{self, Care, Pending};

/// People per chunk of the parallel phases. Fixed, so that results never depend on the
/// number of threads: chunk boundaries, and the order partial sums are combined in, are
/// always the same.
pub const CHUNK: usize = 16_384;

/// Sub-stream of the population stream for the fixed heavy-use draws.
const HEAVY_USE_DRAWS: u64 = 0x0048_4541_5659;
const _: () = assert!(CHUNK <= PackedTally::MAX_PEOPLE);

/// Sub-stream of the population stream for the births into the slots of the people who die
/// by suicide (derived once more by week).
const SUICIDE_BIRTHS: u64 = 0x0053_5549_4349_4445;
/// Sub-stream of the population stream for the yearly leaving home (derived once more by
/// year).
const LEAVING_HOME: u64 = 0x004C_4541_5645;

/// What the mental-health phase hands on: the week's tally, the clinical transitions, the
/// people the services phase must settle, the people in each kind of place, and the people
/// who die by suicide.
type PhaseFive = (
    WeekTally,
    Vec<(u32, Transition, u32)>,
    Vec<Pending>,
    [u32; 9],
    Vec<u32>,
);

/// Results of one chunk of the mental-health phase.
struct ChunkResult {
    /// Cell tallies.
    tally: PackedTally,
    /// Service counts by cell (empty when nobody in the chunk was in care).
    service_counts: Vec<ServiceCounts>,
    /// Clinical transitions as (person, transition, week).
    transitions: Vec<(u32, Transition, u32)>,
    /// People the services phase must settle.
    pending: Vec<Pending>,
    /// People in each kind of place, indexed by [`Care`].
    occupied: [u32; 9],
    /// People who die by suicide.
    suicides: Vec<u32>,
}

/// What one week produced.
#[derive(Debug, Clone)]
pub struct WeekOutput {
    /// Cell tallies of the week.
    pub tally: WeekTally,
    /// Completed episodes: (week of onset, duration in weeks).
    pub remissions: Vec<(u32, u16)>,
    /// The week's clinical transitions: (person, transition, week), in person order.
    pub transitions: Vec<(u32, Transition, u32)>,
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
    /// 1. effects: ask the active shocks and policies for this week's community-wide
    ///    effects, and each person's effects from the policies that act on people;
    /// 2. life and economy: job loss and re-employment, sickness inactivity, debt, arrears,
    ///    loneliness, bereavement; welfare rules (waits, sanctions, reassessments);
    /// 3. household income: recompute income and poverty of households whose members changed
    ///    employment state, lost or regained benefit income or had their income-related
    ///    policy effects changed;
    /// 4. workplace exposure: recount the teams of people whose employment state changed;
    /// 5. mental health and care: distress, onset and remission, severe mental illness,
    ///    whether the person dies by suicide; progress through care, help-seeking, crises;
    ///    tally the week (suicides, ended episodes, recurrence follow-ups due);
    /// 6. services: settle what competes for capacity (therapy starts, crisis responses,
    ///    admissions, community places);
    /// 7. peer exposure: apply this week's onsets and remissions to the tie counts;
    /// 8. deaths by suicide: each slot is taken at once by a newborn;
    /// 9. every 52 weeks: heavy social-media use, ageing and life-stage transitions, deaths
    ///    and births, leaving home, slots for new workers, household incomes, the new school
    ///    year, tie counts and observation cells.
    pub fn step(&mut self) -> WeekOutput {
        let s = self.scenario;
        let t = i64::from(self.week) - i64::from(s.run.burn_in_weeks);
        let effects = Effects::of_week(&s.policies, t);
        let (constants, service_constants) = match self.constants.take() {
            Some((cached, c, v)) if cached == effects => (c, v),
            _ => (
                WeekConstants::new(s, &effects),
                services::Constants::new(s, &effects, self.pop.len()),
            ),
        };
        let mut programme_cost = vec![0.0; N_CELLS];
        let income_changed = self.person_level_effects(t, &mut programme_cost);
        let events = self.life_and_economy(&constants);
        self.household_income(&events, &income_changed);
        let job_changes: Vec<JobChange> = events
            .iter()
            .filter(|e| e.has(LifeEvent::JOB))
            .map(|e| JobChange { person: e.person })
            .collect();
        self.workplace_exposure(&job_changes);
        let (mut tally, transitions, pending, occupied, suicides) =
            self.mental_health(&constants, &service_constants);
        self.services.settle(
            self.week,
            &pending,
            &mut self.mh,
            &self.cells,
            &self.service_keys,
            &service_constants,
            occupied,
            &mut tally,
        );
        for e in &events {
            let c = &mut tally.services[usize::from(self.cells[e.person as usize])];
            c.sanctions += u32::from(e.has(LifeEvent::SANCTION));
            c.reassessments += u32::from(e.has(LifeEvent::REASSESSED));
        }
        for (c, x) in tally.services.iter_mut().zip(programme_cost) {
            c.programme_cost += x;
        }
        tally.beds = service_constants.capacity[3];
        self.constants = Some((effects, constants, service_constants));
        let remissions = self.peer_exposure(&transitions);
        self.deaths_by_suicide(&suicides);
        self.week += 1;
        if self.week.is_multiple_of(52) {
            self.new_year();
        }
        WeekOutput {
            tally,
            remissions,
            transitions,
        }
    }

    /// Phase 1 (people): bring each person's effects from the policies that act on people
    /// up to date, and add the week's programme costs by cell. Returns the people whose
    /// income-related effects changed.
    fn person_level_effects(&mut self, t: i64, cost: &mut [f64]) -> Vec<u32> {
        let s = self.scenario;
        let changed = std::mem::take(&mut self.changed);
        let Some(policies) = self.person_policies.as_mut() else {
            return Vec::new();
        };
        policies.update(
            &s.policies,
            &self.policy_keys,
            t,
            &self.pop,
            &self.cells,
            &changed,
            s.services.stigma_help_seeking_rr,
            cost,
        )
    }

    /// Phase 2, in parallel chunks of people.
    fn life_and_economy(&mut self, k: &WeekConstants) -> Vec<LifeEvent> {
        let World {
            pop,
            mh,
            week,
            life_key,
            cells,
            person_policies,
            ..
        } = self;
        let (week, key) = (*week, *life_key);
        // Circumstances and benefit holds are taken out so they can be written while the
        // rest of `pop` is read.
        let mut circumstances = std::mem::take(&mut pop.circumstances);
        let mut holds = std::mem::take(&mut pop.benefit_hold_until);
        let pop_ref = &*pop;
        let effects = person_policies
            .as_ref()
            .map(|p| (p.effects.as_slice(), p.hot.as_slice()));
        let events: Vec<Vec<LifeEvent>> = circumstances
            .par_chunks_mut(CHUNK)
            .zip(holds.par_chunks_mut(CHUNK))
            .zip(mh.par_chunks_mut(CHUNK))
            .zip(cells.par_chunks_mut(CHUNK))
            .enumerate()
            .map(|(chunk, (((cs, hs), ms), cell_chunk))| {
                let first = chunk * CHUNK;
                let range = first..first + cs.len();
                let (ages, deciles, sizes) = (
                    &pop_ref.age[range.clone()],
                    &pop_ref.decile[range.clone()],
                    &pop_ref.household_size[range.clone()],
                );
                let pe = effects.map(|(v, h)| (&v[range.clone()], &h[range]));
                let mut out = Vec::new();
                for (i, ((c, h), m)) in cs
                    .iter_mut()
                    .zip(hs.iter_mut())
                    .zip(ms.iter_mut())
                    .enumerate()
                {
                    let input = dynamics::LifeInputs {
                        age: ages[i],
                        decile: deciles[i],
                        alone: sizes[i] == 1,
                        effects: pe.map_or(&PersonEffects::NEUTRAL, |(v, _)| &v[i]),
                        hot: pe.map_or(&HotEffects::NEUTRAL, |(_, h)| &h[i]),
                    };
                    let before = c.employment as u16;
                    if let Some(event) =
                        dynamics::life_and_economy(first + i, week, key, input, c, h, m, k)
                    {
                        cell_chunk[i] = cell_chunk[i] - before + c.employment as u16;
                        out.push(event);
                    }
                }
                out
            })
            .collect();
        pop.circumstances = circumstances;
        pop.benefit_hold_until = holds;
        let events = events.concat();
        if self.person_policies.is_some() {
            self.changed = events
                .iter()
                .filter(|e| e.has(LifeEvent::JOB) || e.has(LifeEvent::LONELY))
                .map(|e| e.person)
                .collect();
        }
        for e in events.iter().filter(|e| e.has(LifeEvent::INCOME)) {
            let until = self.pop.benefit_hold_until[e.person as usize];
            self.holds.push(std::cmp::Reverse((until, e.person)));
        }
        events
    }

    /// Phase 3. `income_changed`: people whose income-related policy effects changed.
    fn household_income(&mut self, events: &[LifeEvent], income_changed: &[u32]) {
        let eco = &self.scenario.economy;
        let mut households: Vec<_> = events
            .iter()
            .filter(|e| e.has(LifeEvent::JOB) || e.has(LifeEvent::INCOME))
            .map(|e| e.person)
            .chain(income_changed.iter().copied())
            .map(|p| self.pop.household[p as usize])
            .collect();
        // Holds that end this week: benefit income is paid again.
        while let Some(std::cmp::Reverse((until, p))) = self.holds.peek().copied() {
            if until > self.week {
                break;
            }
            self.holds.pop();
            households.push(self.pop.household[p as usize]);
        }
        households.sort_unstable();
        households.dedup();
        let rules = IncomeRules {
            week: self.week,
            effects: self.person_policies.as_ref().map(|p| p.effects.as_slice()),
        };
        for h in households {
            self.pop.update_household_income(h, eco, &rules);
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

    /// Phase 5, in parallel chunks of people; chunk results are combined in chunk order.
    fn mental_health(&mut self, k: &WeekConstants, v: &services::Constants) -> PhaseFive {
        let World {
            scenario,
            pop,
            mh,
            counts,
            week,
            mh_key,
            cells,
            person_policies,
            service_keys,
            follow_ups,
            below_suicide_age,
            ..
        } = self;
        let (s, week, key, keys) = (*scenario, *week, *mh_key, *service_keys);
        let (pop, counts) = (&*pop, &*counts);
        let effects = person_policies
            .as_ref()
            .map(|p| (p.effects.as_slice(), p.hot.as_slice()));
        let parts: Vec<ChunkResult> = mh
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(chunk, ms)| {
                let first = chunk * CHUNK;
                let range = first..first + ms.len();
                // Chunk-sized views of the columns read below (lets the compiler drop bounds checks).
                let (ages, sexes, heavy, deciles) = (
                    &pop.age[range.clone()],
                    &pop.sex[range.clone()],
                    &pop.heavy_social_media[range.clone()],
                    &pop.decile[range.clone()],
                );
                let (circumstances, ties, cells) = (
                    &pop.circumstances[range.clone()],
                    &counts.ties[range.clone()],
                    &cells[range.clone()],
                );
                let pe = effects.map(|(e, h)| (&e[range.clone()], &h[range]));
                let mut tally = PackedTally::default();
                let mut service_counts: Vec<ServiceCounts> = Vec::new();
                let mut transitions = Vec::new();
                let mut pending = Vec::new();
                let mut occupied = [0u32; 9];
                let mut suicides = Vec::new();
                for (i, m) in ms.iter_mut().enumerate() {
                    let p = first + i;
                    let c = &circumstances[i];
                    let male = sexes[i] == Sex::Male;
                    let person_effects = pe.map_or(&PersonEffects::NEUTRAL, |(e, _)| &e[i]);
                    let hot = pe.map_or(&HotEffects::NEUTRAL, |(_, h)| &h[i]);
                    let input = dynamics::PersonInputs {
                        age: ages[i],
                        male,
                        heavy_online: heavy[i]
                            && dynamics::heavy_use_age(
                                ages[i],
                                s.determinants.social_media_max_age,
                            ),
                        decile: deciles[i],
                        circumstances: c,
                        ties: &ties[i],
                        hot,
                    };
                    let ill_before = m.ill;
                    let (t, suicide) = dynamics::mental_health(p, week, key, &input, m, pop, s, k);
                    if !matches!(t, Transition::None) {
                        transitions.push((p as u32, t, week));
                    }
                    if suicide {
                        suicides.push(p as u32);
                    }
                    // Care: only people in care, in an episode or with severe mental illness.
                    if m.care != Care::None || m.ill || m.smi != dynamics::Smi::None {
                        let ev = services::person_week(
                            p,
                            week,
                            &keys,
                            ages[i],
                            male,
                            pop,
                            person_effects,
                            m,
                            v,
                        );
                        if m.care != Care::None || ev.0 != 0 {
                            if service_counts.is_empty() {
                                service_counts = vec![ServiceCounts::default(); N_CELLS];
                            }
                            services::count(&mut service_counts[usize::from(cells[i])], m, ev, v);
                            occupied[m.care as usize] += 1;
                        }
                        if ev.needs_settling() {
                            pending.push(Pending {
                                person: p as u32,
                                cell: cells[i],
                                events: ev,
                            });
                        }
                    }
                    tally.add(
                        usize::from(cells[i]),
                        &PersonTally {
                            ill: m.ill,
                            ill_before,
                            onset: matches!(t, Transition::Onset),
                            remission: matches!(t, Transition::Remission(_)),
                            smi: m.smi != dynamics::Smi::None,
                            employed: c.employment == Employment::Employed,
                            unemployed: c.employment == Employment::Unemployed,
                            poor: c.poor,
                            debt: c.problem_debt,
                            arrears: c.arrears,
                            lonely: c.lonely,
                            depressive: m.ill && m.distress > k.theta_depressive,
                            distress: m.distress,
                            ghq: k.ghq.probability(m.distress),
                        },
                    );
                }
                ChunkResult {
                    tally,
                    service_counts,
                    transitions,
                    pending,
                    occupied,
                    suicides,
                }
            })
            .collect();
        let mut tally = WeekTally::default();
        let mut transitions = Vec::new();
        let mut pending = Vec::new();
        let mut occupied = [0u32; 9];
        let mut suicides = Vec::new();
        for part in parts {
            part.tally.add_to(&mut tally);
            for (a, b) in tally.services.iter_mut().zip(&part.service_counts) {
                a.add(b);
            }
            transitions.extend(part.transitions);
            pending.extend(part.pending);
            for (a, b) in occupied.iter_mut().zip(part.occupied) {
                *a += b;
            }
            suicides.extend(part.suicides);
        }
        for &p in &suicides {
            tally.cells[usize::from(cells[p as usize])].suicides += 1;
        }
        for (t, &n) in tally.cells.iter_mut().zip(below_suicide_age.iter()) {
            t.below_suicide_age = n;
        }
        for &(p, t, _) in &transitions {
            let cell = &mut tally.cells[usize::from(cells[p as usize])];
            let m = &mh[p as usize];
            let depressive = m.flags & MentalHealth::DEPRESSIVE != 0;
            if t == Transition::Prolonged {
                cell.courses.prolonged += 1;
                cell.depressive_courses.prolonged += u32::from(depressive);
            }
            if let Transition::Remission(weeks) = t {
                cell.add_ended_episode(weeks, depressive);
                if m.flags & MentalHealth::FIRST_REMITTED != 0 && m.first_remission == week as u16 {
                    // The end of a first episode: follow up.
                    for (queue, weeks) in follow_ups.iter_mut().zip(FOLLOW_UP_WEEKS) {
                        queue.push_back((week + weeks, p));
                    }
                }
            }
        }
        // Follow-ups due this week: everyone whose first episode ended 26 weeks (still
        // recovered?), 5, 10 or 20 years ago. The check at 26 weeks tallies nothing.
        for (h, (queue, weeks)) in follow_ups.iter_mut().zip(FOLLOW_UP_WEEKS).enumerate() {
            while let Some(&(due, p)) = queue.front() {
                if due > week {
                    break;
                }
                queue.pop_front();
                let m = &mut mh[p as usize];
                if let Some(recurred) = dynamics::recurrence_follow_up(m, week, weeks) {
                    let t = &mut tally.cells[usize::from(cells[p as usize])];
                    t.followed_up[h - 1] += 1;
                    t.recurred[h - 1] += u32::from(recurred);
                }
            }
        }
        (tally, transitions, pending, occupied, suicides)
    }

    /// Phase 7. Returns completed episodes as (week of onset, duration).
    fn peer_exposure(&mut self, transitions: &[(u32, Transition, u32)]) -> Vec<(u32, u16)> {
        let mut remissions = Vec::new();
        for &(p, t, week) in transitions {
            let delta = match t {
                Transition::Onset => 1,
                Transition::Remission(d) => {
                    remissions.push((week.saturating_sub(u32::from(d)), d));
                    -1
                }
                Transition::None | Transition::Prolonged => continue,
            };
            self.counts
                .change_ill(p as usize, delta, &self.pop, &self.net);
        }
        remissions
    }

    /// Phase 8: the slot of each person who died by suicide this week (`dead`, in person
    /// order) is taken at once by a newborn, as at a yearly death: the person leaves every
    /// tie count (first as ill, if in an episode), the slot is reused in a mother's household
    /// (`population::rebirth`), the layers follow (`Network::after_rebirth`), the newborn's
    /// mental health is drawn and counted into the household, the cell is recomputed, the
    /// incomes of the household left and the household joined are recomputed, and the slot's
    /// person-level policy effects are reset and recomputed next week.
    fn deaths_by_suicide(&mut self, dead: &[u32]) {
        if dead.is_empty() {
            return;
        }
        let s = self.scenario;
        let mut rng =
            crate::rng::StreamKey::new(s.run.seed, self.replicate, crate::rng::Stream::Population)
                .derive(SUICIDE_BIRTHS)
                .derive(u64::from(self.week))
                .sequential();
        for &d in dead {
            let p = d as usize;
            if self.mh[p].ill {
                self.counts.change_ill(p, -1, &self.pop, &self.net);
            }
            self.counts.leave(p, &self.pop, &self.net);
            let left = crate::population::rebirth(
                &mut self.pop,
                p,
                dead,
                &s.population,
                &s.economy,
                &mut rng,
            );
            self.net.after_rebirth(&self.pop, p);
            self.mh[p] = dynamics::newborn(&self.pop, p, s, &mut rng);
            let mh = &self.mh;
            self.counts.join_household(p, &self.net, |q| mh[q].ill);
            // The deceased was at risk (old enough); the newborn may not be.
            self.cells[p] = super::person_cell(&self.pop, p);
            if u32::from(self.pop.age[p]) < s.suicide.min_age {
                self.below_suicide_age[usize::from(self.cells[p])] += 1;
            }
            if let Some(policies) = self.person_policies.as_mut() {
                policies.reset(p);
                self.changed.push(d);
            }
            let rules = IncomeRules {
                week: self.week,
                effects: self.person_policies.as_ref().map(|p| p.effects.as_slice()),
            };
            for h in [left, self.pop.household[p]] {
                self.pop.update_household_income(h, &s.economy, &rules);
            }
        }
    }

    /// Phase 9: everybody is a year older; life stages change; people die and are born; new
    /// workers get team slots; incomes are recomputed; a new school year begins.
    fn new_year(&mut self) {
        let s = self.scenario;
        let eco = &s.economy;
        let year = u64::from(self.week / 52);
        let mut rng = self.life_key.derive(1_000_000 + year).sequential();
        let worklessness =
            crate::population::deprivation_factors(eco.deprivation_worklessness_ratio);
        let mut job_changes = Vec::new();
        // Heavy social-media use under this year's growth of social media.
        let heavy_use = self.constants.as_ref().map_or(1.0, |(e, _, _)| e.heavy_use);
        let heavy_key =
            crate::rng::StreamKey::new(s.run.seed, self.replicate, crate::rng::Stream::Population)
                .derive(HEAVY_USE_DRAWS);
        self.pop.refresh_heavy_use(
            [Sex::Male, Sex::Female].map(|sex| crate::population::heavy_share(&s.population, sex)),
            heavy_use,
            heavy_key,
            year as u32,
        );
        self.pop.birthday_year += 1.0;
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
        // Young adults leave their parents' homes.
        let mut leave_rng =
            crate::rng::StreamKey::new(s.run.seed, self.replicate, crate::rng::Stream::Population)
                .derive(LEAVING_HOME)
                .derive(year)
                .sequential();
        let leavers = crate::population::leave_home(&mut self.pop, &s.population, &mut leave_rng);
        if !leavers.is_empty() {
            self.net.household = self.pop.households.clone();
        }
        // Leavers of school and university who became active take a slot in a team.
        let mut work_rng =
            crate::rng::StreamKey::new(s.run.seed, self.replicate, crate::rng::Stream::Workplace)
                .derive(year)
                .sequential();
        let new_workers =
            crate::network::assign_new_workers(&self.pop, &mut self.net.workplace, &mut work_rng);
        let rules = IncomeRules {
            week: self.week,
            effects: self.person_policies.as_ref().map(|p| p.effects.as_slice()),
        };
        for h in 0..self.pop.households.n_groups() {
            self.pop
                .update_household_income(HouseholdId(h as u32), eco, &rules);
        }
        let key =
            crate::rng::StreamKey::new(s.run.seed, self.replicate, crate::rng::Stream::School)
                .derive(year);
        self.net.school = crate::network::build_school(&self.pop, &s.network, key);
        let mh = &self.mh;
        if reborn.is_empty() && leavers.is_empty() {
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
        self.below_suicide_age = super::below_suicide_age(&self.pop, &self.cells, s);
        // Ages changed and people were born: who policies reach is worked out afresh.
        if let Some(policies) = self.person_policies.as_mut() {
            policies.invalidate();
        }
    }
}
