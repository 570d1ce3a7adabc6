//! Exposure to other people's clinical state over the five layers, kept up to date
//! incrementally: each person carries, per layer, the number of their ties and the number of
//! those ties in an episode. When someone's state changes, the counts of their tie partners
//! change by one, so the weekly loop reads one small record per person instead of walking
//! ties. Counts are integers and are updated in a fixed order, so results never depend on
//! the number of threads.

use rayon::prelude::*;

use super::WeekConstants;
use crate::network::{Groups, NO_GROUP, Network};
use crate::population::{Employment, Population};

/// Layer indices, as in [`crate::network::Setting::ALL`].
const HOUSEHOLD: usize = 0;
const SCHOOL: usize = 1;
const WORKPLACE: usize = 2;
const NEIGHBOURHOOD: usize = 3;
const ONLINE: usize = 4;

/// One person's ties per layer: how many, and how many are in an episode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ties {
    /// Ties in an episode, per layer.
    pub ill: [u16; 5],
    /// Ties, per layer.
    pub degree: [u16; 5],
}

/// Tie counts of every person.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerCounts {
    /// One record per person.
    pub ties: Vec<Ties>,
}

/// Weighted ties of one person, in total and in an episode.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TieExposure {
    /// Weighted ties in an episode, over all layers.
    pub ill: f32,
    /// Weighted ties, over all layers.
    pub total: f32,
    /// Weighted close ties (household, neighbourhood) in an episode.
    pub close_ill: f32,
    /// Weighted close ties (household, neighbourhood).
    pub close_total: f32,
}

fn employed(pop: &Population, p: usize) -> bool {
    pop.circumstances[p].employment == Employment::Employed
}

/// Whether `p` is present in the workplace layer (employed and holding a team slot).
fn at_work(pop: &Population, net: &Network, p: usize) -> bool {
    employed(pop, p) && net.workplace.teams.group_of[p] != NO_GROUP
}

impl PeerCounts {
    /// Count everything from scratch.
    pub fn from_scratch(
        pop: &Population,
        net: &Network,
        ill: impl Fn(usize) -> bool + Sync,
    ) -> PeerCounts {
        let mut c = PeerCounts {
            ties: vec![Ties::default(); pop.len()],
        };
        c.ties.par_iter_mut().enumerate().for_each(|(p, t)| {
            let hh = net.household.group_of[p] as usize;
            t.degree[HOUSEHOLD] = (net.household.size(hh) - 1) as u16;
            t.degree[NEIGHBOURHOOD] = net.neighbourhood.degree(p).min(u32::from(u16::MAX)) as u16;
            t.ill[NEIGHBOURHOOD] = net
                .neighbourhood
                .neighbours(p)
                .iter()
                .filter(|&&q| ill(q as usize))
                .count() as u16;
        });
        c.recount_groups(&net.household, HOUSEHOLD, |_| true, &ill);
        c.recount_school(net, &ill);
        c.recount_teams(pop, net, &ill);
        c.recount_online(pop, net, &ill);
        c
    }

    /// Recount the online layer: only ties between people old enough to be online count
    /// (after every birthday some people come of age).
    pub fn recount_online(
        &mut self,
        pop: &Population,
        net: &Network,
        ill: impl Fn(usize) -> bool + Sync,
    ) {
        self.ties.par_iter_mut().enumerate().for_each(|(p, t)| {
            let (mut degree, mut sick) = (0u32, 0u32);
            if net.online_active(pop, p) {
                for &q in net.online.neighbours(p) {
                    if net.online_active(pop, q as usize) {
                        degree += 1;
                        sick += u32::from(ill(q as usize));
                    }
                }
            }
            t.degree[ONLINE] = degree.min(u32::from(u16::MAX)) as u16;
            t.ill[ONLINE] = sick.min(u32::from(u16::MAX)) as u16;
        });
    }

    /// Recount one clique layer: degree = other present members, ill = of those, in an episode.
    fn recount_groups(
        &mut self,
        groups: &Groups,
        layer: usize,
        present: impl Fn(usize) -> bool,
        ill: impl Fn(usize) -> bool,
    ) {
        for t in &mut self.ties {
            t.degree[layer] = 0;
            t.ill[layer] = 0;
        }
        for g in 0..groups.n_groups() {
            let members = groups.members(g);
            let present_n = members.iter().filter(|&&q| present(q as usize)).count() as u16;
            let ill_n = members
                .iter()
                .filter(|&&q| present(q as usize) && ill(q as usize))
                .count() as u16;
            for &q in members {
                let q = q as usize;
                if present(q) {
                    let me = u16::from(ill(q));
                    self.ties[q].degree[layer] = present_n - 1;
                    self.ties[q].ill[layer] = ill_n - me;
                }
            }
        }
    }

    /// Recount the school classes (after the yearly rebuild).
    pub fn recount_school(&mut self, net: &Network, ill: impl Fn(usize) -> bool) {
        self.recount_groups(&net.school, SCHOOL, |_| true, ill);
    }

    /// Recount the workplace teams (after new workers were given slots).
    pub fn recount_teams(&mut self, pop: &Population, net: &Network, ill: impl Fn(usize) -> bool) {
        self.recount_groups(&net.workplace.teams, WORKPLACE, |p| employed(pop, p), ill);
    }

