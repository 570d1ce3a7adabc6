//! Determinism: the same scenario and seed give bit-identical results whatever the number of
//! threads, both through the binary (every dataset of results.h5 and summary.csv) and in the
//! library (the weekly state of one world stepped on thread pools of different sizes); a
//! different seed gives different results.

use std::path::Path;

use mhsim::Scenario;
use mhsim::sim::World;

use crate::common::{Content, baseline_with, datasets_under, read_3d, read_content, run_small};

/// Shape and contents of every dataset under /series, /episodes and /summary.
fn results_datasets(path: &Path) -> Vec<(String, Vec<usize>, Content)> {
    let file = hdf5::File::open(path).expect("results.h5 opens");
    let mut out = Vec::new();
    for group in ["series", "episodes", "summary"] {
        let group = file
            .group(group)
            .unwrap_or_else(|e| panic!("/{group}: {e}"));
        for (name, ds) in datasets_under(&group) {
            let (shape, content) = read_content(&ds);
            out.push((name, shape, content));
        }
    }
    out
}

#[test]
fn results_are_bit_identical_for_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<_> = [1, 2, 3]
        .iter()
        .map(|threads| {
            let out = dir.path().join(format!("threads-{threads}"));
            run_small(&out, &["--threads", &threads.to_string()]);
            out
        })
        .collect();
    let reference = results_datasets(&runs[0].join("results.h5"));
    let names: Vec<&str> = reference.iter().map(|(n, _, _)| n.as_str()).collect();
    assert!(names.contains(&"/series/prevalence"), "{names:?}");
    assert!(
        names.contains(&"/episodes/durations_completed"),
        "{names:?}"
    );
    assert!(names.contains(&"/summary/final_year_mean"), "{names:?}");
    assert!(
        names.contains(&"/summary/weekly/prevalence_mean"),
        "{names:?}"
    );
    let reference_csv = std::fs::read(runs[0].join("summary.csv")).unwrap();
    for run in &runs[1..] {
        let other = results_datasets(&run.join("results.h5"));
        assert_eq!(
            other.len(),
            reference.len(),
            "{}: different datasets",
            run.display()
        );
        for ((name, shape, content), (other_name, other_shape, other_content)) in
            reference.iter().zip(&other)
        {
            assert_eq!(name, other_name);
            assert_eq!(
                shape,
                other_shape,
                "{name}: shape differs in {}",
                run.display()
            );
            assert!(
                content == other_content,
                "{name}: values differ in {}",
                run.display()
            );
        }
        assert_eq!(
            std::fs::read(run.join("summary.csv")).unwrap(),
            reference_csv,
            "{}: summary.csv",
            run.display()
        );
    }
}

#[test]
fn replicates_and_seeds_give_different_series() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_small(&a, &["--replicates", "2"]);
    run_small(&b, &["--replicates", "2", "--set", "seed=99"]);
    let open = |out: &Path| hdf5::File::open(out.join("results.h5")).unwrap();
    let (file_a, file_b) = (open(&a), open(&b));
    for metric in ["series/prevalence", "series/mean_distress"] {
        let (x, y) = (read_3d(&file_a, metric), read_3d(&file_b, metric));
        assert_eq!(x.shape(), y.shape());
        let bits = |v: &f64| v.to_bits();
        assert!(
            x.iter().map(bits).ne(y.iter().map(bits)),
            "{metric}: seed 99 gave the same series"
        );
        // Two replicates of one run are different draws, too.
        let (r0, r1) = (
            x.index_axis(ndarray::Axis(0), 0),
            x.index_axis(ndarray::Axis(0), 1),
        );
        assert!(
            r0.iter().map(bits).ne(r1.iter().map(bits)),
            "{metric}: replicates 0 and 1 are identical"
        );
    }
}

/// Everything observable after stepping a world a number of weeks: the mental-health state,
/// the circumstances, every weekly tally and the completed episodes. Rendered with `Debug`,
/// which prints every float in its shortest exact form, so equal traces mean bit-identical
/// values (and the comparison does not depend on the fields of the state types).
#[derive(PartialEq)]
struct Trace {
    state: String,
    circumstances: String,
    weeks: Vec<String>,
    ill: usize,
    people: usize,
}

fn trace(scenario: &Scenario, weeks: u32) -> Trace {
    let mut world = World::new(scenario, 1);
    let weeks = (0..weeks)
        .map(|_| {
            let out = world.step();
            format!("{:?} {:?}", out.tally.cells, out.remissions)
        })
        .collect();
    Trace {
        state: format!("{:?}", world.mh),
        circumstances: format!("{:?}", world.pop.circumstances),
        weeks,
        ill: world.n_ill(),
        people: world.pop.len(),
    }
}

#[test]
fn stepping_a_world_twice_gives_identical_states() {
    let scenario = baseline_with(&["people=3000", "seed=11"]);
    let first = trace(&scenario, 12);
    let second = trace(&scenario, 12);
    assert!(
        first == second,
        "two worlds built from the same scenario diverged"
    );
    // The trace is not trivially constant: somebody is in an episode.
    assert!(first.ill > 0, "nobody is ill after 12 weeks");
}

#[test]
fn stepping_is_identical_on_thread_pools_of_any_size() {
    // More than two chunks of people, so that the parallel phases really split the work; and
    // once more with a suicide rate a thousand times the real one, so that slots are reused
    // in every week.
    let people = 40_000;
    assert!(
        people > 2 * mhsim::sim::CHUNK,
        "the test needs several chunks"
    );
    for suicide in ["suicide.base_rate=1.17", "suicide.base_rate=1500"] {
        let scenario = baseline_with(&[&format!("people={people}"), "seed=5", suicide]);
        let on_pool = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| trace(&scenario, 4))
        };
        let one = on_pool(1);
        assert_eq!(one.people, people);
        assert!(one.ill > 0, "nobody is ill");
        if suicide.ends_with("1500") {
            let deaths = one
                .weeks
                .iter()
                .filter(|w| w.contains("suicides: 1"))
                .count();
            assert!(deaths > 0, "no suicide to test");
        }
        for threads in [2, 3] {
            assert!(
                on_pool(threads) == one,
                "{threads} threads gave a different world than 1 thread ({suicide})"
            );
        }
    }
}
