//! Services: help-seeking and recognition, talking therapies with a waiting list,
//! medication, community mental health teams, living-well hubs, crisis teams, inpatient beds
//! and community centres, each with a capacity, so that demand feedback emerges.
//!
//! Each week has two parts. In the parallel mental-health phase every person in care, in an
//! episode or with severe mental illness takes one [`person_week`] step: progress through a
//! course of care, leaving it, seeking help, and the chance of a crisis. Everything that
//! competes for capacity — starting therapy from the waiting list, crisis responses,
//! admissions, community-team and hub places — is then settled in [`Services::settle`], one
//! person at a time in an order drawn afresh each week. All draws are keyed by (person, week, purpose), so they
//! do not depend on the order people are processed in, and a person's draws are the same in
//! every scenario (common random numbers).

use std::collections::VecDeque;

use crate::dynamics::{MentalHealth, Smi};
use crate::policy::{Effects, PersonEffects, Service};
use crate::population::Population;
use crate::record::{ServiceCounts, WeekTally};
use crate::rng::StreamKey;
use crate::scenario::Scenario;

/// Where a person is in the care system (at most one place at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Care {
    /// Not in care.
    None = 0,
    /// On the talking-therapy waiting list.
    Waiting = 1,
    /// In a course of talking therapy.
    Therapy = 2,
    /// Taking antidepressant medication.
    Medication = 3,
    /// On a community mental health team caseload.
    Cmht = 4,
    /// A member of a living-well hub.
    Hub = 5,
    /// An inpatient in a local bed.
    Inpatient = 6,
    /// An inpatient placed out of area (no local bed was free).
    OutOfArea = 7,
    /// Staying in a 24/7 community-centre place.
    Centre = 8,
}

impl Care {
    /// Whether this is treatment (counts towards the treated share).
    #[inline]
    pub fn treated(self) -> bool {
        !matches!(self, Care::None | Care::Waiting)
    }

    /// Whether the person is staying somewhere (bed or centre place) this week.
    #[inline]
    pub fn staying(self) -> bool {
        matches!(self, Care::Inpatient | Care::OutOfArea | Care::Centre)
    }
}

/// Purposes of the services' draws (each its own stream, so draws never shift).
#[derive(Debug, Clone, Copy)]
#[repr(usize)]
enum Draw {
    Seek = 0,
    Recognise,
    Route,
    Progress,
    Crisis,
    Admit,
    Order,
    Compulsion,
    StepDown,
}
const N_DRAWS: usize = 9;

/// The keys of the services' draws for one replicate.
#[derive(Debug, Clone, Copy)]
pub struct ServiceKeys([StreamKey; N_DRAWS]);

impl ServiceKeys {
    /// Keys derived from the replicate's services stream.
    pub fn new(base: StreamKey) -> ServiceKeys {
        ServiceKeys(std::array::from_fn(|i| base.derive(i as u64)))
    }

    #[inline]
    fn u(&self, draw: Draw, person: usize, week: u32) -> f64 {
        self.0[draw as usize].uniform(person as u32, week)
    }
}

/// Weekly service constants derived from the scenario and the week's effects.
#[derive(Debug, Clone, PartialEq)]
pub struct Constants {
    /// Base weekly help-seeking probability.
    pub help_seeking: f64,
    /// Relative help-seeking of men, of 16-24s, of 65+, of the marginalised group.
    pub help_seeking_rr: [f64; 4],
    /// Probability of recognition at a consultation.
    pub recognition: f64,
    /// Share of the recognised referred to therapy.
    pub therapy_share: f64,
    /// Weekly probability of leaving the waiting list.
    pub waiting_exit: f64,
    /// Course length (weeks).
    pub therapy_weeks: u8,
    /// Weekly therapy drop-out probability.
    pub dropout: f64,
    /// Weekly probability of stopping medication.
    pub medication_stop: f64,
    /// Weekly crisis probability in acute SMI, and in an episode above the threshold.
    pub crisis: [f64; 2],
    /// Distress above which an episode can turn into a crisis.
    pub crisis_threshold: f32,
    /// Caseness: a course ends in recovery when distress is below this (the onset threshold).
    pub caseness: f32,
    /// Relative crisis hazard of hub members.
    pub hub_crisis: f64,
    /// Weekly discharge probability from a bed and from a centre place.
    pub discharge: [f64; 2],
    /// Weekly step-down probability from a community team to a hub.
    pub step_down: f64,
    /// Therapy starts, community-team places, crisis-team contacts, beds, centre places and
    /// hub places available (for the whole population). Fractional starts and contacts carry
    /// over to the next week; a place can be taken while fewer are occupied than the
    /// (fractional) capacity, so a small town still has a bed.
    pub capacity: [f64; 6],
    /// Odds of admission after a crisis without a crisis team.
    pub admission_odds: f64,
    /// Odds ratio of admission when a crisis team responds.
    pub crisis_team_or: f64,
    /// Probability that an admission is compulsory.
    pub compulsory: f64,
    /// Unit costs: GP consultation, therapy week, medication week, CMHT week, hub week,
    /// bed-week, out-of-area week, centre week, crisis-team response, emergency response,
    /// extra cost per crisis.
    pub cost: [f64; 11],
}

