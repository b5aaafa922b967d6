//! `CIM_ReplicationService.ModifyReplicaSynchronization` (SNIA SMI-S 1.8 Replication
//! Services; DMTF CIM 2.49 value maps) with the state rules of the pair model in
//! `provider::replicas`.
//!
//! | Operation | valid when (CopyState) | effect | returns |
//! |---|---|---|---|
//! | 8 Detach, 9 Dissolve | any stable state | the association is deleted, both volumes stay | 0 |
//! | 12 Fracture | 4 Synchronized, 18 Restored | CopyState 6 Fractured (SyncState 13) | 0 |
//! | 14 Resync Replica | any stable state | 3 Unsynchronized / SyncState 5 while the job runs, then 4 | 4096 + Job (0 when the scenario's copies are instantaneous) |
//! | 15 Restore from Replica | any stable state but 5 Broken | SyncState 10 / ProgressStatus 8 while the job runs, then 18 Restored | 4096 + Job (or 0) |
//! | 19 Return To ResourcePool | CopyType 4 (UnSyncAssoc) pairs in any stable state | the target volume is deleted with the pair | 0 |
//!
//! A resync or restore job that fails (or is terminated) leaves the pair 5 Broken.
//! While the initial copy or a resync/restore runs, every operation answers 6 In Use; an
//! operation not valid in the pair's state answers 5 Invalid Parameter; 19 on a target that
//! is itself the source of another pair answers 6 In Use; other operations answer 1 Not
//! Supported. Detach is synchronous, as HP 3PAR documents it (0 for Detach, 0x1000 for the
//! copying operations).

use smis::message::MethodReturn;

use super::super::replicas::{Lifecycle, copy_type, pair_view, result_of};
use super::{Call, R, State, find_sync, new_job, out_ref, rc, rc_with};

/// ModifyReplicaSynchronization.
pub(super) fn modify(st: &mut State, c: &Call) -> R<MethodReturn> {
    let Some(op) = param!(c.p.u16("Operation")) else {
        return rc(5);
    };
    apply(st, c, op)
}

/// The SMI-S 1.4 `CIM_StorageConfigurationService.ModifySynchronization`, whose operation
/// numbers differ: 2 Detach, 3 Fracture, 4 Resync, 5 Restore (others: 1 Not Supported).
pub(super) fn modify_legacy(st: &mut State, c: &Call) -> R<MethodReturn> {
    let op = match param!(c.p.u16("Operation")) {
        None => return rc(5),
        Some(2) => 8,
        Some(3) => 12,
        Some(4) => 14,
        Some(5) => 15,
        Some(_) => return rc(1),
    };
    apply(st, c, op)
}

fn apply(st: &mut State, c: &Call, op: u16) -> R<MethodReturn> {
    let Some(sp) = param!(c.p.path("Synchronization")) else {
        return rc(5);
    };
    let Some(idx) = find_sync(st, &c.ns, &sp) else {
        return rc(5);
    };
    if !matches!(op, 8 | 9 | 12 | 14 | 15 | 19) {
        return rc(1);
    }
    let view = pair_view(st, &st.syncs[idx]);
    if !view.stable {
        return rc(6); // the copy (or a resync/restore) is still running
    }
    st.syncs[idx].life = Lifecycle {
        settled: view.copy_state,
        running: None,
    };
    let state = view.copy_state;
    match op {
        8 | 9 => {
            st.syncs.remove(idx);
            rc(0)
        }
        19 => {
            let s = st.syncs[idx].clone();
            if copy_type(&s) != 4 {
                return rc(5);
            }
            if st.syncs.iter().any(|x| x.source == s.target) {
                return rc(6); // the target has replicas of its own
            }
            st.syncs.remove(idx);
            st.volumes.retain(|v| v.id != s.target);
            st.syncs
                .retain(|x| x.source != s.target && x.target != s.target);
            rc(0)
        }
        12 => {
            if !matches!(state, 4 | 18) {
                return rc(5);
            }
            st.syncs[idx].life.settled = 6;
            rc(0)
        }
        _ => {
            if op == 15 && state == 5 {
                return rc(5); // nothing consistent to restore from
            }
            let s = st.syncs[idx].clone();
            let jobs = &st.scenario.jobs;
            let duration = if s.sync_type == 7 {
                jobs.snapshot_ms.unwrap_or(jobs.clone_ms)
            } else {
                jobs.clone_ms
            };
            if duration == 0 {
                st.syncs[idx].life.settled = result_of(op);
                return rc(0);
            }
            let what = if op == 15 {
                "Restoring"
            } else {
                "Resynchronizing"
            };
            let num = new_job(
                st,
                c,
                "ModifyReplicaSynchronization",
                format!("{what} volume {} from {}", s.source, s.target),
                duration,
                None,
            );
            st.syncs[idx].life.running = Some((op, num));
            rc_with(4096, vec![out_ref("Job", st.job_path(num))])
        }
    }
}
