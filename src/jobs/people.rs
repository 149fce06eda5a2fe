//! The people screen's work: the census of everyone on the watched
//! branches (`pipeline::people`), and one person's blast radius.

use crate::model::people::{BlastRadius, PersonRecord};
use crate::pipeline::people::blast::{self, Target};
use crate::pipeline::people::{census, NEED_SYNC};
use crate::repo::Repo;
use crate::store::Store;

use super::{JobContext, JobError};

/// Everyone, as the people screen lists them.
#[derive(Debug, Clone, Default)]
pub struct PeopleData {
    /// By concern (see `pipeline::people::Census::people`), only those
    /// listed.
    pub people: Vec<PersonRecord>,
    /// Dormancy counts back from this (the newest activity).
    pub reference_time: Option<i64>,
    pub dormancy_days: u32,
    /// The fields that need a sync, when the store has no GitHub data.
    pub need_sync: Vec<&'static str>,
}

pub fn people(ctx: &JobContext) -> Result<PeopleData, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    let census = census(&repo, &mut store, &ctx.config, None)?;
    let mut people = census.people;
    people.truncate(census.listed);
    Ok(PeopleData {
        people,
        reference_time: census.reference_time,
        dormancy_days: ctx.config.risk.dormancy_days,
        need_sync: if census.synced { Vec::new() } else { NEED_SYNC.to_vec() },
    })
}

/// The blast radius of the person `who` (an email or login of theirs).
pub fn blast_radius(ctx: &JobContext, who: &str) -> Result<BlastRadius, JobError> {
    let repo = Repo::open(&ctx.repo)?;
    let mut store = Store::open(&ctx.db)?;
    let census = census(&repo, &mut store, &ctx.config, None)?;
    Ok(blast::blast_radius(&repo, &census, &Target::Person(who.to_string()))?)
}
