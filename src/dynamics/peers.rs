//! Exposure to other people's clinical state over the five layers, kept up to date
//! incrementally: when someone's state changes, the counts of their groups and of their
//! neighbours change by one. Counts are integers, so the result does not depend on the order
//! in which changes are applied.

use super::WeekConstants;
use crate::network::{NO_GROUP, Network};
use crate::population::{Employment, Population};
use crate::scenario::Scenario;

/// Numbers of ties in an episode, per group (clique layers) and per person (sparse layers).
#[derive(Debug, Clone, PartialEq)]
pub struct PeerCounts {
    /// Members in an episode, per household.
    pub household_ill: Vec<u16>,
    /// Pupils in an episode, per school class.
    pub school_ill: Vec<u16>,
    /// Employed members in an episode, per team.
    pub team_ill: Vec<u16>,
    /// Employed members, per team.
    pub team_active: Vec<u16>,
    /// Neighbourhood ties in an episode, per person.
    pub neighbourhood_ill: Vec<u16>,
    /// Online ties in an episode, per person.
    pub online_ill: Vec<u16>,
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

impl PeerCounts {
    /// Count everything from scratch.
    pub fn from_scratch(pop: &Population, net: &Network, ill: impl Fn(usize) -> bool) -> PeerCounts {
        let mut c = PeerCounts {
            household_ill: vec![0; net.household.n_groups()],
            school_ill: vec![0; net.school.n_groups()],
            team_ill: vec![0; net.workplace.teams.n_groups()],
            team_active: vec![0; net.workplace.teams.n_groups()],
            neighbourhood_ill: vec![0; pop.len()],
            online_ill: vec![0; pop.len()],
        };
        for p in 0..pop.len() {
            if pop.circumstances[p].employment == Employment::Employed && net.workplace.teams.group_of[p] != NO_GROUP {
                c.team_active[net.workplace.teams.group_of[p] as usize] += 1;
            }
            if ill(p) {
                c.change_ill(p, 1, pop, net);
            }
        }
        c
    }

    /// Recount the workplace teams (after new workers were given slots).
    pub fn recount_teams(&mut self, pop: &Population, net: &Network, ill: impl Fn(usize) -> bool) {
        let n = net.workplace.teams.n_groups();
        self.team_ill = vec![0; n];
        self.team_active = vec![0; n];
        for (p, &t) in net.workplace.teams.group_of.iter().enumerate() {
            if t != NO_GROUP && pop.circumstances[p].employment == Employment::Employed {
                self.team_active[t as usize] += 1;
                if ill(p) {
                    self.team_ill[t as usize] += 1;
                }
            }
        }
    }

    /// Recount the school classes (after the yearly rebuild).
    pub fn recount_school(&mut self, net: &Network, ill: impl Fn(usize) -> bool) {
        self.school_ill = vec![0; net.school.n_groups()];
        for (p, &g) in net.school.group_of.iter().enumerate() {
            if g != NO_GROUP && ill(p) {
                self.school_ill[g as usize] += 1;
            }
        }
    }

    /// Apply a change of one person's clinical state (`delta` = +1 onset, -1 remission).
    pub fn change_ill(&mut self, person: usize, delta: i32, pop: &Population, net: &Network) {
        let bump = |x: &mut u16| *x = (i32::from(*x) + delta) as u16;
        bump(&mut self.household_ill[net.household.group_of[person] as usize]);
        let class = net.school.group_of[person];
        if class != NO_GROUP {
            bump(&mut self.school_ill[class as usize]);
        }
        let team = net.workplace.teams.group_of[person];
        if team != NO_GROUP && pop.circumstances[person].employment == Employment::Employed {
            bump(&mut self.team_ill[team as usize]);
        }
        for &q in net.neighbourhood.neighbours(person) {
            bump(&mut self.neighbourhood_ill[q as usize]);
        }
        for &q in net.online.neighbours(person) {
            bump(&mut self.online_ill[q as usize]);
        }
    }

    /// Apply a change of one person's employment (entering or leaving their team).
    pub fn change_employment(&mut self, person: usize, employed: bool, ill: bool, net: &Network) {
        let team = net.workplace.teams.group_of[person];
        if team == NO_GROUP {
            return;
        }
        let team = team as usize;
        let delta: i32 = if employed { 1 } else { -1 };
        self.team_active[team] = (i32::from(self.team_active[team]) + delta) as u16;
        if ill {
            self.team_ill[team] = (i32::from(self.team_ill[team]) + delta) as u16;
        }
    }

    /// Weighted exposure of `person` to ties in an episode.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn exposure(
        &self,
        person: usize,
        self_ill: bool,
        employed: bool,
        heavy_online: bool,
        _pop: &Population,
        net: &Network,
        k: &WeekConstants,
        s: &Scenario,
    ) -> TieExposure {
        let me = f32::from(u8::from(self_ill));
        let w = &k.weights;
        let h = net.household.group_of[person] as usize;
        let h_total = (net.household.size(h) - 1) as f32;
        let h_ill = f32::from(self.household_ill[h]) - me;
        let n_total = net.neighbourhood.degree(person) as f32;
        let n_ill = f32::from(self.neighbourhood_ill[person]);
        let mut ill = w[0] * h_ill + w[3] * n_ill;
        let mut total = w[0] * h_total + w[3] * n_total;
        let close_ill = ill;
        let close_total = total;
        let class = net.school.group_of[person];
        if class != NO_GROUP {
            ill += w[1] * (f32::from(self.school_ill[class as usize]) - me);
            total += w[1] * (net.school.size(class as usize) - 1) as f32;
        }
        let team = net.workplace.teams.group_of[person];
        if employed && team != NO_GROUP {
            ill += w[2] * (f32::from(self.team_ill[team as usize]) - me);
            total += w[2] * f32::from(self.team_active[team as usize] - 1);
        }
        let online_w = if heavy_online { w[4] * s.network.heavy_use_online_intensity as f32 } else { w[4] };
        ill += online_w * f32::from(self.online_ill[person]);
        total += online_w * net.online.degree(person) as f32;
        TieExposure { ill, total, close_ill, close_total }
    }
}
