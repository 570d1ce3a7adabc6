//! The five network layers people live in, stored compactly for the weekly loop.
//!
//! Household, school-class and workplace-team layers are made of cliques (everybody in a
//! group is tied to everybody else), so they are stored as [`Groups`]: each person's group
//! and each group's members, in compressed (CSR) form. Exposure to a group is then one read
//! of the group's count instead of a walk over its ties. Neighbourhood and online layers are
//! sparse graphs stored as compressed adjacency ([`Csr`]). Every layer has a weight.
//!
//! [`build`] generates all layers from a population; [`stats`] computes mean degree,
//! clustering and the largest component of each layer for `mhsim describe`.

mod build;
pub mod stats;

pub use build::{assign_new_workers, build, build_school};

use crate::params::NetworkParams;

/// The settings people meet in, one network layer each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    /// Household or family.
    Household,
    /// School class.
    School,
    /// Workplace team.
    Workplace,
    /// Neighbourhood (local friends and neighbours).
    Neighbourhood,
    /// Online.
    Online,
}

impl Setting {
    /// Every setting, in output order.
    pub const ALL: [Setting; 5] = [
        Setting::Household,
        Setting::School,
        Setting::Workplace,
        Setting::Neighbourhood,
        Setting::Online,
    ];

    /// Lower-case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Setting::Household => "household",
            Setting::School => "school",
            Setting::Workplace => "workplace",
            Setting::Neighbourhood => "neighbourhood",
            Setting::Online => "online",
        }
    }

    /// Weight of the layer in a scenario's network parameters.
    pub fn weight(self, params: &NetworkParams) -> f64 {
        match self {
            Setting::Household => params.weight_household,
            Setting::School => params.weight_school,
            Setting::Workplace => params.weight_workplace,
            Setting::Neighbourhood => params.weight_neighbourhood,
            Setting::Online => params.weight_online,
        }
    }
}

/// Marker for "no group".
pub const NO_GROUP: u32 = u32::MAX;

/// A partition of (some of) the people into groups, each group a clique.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Groups {
    /// Group of each person, or [`NO_GROUP`].
    pub group_of: Vec<u32>,
    /// Start of each group's members in `members`; one more entry than groups.
    pub offsets: Vec<u32>,
    /// Members of all groups, group after group.
    pub members: Vec<u32>,
}

