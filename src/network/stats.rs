//! Layer statistics: mean degree, clustering and largest component, for `mhsim describe`.

use petgraph::unionfind::UnionFind;

use super::{NO_GROUP, Network, Setting};
use crate::population::{Employment, Population};

/// Summary of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerStats {
    /// The layer.
    pub setting: Setting,
    /// Layer weight.
    pub weight: f32,
    /// People with at least one tie in the layer.
    pub people_with_ties: usize,
    /// Mean ties per person, over everybody.
    pub mean_degree: f64,
    /// Mean ties per person, over people with at least one tie.
    pub mean_degree_connected: f64,
    /// Largest number of ties of one person.
    pub max_degree: u32,
    /// Mean local clustering coefficient over a sample of people with 2+ ties.
    pub clustering: f64,
    /// Size of the largest connected component (people).
    pub largest_component: usize,
}

impl Network {
    /// Ties of `person` in `setting` as present now: workplace ties only between employed
    /// people, online ties only between people old enough to be online.
    pub fn neighbours(&self, pop: &Population, setting: Setting, person: usize) -> Vec<u32> {
        let employed = |p: usize| pop.circumstances[p].employment == Employment::Employed;
        let group = |g: &super::Groups, active: &dyn Fn(usize) -> bool| -> Vec<u32> {
            let id = g.group_of[person];
            if id == NO_GROUP || !active(person) {
                return Vec::new();
            }
            g.members(id as usize)
                .iter()
                .copied()
                .filter(|&q| q as usize != person && active(q as usize))
                .collect()
        };
        match setting {
            Setting::Household => group(&self.household, &|_| true),
            Setting::School => group(&self.school, &|_| true),
            Setting::Workplace => group(&self.workplace.teams, &employed),
            Setting::Neighbourhood => self.neighbourhood.neighbours(person).to_vec(),
            Setting::Online if self.online_active(pop, person) => self
                .online
                .neighbours(person)
                .iter()
                .copied()
                .filter(|&q| self.online_active(pop, q as usize))
                .collect(),
            Setting::Online => Vec::new(),
        }
    }

    /// Statistics of one layer; clustering is averaged over at most `sample` people.
    pub fn layer_stats(&self, pop: &Population, setting: Setting, sample: usize) -> LayerStats {
        let n = pop.len();
        let mut degrees = Vec::with_capacity(n);
        let mut union = UnionFind::<u32>::new(n);
        for p in 0..n {
            let nb = self.neighbours(pop, setting, p);
            for &q in &nb {
                union.union(p as u32, q);
            }
            degrees.push(nb.len() as u32);
        }
        let people_with_ties = degrees.iter().filter(|&&d| d > 0).count();
        let total: u64 = degrees.iter().map(|&d| u64::from(d)).sum();
        let mut component = vec![0usize; n];
        for p in 0..n {
            if degrees[p] > 0 {
                component[union.find(p as u32) as usize] += 1;
            }
        }
        // Clustering over an evenly spaced sample of people with 2+ ties.
        let candidates: Vec<usize> = (0..n).filter(|&p| degrees[p] >= 2).collect();
        let step = (candidates.len() / sample.max(1)).max(1);
        let mut sum = 0.0;
        let mut count = 0usize;
        for &p in candidates.iter().step_by(step) {
            let nb = self.neighbours(pop, setting, p);
            let mut sorted_sets: Vec<Vec<u32>> = nb
                .iter()
                .map(|&q| {
                    let mut v = self.neighbours(pop, setting, q as usize);
                    v.sort_unstable();
                    v
                })
                .collect();
            let mut links = 0usize;
            for (i, set) in sorted_sets.iter_mut().enumerate() {
                for &w in &nb[i + 1..] {
                    if set.binary_search(&w).is_ok() {
                        links += 1;
                    }
                }
            }
            let k = nb.len();
            sum += links as f64 / (k * (k - 1) / 2) as f64;
            count += 1;
        }
        LayerStats {
            setting,
            weight: self.weights[Setting::ALL.iter().position(|s| *s == setting).unwrap_or(0)],
            people_with_ties,
            mean_degree: total as f64 / n.max(1) as f64,
            mean_degree_connected: total as f64 / people_with_ties.max(1) as f64,
            max_degree: degrees.iter().copied().max().unwrap_or(0),
            clustering: if count > 0 { sum / count as f64 } else { 0.0 },
            largest_component: component.into_iter().max().unwrap_or(0),
        }
    }
}