impl Constants {
    /// Constants for one week under `e`, for `people` residents.
    pub fn new(s: &Scenario, e: &Effects, people: usize) -> Constants {
        let v = &s.services;
        let per = people as f64 / 100_000.0;
        let odds = |p: f64| {
            if p >= 1.0 {
                f64::INFINITY
            } else {
                p / (1.0 - p)
            }
        };
        Constants {
            help_seeking: v.help_seeking_rate,
            help_seeking_rr: [
                v.help_seeking_male_rr,
                v.help_seeking_youth_rr,
                v.help_seeking_older_rr,
                v.help_seeking_marginalised_rr,
            ],
            recognition: v.recognition,
            therapy_share: v.therapy_referral_share,
            waiting_exit: v.waiting_exit_rate,
            therapy_weeks: v.therapy_weeks.min(255) as u8,
            dropout: v.therapy_dropout_rate,
            medication_stop: v.medication_stop_rate,
            crisis: [v.crisis_rate_acute, v.crisis_rate_distress],
            crisis_threshold: v.crisis_threshold as f32,
            caseness: s.dynamics.theta_on as f32,
            hub_crisis: e.hub_crisis,
            discharge: [
                1.0 / v.stay_weeks,
                if e.centre_stay_weeks > 0.0 {
                    (1.0 / e.centre_stay_weeks).min(1.0)
                } else {
                    1.0
                },
            ],
            step_down: e.hub_step_down,
            capacity: [
                v.therapy_capacity * per * e.capacity[Service::Therapy as usize],
                v.cmht_capacity * per * e.capacity[Service::Cmht as usize],
                v.crisis_team_capacity * per * e.capacity[Service::CrisisTeam as usize],
                v.beds * per * e.capacity[Service::Beds as usize],
                e.centre_places * per,
                e.hub_places * per,
            ],
            admission_odds: odds(v.admission_probability) * e.admission_odds,
            crisis_team_or: v.crisis_team_admission_or,
            compulsory: (v.compulsory_share * e.compulsion).min(1.0),
            cost: [
                v.cost_gp_consultation,
                v.cost_therapy_week,
                v.cost_medication_week,
                v.cost_cmht_week,
                e.cost_hub_week,
                v.cost_bed_week,
                v.cost_out_of_area_week,
                e.cost_centre_week,
                v.cost_crisis_contact,
                v.cost_emergency_contact,
                e.crisis_extra_cost,
            ],
        }
    }
}

/// Things that happened to one person in one week's [`person_week`] step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Events(pub u16);

impl Events {
    /// Consulted primary care about their mental health.
    pub const CONSULTED: u16 = 1;
    /// Referred to talking therapy (joins the waiting list).
    pub const REFERRED: u16 = 1 << 1;
    /// Started medication.
    pub const MEDICATED: u16 = 1 << 2;
    /// Completed a course of therapy.
    pub const COMPLETED: u16 = 1 << 3;
    /// Completed a course and left it below caseness.
    pub const RECOVERED: u16 = 1 << 4;
    /// Dropped out of therapy.
    pub const DROPPED_OUT: u16 = 1 << 5;
    /// Had a crisis.
    pub const CRISIS: u16 = 1 << 6;
    /// Has severe mental illness and is not in care: needs a community place.
    pub const NEEDS_PLACE: u16 = 1 << 7;
    /// Stable on a community-team caseload and ready to step down to a hub.
    pub const STEP_DOWN: u16 = 1 << 8;
    /// Recognised in an episode not recognised before: a new recorded case.
    pub const RECORDED: u16 = 1 << 9;