impl Groups {
    /// Build from each person's group (or [`NO_GROUP`]) and the number of groups.
    pub fn from_assignment(group_of: Vec<u32>, n_groups: usize) -> Groups {
        let mut counts = vec![0u32; n_groups + 1];
        for &g in &group_of {
            if g != NO_GROUP {
                counts[g as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts;
        let mut cursor = offsets.clone();
        let mut members = vec![0u32; *offsets.last().unwrap_or(&0) as usize];
        for (person, &g) in group_of.iter().enumerate() {
            if g != NO_GROUP {
                members[cursor[g as usize] as usize] = person as u32;
                cursor[g as usize] += 1;
            }
        }
        Groups {
            group_of,
            offsets,
            members,
        }
    }

    /// Number of groups.
    pub fn n_groups(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Members of group `g`, in increasing person order.
    pub fn members(&self, g: usize) -> &[u32] {
        &self.members[self.offsets[g] as usize..self.offsets[g + 1] as usize]
    }

    /// Size of group `g`.
    pub fn size(&self, g: usize) -> u32 {
        self.offsets[g + 1] - self.offsets[g]
    }
}

/// A sparse undirected graph in compressed sparse row form; every tie is stored both ways.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    /// Start of each person's neighbours in `targets`; one more entry than people.
    pub offsets: Vec<u64>,
    /// Neighbours of all people, person after person, each list sorted.
    pub targets: Vec<u32>,
}

impl Csr {
    /// Build from undirected edges; self-loops and duplicates are dropped.
    pub fn from_edges(n_people: usize, edges: Vec<(u32, u32)>) -> Csr {
        use rayon::prelude::*;
        let mut directed: Vec<u64> = Vec::with_capacity(edges.len() * 2);
        for (a, b) in edges {
            if a != b {
                directed.push((u64::from(a) << 32) | u64::from(b));
                directed.push((u64::from(b) << 32) | u64::from(a));
            }
        }
        directed.par_sort_unstable();
        directed.dedup();
        let mut offsets = vec![0u64; n_people + 1];
        for &e in &directed {
            offsets[(e >> 32) as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let targets = directed.iter().map(|&e| e as u32).collect();
        Csr { offsets, targets }
    }

    /// The same graph without any tie of the people marked in `gone` (one linear pass; rows
    /// stay sorted and the graph stays symmetric).
    pub fn without(&self, gone: &[bool]) -> Csr {
        let n = self.offsets.len() - 1;
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(self.targets.len());
        offsets.push(0u64);
        for (p, &p_gone) in gone.iter().enumerate().take(n) {
            if !p_gone {
                targets.extend(
                    self.neighbours(p)
                        .iter()
                        .copied()
                        .filter(|&q| !gone[q as usize]),
                );
            }
            offsets.push(targets.len() as u64);
        }
        Csr { offsets, targets }
    }

    /// Neighbours of `person`.
    pub fn neighbours(&self, person: usize) -> &[u32] {
        &self.targets[self.offsets[person] as usize..self.offsets[person + 1] as usize]
    }

    /// Degree of `person`.
    pub fn degree(&self, person: usize) -> u32 {
        (self.offsets[person + 1] - self.offsets[person]) as u32
    }
}

/// The workplace layer: firms made of teams. Every employed, unemployed or sick-inactive
/// person holds a team slot (their job, or the job they return to); people keep it when they
/// retire, until their slot is reused at death. Only employed people are present in the team,
/// so a job loss removes a person's workplace ties and re-employment restores them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workplaces {
    /// Teams (cliques) of team slots.
    pub teams: Groups,
    /// Firm of each team.
    pub firm_of_team: Vec<u32>,
    /// Number of team slots of each firm.
    pub firm_size: Vec<u32>,
}

/// All five layers and their weights.
#[derive(Debug, Clone)]
pub struct Network {
    /// Households (cliques), shared with the population.
    pub household: Groups,
    /// School classes (cliques) of children aged 5-17; rebuilt every school year.
    pub school: Groups,
    /// Workplace teams.
    pub workplace: Workplaces,
    /// Neighbourhood ties.
    pub neighbourhood: Csr,
    /// Online ties.
    pub online: Csr,
    /// Layer weights, indexed as [`Setting::ALL`].
    pub weights: [f32; 5],
    /// Youngest age with online ties.
    pub online_min_age: u8,
}

impl Network {
    /// Bring the layers up to date after deaths and births reused the slots in `reborn`:
    /// households follow the population; the reused slots leave their workplace team and lose
    /// their neighbourhood and online ties (a newborn starts with none). School classes are
    /// rebuilt by the caller.
    pub fn after_turnover(&mut self, pop: &crate::population::Population, reborn: &[u32]) {
        let mut gone = vec![false; pop.len()];
        for &p in reborn {
            gone[p as usize] = true;
        }
        self.household = pop.households.clone();
        let mut group_of = std::mem::take(&mut self.workplace.teams.group_of);
        for &p in reborn {
            group_of[p as usize] = NO_GROUP;
        }
        let n_teams = self.workplace.teams.n_groups();
        self.workplace.teams = Groups::from_assignment(group_of, n_teams);
        self.neighbourhood = self.neighbourhood.without(&gone);
        self.online = self.online.without(&gone);
    }

    /// Whether a person is present in the online layer (old enough).
    #[inline]
    pub fn online_active(&self, pop: &crate::population::Population, person: usize) -> bool {
        pop.age[person] >= self.online_min_age
    }
}
