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

    /// Move `person` into group `to` (or out of every group, with [`NO_GROUP`]), keeping
    /// each group's members in increasing person order: the result equals
    /// [`Groups::from_assignment`] of the changed assignment. Only the members and offsets
    /// between the two groups shift (the whole tail for a removal or an insertion).
    pub fn move_member(&mut self, person: u32, to: u32) {
        let from = self.group_of[person as usize];
        if from == to {
            return;
        }
        let p = person as usize;
        self.group_of[p] = to;
        // Position of `person` in `from`, and where it goes in `to` (ignoring `person`).
        let position = |g: u32, members: &[u32], offsets: &[u32]| {
            let (start, end) = (
                offsets[g as usize] as usize,
                offsets[g as usize + 1] as usize,
            );
            start + members[start..end].partition_point(|&q| q < person)
        };
        match (from, to) {
            (NO_GROUP, _) => {
                let at = position(to, &self.members, &self.offsets);
                self.members.insert(at, person);
                for o in &mut self.offsets[to as usize + 1..] {
                    *o += 1;
                }
            }
            (_, NO_GROUP) => {
                let at = position(from, &self.members, &self.offsets);
                self.members.remove(at);
                for o in &mut self.offsets[from as usize + 1..] {
                    *o -= 1;
                }
            }
            _ if from < to => {
                let at = position(from, &self.members, &self.offsets);
                let dest = position(to, &self.members, &self.offsets);
                // `person` moves to just before `dest`; everything in between shifts left.
                self.members[at..dest].rotate_left(1);
                for o in &mut self.offsets[from as usize + 1..=to as usize] {
                    *o -= 1;
                }
            }
            _ => {
                let at = position(from, &self.members, &self.offsets);
                let dest = position(to, &self.members, &self.offsets);
                self.members[dest..=at].rotate_right(1);
                for o in &mut self.offsets[to as usize + 1..=from as usize] {
                    *o += 1;
                }
            }
        }
    }
}

/// A sparse undirected graph in compressed sparse row form; every tie is stored both ways.
///
/// A tie removed between rebuilds ([`Csr::remove_ties`]) leaves a [`Csr::REMOVED`] marker at
/// the end of each row it was in; [`Csr::neighbours`] and [`Csr::degree`] see only the ties
/// present, and [`Csr::without`] compacts the markers away.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    /// Start of each person's neighbours in `targets`; one more entry than people.
    pub offsets: Vec<u64>,
    /// Neighbours of all people, person after person, each list sorted (markers of removed
    /// ties last).
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

    /// Marker of a removed tie (sorts after every person).
    pub const REMOVED: u32 = u32::MAX;

    /// Remove every tie of `person`, at both ends, in place: each partner's row closes up and
    /// ends with a [`Csr::REMOVED`] marker, and the person's own row holds only markers.
    pub fn remove_ties(&mut self, person: usize) {
        let partners = self.neighbours(person).to_vec();
        for q in partners {
            let (start, end) = self.row(q as usize);
            let row = &mut self.targets[start..end];
            let live = row.partition_point(|&x| x != Self::REMOVED);
            if let Ok(i) = row[..live].binary_search(&(person as u32)) {
                row[i..live].rotate_left(1);
                row[live - 1] = Self::REMOVED;
            }
        }
        let (start, end) = self.row(person);
        self.targets[start..end].fill(Self::REMOVED);
    }

    fn row(&self, person: usize) -> (usize, usize) {
        (
            self.offsets[person] as usize,
            self.offsets[person + 1] as usize,
        )
    }

    /// The same graph without any tie of the people marked in `gone` (one linear pass; rows
    /// stay sorted and the graph stays symmetric; markers of removed ties are dropped).
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

    /// Neighbours of `person` (the ties present).
    #[inline]
    pub fn neighbours(&self, person: usize) -> &[u32] {
        let row = &self.targets[self.offsets[person] as usize..self.offsets[person + 1] as usize];
        match row.last() {
            Some(&Self::REMOVED) => &row[..row.partition_point(|&x| x != Self::REMOVED)],
            _ => row,
        }
    }

    /// Degree of `person`.
    pub fn degree(&self, person: usize) -> u32 {
        self.neighbours(person).len() as u32
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

    /// Bring the layers up to date after the slot `person` was taken by a newborn outside
    /// the yearly turnover (a suicide; the population is already updated): the household
    /// layer follows the population, and the slot leaves its school class and workplace team
    /// and loses its neighbourhood and online ties, as at a yearly death.
    pub fn after_rebirth(&mut self, pop: &crate::population::Population, person: usize) {
        self.household
            .move_member(person as u32, pop.household[person].0);
        self.school.move_member(person as u32, NO_GROUP);
        self.workplace.teams.move_member(person as u32, NO_GROUP);
        self.neighbourhood.remove_ties(person);
        self.online.remove_ties(person);
    }

    /// Whether a person is present in the online layer (old enough).
    #[inline]
    pub fn online_active(&self, pop: &crate::population::Population, person: usize) -> bool {
        pop.age[person] >= self.online_min_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_members_equals_regrouping() {
        // Every kind of move, in both directions, into and out of empty groups.
        let mut assignment = vec![0, 2, NO_GROUP, 1, 0, 2, 3, NO_GROUP, 1, 0];
        let mut groups = Groups::from_assignment(assignment.clone(), 5);
        let moves = [
            (0, 3),
            (6, 0),
            (2, 1),
            (9, NO_GROUP),
            (5, 4),
            (4, 2),
            (8, 0),
            (7, 4),
            (1, NO_GROUP),
            (3, 3),
        ];
        for (p, to) in moves {
            groups.move_member(p, to);
            assignment[p as usize] = to;
            assert_eq!(
                groups,
                Groups::from_assignment(assignment.clone(), 5),
                "{p} -> {to}"
            );
        }
    }

    #[test]
    fn removed_ties_leave_a_graph_equal_to_one_without_them() {
        let edges = vec![(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (4, 0), (1, 5)];
        let mut csr = Csr::from_edges(6, edges);
        let mut gone = vec![false; 6];
        for p in [2, 4] {
            csr.remove_ties(p);
            gone[p] = true;
            let reference = Csr::from_edges(
                6,
                vec![(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (4, 0), (1, 5)],
            )
            .without(&gone);
            for q in 0..6 {
                assert_eq!(csr.neighbours(q), reference.neighbours(q), "person {q}");
                assert_eq!(csr.degree(q), reference.degree(q));
            }
            assert_eq!(csr.without(&gone), reference);
        }
        assert!(csr.neighbours(2).is_empty() && csr.neighbours(4).is_empty());
    }
}