    /// Whether an event happened.
    #[inline]
    pub fn has(self, e: u16) -> bool {
        self.0 & e != 0
    }

    /// Whether the sequential phase must look at this person.
    #[inline]
    pub fn needs_settling(self) -> bool {
        self.has(Self::REFERRED | Self::CRISIS | Self::NEEDS_PLACE | Self::STEP_DOWN)
    }
}

/// One person's weekly services step, run after their mental-health step: progress through
/// care, leaving care, help-seeking, crisis. Changes only the person's own care state.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn person_week(
    person: usize,
    week: u32,
    keys: &ServiceKeys,
    age: u8,
    male: bool,
    pop: &Population,
    pe: &PersonEffects,
    mh: &mut MentalHealth,
    k: &Constants,
) -> Events {
    let mut ev = 0u16;
    let u = |d: Draw| keys.u(d, person, week);
    // Progress through the current place in care.
    match mh.care {
        Care::Waiting if u(Draw::Progress) < k.waiting_exit => mh.care = Care::None,
        Care::Therapy => {
            // Week k of the course has just had its session (and its effect on distress).
            // After the last session the course is complete; after any other, the person
            // may drop out.
            mh.care_weeks = mh.care_weeks.saturating_add(1);
            if mh.care_weeks >= k.therapy_weeks {
                mh.care = Care::None;
                ev |= Events::COMPLETED;
                if mh.distress < k.caseness {
                    ev |= Events::RECOVERED;
                }
            } else if u(Draw::Progress) < k.dropout {
                mh.care = Care::None;
                ev |= Events::DROPPED_OUT;
            }
        }
        Care::Medication if u(Draw::Progress) < k.medication_stop => mh.care = Care::None,
        Care::Cmht | Care::Hub if mh.smi == Smi::None => mh.care = Care::None,
        // A hub that closed (its policy ended) hands its members back.
        Care::Hub if k.capacity[5] <= 0.0 => mh.care = Care::None,
        Care::Cmht if mh.smi == Smi::Stable && u(Draw::StepDown) < k.step_down => {
            ev |= Events::STEP_DOWN;
        }
        Care::Inpatient | Care::OutOfArea if u(Draw::Progress) < k.discharge[0] => {
            mh.care = Care::None;
        }
        Care::Centre if u(Draw::Progress) < k.discharge[1] => mh.care = Care::None,
        _ => {}
    }
    // Seeking help for an episode.
    if mh.ill && mh.care == Care::None && age >= 16 {
        let mut p = k.help_seeking * f64::from(pe.help_seeking);
        if male {
            p *= k.help_seeking_rr[0];
        }
        if age <= 24 {
            p *= k.help_seeking_rr[1];
        } else if age >= 65 {
            p *= k.help_seeking_rr[2];
        }
        if pop.marginalised(person) {
            p *= k.help_seeking_rr[3];
        }
        if u(Draw::Seek) < p {
            ev |= Events::CONSULTED;
            if u(Draw::Recognise) < k.recognition {
                if mh.flags & MentalHealth::RECORDED == 0 {
                    mh.flags |= MentalHealth::RECORDED;
                    ev |= Events::RECORDED;
                }
                if u(Draw::Route) < k.therapy_share {
                    mh.care = Care::Waiting;
                    // While waiting, `care_weeks` holds the referral week (mod 256), which
                    // tells this referral's queue entry from an older one.
                    mh.care_weeks = week as u8;
                    ev |= Events::REFERRED;
                } else {
                    mh.care = Care::Medication;
                    mh.care_weeks = 0;
                    ev |= Events::MEDICATED;
                }
            }
        }
    }
    if mh.smi != Smi::None && matches!(mh.care, Care::None | Care::Waiting | Care::Medication) {
        ev |= Events::NEEDS_PLACE;
    }
    // Crisis: acute severe mental illness, or an episode with very high distress (adults:
    // children's services are not modelled).
    if !mh.care.staying() && age >= 16 {
        let mut h = 0.0;
        if mh.smi == Smi::Acute {
            h += k.crisis[0];
        }
        if mh.ill && mh.distress > k.crisis_threshold {
            h += k.crisis[1];
        }
        if mh.care == Care::Hub {
            h *= k.hub_crisis;
        }
        if h > 0.0 && u(Draw::Crisis) < h {
            ev |= Events::CRISIS;
        }
    }
    Events(ev)
}

