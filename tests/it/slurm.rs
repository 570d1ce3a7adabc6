//! A real SLURM run: a one-node cluster (munged, slurmctld, slurmd) is started from a
//! configuration written into a temporary folder, the `submit.sbatch` written by
//! `mhsim sweep plan --shards 3` is submitted with `sbatch --wait`, the shards are merged,
//! and the result is compared with the same sweep run in one process: bit-identical.
//!
//! Needs Debian's slurmctld, slurmd, slurm-client and munge (`sh tests/install-deps.sh test`
//! installs them) and root, as in CI. The daemons are stopped when the test ends, also when it
//! fails; every wait has a deadline. `MHSIM_SKIP_SLURM=1` skips the test on machines where a
//! cluster cannot be started.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{assert_success, run_mhsim};
use crate::sweep::{GRID, everything, plan, sweep, write};

/// Daemons started by the test, stopped (SIGTERM, then SIGKILL) when dropped.
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    daemons: Vec<Child>,
    munged_pid_file: Option<PathBuf>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.daemons.iter_mut().rev() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(pid_file) = &self.munged_pid_file
            && let Ok(pid) = std::fs::read_to_string(pid_file)
        {
            let _ = Command::new("kill").args(["-TERM", pid.trim()]).status();
        }
    }
}

impl Cluster {
    /// The last lines of the daemons' logs, for failure messages.
    fn logs(&self) -> String {
        ["slurmctld.log", "slurmd.log"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(15)..].join("\n");
                format!("--- {name}\n{tail}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A SLURM client command using this cluster's configuration.
    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("SLURM_CONF", &self.conf);
        command
    }
}

fn found(program: &str) -> bool {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .any(|dir| Path::new(dir).join(program).exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn munge_works() -> bool {
    Command::new("sh")
        .args(["-c", "munge -n | unmunge"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Start munged (unless one answers already), slurmctld and slurmd, and wait until the node
/// is idle.
fn start_cluster(dir: &Path) -> Cluster {
    let mut munged_pid_file = None;
    if !munge_works() {
        std::fs::create_dir_all("/run/munge").expect("create /run/munge");
        let chown = Command::new("chown")
            .args(["munge:munge", "/run/munge"])
            .status();
        assert!(chown.is_ok_and(|s| s.success()), "chown /run/munge");
        let status = Command::new("runuser")
            .args(["-u", "munge", "--", "/usr/sbin/munged", "--force"])
            .status()
            .expect("runuser munged");
        assert!(status.success(), "munged did not start");
        munged_pid_file = Some(PathBuf::from("/run/munge/munged.pid"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !munge_works() {
            assert!(Instant::now() < deadline, "munge does not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("hostname")
        .trim()
        .split('.')
        .next()
        .unwrap()
        .to_string();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem_mb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(2048, |kb| (kb / 1024).saturating_sub(1024).max(1024));
    for sub in ["state", "spool"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let d = dir.display();
    let conf = dir.join("slurm.conf");
    std::fs::write(
        &conf,
        format!(
            "ClusterName=mhsimtest\n\
             SlurmctldHost={host}(127.0.0.1)\n\
             SlurmUser=root\n\
             SlurmdUser=root\n\
             SlurmctldPort={}\n\
             SlurmdPort={}\n\
             AuthType=auth/munge\n\
             CredType=cred/munge\n\
             StateSaveLocation={d}/state\n\
             SlurmdSpoolDir={d}/spool\n\
             SlurmctldPidFile={d}/slurmctld.pid\n\
             SlurmdPidFile={d}/slurmd.pid\n\
             SlurmctldLogFile={d}/slurmctld.log\n\
             SlurmdLogFile={d}/slurmd.log\n\
             ProctrackType=proctrack/linuxproc\n\
             TaskPlugin=task/none\n\
             SelectType=select/cons_tres\n\
             SelectTypeParameters=CR_Core\n\
             ReturnToService=2\n\
             MpiDefault=none\n\
             AccountingStorageType=accounting_storage/none\n\
             JobAcctGatherType=jobacct_gather/none\n\
             JobCompType=jobcomp/none\n\
             NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={mem_mb} State=UNKNOWN\n\
             PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP\n",
            free_port(),
            free_port()
        ),
    )
    .unwrap();
    let mut cluster = Cluster {
        dir: dir.to_path_buf(),
        conf: conf.clone(),
        daemons: Vec::new(),
        munged_pid_file,
    };
    for daemon in ["slurmctld", "slurmd"] {
        let mut command = cluster.client(daemon);
        command.args(["-D", "-f"]).arg(&conf);
        if daemon == "slurmctld" {
            command.arg("-i");
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{daemon}: {e}"));
        cluster.daemons.push(child);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let state = cluster
            .client("sinfo")
            .args(["-h", "-o", "%t"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        if state == "idle" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the node is not idle after 60 s (state {state:?})\n{}",
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    cluster
}

#[test]
fn a_sweep_submitted_to_slurm_merges_to_the_local_result() {
    if std::env::var_os("MHSIM_SKIP_SLURM").is_some() {
        eprintln!("MHSIM_SKIP_SLURM is set: the SLURM test is skipped");
        return;
    }
    let missing: Vec<&str> = ["slurmctld", "slurmd", "sbatch", "sinfo", "munged", "munge"]
        .into_iter()
        .filter(|p| !found(p))
        .collect();
    assert!(
        missing.is_empty(),
        "missing {missing:?}: run `sh tests/install-deps.sh test` (Debian: slurmctld slurmd slurm-client munge), or set MHSIM_SKIP_SLURM=1"
    );
    let work = tempfile::tempdir().unwrap();
    let cluster = start_cluster(&work.path().join("slurm"));
    let file = write(work.path(), "grid.toml", GRID);
    let (local, cluster_dir) = (work.path().join("local"), work.path().join("cluster"));
    plan(&file, &local, 1);
    sweep(&["run", local.to_str().unwrap(), "--quiet"]);
    let planned = run_mhsim(&[
        "sweep",
        "plan",
        file.to_str().unwrap(),
        "--out",
        cluster_dir.to_str().unwrap(),
        "--shards",
        "3",
        "--cpus-per-task",
        "1",
    ]);
    assert_success(&planned);
    let script = cluster_dir.join("submit.sbatch");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("#SBATCH --array=0-2"), "{text}");
    assert!(
        text.contains("MHSIM=\"${MHSIM:-/"),
        "absolute binary path: {text}"
    );

    let mut submit = cluster
        .client("sbatch")
        .arg("--wait")
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sbatch runs");
    let deadline = Instant::now() + Duration::from_secs(240);
    let status = loop {
        if let Some(status) = submit.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = submit.kill();
            let _ = cluster.client("scancel").arg("--user=root").status();
            panic!("sbatch --wait did not return in 240 s\n{}", cluster.logs());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = submit.wait_with_output().unwrap();
    let logs: String = (0..3)
        .map(|k| {
            std::fs::read_to_string(cluster_dir.join(format!("logs/shard-{k}.log")))
                .unwrap_or_default()
        })
        .collect();
    assert!(
        status.success(),
        "the job array failed: {}\n{}\n--- task logs\n{logs}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        cluster.logs()
    );
    for k in 0..3 {
        assert!(
            cluster_dir.join(format!("shards/shard-{k:04}.h5")).exists(),
            "shard {k} missing; task logs:\n{logs}"
        );
    }
    assert!(
        logs.contains("progress: "),
        "no progress lines in the logs:\n{logs}"
    );
    sweep(&["merge", cluster_dir.to_str().unwrap()]);
    let (a, b) = (
        everything(&local.join("results.h5")),
        everything(&cluster_dir.join("results.h5")),
    );
    assert_eq!(a.1, b.1, "attributes differ");
    assert!(
        a.0 == b.0,
        "the merged cluster result differs from the local run"
    );
    drop(cluster);
}