    /// Apply a change of one person's clinical state (`delta` = +1 onset, -1 remission) to
    /// the counts of everyone tied to them.
    pub fn change_ill(&mut self, person: usize, delta: i32, pop: &Population, net: &Network) {
        let ties = &mut self.ties;
        for_each_partner(person, pop, net, |q, layer| {
            let x = &mut ties[q as usize].ill[layer];
            *x = (i32::from(*x) + delta) as u16;
        });
    }

    /// Take `person` out of everybody's counts before their slot is reused: every tie partner,
    /// in every layer where the tie is present, loses one tie, and the person's own counts
    /// are cleared. The person must count as not in an episode (apply
    /// [`PeerCounts::change_ill`] with -1 first if they were).
    pub fn leave(&mut self, person: usize, pop: &Population, net: &Network) {
        let ties = &mut self.ties;
        for_each_partner(person, pop, net, |q, layer| {
            ties[q as usize].degree[layer] -= 1
        });
        self.ties[person] = Ties::default();
    }

    /// Count `person` (a newborn, not in an episode, with no other ties) into their household:
    /// the other members gain a tie, and the person's household counts are set.
    pub fn join_household(&mut self, person: usize, net: &Network, ill: impl Fn(usize) -> bool) {
        let members = net
            .household
            .members(net.household.group_of[person] as usize);
        let mut sick = 0u16;
        for &q in members {
            if q as usize != person {
                self.ties[q as usize].degree[HOUSEHOLD] += 1;
                sick += u16::from(ill(q as usize));
            }
        }
        let t = &mut self.ties[person];
        t.degree[HOUSEHOLD] = (members.len() - 1) as u16;
        t.ill[HOUSEHOLD] = sick;
    }

    /// Recount the workplace ties of the teams of people whose employment changed. Whole
    /// teams are recounted (they are small) because several members of one team may change
    /// in the same week. `pop` already holds the new states.
    pub fn recount_changed_teams(
        &mut self,
        people: impl Iterator<Item = usize>,
        ill: impl Fn(usize) -> bool,
        pop: &Population,
        net: &Network,
    ) {
        let teams = &net.workplace.teams;
        let mut touched: Vec<u32> = people
            .map(|p| teams.group_of[p])
            .filter(|&t| t != NO_GROUP)
            .collect();
        touched.sort_unstable();
        touched.dedup();
        for team in touched {
            let members = teams.members(team as usize);
            let present = members
                .iter()
                .filter(|&&q| employed(pop, q as usize))
                .count() as u16;
            let sick = members
                .iter()
                .filter(|&&q| employed(pop, q as usize) && ill(q as usize))
                .count() as u16;
            for &q in members {
                let q = q as usize;
                let t = &mut self.ties[q];
                (t.degree[WORKPLACE], t.ill[WORKPLACE]) = if employed(pop, q) {
                    (present - 1, sick - u16::from(ill(q)))
                } else {
                    (0, 0)
                };
            }
        }
    }

    /// Weighted exposure of one person's ties; online ties of heavy adolescent users weigh more,
    /// and neighbourhood ties weigh `neighbourhood_factor` times more (community programmes).
    #[inline]
    pub fn weigh(
        t: &Ties,
        heavy_online: bool,
        neighbourhood_factor: f32,
        k: &WeekConstants,
    ) -> TieExposure {
        let w = &k.weights;
        let f = f32::from;
        let w_neighbourhood = w[NEIGHBOURHOOD] * neighbourhood_factor;
        let close_ill =
            w[HOUSEHOLD] * f(t.ill[HOUSEHOLD]) + w_neighbourhood * f(t.ill[NEIGHBOURHOOD]);
        let close_total =
            w[HOUSEHOLD] * f(t.degree[HOUSEHOLD]) + w_neighbourhood * f(t.degree[NEIGHBOURHOOD]);
        let online = if heavy_online {
            w[ONLINE] * k.online_intensity
        } else {
            w[ONLINE]
        };
        TieExposure {
            ill: close_ill
                + w[SCHOOL] * f(t.ill[SCHOOL])
                + w[WORKPLACE] * f(t.ill[WORKPLACE])
                + online * f(t.ill[ONLINE]),
            total: close_total
                + w[SCHOOL] * f(t.degree[SCHOOL])
                + w[WORKPLACE] * f(t.degree[WORKPLACE])
                + online * f(t.degree[ONLINE]),
            close_ill,
            close_total,
        }
    }
}

/// Calls `visit(partner, layer)` for every tie of `person` present this week, in every layer
/// (the ties that [`PeerCounts`] counts).
fn for_each_partner(
    person: usize,
    pop: &Population,
    net: &Network,
    mut visit: impl FnMut(u32, usize),
) {
    for &q in net
        .household
        .members(net.household.group_of[person] as usize)
    {
        if q as usize != person {
            visit(q, HOUSEHOLD);
        }
    }
    let class = net.school.group_of[person];
    if class != NO_GROUP {
        for &q in net.school.members(class as usize) {
            if q as usize != person {
                visit(q, SCHOOL);
            }
        }
    }
    if at_work(pop, net, person) {
        for &q in net
            .workplace
            .teams
            .members(net.workplace.teams.group_of[person] as usize)
        {
            if q as usize != person && employed(pop, q as usize) {
                visit(q, WORKPLACE);
            }
        }
    }
    for &q in net.neighbourhood.neighbours(person) {
        visit(q, NEIGHBOURHOOD);
    }
    if net.online_active(pop, person) {
        for &q in net.online.neighbours(person) {
            if net.online_active(pop, q as usize) {
                visit(q, ONLINE);
            }
        }
    }
}