/// Capacity-limited services of one replicate: the waiting list and the fractional
/// capacity carried from week to week.
#[derive(Debug, Clone, Default)]
pub struct Services {
    /// The talking-therapy waiting list: (person, week joined), first come first served.
    /// Entries of people who left the list are skipped when reached.
    pub queue: VecDeque<(u32, u32)>,
    /// Fractional therapy starts and crisis-team contacts carried to next week.
    carry: [f64; 2],
}

/// A person the sequential phase must look at, with what happened to them this week.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// Who.
    pub person: u32,
    /// Their observation cell.
    pub cell: u16,
    /// Their events.
    pub events: Events,
}

impl Services {
    /// Settle everything that competes for capacity this week, in a random order: new
    /// referrals join the waiting list; therapy starts from the head of the list; crises get
    /// a crisis-team response while contacts last and may end in a centre place or an
    /// admission (a local bed if one is free, else out of area); people with severe mental
    /// illness not in care take a hub place (when stable) or a community-team place while
    /// places last; stable community-team clients step down to free hub places.
    ///
    /// `occupied` holds this week's counts of people in each kind of place after the
    /// parallel phase (indexed by [`Care`]); `tally` receives the events and their costs.
    #[allow(clippy::too_many_arguments)]
    pub fn settle(
        &mut self,
        week: u32,
        pending: &[Pending],
        mh: &mut [MentalHealth],
        cells: &[u16],
        keys: &ServiceKeys,
        k: &Constants,
        mut occupied: [u32; 9],
        tally: &mut WeekTally,
    ) {
        let u = |d: Draw, p: usize| keys.u(d, p, week);
        let cost = &k.cost;
        // Capacity is handed out in a random order drawn afresh each week (person ids follow
        // neighbourhoods, so id order would favour some areas).
        let mut order: Vec<(u64, usize)> = (0..pending.len())
            .map(|i| {
                let p = pending[i].person as usize;
                (u(Draw::Order, p).to_bits(), i)
            })
            .collect();
        order.sort_unstable();
        let pending: Vec<Pending> = order.into_iter().map(|(_, i)| pending[i]).collect();
        for x in pending.iter().filter(|x| x.events.has(Events::REFERRED)) {
            self.queue.push_back((x.person, week));
        }
        // Therapy starts.
        let available = k.capacity[0] + self.carry[0];
        let mut starts = available.floor() as u64;
        self.carry[0] = available - starts as f64;
        while starts > 0 {
            let Some((p, joined)) = self.queue.pop_front() else {
                self.carry[0] = 0.0; // unused capacity does not accumulate
                break;
            };
            let m = &mut mh[p as usize];
            if m.care != Care::Waiting || m.care_weeks != joined as u8 {
                continue; // left the list (or was referred again later: a newer entry)
            }
            let c = &mut tally.services[usize::from(cells[p as usize])];
            if !m.ill {
                // Recovered while waiting: discharged without treatment.
                m.care = Care::None;
                c.discharged_waiting += 1;
                continue;
            }
            m.care = Care::Therapy;
            m.care_weeks = 0;
            starts -= 1;
            let wait = week - joined;
            c.starts += 1;
            c.started_within_6 += u32::from(wait <= 6);
            c.started_within_18 += u32::from(wait <= 18);
            tally
                .waits
                .push((cells[p as usize], wait.min(u32::from(u16::MAX)) as u16));
        }
        // Crises.
        let available = k.capacity[2] + self.carry[1];
        let mut contacts = available.floor() as u64;
        self.carry[1] = available - contacts as f64;
        for x in pending.iter().filter(|x| x.events.has(Events::CRISIS)) {
            let p = x.person as usize;
            let c = &mut tally.services[usize::from(x.cell)];
            c.crises += 1;
            let mut odds = k.admission_odds;
            if contacts > 0 {
                contacts -= 1;
                c.crisis_team += 1;
                c.spend(8, cost);
                odds *= k.crisis_team_or;
            } else {
                c.spend(9, cost);
            }
            c.spend(10, cost);
            let m = &mut mh[p];
            if f64::from(occupied[Care::Centre as usize]) < k.capacity[4] {
                occupied[Care::Centre as usize] += 1;
                m.care = Care::Centre;
                c.centre_admissions += 1;
                c.spend(7, cost); // the week of admission
                continue;
            }
            let admit = if odds.is_infinite() {
                1.0
            } else {
                odds / (1.0 + odds)
            };
            if u(Draw::Admit, p) < admit {
                if u(Draw::Compulsion, p) < k.compulsory {
                    c.admissions_compulsory += 1;
                } else {
                    c.admissions_voluntary += 1;
                }
                let local = f64::from(occupied[Care::Inpatient as usize]) < k.capacity[3];
                m.care = if local {
                    Care::Inpatient
                } else {
                    Care::OutOfArea
                };
                occupied[m.care as usize] += 1;
                c.spend(if local { 5 } else { 6 }, cost); // the week of admission
            }
        }
        // Community places for severe mental illness.
        for x in pending.iter() {
            let p = x.person as usize;
            let m = &mut mh[p];
            if x.events.has(Events::STEP_DOWN) && m.care == Care::Cmht {
                if f64::from(occupied[Care::Hub as usize]) < k.capacity[5] {
                    occupied[Care::Hub as usize] += 1;
                    occupied[Care::Cmht as usize] -= 1;
                    m.care = Care::Hub;
                }
                continue;
            }
            if !x.events.has(Events::NEEDS_PLACE)
                || !matches!(m.care, Care::None | Care::Waiting | Care::Medication)
            {
                continue;
            }
            if m.smi == Smi::Stable && f64::from(occupied[Care::Hub as usize]) < k.capacity[5] {
                occupied[Care::Hub as usize] += 1;
                m.care = Care::Hub;
            } else if f64::from(occupied[Care::Cmht as usize]) < k.capacity[1] {
                occupied[Care::Cmht as usize] += 1;
                m.care = Care::Cmht;
            }
        }
    }
}

/// Add one person's weekly care state and events to their cell's service counts.
#[inline]
pub fn count(c: &mut ServiceCounts, m: &MentalHealth, ev: Events, k: &Constants) {
    let cost = &k.cost;
    match m.care {
        Care::None => {}
        Care::Waiting => c.waiting += 1,
        Care::Therapy => {
            c.therapy += 1;
            c.spend(1, cost);
        }
        Care::Medication => {
            c.medication += 1;
            c.spend(2, cost);
        }
        Care::Cmht => {
            c.cmht += 1;
            c.spend(3, cost);
        }
        Care::Hub => {
            c.hub += 1;
            c.spend(4, cost);
        }
        Care::Inpatient => {
            c.inpatient += 1;
            c.spend(5, cost);
        }
        Care::OutOfArea => {
            c.out_of_area += 1;
            c.spend(6, cost);
        }
        Care::Centre => {
            c.centre += 1;
            c.spend(7, cost);
        }
    }
    if m.ill && m.care.treated() {
        c.treated_ill += 1;
    }
    if ev.has(Events::COMPLETED) || ev.has(Events::DROPPED_OUT) {
        c.spend(1, cost); // the week's session, after which the course ended
    }
    if ev.has(Events::CONSULTED) {
        c.consultations += 1;
        c.spend(0, cost);
    }
    c.recorded += u32::from(ev.has(Events::RECORDED));
    c.referrals += u32::from(ev.has(Events::REFERRED));
    c.completions += u32::from(ev.has(Events::COMPLETED));
    c.recoveries += u32::from(ev.has(Events::RECOVERED));
    c.dropouts += u32::from(ev.has(Events::DROPPED_OUT));
}
